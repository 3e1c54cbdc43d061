#pragma once
// SeparableConv<Filters, Kernel, Stride, Pad, Bias, PadEnd>: Keras's SeparableConv2D, a
// depthwise convolution (one filter per channel, no bias) and then a pointwise 1x1 convolution
// to Filters channels (bias optional). A block: it splices into the network as its two layers.
#include "typenet/graph/sequential.hpp"
#include "typenet/layers/conv.hpp"

namespace typenet {

template <int Filters, int Kernel, int Stride = 1, int Pad = Kernel / 2, bool Bias = false, int PadEnd = Pad>
using SeparableConv = Sequential<DepthwiseConv<1, Kernel, Stride, Pad, false, PadEnd>, Conv<Filters, 1, 1, 0, Bias>>;

}  // namespace typenet
