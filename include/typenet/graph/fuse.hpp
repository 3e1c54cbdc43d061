#pragma once
// The fusion pass: Conv -> BatchNorm -> activation becomes one ConvBnAct node, which the
// oneDNN backend runs as conv + batch norm + in-place activation in training, and as one
// conv with BN folded into its weights and the activation as a post-op in inference.
// Users write the three layers; one partial specialisation of Fuse per rewrite rule.
#include "typenet/graph/bind.hpp"
#include "typenet/layers/activation.hpp"
#include "typenet/layers/batch_norm.hpp"
#include "typenet/layers/conv.hpp"

namespace typenet {

template <class ConvL, class Act>
struct ConvBnAct {
  using op = op::ConvBnAct;
  using conv = ConvL;
  using act = Act;
  using parts = List<ConvL, BatchNorm, Act>;
  static constexpr const char* name = "ConvBnAct";

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
      BatchNorm::bind<conv_node::out>::init(p + conv_node::params, s, rng);
    }
  };
};

template <class Done, class Todo> struct Fuse { using type = Done; };
template <class... D, class L, class... R>
struct Fuse<List<D...>, List<L, R...>> : Fuse<List<D..., L>, List<R...>> {};
template <class... D, int F, int K, int S, int P, bool B, int E, class... R>  // Conv, BatchNorm, ReLU
struct Fuse<List<D...>, List<Conv<F, K, S, P, B, E>, BatchNorm, ReLU, R...>>
    : Fuse<List<D..., ConvBnAct<Conv<F, K, S, P, B, E>, ReLU>>, List<R...>> {};
template <class... D, int F, int K, int S, int P, bool B, int E, class... R>  // Conv, BatchNorm, GELU
struct Fuse<List<D...>, List<Conv<F, K, S, P, B, E>, BatchNorm, GELU, R...>>
    : Fuse<List<D..., ConvBnAct<Conv<F, K, S, P, B, E>, GELU>>, List<R...>> {};

template <class Layers> using fuse_t = typename Fuse<List<>, Layers>::type;

}  // namespace typenet
