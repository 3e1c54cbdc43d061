// Sweep files (study/sweep_json.hpp): JSON text to a checked sweep space.
#include <typenet/study/sweep_json.hpp>
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::expect_only_typenet_errors([&] {
    const auto s = typenet::parse_sweep_json(std::string(reinterpret_cast<const char*>(data), size), "fuzz input");
    if (s.batch.empty() || s.lr.empty() || s.wd.empty()) __builtin_trap();
  });
  return 0;
}
