// Weights files (io/weights.hpp), for a model of 6 parameters and 2 state values. With the
// first byte odd the harness writes the right checksum into the file's last 8 bytes, so that
// the fuzzer also gets past the checksum to the fields behind it.
#include <cstring>
#include <typenet/io/weights.hpp>
#include "fuzz_input.hpp"
#include "fuzz_run.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::Input in(data, size);
  const bool fix_checksum = in.byte() & 1;
  const auto bytes = in.rest();
  std::vector<std::uint8_t> file(bytes.begin(), bytes.end());
  if (fix_checksum && file.size() >= 8) {
    const std::uint64_t sum = typenet::io::fnv1a(file.data(), file.size() - 8);
    std::memcpy(file.data() + file.size() - 8, &sum, 8);
  }
  std::vector<float> params(fuzz::weights_params, 7.0f), state(fuzz::weights_state, 7.0f);
  try {
    typenet::io::parse_weights(file, "fuzz input", fuzz::weights_arch, params, state);
    if (!typenet::all_finite(std::span<const float>(params))) __builtin_trap();  // it promises finite values
  } catch (const typenet::Error&) {
    for (float p : params)
      if (p != 7.0f) __builtin_trap();  // a refused file must leave the model as it was
  }
  return 0;
}
