#pragma once
#include "typenet/layers/layer.hpp"

namespace typenet {

// Conv<Filters, Kernel, Stride, Pad, Bias, PadEnd>: 2-D convolution, square kernel, zero
// padding Pad before the first row/column and PadEnd after the last (default: the same).
// (C,H,W) => (Filters, (H+Pad+PadEnd-K)/S+1, ...). Weights (Filters,C,K,K), bias (Filters).
template <int Filters, int Kernel, int Stride = 1, int Pad = Kernel / 2, bool Bias = false, int PadEnd = Pad>
struct Conv {
  static_assert(Filters > 0 && Kernel > 0 && Stride > 0 && Pad >= 0 && PadEnd >= 0,
                "typenet: Conv needs positive filters, kernel and stride, and a non-negative padding");
  using op = op::Conv;
  static constexpr const char* name = "Conv";
  static constexpr int filters = Filters, kernel = Kernel, stride = Stride, pad = Pad, pad_end = PadEnd;
  static constexpr bool bias = Bias;
  template <int E> using with_pad_end = Conv<Filters, Kernel, Stride, Pad, Bias, E>;

  template <Shape In>
  struct bind {
    static_assert(In.rank == 3, "typenet: Conv needs a (C,H,W) input, not a flat one");
    static_assert(In.h + Pad + PadEnd >= Kernel && In.w + Pad + PadEnd >= Kernel,
                  "typenet: Conv kernel is larger than its padded input");
    static constexpr Shape out{Filters, (In.h + Pad + PadEnd - Kernel) / Stride + 1,
                               (In.w + Pad + PadEnd - Kernel) / Stride + 1};
    static constexpr long weights = long(Filters) * In.c * Kernel * Kernel;
    static constexpr long params = weights + (Bias ? Filters : 0), state = 0;
    static constexpr long macs = weights * out.h * out.w;
    static std::vector<Tensor> tensors() {
      std::vector<Tensor> t{{"weight", {Filters, In.c, Kernel, Kernel}, 0}};
      if (Bias) t.push_back({"bias", {Filters}, weights});
      return t;
    }
    template <class T>
    static void init(T* p, T*, Rng& rng) {
      const long fan_in = long(In.c) * Kernel * Kernel;
      init_fan_in_uniform(p, weights, fan_in, rng);
      if constexpr (Bias) init_fan_in_uniform(p + weights, Filters, fan_in, rng);
    }
  };
};

}  // namespace typenet
