// The restricted unpickler of torch.save's state_dicts (io/state_dict_pickle.hpp), on the
// pickle alone: the zip archive around it checks CRCs, which would keep the fuzzer out.
#include <typenet/io/state_dict_pickle.hpp>
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::expect_only_typenet_errors([&] {
    for (const auto& t : typenet::io::parse_state_dict_pickle({data, size}, "fuzz input"))
      if (t.size.size() != t.stride.size()) __builtin_trap();
  });
  return 0;
}
