// The bytes a reader run in a child process hands back (io/tensor_file.hpp's to_bytes): the
// parent's side of the Keras .h5 boundary. The .h5 parse itself runs isolated in a forked
// child (fuzz_keras_h5, a fork per input); this harness fuzzes what the parent trusts of it,
// in process and fast.
#include <typenet/io/tensor_file.hpp>
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::expect_only_typenet_errors(
      [&] { typenet::io::tensor_file_from_bytes(std::span<const std::uint8_t>(data, size), "fuzz input"); });
  return 0;
}
