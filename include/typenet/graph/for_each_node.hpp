#pragma once
// Walking a bound node list with each node's offsets into the model's flat parameter and state
// buffers (model.hpp lays them out node after node).
//   for_each_node(nodes, f):  the nodes as the backend runs them (a fused ConvBnAct is one node);
//   for_each_layer(nodes, f): the layers as the user wrote them: fused nodes, residual
//                             and gate branches are opened, so a Conv inside a ConvBnAct is visited as a Conv.
//   f(std::type_identity<Node>{}, param_offset, state_offset)
#include <type_traits>
#include "typenet/core/list.hpp"

namespace typenet {

template <class... Ns, class F>
void for_each_node(List<Ns...>, F&& f) {
  long p = 0, s = 0;
  ((f(std::type_identity<Ns>{}, p, s), p += Ns::params, s += Ns::state), ...);
}

template <class N, class Op>
inline constexpr bool is_op_v = std::is_same_v<typename N::layer::op, Op>;

namespace detail {
template <class N> concept FusedNode = requires { typename N::bound::chain::nodes; };
template <class N> concept BranchingNode = requires {
  typename N::bound::body::nodes;
  typename N::bound::shortcut::nodes;
};

template <class N> concept GatedNode = requires { typename N::bound::branch::nodes; };

template <class F, class... Ns>
void for_each_layer_at(List<Ns...>, F& f, long p, long s);

template <class N, class F>
void visit_layer(F& f, long p, long s) {
  if constexpr (FusedNode<N>) {
    for_each_layer_at(typename N::bound::chain::nodes{}, f, p, s);
  } else if constexpr (BranchingNode<N>) {
    for_each_layer_at(typename N::bound::body::nodes{}, f, p, s);
    for_each_layer_at(typename N::bound::shortcut::nodes{}, f, p + N::bound::body_params, s + N::bound::body_state);
  } else if constexpr (GatedNode<N>) {
    for_each_layer_at(typename N::bound::branch::nodes{}, f, p, s);
  } else {
    f(std::type_identity<N>{}, p, s);
  }
}

template <class F, class... Ns>
void for_each_layer_at(List<Ns...>, F& f, long p, long s) {
  ((visit_layer<Ns>(f, p, s), p += Ns::params, s += Ns::state), ...);
}
}  // namespace detail

template <class... Ns, class F>
void for_each_layer(List<Ns...> nodes, F&& f) {
  detail::for_each_layer_at(nodes, f, 0, 0);
}

}  // namespace typenet
