#pragma once
#include "typenet/layers/layer.hpp"

namespace typenet {

// What every convolution is once bound to its input: Filters filters in Groups groups, each
// filter reading In.c/Groups channels. (C,H,W) => (Filters, (H+Pad+PadEnd-K)/S+1, ...).
// Weights (Filters, C/Groups, K, K) as PyTorch's Conv2d, bias (Filters).
template <Shape In, int Filters, int Groups, int Kernel, int Stride, int Pad, int PadEnd, bool Bias>
struct ConvBinding {
  static_assert(In.rank == 3, "typenet: Conv needs a (C,H,W) input, not a flat one");
  static_assert(In.c % Groups == 0 && Filters % Groups == 0,
                "typenet: Conv groups must divide both its input channels and its filters");
  static_assert(In.h + Pad + PadEnd >= Kernel && In.w + Pad + PadEnd >= Kernel,
                "typenet: Conv kernel is larger than its padded input");
  static constexpr int filters = Filters, groups = Groups, channels_per_group = In.c / Groups;
  static constexpr Shape out{Filters, (In.h + Pad + PadEnd - Kernel) / Stride + 1,
                             (In.w + Pad + PadEnd - Kernel) / Stride + 1};
  static constexpr long weights = long(Filters) * channels_per_group * Kernel * Kernel;
  static constexpr long params = weights + (Bias ? Filters : 0), state = 0;
  static constexpr long macs = weights * out.h * out.w;
  static std::vector<Tensor> tensors() {
    std::vector<Tensor> t{{"weight", {Filters, channels_per_group, Kernel, Kernel}, 0}};
    if (Bias) t.push_back({"bias", {Filters}, weights});
    return t;
  }
  template <class T>
  static void init(T* p, T*, Rng& rng) {
    const long fan_in = long(channels_per_group) * Kernel * Kernel;
    init_fan_in_uniform(p, weights, fan_in, rng);
    if constexpr (Bias) init_fan_in_uniform(p + weights, Filters, fan_in, rng);
  }
};

// Conv<Filters, Kernel, Stride, Pad, Bias, PadEnd, Groups>: 2-D convolution, square kernel,
// zero padding Pad before the first row/column and PadEnd after the last (default: the same;
// TensorFlow's asymmetric 'same' is Pad 0, PadEnd 1). Groups > 1: a grouped convolution.
template <int Filters, int Kernel, int Stride = 1, int Pad = Kernel / 2, bool Bias = false, int PadEnd = Pad,
          int Groups = 1>
struct Conv {
  static_assert(Filters > 0 && Kernel > 0 && Stride > 0 && Pad >= 0 && PadEnd >= 0 && Groups > 0,
                "typenet: Conv needs positive filters, kernel, stride and groups, and a non-negative padding");
  using op = op::Conv;
  static constexpr const char* name = Groups == 1 ? "Conv" : "GroupConv";
  static constexpr int filters = Filters, kernel = Kernel, stride = Stride, pad = Pad, pad_end = PadEnd;
  static constexpr bool bias = Bias;
  template <int E> using with_pad_end = Conv<Filters, Kernel, Stride, Pad, Bias, E, Groups>;
  template <Shape In> struct bind : ConvBinding<In, Filters, Groups, Kernel, Stride, Pad, PadEnd, Bias> {};
};

// DepthwiseConv<Multiplier, Kernel, Stride, Pad, Bias, PadEnd>: each input channel convolved
// with its own Multiplier filters (Keras's DepthwiseConv2D; groups = channels in PyTorch).
// (C,H,W) => (C*Multiplier, ...). Weights (C*Multiplier, 1, K, K).
template <int Multiplier, int Kernel, int Stride = 1, int Pad = Kernel / 2, bool Bias = false, int PadEnd = Pad>
struct DepthwiseConv {
  static_assert(Multiplier > 0 && Kernel > 0 && Stride > 0 && Pad >= 0 && PadEnd >= 0,
                "typenet: DepthwiseConv needs a positive multiplier, kernel and stride, and a non-negative padding");
  using op = op::Conv;
  static constexpr const char* name = "DepthwiseConv";
  static constexpr int multiplier = Multiplier, kernel = Kernel, stride = Stride, pad = Pad, pad_end = PadEnd;
  static constexpr bool bias = Bias;
  template <int E> using with_pad_end = DepthwiseConv<Multiplier, Kernel, Stride, Pad, Bias, E>;
  template <Shape In>
  struct bind : ConvBinding<In, In.c * Multiplier, In.c, Kernel, Stride, Pad, PadEnd, Bias> {};
};

}  // namespace typenet
