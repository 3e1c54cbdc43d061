#pragma once
#include "typenet/layers/layer.hpp"

namespace typenet {

// Conv<Filters, Kernel, Stride, Pad, Bias>: 2-D convolution, square kernel.
// (C,H,W) => (Filters, (H+2Pad-K)/S+1, (W+2Pad-K)/S+1). Weights (Filters,C,K,K), bias (Filters).
template <int Filters, int Kernel, int Stride = 1, int Pad = Kernel / 2, bool Bias = false>
struct Conv {
  static_assert(Filters > 0 && Kernel > 0 && Stride > 0 && Pad >= 0,
                "typenet: Conv needs positive filters, kernel and stride, and a non-negative padding");
  using op = op::Conv;
  static constexpr const char* name = "Conv";
  static constexpr int filters = Filters, kernel = Kernel, stride = Stride, pad = Pad;
  static constexpr bool bias = Bias;

  template <Shape In>
  struct bind {
    static_assert(In.rank == 3, "typenet: Conv needs a (C,H,W) input, not a flat one");
    static_assert(In.h + 2 * Pad >= Kernel && In.w + 2 * Pad >= Kernel,
                  "typenet: Conv kernel is larger than its padded input");
    static constexpr Shape out{Filters, (In.h + 2 * Pad - Kernel) / Stride + 1,
                               (In.w + 2 * Pad - Kernel) / Stride + 1};
    static constexpr long weights = long(Filters) * In.c * Kernel * Kernel;
    static constexpr long params = weights + (Bias ? Filters : 0), state = 0;
    static constexpr long macs = weights * out.h * out.w;
    template <class T>
    static void init(T* p, T*, Rng& rng) {
      const long fan_in = long(In.c) * Kernel * Kernel;
      init_fan_in_uniform(p, weights, fan_in, rng);
      if constexpr (Bias) init_fan_in_uniform(p + weights, Filters, fan_in, rng);
    }
  };
};

}  // namespace typenet
