#pragma once
// Bind<In, List<L...>>: single-pass shape inference over a flat layer list.
//   nodes: List<Node<L1, In>, Node<L2, out1>, ...>;  out: the last output shape.
// A conv whose last rows the next pool never reads is bound trimmed (graph/trim.hpp).
#include "typenet/core/list.hpp"
#include "typenet/core/rng.hpp"
#include "typenet/graph/node.hpp"
#include "typenet/graph/trim.hpp"

namespace typenet {

template <Shape In, class Layers> struct Bind;

template <Shape In>
struct Bind<In, List<>> {
  using nodes = List<>;
  static constexpr Shape out = In;
};

template <Shape In, class L, class... Ls>
struct Bind<In, List<L, Ls...>> {
  using head = Node<trim_for_next_t<L, List<Ls...>, In>, In>;
  using tail = Bind<head::out, List<Ls...>>;
  using nodes = concat_t<List<head>, typename tail::nodes>;
  static constexpr Shape out = tail::out;
};

template <class... Ns> constexpr long sum_params(List<Ns...>) { return (0L + ... + Ns::params); }
template <class... Ns> constexpr long sum_state(List<Ns...>) { return (0L + ... + Ns::state); }
template <class... Ns> constexpr long sum_macs(List<Ns...>) { return (0L + ... + Ns::macs); }
// Values written per example: each node's output (what training keeps for backward).
template <class... Ns> constexpr long sum_activations(List<Ns...>) { return (0L + ... + Ns::out.size()); }

// Initialise a bound node list into consecutive parameter and state ranges.
template <class T, class... Ns>
void init_nodes(List<Ns...>, T* p, T* s, Rng& rng) {
  ((Ns::bound::template init<T>(p, s, rng), p += Ns::params, s += Ns::state), ...);
}

}  // namespace typenet
