#pragma once
// The training loop: every run (train, the airbench94 recipe, study, sweep) is this loop with a
// configuration and hooks. A step is batch assembly, forward, fused loss, backward, one
// optimiser loop. Hooks are plain objects passed as a pack and called through fold
// expressions (no virtual calls); each implements what it needs of:
//   on_epoch_begin(LoopState&, Model&)    before the epoch's first batch (after the shuffle)
//   on_step_begin(LoopState&, Model&)     before batch assembly
//   after_backward(LoopState&, Model&)    gradients final (averaged over the processes),
//                                         before the optimiser step: clipping, loss scaling
//   after_step(LoopState&, Model&)        after the optimiser step: lookahead, EMA
//   on_batch_end(const BatchProgress&)    running statistics (progress bars)
//   on_epoch_end(const EpochStats&, Model&, Control&)   may stop the run or scale the rate
//   on_train_end(Model&)
// A loss, gradient or weight that is not finite stops the run with Diverged, before any hook
// could save it.
//
// With cfg.checkpoint.file the loop writes the whole state of the run (train/run_state.hpp) at
// every epoch's end and every cfg.checkpoint.every_steps steps; with cfg.resume it continues
// such a run exactly where the checkpoint left it: the same batches, the same dropout masks,
// the same optimiser moments, so the final weights are the same bytes as an uninterrupted run's.
//
// With cfg.collective the run is data-parallel over that many processes (train/collective.hpp):
// the model's batch is this process's share of the global batch, each process takes its slice
// of every global batch (data/batcher.hpp), the gradients are averaged over the processes
// in buckets started during backward (train/gradient_sync.hpp), and the step's loss is summed
// over them, so every process takes the same step and sees the same numbers, a divergence
// included. Batch-norm statistics stay per process in training (unless the model synchronises
// them: ModelOptions::batch_norm_sum) and are averaged before every evaluation and checkpoint;
// evaluation is sharded; only the first process writes checkpoints.
#include <chrono>
#include <cmath>
#include <string>
#include <utility>
#include <vector>
#include "typenet/core/error.hpp"
#include "typenet/core/finite.hpp"
#include "typenet/data/batcher.hpp"
#include "typenet/model.hpp"
#include "typenet/train/collective.hpp"
#include "typenet/train/epoch_stats.hpp"
#include "typenet/train/evaluate.hpp"
#include "typenet/train/gradient_sync.hpp"
#include "typenet/train/loop_state.hpp"
#include "typenet/train/loss.hpp"
#include "typenet/train/progress.hpp"
#include "typenet/train/run_state.hpp"
#include "typenet/train/schedule.hpp"

namespace typenet {

template <class Schedule>
struct LoopConfig {
  double epochs = 30;          // may be fractional: ceil(epochs * batches per epoch) steps in all
  Schedule schedule{};         // rate of step t of T: schedule(t, T)
  float label_smoothing = 0.1f;
  Augment augment{};
  Normalize normalize = Normalize::cifar();
  std::uint64_t seed = 1;      // shuffling and augmentation
  bool eval_each_epoch = true; // evaluate the held-out set after every epoch (else after the last)
  int eval_tta = 0;            // test-time augmentation of that evaluation (train/evaluate.hpp)
  CheckpointOptions checkpoint{};              // where and how often to save the run's state
  const io::CheckpointReader* resume = nullptr;  // a checkpoint of this run to continue from
  Collective* collective = nullptr;  // data-parallel: the processes this run is spread over
  std::size_t gradient_bucket_bytes = std::size_t(25) << 20;  // gradient sums started during backward (0: one after)
};
using TrainConfig = LoopConfig<WarmupDecay>;

namespace detail {
template <class H, class M> void epoch_begin(H& h, LoopState& s, M& m) { if constexpr (requires { h.on_epoch_begin(s, m); }) h.on_epoch_begin(s, m); }
template <class H, class M> void step_begin(H& h, LoopState& s, M& m) { if constexpr (requires { h.on_step_begin(s, m); }) h.on_step_begin(s, m); }
template <class H, class M> void after_backward(H& h, LoopState& s, M& m) { if constexpr (requires { h.after_backward(s, m); }) h.after_backward(s, m); }
template <class H, class M> void after_step(H& h, LoopState& s, M& m) { if constexpr (requires { h.after_step(s, m); }) h.after_step(s, m); }
template <class H> void batch_end(H& h, const BatchProgress& p) { if constexpr (has_on_batch_end<H>) h.on_batch_end(p); }
template <class H, class M> void epoch_end(H& h, const EpochStats& e, M& m, Control& c) { if constexpr (requires { h.on_epoch_end(e, m, c); }) h.on_epoch_end(e, m, c); }
template <class H, class M> void train_end(H& h, M& m) { if constexpr (requires { h.on_train_end(m); }) h.on_train_end(m); }

// Every process starts from the first one's weights and statistics; their dropout masks differ
// (the first process keeps the stream a single-process run would have).
template <class M> void start_together(Collective& c, M& model) {
  const auto from_first = [&](auto values) {  // the model's WatchedSpan
    c.broadcast({reinterpret_cast<std::uint8_t*>(values.data()), values.size() * sizeof(*values.data())}, 0);
  };
  from_first(model.params());
  from_first(model.state());
  if (c.rank() > 0) model.set_rng_state(Rng(model.rng_state() + std::uint64_t(c.rank())).next());
}

[[noreturn]] inline void diverged(const std::string& what, const LoopState& s) {
  throw Diverged("typenet: " + what + " at epoch " + std::to_string(s.epoch) + ", step " + std::to_string(s.step) +
                 ": training diverged (lower the learning rate); files saved before this point are kept");
}
}  // namespace detail

// Train on `train`; evaluate on `held_out` (when given) after every epoch, or only after the
// last with cfg.eval_each_epoch = false. Returns the history of the epochs run.
template <class M, class Optimizer, class Schedule, class... Hooks>
std::vector<EpochStats> fit(M& model, Optimizer& opt, const ImageSet& train, const ImageSet* held_out,
                            const LoopConfig<Schedule>& cfg, Hooks&&... hooks) {
  using clock = std::chrono::steady_clock;
  constexpr int K = M::network::output_shape.c;
  if (!(cfg.epochs > 0) || !std::isfinite(cfg.epochs)) throw Error("typenet: the number of epochs must be positive");
  if (train.classes() > K)
    throw Error("typenet: the training set has " + std::to_string(train.classes()) + " classes, the network's output " +
                std::to_string(K));
  Collective* const comm = cfg.collective;
  const int n = model.batch(), ranks = comm ? comm->ranks() : 1;  // n: this process's share of a batch
  Batcher batcher(train, M::network::input_shape, n * ranks, cfg.seed, cfg.normalize, {comm ? comm->rank() : 0, ranks});
  std::vector<int> labels(static_cast<std::size_t>(n));
  if (batcher.batches() == 0)
    throw Error("typenet: the training set (" + std::to_string(train.size()) + " images) is smaller than one batch (" +
                std::to_string(n * ranks) + ")");
  LoopState st = planned_loop(long(batcher.batches()), cfg.epochs);
  const int epochs = int((st.total_steps + st.steps_per_epoch - 1) / st.steps_per_epoch);
  std::vector<EpochStats> history;
  EpochStats s;           // the epoch being run
  long seen = 0, b = 0;   // its images and next batch
  bool mid_epoch = false;  // resuming inside an epoch: no new shuffle
  const auto average_statistics = [&] {  // per-process BN statistics, one set for evaluation and saving
    if (comm) comm->average(model.state());
  };
  const auto save = [&](bool inside, long next_batch) {
    if (cfg.checkpoint.file.empty()) return;
    if (inside) average_statistics();  // (at an epoch's end they already are)
    if (comm && !comm->leader()) return;
    save_run_state(cfg.checkpoint, model, opt, batcher, st, history, {inside, next_batch, seen, s}, hooks...);
  };
  if (cfg.resume) {
    const ResumePoint at = load_run_state(*cfg.resume, model, opt, batcher, st, history, hooks...);
    mid_epoch = at.mid_epoch;
    if (mid_epoch) s = at.stats, seen = at.seen, b = at.next_batch;
    else ++st.epoch;
  } else {
    st.epoch = 1;
  }
  if (comm) detail::start_together(*comm, model);
  auto sync = GradientSync<typename M::scalar>::template for_network<typename M::network>(comm, cfg.gradient_bucket_bytes);
  for (; st.step < st.total_steps && !st.control.stop; ++st.epoch, b = 0, mid_epoch = false) {
    const auto t0 = clock::now();
    if (!mid_epoch) {
      batcher.shuffle();
      (detail::epoch_begin(hooks, st, model), ...);
      s = EpochStats{.epoch = st.epoch};
      seen = 0;
    }
    for (; b < st.steps_per_epoch && st.step < st.total_steps; ++b, ++st.step) {
      (detail::step_begin(hooks, st, model), ...);
      batcher.fill(std::size_t(b), model.input(), labels, cfg.augment);
      model.forward(Mode::train, st.inference_nodes);
      st.loss = softmax_cross_entropy(model.output(), labels, K, cfg.label_smoothing, model.diff_output());
      if (comm) {  // the global batch's loss, the same on every process
        double sums[2] = {st.loss.loss_sum, double(st.loss.correct)};
        comm->sum(sums);
        st.loss = {sums[0], int(sums[1])};
      }
      if (!std::isfinite(st.loss.loss_sum)) detail::diverged("the loss became " + std::to_string(st.loss.loss_sum), st);
      sync.begin(model.grads(), st.frozen_nodes);
      model.backward(st.frozen_nodes, [&](std::size_t node) { sync.node_done(node); });
      sync.finish();
      (detail::after_backward(hooks, st, model), ...);
      if (!all_finite(model.grads())) detail::diverged("a gradient became NaN or infinite", st);
      st.lr = cfg.schedule(st.step, st.total_steps) * st.control.lr_scale;
      opt.step(model.params(), model.grads(), st.lr);
      (detail::after_step(hooks, st, model), ...);
      s.lr = st.lr;
      s.loss += st.loss.loss_sum;
      s.accuracy += st.loss.correct;
      seen += n * ranks;
      ++s.steps;
      if (cfg.checkpoint.every_steps > 0 && (st.step + 1) % cfg.checkpoint.every_steps == 0 &&
          b + 1 < st.steps_per_epoch && st.step + 1 < st.total_steps) {
        ++st.step;  // the state after this step
        save(true, b + 1);
        --st.step;
      }
      if constexpr ((has_on_batch_end<std::remove_reference_t<Hooks>> || ...)) {
        const double secs = std::chrono::duration<double>(clock::now() - t0).count();
        const BatchProgress p{.epoch = st.epoch, .epochs = epochs, .step = b + 1, .steps = st.steps_per_epoch,
                              .loss = s.loss / double(seen), .accuracy = s.accuracy / double(seen),
                              .images_per_s = double(seen) / secs, .seconds = secs};
        (detail::batch_end(hooks, p), ...);
      }
    }
    s.seconds = std::chrono::duration<double>(clock::now() - t0).count();
    s.loss /= double(seen);
    s.accuracy /= double(seen);
    s.images_per_s = double(seen) / s.seconds;
    average_statistics();
    double broken = !all_finite(std::as_const(model).params()) || !all_finite(std::as_const(model).state());
    if (comm) comm->sum(std::span<double>(&broken, 1));  // one process's NaN stops them all, alike
    if (broken) detail::diverged("a weight or a batch-norm statistic became NaN or infinite", st);
    const bool last = st.step >= st.total_steps;
    if (held_out && (cfg.eval_each_epoch || last)) {
      const auto v0 = clock::now();
      const auto ev = evaluate(model, *held_out, {.normalize = cfg.normalize, .tta = cfg.eval_tta, .collective = comm});
      s.eval_seconds = std::chrono::duration<double>(clock::now() - v0).count();
      s.val_loss = ev.loss;
      s.val_accuracy = ev.accuracy;
      if (!std::isfinite(s.val_loss)) detail::diverged("the held-out loss became " + std::to_string(s.val_loss), st);
    }
    history.push_back(s);
    (detail::epoch_end(hooks, s, model, st.control), ...);
    save(false, 0);
  }
  (detail::train_end(hooks, model), ...);
  return history;
}

// The same loop for a braced configuration: fit(model, opt, train, &val, {.epochs = 5}).
template <class M, class Optimizer, class... Hooks>
std::vector<EpochStats> fit(M& model, Optimizer& opt, const ImageSet& train, const ImageSet* held_out,
                            const TrainConfig& cfg, Hooks&&... hooks) {
  return fit<M, Optimizer, WarmupDecay>(model, opt, train, held_out, cfg, std::forward<Hooks>(hooks)...);
}

}  // namespace typenet
