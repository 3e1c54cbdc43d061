#pragma once
#include "typenet/layers/layer.hpp"

namespace typenet {

// BatchNorm: per-channel normalisation with a learned scale and shift.
// (C,H,W) => (C,H,W). Params: scale (C), shift (C). State: running mean (C), running variance (C).
// Momentum and epsilon are run-time hyperparameters (train/hyper.hpp), as in PyTorch.
struct BatchNorm {
  using op = op::BatchNorm;
  static constexpr const char* name = "BatchNorm";

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

}  // namespace typenet
