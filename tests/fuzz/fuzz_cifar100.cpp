// CIFAR-100 (data/cifar100.hpp): the binary records with either label, and the label-names
// text files.
#include <typenet/data/cifar100.hpp>
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace c100 = typenet::cifar100;
  fuzz::Input in(data, size);
  const std::uint8_t mode = in.byte();
  const auto file = in.rest();
  const auto which = mode & 2 ? c100::Labels::coarse : c100::Labels::fine;
  fuzz::expect_only_typenet_errors([&] {
    if (mode & 1) {
      c100::parse_class_names(std::string(file.begin(), file.end()), "fuzz input", which == c100::Labels::fine ? 100 : 20);
    } else {
      const std::size_t records = std::max<std::size_t>(1, (file.size() + 100) / c100::record_bytes);
      std::vector<std::string> names(which == c100::Labels::fine ? 100 : 20, "c");
      const auto set = c100::parse_file(file, "fuzz input", records, mode >> 2, which, names);
      typenet::check_image_set(set, "fuzz input");
    }
  });
  return 0;
}
