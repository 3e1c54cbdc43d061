#pragma once
// Chain: a bound node list run as a straight line of kernels. Each kernel reads the previous
// one's dst and writes its input gradient into the previous one's diff_dst; layouts flow
// from kernel to kernel, so a reorder happens only where two neighbours disagree.
#include <array>
#include <string>
#include <tuple>
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

// "node 3 (Conv on (64,32,32))": how errors name a node.
template <class N> std::string node_label(std::size_t i) {
  return "node " + std::to_string(i) + " (" + N::layer::name + " on " + N::in.to_string() + ")";
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

  boost::hana::tuple<kernel_t<Ns>...> kernels;

  template <class F> void each(F&& f) {
    [&]<std::size_t... I>(std::index_sequence<I...>) { (f(boost::hana::at_c<I>(kernels), std::integral_constant<std::size_t, I>{}), ...); }
    (std::make_index_sequence<size>{});
  }
  // Runs f for kernel i; what oneDNN reports becomes an Error naming the node.
  template <std::size_t I, class F> static void named(const char* doing, F&& f) {
    using N = std::tuple_element_t<I, std::tuple<Ns...>>;
    try {
      f();
    } catch (const dnnl::error& e) {
      throw Error(std::string("typenet: oneDNN cannot ") + doing + " " + node_label<N>(I) + ": " + e.what() +
                  " (status " + std::to_string(int(e.status)) + ")");
    } catch (const PrimitiveFailed& e) {
      throw Error(std::string("typenet: ") + node_label<N>(I) + ", " + doing + ": " + e.what());
    }
  }

  // src_needs_grad: whether the chain's input gradient is wanted; inside, it always is.
  memory::desc plan(Context& c, memory::desc d, bool src_needs_grad) {
    each([&](auto& k, auto i) { named<i>("plan", [&] { d = k.plan(c, d, i > 0 || src_needs_grad); }); });
    return d;
  }
  void bind(Context& c, Io io, Slices s) {
    each([&](auto& k, auto i) {
      named<i>("set up", [&] { k.bind(c, io, {s.params + param_offset[i], s.grads + param_offset[i], s.state + state_offset[i]}); });
      io = {k.dst, k.diff_dst};
    });
  }
  const memory& dst() { return boost::hana::at_c<size - 1>(kernels).dst; }
  const memory& diff_dst() { return boost::hana::at_c<size - 1>(kernels).diff_dst; }

  void prepare_inference(Context& c) {
    each([&](auto& k, auto i) { named<i>("prepare inference at", [&] { k.prepare_inference(c); }); });
  }
  void forward(Context& c, bool training) {
    each([&](auto& k, auto i) { named<i>("run the forward pass of", [&] { k.forward(c, training); }); });
  }
  // Kernels from the last down to `first`. With first > 0 the nodes before it are frozen: they
  // run no backward, and kernel `first` skips its input gradient where it can (convolutions).
  void backward(Context& c, std::size_t first = 0) {
    [&]<std::size_t... I>(std::index_sequence<I...>) { (backward_of<size - 1 - I>(c, first), ...); }
    (std::make_index_sequence<size>{});
  }
  template <std::size_t I> void backward_of(Context& c, std::size_t first) {
    auto& k = boost::hana::at_c<I>(kernels);
    if (I < first) return;
    named<I>("run the backward pass of", [&] {
      if constexpr (requires { k.backward_weights_only(c); })
        if (I == first && first > 0) return k.backward_weights_only(c);
      k.backward(c);
    });
  }
};

}  // namespace typenet::onednn
