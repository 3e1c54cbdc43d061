// CIFAR-10 batch files (data/cifar10.hpp): any bytes, read as a batch of as many records as
// they about fill, keeping all or some.
#include <typenet/data/cifar10.hpp>
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::Input in(data, size);
  const std::size_t keep = in.byte();
  const auto file = in.rest();
  const std::size_t records = std::max<std::size_t>(1, (file.size() + 100) / typenet::cifar10::record_bytes);
  fuzz::expect_only_typenet_errors([&] {
    typenet::ImageSet set = typenet::cifar10::empty_set();
    typenet::cifar10::parse_batch(file, "fuzz input", set, records, keep);
    typenet::check_image_set(set, "fuzz input");
  });
  return 0;
}
