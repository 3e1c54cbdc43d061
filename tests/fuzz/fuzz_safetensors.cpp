// safetensors files (io/safetensors.hpp): any bytes are a file or an Error; what is read
// has values for every element of its shape.
#include <typenet/io/safetensors.hpp>
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::expect_only_typenet_errors([&] {
    const auto f = typenet::io::read_safetensors({data, size}, "fuzz input");
    for (const auto& t : f.tensors) {
      long n = 1;
      for (long d : t.dims) n *= d;
      if (std::size_t(n) != t.values.size()) __builtin_trap();
    }
  });
  return 0;
}
