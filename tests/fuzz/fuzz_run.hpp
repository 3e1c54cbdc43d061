#pragma once
// The small models whose files the weights and checkpoint harnesses read, and make_seeds
// writes: a run of 3 epochs of 4 steps on 8 images of 1x4x4, with the CLI's callbacks.
#include <typenet/data/batcher.hpp>
#include <typenet/layers/all.hpp>
#include <typenet/model.hpp>
#include <typenet/train/callbacks.hpp>
#include <typenet/train/loop.hpp>
#include <typenet/train/optim.hpp>
#include <typenet/train/run_state.hpp>

namespace fuzz {

inline const std::string weights_arch = "fuzz:Input<1,2,2>,Dense<2>";
inline constexpr std::size_t weights_params = 6, weights_state = 2;

using Net = typenet::Sequential<typenet::Input<1, 4, 4>, typenet::Conv<2, 3>, typenet::BatchNorm, typenet::ReLU,
                                typenet::Flatten, typenet::Dense<3>>;
inline constexpr int batch = 2;
inline constexpr double epochs = 3;

inline typenet::ImageSet tiny_set() {
  typenet::ImageSet s{typenet::Shape(1, 4, 4), {}, {}, {"a", "b", "c"}};
  for (int i = 0; i < 8; ++i) {
    std::uint8_t px[16];
    for (int j = 0; j < 16; ++j) px[j] = std::uint8_t(17 * i + 5 * j);
    s.push_back(px, i % 3);
  }
  return s;
}

// Everything a resumed run restores, built as a run would build it.
template <class Optimizer> struct Run {
  typenet::ImageSet train = tiny_set();
  typenet::Model<Net> model{{.batch = batch, .seed = 1}};
  Optimizer opt{};
  typenet::Batcher batcher{train, Net::input_shape, batch, 1, typenet::Normalize::unit()};
  typenet::EarlyStopping early{.patience = 2};
  typenet::ReduceLROnPlateau plateau{.patience = 1};
  typenet::HistoryWriter history{};

  // Trains the whole run, writing its checkpoint to `file` (every step and epoch).
  void train_with_checkpoints(const std::filesystem::path& file) {
    const typenet::TrainConfig cfg{.epochs = epochs, .seed = 1, .checkpoint = {.file = file, .every_steps = 3}};
    typenet::fit(model, opt, train, &train, cfg, early, plateau, history);
  }
  void resume(const typenet::io::CheckpointReader& r) {
    typenet::LoopState st = typenet::planned_loop(long(batcher.batches()), epochs);
    std::vector<typenet::EpochStats> rows;
    typenet::load_run_state(r, model, opt, batcher, st, rows, early, plateau, history);
  }
};

}  // namespace fuzz
