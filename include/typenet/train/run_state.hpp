#pragma once
// The whole state of a training run as checkpoint sections (io/checkpoint.hpp), and back:
//   run            the run's configuration as its owner wrote it (the CLI: its options as JSON)
//   architecture   the network's fingerprint text: a checkpoint resumes only the same network
//   params, state  parameters and batch-norm statistics
//   model.rng      the dropout masks' generator
//   optimizer      momentum / Adam moments and step, per-element gradient scales
//   batcher        the shuffling and augmentation generator, the epoch count, the current order
//   loop           epoch, step, the frozen prefix, the callbacks' control, and the partial
//                  statistics of an epoch stopped in the middle
//   history        the epochs so far
//   hook.I.NAME    each hook's own state (early stopping, plateau, checkpoint-best, lookahead, ...)
// Timings (seconds, images/s) are measurements, not state: a resumed run has its own.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>
#include <tuple>
#include <utility>
#include <vector>
#include "typenet/core/finite.hpp"
#include "typenet/graph/summary.hpp"
#include "typenet/io/checkpoint.hpp"
#include "typenet/train/epoch_stats.hpp"
#include "typenet/train/loop_state.hpp"

namespace typenet {

struct CheckpointOptions {
  std::filesystem::path file;  // empty: no checkpoints
  long every_steps = 0;        // also every N steps inside an epoch (0: at epoch ends only)
  std::string run;             // the run's configuration, stored as is (section "run")
};

// Where in an epoch a checkpoint was taken.
struct ResumePoint {
  bool mid_epoch = false;
  long next_batch = 0, seen = 0;
  EpochStats stats{};
};

namespace detail {
template <class H> constexpr bool has_state = requires(const H& h, io::Bytes& b) { h.save_state(b); };
template <class H> std::string hook_section(std::size_t i) {
  std::string name = "hook." + std::to_string(i);
  if constexpr (requires { H::state_name; }) name += std::string(".") + H::state_name;
  return name;
}
template <class... Hooks, std::size_t... I>
void save_hooks(io::CheckpointWriter& w, std::index_sequence<I...>, const Hooks&... hooks) {
  const auto one = [&](auto i, const auto& h) {
    using H = std::remove_cvref_t<decltype(h)>;
    if constexpr (has_state<H>) w.add(hook_section<H>(i), [&](io::Bytes& b) { h.save_state(b); });
  };
  (one(I, hooks), ...);
}
// A part whose state depends on the network's size (optimisers, early stopping's best weights)
// loads with load_state(reader, model), to check it against the model.
template <class M, class... Hooks, std::size_t... I>
void load_hooks(const io::CheckpointReader& r, const M& model, std::index_sequence<I...>, Hooks&... hooks) {
  const auto one = [&](auto i, auto& h) {
    using H = std::remove_cvref_t<decltype(h)>;
    if constexpr (requires(io::BytesReader b) { h.load_state(b, model); })
      h.load_state(r.section(hook_section<H>(i)), model);
    else if constexpr (has_state<H>)
      h.load_state(r.section(hook_section<H>(i)));
  };
  (one(I, hooks), ...);
}
}  // namespace detail

template <class M, class Optimizer, class Batcher, class... Hooks>
void save_run_state(const CheckpointOptions& o, M& model, const Optimizer& opt, const Batcher& batcher,
                    const LoopState& st, const std::vector<EpochStats>& history, const ResumePoint& at,
                    const Hooks&... hooks) {
  const M& m = model;
  io::CheckpointWriter w;
  w.add("run", [&](io::Bytes& b) { b.put_text(o.run); });
  w.add("architecture", [&](io::Bytes& b) { b.put_text(architecture<typename M::network>()); });
  w.add("params", [&](io::Bytes& b) { b.put_values(m.params()); });
  w.add("state", [&](io::Bytes& b) { b.put_values(m.state()); });
  w.add("model.rng", [&](io::Bytes& b) { b.put(model.rng_state()); });
  w.add("optimizer", [&](io::Bytes& b) { opt.save_state(b); });
  w.add("batcher", [&](io::Bytes& b) { batcher.save_state(b); });
  w.add("loop", [&](io::Bytes& b) {
    b.put(st.epoch).put(st.step).put(st.steps_per_epoch).put(st.total_steps).put(std::uint64_t(st.frozen_nodes));
    b.put(st.control.stop).put(st.control.lr_scale).put(at.mid_epoch).put(at.next_batch).put(at.seen).put(at.stats);
  });
  w.add("history", [&](io::Bytes& b) { b.put_values(history); });
  detail::save_hooks(w, std::index_sequence_for<Hooks...>{}, hooks...);
  w.write(o.file);
}

// Restores everything save_run_state wrote into the run being set up (same network, same
// batch size and data, same hooks); returns where the run stopped.
template <class M, class Optimizer, class Batcher, class... Hooks>
ResumePoint load_run_state(const io::CheckpointReader& r, M& model, Optimizer& opt, Batcher& batcher, LoopState& st,
                           std::vector<EpochStats>& history, Hooks&... hooks) {
  const std::string arch = r.section("architecture").get_text();
  if (arch != architecture<typename M::network>())
    throw Error("typenet: checkpoint " + r.name() + " holds another network.\n  file:  " + arch +
                "\n  model: " + architecture<typename M::network>());
  const auto params = r.section("params").get_values<float>(model.params().size());
  const auto state = r.section("state").get_values<float>(model.state().size());
  if (!all_finite(std::span<const float>(params)) || !all_finite(std::span<const float>(state)))
    throw Error("typenet: checkpoint " + r.name() + " holds NaN or infinite weights");
  std::copy(params.begin(), params.end(), model.params().begin());
  std::copy(state.begin(), state.end(), model.state().begin());
  model.set_rng_state(r.section("model.rng").get<std::uint64_t>());
  opt.load_state(r.section("optimizer"), std::as_const(model));
  batcher.load_state(r.section("batcher"));
  auto loop = r.section("loop");
  const LoopState planned = st;
  ResumePoint at;
  st.epoch = loop.get<int>();
  st.step = loop.get<long>();
  st.steps_per_epoch = loop.get<long>();
  st.total_steps = loop.get<long>();
  st.frozen_nodes = std::size_t(loop.get<std::uint64_t>());
  st.control.stop = loop.get<bool>();
  st.control.lr_scale = loop.get<float>();
  at.mid_epoch = loop.get<bool>();
  at.next_batch = loop.get<long>();
  at.seen = loop.get<long>();
  at.stats = loop.get<EpochStats>();
  loop.expect_end();
  if (st.steps_per_epoch != planned.steps_per_epoch || st.total_steps != planned.total_steps)
    throw Error("typenet: checkpoint " + r.name() + " is of a run of " + std::to_string(st.total_steps) +
                " steps, " + std::to_string(st.steps_per_epoch) + " per epoch; this one has " +
                std::to_string(planned.total_steps) + ", " + std::to_string(planned.steps_per_epoch) +
                " per epoch (another batch size, data or epoch count)");
  if (st.step < 0 || st.step > st.total_steps || at.next_batch < 0 || at.next_batch > st.steps_per_epoch ||
      st.epoch < 0 || long(st.epoch) > st.total_steps + 1 || at.seen < 0)
    loop.fail("holds a step outside the run");
  if (st.frozen_nodes > M::network::node_count)
    loop.fail("freezes " + std::to_string(st.frozen_nodes) + " nodes of a network of " +
              std::to_string(M::network::node_count));
  if (!(st.control.lr_scale > 0) || !std::isfinite(st.control.lr_scale))
    loop.fail("holds a learning-rate scale of " + std::to_string(st.control.lr_scale));
  history = r.section("history").get_values<EpochStats>();
  detail::load_hooks(r, std::as_const(model), std::index_sequence_for<Hooks...>{}, hooks...);
  return at;
}

}  // namespace typenet
