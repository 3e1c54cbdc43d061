#pragma once
// ResNets of BasicBlocks: stages at 64/128/256/512 channels with strides 1,2,2,2, a 1x1 conv + BN
// shortcut where the shape changes, GlobalAvgPool, Dense.
//   ResNet18Cifar / ResNet34Cifar (DESIGN.md section 4): a 3x3 stem conv, no max-pool, 32x32 in.
//   ResNet34<Classes, Size>: torchvision's ImageNet form, a 7x7/2 stem and a padded 3x3/2 max-pool.
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

using ResNet18Cifar = ResNetCifar<2, 2, 2, 2>;
using ResNet34Cifar = ResNetCifar<3, 4, 6, 3>;

static_assert(ResNet18Cifar::output_shape == Shape{10});
static_assert(ResNet18Cifar::param_count == 11'173'962);  // torchvision's CIFAR ResNet18 count
static_assert(ResNet34Cifar::param_count == 21'282'122);

// torchvision's resnet34, layer for layer (conv1, bn1, relu, maxpool, layer1..4, avgpool, fc).
template <int Classes = 1000, int Size = 224>
using ResNet34 = Sequential<Input<3, Size, Size>,
    Conv<64, 7, 2, 3>, BatchNorm, ReLU, MaxPool<3, 2, 1>,                             // (64,S/4,S/4)
    typename Repeat<64, 3>::type,
    DownBlock<128>, typename Repeat<128, 3>::type,                                    // (128,S/8,S/8)
    DownBlock<256>, typename Repeat<256, 5>::type,                                    // (256,S/16,S/16)
    DownBlock<512>, typename Repeat<512, 2>::type,                                    // (512,S/32,S/32)
    GlobalAvgPool, Dense<Classes>>;

// torchvision 0.14.1 `resnet34(weights=None)`, counted here: 21,797,672 parameters and 17,024
// running_mean/running_var values (num_batches_tracked is not kept).
static_assert(ResNet34<>::param_count == 21'797'672);
static_assert(ResNet34<>::state_count == 17'024);
static_assert(ResNet34<>::output_shape == Shape{1000});

}  // namespace typenet::zoo
