// Keras .h5 weight files (io/keras_h5.hpp), read from memory through libhdf5.
#include <typenet/io/keras_h5.hpp>
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::expect_only_typenet_errors([&] { typenet::io::read_keras_h5(std::span<const std::uint8_t>(data, size), "fuzz input"); });
  return 0;
}
