#pragma once
// Sequential<Ls...>: layers in data-flow order. With Input<C,H,W> first it is a network;
// without, a block that splices into whatever contains it (blocks nest without depth).
#include "typenet/graph/bind.hpp"
#include "typenet/graph/fuse.hpp"
#include "typenet/layers/input.hpp"

namespace typenet {

template <class... Ls> struct Sequential;

// Flat<List<...>>: splice nested blocks, so the fusion pass sees one flat list.
template <class Done, class Todo> struct Splice { using type = Done; };
template <class... D, class L, class... R>
struct Splice<List<D...>, List<L, R...>> : Splice<List<D..., L>, List<R...>> {};
template <class... D, class... Inner, class... R>
struct Splice<List<D...>, List<Sequential<Inner...>, R...>> : Splice<List<D...>, List<Inner..., R...>> {};

// layers_of<T>: the fused flat layer list of a block, or List<T> for a single layer.
template <class T> struct LayersOf { using type = List<T>; };
template <class... Ls> struct LayersOf<Sequential<Ls...>> {
  using type = fuse_t<typename Splice<List<>, List<Ls...>>::type>;
};
template <class T> using layers_of = typename LayersOf<T>::type;

template <class... Ls>
struct Sequential {  // a block: no Input
  using layers = layers_of<Sequential>;
};

template <int... D, class... Ls>
struct Sequential<Input<D...>, Ls...> {  // a network
  using layers = layers_of<Sequential<Ls...>>;
  static constexpr Shape input_shape = Input<D...>::shape;
  using bound = Bind<input_shape, layers>;
  using nodes = typename bound::nodes;
  static constexpr Shape output_shape = bound::out;
  static constexpr long param_count = sum_params(nodes{});
  static constexpr long state_count = sum_state(nodes{});
  static constexpr long macs = sum_macs(nodes{});
  static constexpr long activation_count = sum_activations(nodes{});  // values per example
  static constexpr std::size_t node_count = nodes::size;
};

template <class T> inline constexpr bool is_network_v = requires { T::input_shape; T::output_shape; };

}  // namespace typenet
