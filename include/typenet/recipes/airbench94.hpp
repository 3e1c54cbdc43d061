#pragma once
// The airbench94 recipe (Keller Jordan; RECIPES.md): everything about *how* Airbench94 is
// trained to 94% in ten epochs, in one place with its units. The network is zoo::Airbench94.
//
//   init:   first conv = patch whitening (frozen; its bias trains for 3 epochs); every other
//           conv = identity on its first C_in filters; BN scales frozen at 1.
//   data:   50,000 training images, batches of 1024 (last partial one dropped), reflect-pad 2
//           random crop, alternating flip.
//   step:   cross-entropy with label smoothing 0.2; Nesterov SGD 0.85; lr 0.2x -> 1x (23%) ->
//           0.07x; BN shifts learn 64x faster; every 5 steps the lookahead average.
//   test:   the final lookahead weights, six-view test-time augmentation.
// The recipe is a configuration of the one training loop (train/loop.hpp): its schedule, its
// optimiser settings, and two hooks (the whitening bias freezing, the lookahead average).
#include <chrono>
#include <cmath>
#include <vector>
#include "typenet/graph/for_each_node.hpp"
#include "typenet/init/dirac.hpp"
#include "typenet/init/patch_whitening.hpp"
#include "typenet/model.hpp"
#include "typenet/train/callbacks.hpp"
#include "typenet/train/epoch_stats.hpp"
#include "typenet/train/evaluate.hpp"
#include "typenet/train/lookahead.hpp"
#include "typenet/train/loop.hpp"
#include "typenet/train/optim.hpp"
#include "typenet/train/schedule.hpp"

namespace typenet {

struct Airbench94Recipe {
  int batch = 1024;
  double epochs = 9.9;             // 476 steps of 1024 images
  float lr = 11.5f;                // per 1024 summed-loss examples, momentum-decoupled (airbench's unit)
  float momentum = 0.85f;          // Nesterov
  float weight_decay = 0.0153f;    // per 1024 examples, decoupled from the lr (but follows its schedule)
  float bias_scaler = 64.0f;       // BN shifts: gradient step x64, decay unchanged
  float label_smoothing = 0.2f;
  int whiten_bias_epochs = 3;      // the whitening bias trains in epochs 0..2 only
  std::size_t whiten_images = 5000;
  double whiten_eps = 5e-4;
  int translate = 2;               // pixels, reflect padding
  int lookahead_every = 5;         // steps
  float bn_momentum = 0.4f, bn_eps = 1e-12f;  // weight of a new batch in the running statistics
  int tta_level = 2;
  bool eval_each_epoch = false;    // test accuracy per epoch (not counted in the run's time)
  std::uint64_t seed = 1;
  Precision precision = Precision::bf16;
  CheckpointOptions checkpoint{};              // the run's state, saved as it goes
  const io::CheckpointReader* resume = nullptr;  // continue a run from its checkpoint
  Collective* collective = nullptr;  // data-parallel: `batch` is the global batch, shared out
  std::size_t gradient_bucket_bytes = std::size_t(25) << 20;  // (train/gradient_sync.hpp)
  bool sync_batch_norm = false;  // data-parallel: batch norm over the global batch (ModelOptions::batch_norm_sum)

  int ranks() const { return collective ? collective->ranks() : 1; }
  ModelOptions model_options() const {
    return {.batch = batch / ranks(), .seed = seed, .bn_momentum = bn_momentum, .bn_eps = bn_eps, .precision = precision,
            .batch_norm_sum = batch_norm_sum(collective, sync_batch_norm)};
  }
};

struct RecipeResult {
  std::vector<EpochStats> history;
  long steps = 0;
  double train_seconds = 0;      // initialisation and training
  double eval_seconds = 0;       // the final TTA evaluation
  double accuracy = 0;           // test accuracy of the plain view
  double accuracy_tta = 0;       // with test-time augmentation
};

namespace airbench_detail {

// Per-element gradient scales for SGD: 0 freezes (whitening weights, BN scales), bias_scaler
// for BN shifts; the whitening bias is switched off later by the training loop.
template <class Net>
std::vector<float> gradient_scales(const Airbench94Recipe& r) {
  std::vector<float> s(Net::param_count, 1.0f);
  bool first = true;
  for_each_layer(typename Net::nodes{}, [&](auto node, long p, long) {
    using N = typename decltype(node)::type;
    if constexpr (is_op_v<N, op::Conv>) {
      if (first) std::fill_n(s.begin() + p, N::bound::weights, 0.0f);
      first = false;
    }
    if constexpr (is_op_v<N, op::BatchNorm>) {
      std::fill_n(s.begin() + p, N::in.c, 0.0f);                  // scale (C): frozen at 1
      std::fill_n(s.begin() + p + N::in.c, N::in.c, r.bias_scaler);  // shift (C)
    }
  });
  return s;
}

// The first node after the whitening conv that has parameters: once the whitening bias is
// frozen, nothing before it trains, so the backward pass stops there.
template <class Net>
std::size_t first_node_after_whitening() {
  std::size_t i = 0, first = 0;
  for_each_node(typename Net::nodes{}, [&](auto node, long, long) {
    if (i > 0 && first == 0 && decltype(node)::type::params > 0) first = i;
    ++i;
  });
  return first;
}

}  // namespace airbench_detail

// The recipe's two hooks on the training loop.
template <class Net>
struct Airbench94Hooks {
  const Airbench94Recipe& recipe;
  std::vector<float>& scale;  // SGD's per-element gradient scales
  long whiten_weights;
  int whiten_filters;
  Lookahead lookahead;

  static constexpr const char* state_name = "airbench94";
  void save_state(io::Bytes& b) const { lookahead.save_state(b); }
  void load_state(io::BytesReader r) {
    lookahead.load_state(r);
    r.expect_end();
  }

  // From epoch `whiten_bias_epochs` on the whitening bias is frozen too, and with it everything
  // before the first trained node: the backward pass stops there.
  template <class M> void on_epoch_begin(LoopState& s, M&) {
    if (s.epoch - 1 != recipe.whiten_bias_epochs) return;
    std::fill_n(scale.begin() + whiten_weights, whiten_filters, 0.0f);
    s.frozen_nodes = airbench_detail::first_node_after_whitening<Net>();
  }
  // Every few steps the lookahead average, with a decay that grows as x^3 over the run; after
  // the last step the network takes the average.
  template <class M> void after_step(LoopState& s, M& model) {
    const long done = s.step + 1;
    if (done % recipe.lookahead_every == 0) {
      const double x = double(done) / double(s.total_steps);
      lookahead.update(model, float(std::pow(0.95, 5) * x * x * x));
    }
    if (done == s.total_steps) lookahead.update(model, 1.0f);
  }
};

// Initialise (whitening, identity convs) and train `model`, then evaluate it on data.test.
// on_epoch(const EpochStats&) sees each epoch's training statistics.
template <class Net, class OnEpoch>
RecipeResult run_airbench94(Model<Net>& model, const Dataset& data, const Airbench94Recipe& r, OnEpoch&& on_epoch) {
  using First = front_t<typename Net::nodes>;
  static_assert(is_op_v<First, op::Conv> && First::layer::bias && First::layer::filters == 2 * First::bound::weights /
                                                                     First::layer::filters,
                "typenet: the airbench94 recipe needs a whitening conv first: 2*C*K*K filters of KxK with a bias");
  constexpr long whiten_weights = First::bound::weights;
  if (model.batch() * r.ranks() != r.batch)
    throw Error("typenet: airbench94: the model's batch is not the recipe's batch " + std::to_string(r.batch) + " shared out over " +
                std::to_string(r.ranks()) + " processes");
  const auto t0 = std::chrono::steady_clock::now();
  const Normalize norm = Normalize::cifar();

  // Initialisation.
  {
    auto p = model.params();
    const auto w = patch_whitening_filters<Net::input_shape, First::layer::kernel>(data.train, r.whiten_images,
                                                                                  r.whiten_eps, norm);
    std::copy(w.begin(), w.end(), p.begin());
    std::fill_n(p.begin() + whiten_weights, First::layer::filters, 0.0f);  // its bias starts at 0
    dirac_init<Net>(p, /*skip=*/1);
  }

  // Optimiser in PyTorch's coupled form with airbench's units: the loss is a mean here (a sum
  // there), so the step per unit gradient is lr/kilostep * batch; decay per step is wd*batch/kilostep.
  const double kilostep = 1024.0 * (1.0 + 1.0 / (1.0 - r.momentum));
  const float lr = float(r.lr / kilostep * r.batch);
  const float decay_per_step = float(r.weight_decay * r.batch / kilostep);
  SGD opt{.momentum = r.momentum, .nesterov = true, .weight_decay = decay_per_step / lr};
  opt.scale = airbench_detail::gradient_scales<Net>(r);

  const LoopConfig<OneCycle> cfg{
      .epochs = r.epochs,
      .schedule = {.peak = lr, .peak_at = 0.23f, .start_ratio = 0.2f, .end_ratio = 0.07f},
      .label_smoothing = r.label_smoothing,
      .augment = {.pad = r.translate, .flip = true, .reflect = true, .alternate_flip = true},
      .normalize = norm,
      .seed = r.seed,
      .eval_each_epoch = true,
      .eval_tta = 0,
      .checkpoint = r.checkpoint,
      .resume = r.resume,
      .collective = r.collective,
      .gradient_bucket_bytes = r.gradient_bucket_bytes};
  Airbench94Hooks<Net> hooks{r, opt.scale, whiten_weights, First::layer::filters, Lookahead(model)};
  RecipeResult out;
  out.history = fit(model, opt, data.train, r.eval_each_epoch ? &data.test : nullptr, cfg, hooks,
                    EachEpoch{[&](const EpochStats& s) { on_epoch(s); }});
  double excluded = 0;  // per-epoch evaluation time, not part of the run
  for (const auto& s : out.history) out.steps += s.steps, excluded += s.eval_seconds;
  const auto t1 = std::chrono::steady_clock::now();
  out.train_seconds = std::chrono::duration<double>(t1 - t0).count() - excluded;
  const auto ev = evaluate(model, data.test, {.normalize = norm, .tta = r.tta_level, .collective = r.collective});
  out.eval_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
  out.accuracy = ev.plain_accuracy;
  out.accuracy_tta = ev.accuracy;
  return out;
}

}  // namespace typenet
