#pragma once
// Airbench94: the network of Keller Jordan's airbench94 (DESIGN.md section 4, RECIPES.md).
#include "typenet/graph/sequential.hpp"
#include "typenet/layers/all.hpp"

namespace typenet::zoo {

// conv3x3 (no bias) -> MaxPool2 -> BN -> GELU -> conv3x3 -> BN -> GELU
template <int Width>
using AirbenchGroup = Sequential<Conv<Width, 3>, MaxPool<2>, BatchNorm, GELU, Conv<Width, 3>, BatchNorm, GELU>;

using Airbench94 = Sequential<Input<3, 32, 32>,                              // (3,32,32)
    Conv<24, 2, 1, 0, /*Bias=*/true>, GELU,                                  // (24,31,31) whitening
    AirbenchGroup<64>,                                                       // (64,15,15)
    AirbenchGroup<256>,                                                      // (256,7,7)
    AirbenchGroup<256>,                                                      // (256,3,3)
    MaxPool<3>, Flatten, Dense<10, /*Bias=*/false>, Scale<ratio<1, 9>>>;     // (10)

static_assert(Airbench94::output_shape == Shape{10});
static_assert(Airbench94::param_count == 1'972'792);

}  // namespace typenet::zoo
