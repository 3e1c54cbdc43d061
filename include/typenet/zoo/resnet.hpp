#pragma once
// ResNet18 / ResNet34, CIFAR variants (DESIGN.md section 4): a 3x3 stem conv, no max-pool,
// stages of BasicBlocks at 64/128/256/512 channels with strides 1,2,2,2, a 1x1 conv + BN
// shortcut where the shape changes, GlobalAvgPool, Dense(10).
#include "typenet/graph/residual.hpp"
#include "typenet/layers/all.hpp"

namespace typenet::zoo {

// (C,H,W) => (C,H,W):  relu(bn(conv(relu(bn(conv(x))))) + x)
template <int C>
using BasicBlock = Sequential<Residual<Sequential<Conv<C, 3>, BatchNorm, ReLU, Conv<C, 3>, BatchNorm>>, ReLU>;

// (C/2,H,W) => (C,H/2,W/2): the first block of a stage, with a projection shortcut.
template <int C>
using DownBlock = Sequential<Residual<Sequential<Conv<C, 3, 2>, BatchNorm, ReLU, Conv<C, 3>, BatchNorm>,
                                      Sequential<Conv<C, 1, 2, 0>, BatchNorm>>,
                             ReLU>;

template <int C, int N> struct Repeat;  // Sequential of N BasicBlock<C>
template <int C> struct Repeat<C, 1> { using type = BasicBlock<C>; };
template <int C, int N> struct Repeat { using type = Sequential<BasicBlock<C>, typename Repeat<C, N - 1>::type>; };

template <int N64, int N128, int N256, int N512>
using ResNetCifar = Sequential<Input<3, 32, 32>,                                      // (3,32,32)
    Conv<64, 3>, BatchNorm, ReLU,                                                     // (64,32,32)
    typename Repeat<64, N64>::type,                                                   // (64,32,32)
    DownBlock<128>, typename Repeat<128, N128 - 1>::type,                             // (128,16,16)
    DownBlock<256>, typename Repeat<256, N256 - 1>::type,                             // (256,8,8)
    DownBlock<512>, typename Repeat<512, N512 - 1>::type,                             // (512,4,4)
    GlobalAvgPool, Dense<10>>;                                                        // (10)

using ResNet18 = ResNetCifar<2, 2, 2, 2>;
using ResNet34 = ResNetCifar<3, 4, 6, 3>;

static_assert(ResNet18::output_shape == Shape{10});
static_assert(ResNet18::param_count == 11'173'962);  // torchvision's CIFAR ResNet18 count
static_assert(ResNet34::param_count == 21'282'122);

}  // namespace typenet::zoo
