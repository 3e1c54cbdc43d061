#pragma once
#include "typenet/layers/layer.hpp"

namespace typenet {

// Dense<Units, Bias>: fully connected. (F) => (Units). Weights (Units,F) as PyTorch's Linear.
template <int Units, bool Bias = true>
struct Dense {
  static_assert(Units > 0, "typenet: Dense needs a positive number of units");
  using op = op::Dense;
  static constexpr const char* name = "Dense";
  static constexpr int units = Units;
  static constexpr bool bias = Bias;

  template <Shape In>
  struct bind {
    static_assert(In.rank == 1,
                  "typenet: Dense needs a flat (F) input: put Flatten or GlobalAvgPool before it");
    static constexpr Shape out{Units};
    static constexpr long weights = long(Units) * In.c;
    static constexpr long params = weights + (Bias ? Units : 0), state = 0, macs = weights;
    static std::vector<Tensor> tensors() {
      std::vector<Tensor> t{{"weight", {Units, In.c}, 0}};
      if (Bias) t.push_back({"bias", {Units}, weights});
      return t;
    }
    template <class T>
    static void init(T* p, T*, Rng& rng) {
      init_fan_in_uniform(p, weights, In.c, rng);
      if constexpr (Bias) init_fan_in_uniform(p + weights, Units, In.c, rng);
    }
  };
};

}  // namespace typenet
