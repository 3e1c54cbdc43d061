#pragma once
// SeedModel1..6: the seed study's steps towards SeedModel7 (zoo/seed_model7.hpp), each a
// typedef. Step 6 of the study added callbacks and weight decay, which are training settings:
// as a type it is SeedModel7's conv stack with the dense head that step 7 replaced by
// global average pooling.
#include "typenet/graph/sequential.hpp"
#include "typenet/layers/all.hpp"
#include "typenet/zoo/seed_model7.hpp"

namespace typenet::zoo {

template <int Filters, int K = 3>
using ConvReLU = Sequential<Conv<Filters, K, 1, K / 2, /*Bias=*/true>, ReLU>;

// 1. A plain small CNN.
using SeedModel1 = Sequential<Input<3, 32, 32>, ConvReLU<32>, MaxPool<2>, ConvReLU<64>, MaxPool<2>,  // (64,8,8)
                              Flatten, Dense<128>, ReLU, Dense<10>>;
// 2. + dropout.
using SeedModel2 = Sequential<Input<3, 32, 32>, ConvReLU<32>, MaxPool<2>, Dropout<ratio<1, 4>>, ConvReLU<64>,
                              MaxPool<2>, Dropout<ratio<1, 4>>, Flatten, Dense<128>, ReLU, Dropout<ratio<1, 2>>, Dense<10>>;
// 3. + batch normalisation (convs lose their bias: BN's shift replaces it).
using SeedModel3 = Sequential<Input<3, 32, 32>, ConvBlock<32>, MaxPool<2>, Dropout<ratio<1, 4>>, ConvBlock<64>,
                              MaxPool<2>, Dropout<ratio<1, 4>>, Flatten, Dense<128>, ReLU, Dropout<ratio<1, 2>>, Dense<10>>;
// 4. Deeper stacks: two convs per block, three blocks.
using SeedModel4 = Sequential<Input<3, 32, 32>,
    ConvBlock<32>, ConvBlock<32>, MaxPool<2>, Dropout<ratio<2, 10>>,
    ConvBlock<64>, ConvBlock<64>, MaxPool<2>, Dropout<ratio<3, 10>>,
    ConvBlock<128>, ConvBlock<128>, MaxPool<2>, Dropout<ratio<4, 10>>,                     // (128,4,4)
    Flatten, Dense<128>, ReLU, Dropout<ratio<1, 2>>, Dense<10>>;
// 5. Other filter sizes: 5x5 convolutions in the first block.
using SeedModel5 = Sequential<Input<3, 32, 32>,
    Conv<32, 5>, BatchNorm, ReLU, Conv<32, 5>, BatchNorm, ReLU, MaxPool<2>, Dropout<ratio<2, 10>>,
    ConvBlock<64>, ConvBlock<64>, MaxPool<2>, Dropout<ratio<3, 10>>,
    ConvBlock<128>, ConvBlock<128>, MaxPool<2>, Dropout<ratio<4, 10>>,
    Flatten, Dense<128>, ReLU, Dropout<ratio<1, 2>>, Dense<10>>;
// 6. SeedModel7's conv stack with a dense head (trained with callbacks and weight decay).
using SeedModel6 = Sequential<Input<3, 32, 32>,
    ConvBlock<32>, ConvBlock<32>, MaxPool<2>, Dropout<ratio<2, 10>>,
    ConvBlock<64>, ConvBlock<64>, MaxPool<2>, Dropout<ratio<3, 10>>,
    ConvBlock<128>, ConvBlock<128>, MaxPool<2>, Dropout<ratio<4, 10>>,
    ConvBlock<256>, ConvBlock<256>,                                                        // (256,4,4)
    Flatten, Dense<256>, ReLU, Dropout<ratio<1, 2>>, Dense<10>>;

static_assert(SeedModel1::output_shape == Shape{10} && SeedModel1::param_count == 545'098);
static_assert(SeedModel4::output_shape == Shape{10});
static_assert(SeedModel6::param_count > SeedModel7::param_count);  // the dense head GAP removed

}  // namespace typenet::zoo
