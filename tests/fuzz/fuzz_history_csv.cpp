// History files (train/callbacks.hpp): the CSV a run writes, read back.
#include <typenet/train/callbacks.hpp>
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::expect_only_typenet_errors([&] {
    typenet::parse_history_csv(std::string(reinterpret_cast<const char*>(data), size), "fuzz input");
  });
  return 0;
}
