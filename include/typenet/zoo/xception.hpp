#pragma once
// Xception<Classes, Size> as Keras defines it (keras_applications 1.0.8 xception.py), in its
// order: the entry flow (two valid 3x3 convs, then three blocks of two separable convs and a
// 'same' 3x3/2 max-pool added to a 1x1/2 conv shortcut), the middle flow (8 blocks of three
// ReLU -> separable conv -> BN with an identity shortcut), the exit flow (one more pooled block,
// two separable convs to 1536 and 2048), GlobalAvgPool, Dense. BN epsilon 1e-3 (Keras's: KerasBatchNorm).
// TensorFlow's 'same' padding is computed from the map size at each stride-2 layer, so any
// size from 71 up gives Keras's arithmetic (native 299).
#include <type_traits>
#include "typenet/graph/residual.hpp"
#include "typenet/graph/separable_conv.hpp"
#include "typenet/layers/all.hpp"

namespace typenet::zoo {

// TensorFlow's 'same': out = ceil(n / s), padding max((out-1)*s + k - n, 0), the odd one at the end.
constexpr int same_out(int n, int s) { return (n + s - 1) / s; }
constexpr int same_pad(int n, int k, int s) {
  const int total = (same_out(n, s) - 1) * s + k - n;
  return total > 0 ? total : 0;
}
constexpr int same_pad_begin(int n, int k, int s) { return same_pad(n, k, s) / 2; }
constexpr int same_pad_end(int n, int k, int s) { return same_pad(n, k, s) - same_pad(n, k, s) / 2; }

// An entry/exit-flow block on an N x N map: [ReLU] sepconv F1 -> BN -> ReLU -> sepconv F2 -> BN ->
// 'same' max-pool 3/2, plus the shortcut conv 1x1/2 -> BN.
template <int F1, int F2, int N, bool LeadingReLU = true>
using XceptionPooledBlock = Residual<
    Sequential<std::conditional_t<LeadingReLU, Sequential<ReLU>, Sequential<>>, SeparableConv<F1, 3>, KerasBatchNorm, ReLU,
               SeparableConv<F2, 3>, KerasBatchNorm, MaxPool<3, 2, same_pad_begin(N, 3, 2), same_pad_end(N, 3, 2)>>,
    Sequential<Conv<F2, 1, 2, same_pad_begin(N, 1, 2), false, same_pad_end(N, 1, 2)>, KerasBatchNorm>>;

using XceptionMiddleBlock = Residual<Sequential<ReLU, SeparableConv<728, 3>, KerasBatchNorm, ReLU, SeparableConv<728, 3>,
                                                KerasBatchNorm, ReLU, SeparableConv<728, 3>, KerasBatchNorm>>;

template <int Classes = 1000, int Size = 299>
struct XceptionSizes {
  static_assert(Size >= 71, "typenet: Xception needs an input of at least 71 x 71 (Keras's minimum)");
  static constexpr int conv2 = (Size - 3) / 2 + 1 - 2;  // after block1_conv1 (3x3/2 valid) and conv2
  static constexpr int block3 = same_out(conv2, 2), block4 = same_out(block3, 2), block13 = same_out(block4, 2);
  using type = Sequential<Input<3, Size, Size>,
      Conv<32, 3, 2, 0>, KerasBatchNorm, ReLU, Conv<64, 3, 1, 0>, KerasBatchNorm, ReLU,       // block1
      XceptionPooledBlock<128, 128, conv2, false>,                                 // block2
      XceptionPooledBlock<256, 256, block3>,                                       // block3
      XceptionPooledBlock<728, 728, block4>,                                       // block4
      XceptionMiddleBlock, XceptionMiddleBlock, XceptionMiddleBlock, XceptionMiddleBlock,
      XceptionMiddleBlock, XceptionMiddleBlock, XceptionMiddleBlock, XceptionMiddleBlock,  // block5..12
      XceptionPooledBlock<728, 1024, block13>,                                     // block13
      SeparableConv<1536, 3>, KerasBatchNorm, ReLU, SeparableConv<2048, 3>, KerasBatchNorm, ReLU,  // block14
      GlobalAvgPool, Dense<Classes>>;                                              // avg_pool, predictions
};
template <int Classes = 1000, int Size = 299> using Xception = typename XceptionSizes<Classes, Size>::type;

// Keras's model.summary() for Xception(weights=None): 22,910,480 parameters, of which 22,855,952
// trainable (here: params) and 54,528 non-trainable (BN moving statistics: here, state).
static_assert(Xception<>::param_count == 22'855'952);
static_assert(Xception<>::state_count == 54'528);
static_assert(Xception<>::output_shape == Shape{1000});

}  // namespace typenet::zoo
