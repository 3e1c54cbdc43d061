#pragma once
// Reference Chain: a bound node list with one output and one gradient buffer per node,
// and the composite nodes (fused ConvBnAct, Residual, Gate) built from chains.
#include <algorithm>
#include <array>
#include <boost/hana/at.hpp>
#include <span>
#include <vector>
#include <boost/hana/tuple.hpp>
#include <utility>
#include "typenet/backend/reference/kernels.hpp"
#include "typenet/graph/fuse.hpp"
#include "typenet/graph/gate.hpp"
#include "typenet/graph/residual.hpp"
#include "typenet/model_options.hpp"

namespace typenet::reference {

template <class T, class N> using kernel_t = Kernel<T, typename N::layer::op, typename N::layer, N::in>;

// Every node's kernel keeps the contract (context.hpp); the instantiation names the layer.
template <class T, class N> constexpr bool kernel_keeps_contract() {
  static_assert(NodeKernel<kernel_t<T, N>, T>,
                "typenet: this reference kernel breaks the kernel contract (backend/reference/context.hpp)");
  return true;
}

template <class T, class Nodes> struct Chain;

template <class T, class... Ns>
struct Chain<T, List<Ns...>> {
  static_assert((kernel_keeps_contract<T, Ns>() && ...));
  static constexpr std::size_t size = sizeof...(Ns);
  boost::hana::tuple<kernel_t<T, Ns>...> kernels;
  std::array<std::vector<T>, size> out, dout;
  const T* x = nullptr;

  template <class F> void each(F&& f) {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      long p = 0, s = 0;
      ((f(boost::hana::at_c<I>(kernels), std::integral_constant<std::size_t, I>{}, p, s), p += Ns::params,
        s += Ns::state), ...);
    }(std::make_index_sequence<size>{});
  }
  void setup(int n) {
    std::size_t i = 0;
    ((out[i].assign(n * Ns::out.size(), T(0)), dout[i].assign(n * Ns::out.size(), T(0)), ++i), ...);
    each([&](auto& k, auto, long, long) { k.setup(n); });
  }
  // Nodes before `first_trained` run as in inference, even in training (a frozen prefix).
  const T* forward(Context& c, const T* input, const T* p, T* s, bool training, std::size_t first_trained = 0) {
    x = input;
    each([&](auto& k, auto i, long po, long so) {
      k.forward(c, i == 0 ? x : out[i - 1].data(), out[i].data(), p + po, s + so, training && i >= first_trained);
    });
    return size ? out[size - 1].data() : x;
  }
  void backward(Context& c, const T* dy, T* dx, const T* p, T* dp) {
    std::array<long, size> po{}, so{};
    each([&](auto&, auto i, long pp, long ss) { po[i] = pp; so[i] = ss; });
    [&]<std::size_t... R>(std::index_sequence<R...>) {
      (
          [&] {
            constexpr std::size_t i = size - 1 - R;
            boost::hana::at_c<i>(kernels).backward(c, i == 0 ? x : out[i - 1].data(), out[i].data(),
                                                   i == size - 1 ? dy : dout[i].data(),
                                                   i == 0 ? dx : dout[i - 1].data(), p + po[i], dp + po[i]);
          }(),
          ...);
    }(std::make_index_sequence<size>{});
  }
};

// Conv -> BatchNorm -> activation, as the three plain kernels in a row.
template <class T, class L, Shape In>
struct Kernel<T, op::ConvBnAct, L, In> {
  Chain<T, typename Bind<In, typename L::parts>::nodes> chain;
  void setup(int n) { chain.setup(n); }
  void forward(Context& c, const T* x, T* y, const T* p, T* s, bool training) {
    const T* r = chain.forward(c, x, p, s, training);
    std::copy(r, r + c.batch * Node<L, In>::out.size(), y);
  }
  void backward(Context& c, const T*, const T*, const T* dy, T* dx, const T* p, T* dp) {
    chain.backward(c, dy, dx, p, dp);
  }
};

// y = body(x) + shortcut(x); dx = dbody/dx + dshortcut/dx.
template <class T, class L, Shape In>
struct Kernel<T, op::Residual, L, In> {
  using B = typename L::template bind<In>;
  Chain<T, typename B::body::nodes> body;
  Chain<T, typename B::shortcut::nodes> shortcut;
  std::vector<T> dx_body, dx_shortcut;
  void setup(int n) {
    body.setup(n);
    shortcut.setup(n);
    dx_body.assign(n * In.size(), T(0));
    dx_shortcut.assign(n * In.size(), T(0));
  }
  void forward(Context& c, const T* x, T* y, const T* p, T* s, bool training) {
    const T* a = body.forward(c, x, p, s, training);
    const T* b = shortcut.forward(c, x, p + B::body_params, s + B::body_state, training);
    for (long j = 0; j < c.batch * B::out.size(); ++j) y[j] = a[j] + b[j];
  }
  void backward(Context& c, const T*, const T*, const T* dy, T* dx, const T* p, T* dp) {
    body.backward(c, dy, dx_body.data(), p, dp);
    if constexpr (B::shortcut::nodes::size > 0) shortcut.backward(c, dy, dx_shortcut.data(), p + B::body_params, dp + B::body_params);
    else std::copy(dy, dy + c.batch * In.size(), dx_shortcut.begin());
    if (dx)
      for (long j = 0; j < c.batch * In.size(); ++j) dx[j] = dx_body[j] + dx_shortcut[j];
  }
};

// y = x * g, g = branch(x) per (example, channel); dx = dy * g + dbranch/dx with
// dg = sum over the map of dy * x.
template <class T, class L, Shape In>
struct Kernel<T, op::Gate, L, In> {
  using B = typename Node<L, In>::bound;
  static constexpr long map = long(In.h) * In.w;
  Chain<T, typename B::branch::nodes> branch;
  const T* gate = nullptr;
  std::vector<T> dgate, dx_branch;
  void setup(int n) {
    branch.setup(n);
    dgate.assign(n * In.c, T(0));
    dx_branch.assign(n * In.size(), T(0));
  }
  void forward(Context& c, const T* x, T* y, const T* p, T* s, bool training) {
    gate = branch.forward(c, x, p, s, training);
    for (long j = 0; j < c.batch * In.size(); ++j) y[j] = x[j] * gate[j / map];
  }
  void backward(Context& c, const T* x, const T*, const T* dy, T* dx, const T* p, T* dp) {
    for (long g = 0; g < c.batch * In.c; ++g) {  // one (example, channel): a sum over its map
      Sum acc = 0;
      for (long j = g * map; j < (g + 1) * map; ++j) acc += Sum(dy[j]) * Sum(x[j]);
      dgate[g] = T(acc);
    }
    branch.backward(c, dgate.data(), dx_branch.data(), p, dp);
    if (dx)
      for (long j = 0; j < c.batch * In.size(); ++j) dx[j] = dy[j] * gate[j / map] + dx_branch[j];
  }
};

// The reference executor of a network, with the oneDNN executor's interface.
template <class T, class Net>
class Executor {
 public:
  explicit Executor(const ModelOptions& o)
      : params_(Net::param_count), grads_(Net::param_count), state_(Net::state_count), input_grad_(o.input_grad) {
    ctx_.batch = o.batch;
    ctx_.bn_momentum = o.bn_momentum;
    ctx_.bn_eps = o.bn_eps;
    ctx_.batch_norm_sum = o.batch_norm_sum;
    ctx_.rng = Rng(o.seed ^ 0xD5A8u);
    chain_.setup(o.batch);
    input_.assign(o.batch * Net::input_shape.size(), T(0));
    dinput_.assign(o.batch * Net::input_shape.size(), T(0));
    output_.assign(o.batch * Net::output_shape.size(), T(0));
    doutput_.assign(o.batch * Net::output_shape.size(), T(0));
  }
  // The flat buffers (model.hpp), owned here as every backend owns its own.
  std::span<T> params() { return params_; }
  std::span<T> grads() { return grads_; }
  std::span<T> state() { return state_; }
  std::span<const T> params() const { return params_; }
  std::span<const T> state() const { return state_; }
  T* input() { return input_.data(); }
  const T* output() const { return output_.data(); }
  T* diff_output() { return doutput_.data(); }
  const T* input_grad() const { return input_grad_ ? dinput_.data() : nullptr; }
  void prepare_inference(std::size_t /*upto_node*/ = std::size_t(-1)) {}
  Rng& rng() { return ctx_.rng; }  // dropout masks
  void forward(bool training, std::size_t first_trained = 0) {
    const T* y = chain_.forward(ctx_, input_.data(), params_.data(), state_.data(), training, first_trained);
    std::copy(y, y + output_.size(), output_.begin());
  }
  // The plain reference computes every gradient; a frozen prefix (first_node > 0) changes nothing.
  // Its nodes are reported done after the whole pass, from the last down to first_node.
  void backward(std::size_t first_node = 0) { backward(first_node, [](std::size_t) {}); }
  template <class F> void backward(std::size_t first_node, F&& node_done) {
    chain_.backward(ctx_, doutput_.data(), dinput_.data(), params_.data(), grads_.data());
    for (std::size_t i = Net::node_count; i-- > first_node;) node_done(i);
  }

 private:
  Context ctx_;
  Chain<T, typename Net::nodes> chain_;
  std::vector<T> params_, grads_, state_;
  bool input_grad_;
  std::vector<T> input_, dinput_, output_, doutput_;
};

}  // namespace typenet::reference
