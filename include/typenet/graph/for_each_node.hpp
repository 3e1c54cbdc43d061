#pragma once
// for_each_node(nodes, f): visit a bound node list in order with each node's offsets into the
// model's flat parameter and state buffers (model.hpp lays them out node after node).
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

}  // namespace typenet
