#pragma once
#include <type_traits>
#include "typenet/core/list.hpp"
#include "typenet/layers/layer.hpp"

namespace typenet {

// BatchNormWith<Epsilon>: per-channel normalisation with a learned scale and shift.
// (C,H,W) => (C,H,W). Params: scale (C), shift (C). State: running mean (C), running variance (C).
// Momentum is a run-time hyperparameter (ModelOptions), as in PyTorch. Epsilon is the layer's
// when it gives one (a ratio): weights trained elsewhere are right only with their own
// (Keras 1e-3, PyTorch 1e-5); without one it is the model's, ModelOptions::bn_eps (1e-5).
template <class Epsilon = void>
struct BatchNormWith {
  using op = op::BatchNorm;
  static constexpr const char* name = "BatchNorm";
  static constexpr bool own_epsilon = !std::is_void_v<Epsilon>;
  static constexpr float epsilon(float model_epsilon) {
    if constexpr (own_epsilon) return float(Epsilon::value);
    else return model_epsilon;
  }

  template <Shape In>
  struct bind {
    static_assert(In.rank == 3, "typenet: BatchNorm needs a (C,H,W) input");
    static constexpr Shape out = In;
    static constexpr long params = 2L * In.c, state = 2L * In.c, macs = 0;
    static std::vector<Tensor> tensors() {  // PyTorch's names: weight = scale, bias = shift
      return {{"weight", {In.c}, 0}, {"bias", {In.c}, In.c}, {"running_mean", {In.c}, 0, true},
              {"running_var", {In.c}, In.c, true}};
    }
    template <class T>
    static void init(T* p, T* s, Rng&) {
      for (int c = 0; c < In.c; ++c) { p[c] = T(1); p[In.c + c] = T(0); s[c] = T(0); s[In.c + c] = T(1); }
    }
  };
};

using BatchNorm = BatchNormWith<>;                         // the model's epsilon
using KerasBatchNorm = BatchNormWith<ratio<1, 1000>>;      // Keras's BatchNormalization default, 1e-3

}  // namespace typenet
