// Keras .h5 weight files (io/keras_h5.hpp), read from memory through libhdf5.
#include <typenet/io/keras_h5.hpp>
#include "fuzz_input.hpp"

// libhdf5 asks malloc for absurd sizes on corrupt metadata and copes with the NULL it gets in a
// normal build; ASan's default is to abort instead, which in the reader's child process left a
// crash file per input (session 15: 385 of them, each an Error once malloc may return NULL).
// Requests past libFuzzer's malloc limit still leave "oom" files from the child: the child dies,
// this process gets an Error, and the harness itself has not crashed.
extern "C" const char* __asan_default_options() { return "allocator_may_return_null=1"; }

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::expect_only_typenet_errors([&] { typenet::io::read_keras_h5(std::span<const std::uint8_t>(data, size), "fuzz input"); });
  return 0;
}
