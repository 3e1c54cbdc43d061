// TensorFlow.js models (io/tfjs.hpp): the first u16-sized field is model.json, the rest of the
// input is every shard the manifest names.
#include <typenet/io/tfjs.hpp>
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::Input in(data, size);
  const auto json = in.take(in.u16());
  const auto shard = in.rest();
  fuzz::expect_only_typenet_errors([&] {
    typenet::io::parse_tfjs(std::string(json.begin(), json.end()), "fuzz input",
                            [&](const std::string&) { return std::vector<std::uint8_t>(shard.begin(), shard.end()); });
  });
  return 0;
}
