// PyTorch state_dict files (io/torch_checkpoint.hpp): the zip archive (libzip), the pickle and
// every view against its storage.
#include <typenet/io/torch_checkpoint.hpp>
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::expect_only_typenet_errors([&] { typenet::io::read_torch_checkpoint({data, size}, "fuzz input"); });
  return 0;
}
