// Keras .h5 weight files (io/keras_h5.hpp), read from memory through libhdf5.
#include <typenet/io/keras_h5.hpp>
#include "fuzz_input.hpp"

// libhdf5 1.10.8 reads out of bounds on some corrupt files, which kills the reader's child
// (forked from this process, ASan and all); this process then gets an Error, and the next
// input a fresh child. To keep that cheap: no symbolised report from the dying child (a crash
// of this process still saves its input: run that with ASAN_OPTIONS=symbolize=1 to read the
// stack), and a small quarantine, so that each fork copies less. libhdf5 also asks malloc for
// absurd sizes on corrupt metadata and copes with the NULL a normal build gives it: here too
// malloc returns NULL past 1 GiB (below libFuzzer's 2 GiB limit, which would save the input
// as an "oom" file), so only a real fault remains a crash.
extern "C" const char* __asan_default_options() {
  return "symbolize=0:quarantine_size_mb=8:allocator_may_return_null=1:max_allocation_size_mb=1024";
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::expect_only_typenet_errors([&] { typenet::io::read_keras_h5(std::span<const std::uint8_t>(data, size), "fuzz input"); });
  return 0;
}
