#pragma once
// The fusion pass: convolution -> BatchNorm -> activation becomes one ConvBnAct node, which
// the oneDNN backend runs as conv + batch norm + in-place activation in training, and as one
// conv with BN folded into its weights and the activation as a post-op in inference; a
// convolution -> BatchNorm with no activation becomes ConvBnAct<conv, Identity> ("ConvBn").
// Users write the layers; one partial specialisation of Fuse per rewrite rule, matching kinds
// of layer (layers/concepts.hpp), not their parameter lists.
#include "typenet/graph/bind.hpp"
#include "typenet/layers/activation.hpp"
#include "typenet/layers/batch_norm.hpp"
#include "typenet/layers/concepts.hpp"
#include "typenet/layers/conv.hpp"
#include <type_traits>

namespace typenet {

template <class ConvL, class Act, class Norm = BatchNorm>
struct ConvBnAct {
  using op = op::ConvBnAct;
  using conv = ConvL;
  using norm = Norm;
  using act = Act;
  using parts = std::conditional_t<Act::fn == EltwiseFn::identity, List<ConvL, Norm>, List<ConvL, Norm, Act>>;
  static constexpr const char* name = Act::fn == EltwiseFn::identity ? "ConvBn" : "ConvBnAct";

  template <Shape In>
  struct bind {
    using chain = Bind<In, parts>;
    using conv_node = Node<ConvL, In>;
    static constexpr Shape out = chain::out;
    static constexpr long params = sum_params(typename chain::nodes{});
    static constexpr long state = sum_state(typename chain::nodes{});
    static constexpr long macs = sum_macs(typename chain::nodes{});
    template <class T>
    static void init(T* p, T* s, Rng& rng) {
      conv_node::bound::init(p, s, rng);
      Norm::template bind<conv_node::out>::init(p + conv_node::params, s, rng);
    }
  };
};

template <class Done, class Todo> struct Fuse { using type = Done; };
template <class... D, class L, class... R>
struct Fuse<List<D...>, List<L, R...>> : Fuse<List<D..., L>, List<R...>> {};
// Any convolution, batch norm, any activation.
template <class... D, class C, class N, class A, class... R>
  requires Convolution<C> && Normalization<N> && Activation<A>
struct Fuse<List<D...>, List<C, N, A, R...>> : Fuse<List<D..., ConvBnAct<C, A, N>>, List<R...>> {};
// Any convolution and a batch norm with no activation after it (ResNet's second conv, its
// shortcut): folded into the conv at inference all the same.
template <class... D, class C, class N, class... R>
  requires Convolution<C> && Normalization<N>
struct Fuse<List<D...>, List<C, N, R...>> : Fuse<List<D..., ConvBnAct<C, Identity, N>>, List<R...>> {};

template <class Layers> using fuse_t = typename Fuse<List<>, Layers>::type;

}  // namespace typenet
