#pragma once
// Gate<Branch>: y = x * Branch(x), where Branch ends in one value per channel of x, broadcast
// over the map: squeeze-and-excitation is a Gate whose branch is GlobalAvgPool -> Dense ->
// activation -> Dense -> Sigmoid. One node in the graph; the walk shows the branch as "N.gate.i".
#include "typenet/graph/sequential.hpp"
#include "typenet/layers/activation.hpp"
#include "typenet/layers/dense.hpp"
#include "typenet/layers/pool.hpp"

namespace typenet {

template <Shape In, class BranchLayers>
struct GateBinding {
  static_assert(In.rank == 3, "typenet: Gate needs a (C,H,W) input");
  using branch = Bind<In, BranchLayers>;
  static_assert(branch::out == Shape{In.c},
                "typenet: a Gate's branch must end in one value per channel of its input, a (C) shape");
  static constexpr Shape out = In;
  static constexpr long params = sum_params(typename branch::nodes{});
  static constexpr long state = sum_state(typename branch::nodes{});
  static constexpr long macs = sum_macs(typename branch::nodes{}) + In.size();  // + the product
  template <class T> static void init(T* p, T* s, Rng& rng) { init_nodes(typename branch::nodes{}, p, s, rng); }
};

template <class Branch>
struct Gate {
  using op = op::Gate;
  static constexpr const char* name = "Gate";
  template <Shape In> struct bind : GateBinding<In, layers_of<Branch>> {};
};

// SqueezeExcite<Squeeze, Act>: torchvision's SqueezeExcitation and Keras's se block: the
// channel means squeezed to Squeeze values through Act, expanded back to C gates in (0,1).
// Their 1x1 convolutions (with bias) are Dense layers here: the same weights, (F,C) = (F,C,1,1).
template <int Squeeze, class Act = SiLU>
struct SqueezeExcite {
  using op = op::Gate;
  static constexpr const char* name = "SqueezeExcite";
  template <Shape In>
  struct bind : GateBinding<In, layers_of<Sequential<GlobalAvgPool, Dense<Squeeze>, Act, Dense<In.c>, Sigmoid>>> {};
};

}  // namespace typenet
