#pragma once
// SeedModel7: the seed study's best from-scratch network (DESIGN.md section 4).
#include "typenet/graph/sequential.hpp"
#include "typenet/layers/all.hpp"

namespace typenet::zoo {

template <int Filters>
using ConvBlock = Sequential<Conv<Filters, 3>, BatchNorm, ReLU>;

using SeedModel7 = Sequential<Input<3, 32, 32>,                                                   // (3,32,32)
    ConvBlock<32>, ConvBlock<32>, MaxPool<2>, Dropout<ratio<2, 10>>,                              // (32,16,16)
    ConvBlock<64>, ConvBlock<64>, MaxPool<2>, Dropout<ratio<3, 10>>,                              // (64,8,8)
    ConvBlock<128>, ConvBlock<128>, MaxPool<2>, Dropout<ratio<4, 10>>,                            // (128,4,4)
    ConvBlock<256>, ConvBlock<256>,                                                               // (256,4,4)
    GlobalAvgPool, Dense<10>>;                                                                    // (10)

static_assert(SeedModel7::output_shape == Shape{10});
static_assert(SeedModel7::param_count == 1'175'786);
static_assert(SeedModel7::node_count == 16);  // 8 fused ConvBnAct, 3 MaxPool, 3 Dropout, GlobalAvgPool, Dense

}  // namespace typenet::zoo
