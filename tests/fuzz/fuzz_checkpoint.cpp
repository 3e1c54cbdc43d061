// Checkpoints (io/checkpoint.hpp) and everything restored from them (train/run_state.hpp:
// model, SGD or AdamW, batcher, loop, history, early stopping, plateau). The first byte picks
// the optimiser and the way in:
//   even: the bytes are a checkpoint file, checksums and all;
//   odd:  the bytes are sections, [name length u8][name][size u16][bytes] each, which the
//         harness writes as a well-formed file, so that the fuzzer reaches every section's
//         reader behind the checksums.
#include "fuzz_input.hpp"
#include "fuzz_run.hpp"

template <class Optimizer> void resume(fuzz::Run<Optimizer>& run, std::vector<std::uint8_t> file) {
  fuzz::expect_only_typenet_errors([&] { run.resume(typenet::io::CheckpointReader(std::move(file), "fuzz input")); });
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static fuzz::Run<typenet::SGD> sgd;
  static fuzz::Run<typenet::AdamW> adam;
  fuzz::Input in(data, size);
  const std::uint8_t mode = in.byte();
  std::vector<std::uint8_t> file;
  if (mode & 1) {
    typenet::io::CheckpointWriter w;
    while (!in.empty()) {
      const auto name = in.take(in.byte());
      const auto content = in.take(in.u16());
      typenet::io::Bytes b;
      b.put_raw(content);
      w.add(std::string(name.begin(), name.end()), b);
    }
    const auto bytes = w.bytes();
    file.assign(bytes.begin(), bytes.end());
  } else {
    const auto bytes = in.rest();
    file.assign(bytes.begin(), bytes.end());
  }
  if (mode & 2) resume(adam, std::move(file));
  else resume(sgd, std::move(file));
  return 0;
}
