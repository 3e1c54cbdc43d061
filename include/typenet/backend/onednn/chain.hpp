#pragma once
// Chain: a bound node list run as a straight line of kernels. Each kernel reads the previous
// one's dst and writes its input gradient into the previous one's diff_dst; layouts flow
// from kernel to kernel, so a reorder happens only where two neighbours disagree.
#include <array>
#include <string>
#include <boost/hana/at.hpp>
#include <boost/hana/tuple.hpp>
#include <utility>
#include "typenet/backend/onednn/context.hpp"
#include "typenet/core/list.hpp"

namespace typenet::onednn {

template <class N> using kernel_t = Kernel<typename N::layer::op, typename N::layer, N::in>;

// Every node's kernel keeps the contract (context.hpp); the instantiation names the layer.
template <class N> constexpr bool kernel_keeps_contract() {
  static_assert(NodeKernel<kernel_t<N>>, "typenet: this oneDNN kernel breaks the kernel contract (backend/onednn/context.hpp)");
  return true;
}

// A node as errors name it: "node 3 (Conv on (64,32,32))".
struct NodeName {
  const char* layer;
  Shape in;
};
inline std::string node_label(std::size_t i, const NodeName& n) {
  return "node " + std::to_string(i) + " (" + n.layer + " on " + n.in.to_string() + ")";
}
// What oneDNN (or a kernel's own check) reported while `doing` node i, as an Error naming it.
// One function for every node of every chain: the unrolled per-node code stays a plain call.
inline Error node_error(const char* doing, std::size_t i, const NodeName& n, const dnnl::error& e) {
  return Error(std::string("typenet: oneDNN cannot ") + doing + " " + node_label(i, n) + ": " + e.what() +
               " (status " + std::to_string(int(e.status)) + ")");
}
inline Error node_error(const char* doing, std::size_t i, const NodeName& n, const PrimitiveFailed& e) {
  return Error(std::string("typenet: ") + node_label(i, n) + ", " + doing + ": " + e.what());
}

template <class Nodes> struct Chain;

template <class... Ns>
struct Chain<List<Ns...>> {
  static_assert((kernel_keeps_contract<Ns>() && ...));
  static constexpr std::size_t size = sizeof...(Ns);
  static constexpr std::array<long, size + 1> param_offset = [] {
    std::array<long, size + 1> a{};
    long p[] = {0L, Ns::params...};
    for (std::size_t i = 0; i < size; ++i) a[i + 1] = a[i] + p[i + 1];
    return a;
  }();
  static constexpr std::array<long, size + 1> state_offset = [] {
    std::array<long, size + 1> a{};
    long p[] = {0L, Ns::state...};
    for (std::size_t i = 0; i < size; ++i) a[i + 1] = a[i] + p[i + 1];
    return a;
  }();

  static constexpr std::array<NodeName, size> names{NodeName{Ns::layer::name, Ns::in}...};

  boost::hana::tuple<kernel_t<Ns>...> kernels;

  // f(kernel, index) for each kernel in the order of I..., inside one handler that names the
  // node a oneDNN error came from (one try for the whole pass, not one per node: the unrolled
  // pass is most of a model's machine code).
  template <std::size_t... I, class F> void each(const char* doing, std::index_sequence<I...>, F&& f) {
    std::size_t at = 0;
    try {
      ((at = I, f(boost::hana::at_c<I>(kernels), std::integral_constant<std::size_t, I>{})), ...);
    } catch (const dnnl::error& e) {
      throw node_error(doing, at, names[at], e);
    } catch (const PrimitiveFailed& e) {
      throw node_error(doing, at, names[at], e);
    }
  }
  template <class F> void each(const char* doing, F&& f) { each(doing, std::make_index_sequence<size>{}, f); }
  template <std::size_t... I> static constexpr auto reversed(std::index_sequence<I...>) {
    return std::index_sequence<(size - 1 - I)...>{};
  }

  // src_needs_grad: whether the chain's input gradient is wanted; inside, it always is.
  memory::desc plan(Context& c, memory::desc d, bool src_needs_grad) {
    if constexpr (size > 1) join_activations(std::make_index_sequence<size - 1>{});
    each("plan", [&](auto& k, auto i) { d = k.plan(c, d, i > 0 || src_needs_grad); });
    return d;
  }
  // A joinable activation (eltwise.hpp) after a kernel that can apply it as a post-op (a
  // residual's sum) becomes that post-op: ResNet's relu(body + shortcut) in one pass.
  template <std::size_t... I> void join_activations(std::index_sequence<I...>) {
    (join(boost::hana::at_c<I>(kernels), boost::hana::at_c<I + 1>(kernels)), ...);
  }
  template <class A, class B> static void join(A& a, B& b) {
    if constexpr (requires { a.activation; b.core.f; B::joinable; })
      if constexpr (B::joinable) {
        a.activation = b.core.f;
        b.joined = true;
      }
  }
  void bind(Context& c, Io io, Slices s) {
    const GradArena::ChainScope scope = c.grads.begin_chain();
    each("set up", [&](auto& k, auto i) {
      c.grads.begin_kernel(scope);
      k.bind(c, io, {s.params + param_offset[i], s.grads + param_offset[i], s.state + state_offset[i]});
      c.grads.end_kernel(scope, i == size - 1, k.diff_dst);
      io = {k.dst, k.diff_dst};
    });
  }
  const memory& dst() { return boost::hana::at_c<size - 1>(kernels).dst; }
  const memory& diff_dst() { return boost::hana::at_c<size - 1>(kernels).diff_dst; }

  // Folded inference weights for the nodes before `upto`.
  void prepare_inference(Context& c, std::size_t upto = size) {
    each("prepare inference at", [&](auto& k, auto i) {
      if (i < upto) k.prepare_inference(c);
    });
  }
  // In training, the nodes before `first_trained` run as in inference: a frozen prefix whose
  // batch norms use their running statistics.
  void forward(Context& c, bool training, std::size_t first_trained = 0) {
    each("run the forward pass of", [&](auto& k, auto i) { k.forward(c, training && i >= first_trained); });
  }
  // Kernels from the last down to `first`, node_done(i) after kernel i. With first > 0 the nodes
  // before it are frozen: they run no backward, and kernel `first` skips its input gradient
  // where it can (convolutions).
  void backward(Context& c) { backward(c, 0, [](std::size_t) {}); }
  template <class F> void backward(Context& c, std::size_t first, F&& node_done) {
    each("run the backward pass of", reversed(std::make_index_sequence<size>{}), [&](auto& k, auto i) {
      if (i < first) return;
      if constexpr (requires { k.backward_weights_only(c); }) {
        if (i == first && first > 0) k.backward_weights_only(c);
        else k.backward(c);
      } else {
        k.backward(c);
      }
      node_done(std::size_t(i));
    });
  }
};

}  // namespace typenet::onednn
