#pragma once
// MobileNetV2<Classes, Size> as Keras defines it (keras_applications 1.0.8 mobilenet_v2.py,
// alpha 1.0), layer for layer in Keras's order: a 3x3/2 stem, 17 inverted residual blocks
// (1x1 expand -> BN -> ReLU6, 3x3 depthwise -> BN -> ReLU6, 1x1 project -> BN, plus the input
// when shapes agree), a 1x1 conv to 1280, GlobalAvgPool, Dense. BN epsilon 1e-3 (Keras's: KerasBatchNorm).
// Keras pads every stride-2 convolution by correct_pad: (0,1) rows and columns on an even map,
// which is what Size % 32 == 0 gives each of the five.
#include <type_traits>
#include "typenet/graph/residual.hpp"
#include "typenet/layers/all.hpp"

namespace typenet::zoo {

// Keras's _inverted_res_block: In channels to Filters, expansion Expansion, stride Stride.
template <int In, int Expansion, int Filters, int Stride>
struct InvertedResidual {
  using expand = std::conditional_t<Expansion == 1, Sequential<>,
                                    Sequential<Conv<In * Expansion, 1, 1, 0>, KerasBatchNorm, ReLU6>>;
  using body = Sequential<expand,
                          DepthwiseConv<1, 3, Stride, Stride == 1 ? 1 : 0, false, 1>, KerasBatchNorm, ReLU6,  // 'same' / correct_pad
                          Conv<Filters, 1, 1, 0>, KerasBatchNorm>;
  using type = std::conditional_t<In == Filters && Stride == 1, Residual<body>, body>;
};
template <int In, int Expansion, int Filters, int Stride>
using InvertedResidualBlock = typename InvertedResidual<In, Expansion, Filters, Stride>::type;

template <int Classes = 1000, int Size = 224>
struct MobileNetV2Check {
  static_assert(Size % 32 == 0 && Size >= 32,
                "typenet: MobileNetV2 takes a multiple of 32 as its input size (Keras's stride-2 padding as written)");
  using type = Sequential<Input<3, Size, Size>,
      Conv<32, 3, 2, 0, false, 1>, KerasBatchNorm, ReLU6,                                       // Conv1, bn_Conv1
      InvertedResidualBlock<32, 1, 16, 1>,                                                 // expanded_conv
      InvertedResidualBlock<16, 6, 24, 2>, InvertedResidualBlock<24, 6, 24, 1>,           // block_1, 2
      InvertedResidualBlock<24, 6, 32, 2>, InvertedResidualBlock<32, 6, 32, 1>,
      InvertedResidualBlock<32, 6, 32, 1>,                                                 // block_3..5
      InvertedResidualBlock<32, 6, 64, 2>, InvertedResidualBlock<64, 6, 64, 1>,
      InvertedResidualBlock<64, 6, 64, 1>, InvertedResidualBlock<64, 6, 64, 1>,           // block_6..9
      InvertedResidualBlock<64, 6, 96, 1>, InvertedResidualBlock<96, 6, 96, 1>,
      InvertedResidualBlock<96, 6, 96, 1>,                                                 // block_10..12
      InvertedResidualBlock<96, 6, 160, 2>, InvertedResidualBlock<160, 6, 160, 1>,
      InvertedResidualBlock<160, 6, 160, 1>,                                               // block_13..15
      InvertedResidualBlock<160, 6, 320, 1>,                                               // block_16
      Conv<1280, 1, 1, 0>, KerasBatchNorm, ReLU6,                                               // Conv_1, Conv_1_bn, out_relu
      GlobalAvgPool, Dense<Classes>>;                                                      // Logits
};
template <int Classes = 1000, int Size = 224> using MobileNetV2 = typename MobileNetV2Check<Classes, Size>::type;

// Keras's model.summary() for MobileNetV2(weights=None): 3,538,984 parameters, of which
// 3,504,872 trainable (here: params, BN scale and shift included) and 34,112 non-trainable
// (BN moving mean and variance: here, state).
static_assert(MobileNetV2<>::param_count == 3'504'872);
static_assert(MobileNetV2<>::state_count == 34'112);
static_assert(MobileNetV2<>::output_shape == Shape{1000});

}  // namespace typenet::zoo
