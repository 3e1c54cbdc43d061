#pragma once
// EfficientNetB2<Classes, Size> in torchvision's form (torchvision 0.14 efficientnet_b2: width
// 1.1, depth 1.2), layer for layer in its order: a 3x3/2 stem (32, BN, SiLU), 23 MBConv blocks
// in 7 stages, a 1x1 conv to 1408 (BN, SiLU), GlobalAvgPool, Dropout, Dense. An MBConv block:
// 1x1 expand (x6, BN, SiLU; none at expansion 1), KxK depthwise (BN, SiLU), squeeze-and-excitation
// to max(1, in/4) values, 1x1 project (BN); the input is added back when the shape is kept,
// through stochastic depth with probability 0.2 * block / 23. Native input 288 (torchvision's
// weights); Keras's EfficientNetB2 takes 260. Symmetric (K-1)/2 padding: any size works.
#include <type_traits>
#include "typenet/graph/gate.hpp"
#include "typenet/graph/residual.hpp"
#include "typenet/layers/all.hpp"

namespace typenet::zoo {

// torchvision's MBConv: In channels to Out, expansion E, kernel K, stride S, and DropRate, the
// probability that stochastic depth drops the block for an example.
template <int In, int E, int K, int S, int Out, class DropRate>
struct MBConv {
  using expand = std::conditional_t<E == 1, Sequential<>, Sequential<Conv<In * E, 1, 1, 0>, BatchNorm, SiLU>>;
  using body = Sequential<expand, DepthwiseConv<1, K, S, (K - 1) / 2>, BatchNorm, SiLU,
                          SqueezeExcite<(In / 4 > 1 ? In / 4 : 1), SiLU>, Conv<Out, 1, 1, 0>, BatchNorm>;
  static constexpr bool residual = S == 1 && In == Out;
  using type = std::conditional_t<residual, Residual<Sequential<body, StochasticDepth<DropRate>>>, body>;
};

// EfficientNetB2<Classes, Size, HeadDropout, StochasticDepthMax>: torchvision's dropout 0.3 before
// the classifier, and block i (of 23) dropped with probability StochasticDepthMax * i / 23.
// Both ratio<0> give the deterministic network (the reference fixtures' training step).
template <int Classes = 1000, int Size = 288, class HeadDropout = ratio<3, 10>, class StochasticDepthMax = ratio<2, 10>>
struct EfficientNetB2Blocks {
  template <int In, int E, int K, int S, int Out, int Index>
  using B = typename MBConv<In, E, K, S, Out, ratio<StochasticDepthMax::num * Index, StochasticDepthMax::den * 23>>::type;
  using type = Sequential<Input<3, Size, Size>,
    Conv<32, 3, 2, 1>, BatchNorm, SiLU,                                               // features.0
    B<32, 1, 3, 1, 16, 0>, B<16, 1, 3, 1, 16, 1>,                                     // features.1
    B<16, 6, 3, 2, 24, 2>, B<24, 6, 3, 1, 24, 3>, B<24, 6, 3, 1, 24, 4>,              // .2
    B<24, 6, 5, 2, 48, 5>, B<48, 6, 5, 1, 48, 6>, B<48, 6, 5, 1, 48, 7>,              // .3
    B<48, 6, 3, 2, 88, 8>, B<88, 6, 3, 1, 88, 9>, B<88, 6, 3, 1, 88, 10>,
    B<88, 6, 3, 1, 88, 11>,                                                           // .4
    B<88, 6, 5, 1, 120, 12>, B<120, 6, 5, 1, 120, 13>, B<120, 6, 5, 1, 120, 14>,
    B<120, 6, 5, 1, 120, 15>,                                                         // .5
    B<120, 6, 5, 2, 208, 16>, B<208, 6, 5, 1, 208, 17>, B<208, 6, 5, 1, 208, 18>,
    B<208, 6, 5, 1, 208, 19>, B<208, 6, 5, 1, 208, 20>,                               // .6
    B<208, 6, 3, 1, 352, 21>, B<352, 6, 3, 1, 352, 22>,                               // .7
    Conv<1408, 1, 1, 0>, BatchNorm, SiLU,                                             // features.8
    GlobalAvgPool, Dropout<HeadDropout>, Dense<Classes>>;                             // avgpool, classifier
};
template <int Classes = 1000, int Size = 288, class HeadDropout = ratio<3, 10>, class StochasticDepthMax = ratio<2, 10>>
using EfficientNetB2 = typename EfficientNetB2Blocks<Classes, Size, HeadDropout, StochasticDepthMax>::type;

// torchvision 0.14.1 `efficientnet_b2(weights=None)`, counted here: 9,109,994 parameters and
// 67,568 running_mean/running_var values. Its BN epsilon is PyTorch's default, 1e-5.
static_assert(EfficientNetB2<>::param_count == 9'109'994);
static_assert(EfficientNetB2<>::state_count == 67'568);
static_assert(EfficientNetB2<>::output_shape == Shape{1000});

}  // namespace typenet::zoo
