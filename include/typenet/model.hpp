#pragma once
// Model<Net, Backend>: a network type made runnable for one batch size. It hands out the three
// flat buffers every tool works on — parameters, their gradients, non-trained state (BN
// statistics) — laid out node after node in the network's order, each parameter in PyTorch's
// layout. The backend's executor owns them (backend/executor.hpp).
//
//   Model<Net> m({.batch = 256});
//   copy a (N,C,H,W) batch to m.input(); m.forward(Mode::train);   m.output() is (N,classes)
//   write d(loss)/d(output) to m.diff_output(); m.backward();       m.grads() holds the gradient
#include <span>
#include <vector>
#include "typenet/backend/backend.hpp"
#include "typenet/backend/executor.hpp"
#include "typenet/core/watched_span.hpp"
#include "typenet/backend/onednn/model.hpp"
#include "typenet/backend/reference/chain.hpp"
#include "typenet/graph/sequential.hpp"
#include "typenet/model_options.hpp"

namespace typenet {

enum class Mode { train, infer };

template <class Backend, class Net> struct ExecutorOf;
template <class Net> struct ExecutorOf<OneDnn, Net> { using type = onednn::Executor<Net>; };
template <class T, class Net> struct ExecutorOf<Reference<T>, Net> { using type = reference::Executor<T, Net>; };

template <class Net, class Backend = OneDnn>
class Model {
  static_assert(is_network_v<Net>, "typenet: Model needs a network: Sequential<Input<C,H,W>, layers...>");

 public:
  using network = Net;
  using scalar = typename Backend::scalar;

  explicit Model(const ModelOptions& o = {}) : options_(checked(o)), exec_(options_) {
    Rng rng(o.seed);
    init_nodes(typename Net::nodes{}, exec_.params().data(), exec_.state().data(), rng);
  }
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;

  int batch() const { return options_.batch; }
  const ModelOptions& options() const { return options_; }

  // Writing parameters or state, through these views at any later time, marks folded
  // inference weights as stale: the next inference refolds them.
  WatchedSpan<scalar> params() { return {exec_.params(), &stale_}; }
  WatchedSpan<scalar> state() { return {exec_.state(), &stale_}; }
  std::span<const scalar> params() const { return exec_.params(); }
  std::span<const scalar> state() const { return exec_.state(); }
  std::span<scalar> grads() { return exec_.grads(); }

  std::span<scalar> input() { return {exec_.input(), std::size_t(batch() * Net::input_shape.size())}; }
  std::span<const scalar> output() const { return {exec_.output(), std::size_t(batch() * Net::output_shape.size())}; }
  std::span<scalar> diff_output() { return {exec_.diff_output(), std::size_t(batch() * Net::output_shape.size())}; }
  std::span<const scalar> input_grad() const {
    return {exec_.input_grad(), exec_.input_grad() ? std::size_t(batch() * Net::input_shape.size()) : 0};
  }

  // forward(Mode::train, k): nodes 0..k-1 run as in inference — a frozen prefix whose batch
  // norms use their running statistics, as Keras runs frozen layers — and the rest train.
  void forward(Mode m, std::size_t inference_prefix = 0) {
    if (m == Mode::infer && stale_) {
      stale_ = false;  // first: preparing reads the buffers, it does not write them
      exec_.prepare_inference();
    }
    if (m == Mode::train && inference_prefix > 0) exec_.prepare_inference(inference_prefix);  // their weights may have moved
    if (m == Mode::train) stale_ = true;  // BN running statistics move
    exec_.forward(m == Mode::train, inference_prefix);
  }
  // What the backend allocated, where it tells (the oneDNN one does).
  auto buffer_bytes() const
    requires requires(const typename ExecutorOf<Backend, Net>::type& e) { e.buffer_bytes(); }
  {
    return exec_.buffer_bytes();
  }
  // The generator of dropout masks (a resumed run continues it).
  std::uint64_t rng_state() { return exec_.rng().state(); }
  void set_rng_state(std::uint64_t s) { exec_.rng() = Rng::from_state(s); }

  // backward(k): nodes 0..k-1 are frozen — no gradients for them (their grads() keep old values),
  // and node k computes no input gradient where that saves work. The oneDNN backend skips that
  // work; the reference backend computes everything anyway.
  void backward(std::size_t first_node = 0) { exec_.backward(first_node); }
  // The same, calling node_done(i) as soon as node i's slice of grads() is final, from the last
  // node down to first_node: a data-parallel step starts averaging it there
  // (train/gradient_sync.hpp) while the earlier nodes' backward still runs.
  template <class F> void backward(std::size_t first_node, F&& node_done) { exec_.backward(first_node, node_done); }

 private:
  using executor = typename ExecutorOf<Backend, Net>::type;
  static_assert(BackendExecutor<executor, scalar>, "typenet: this backend's executor breaks the executor contract");
  ModelOptions options_;
  executor exec_;  // owns the buffers
  bool stale_ = true;
};

}  // namespace typenet
