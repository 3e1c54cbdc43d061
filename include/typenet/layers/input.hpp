#pragma once
#include "typenet/core/shape.hpp"

namespace typenet {
// Input<C,H,W>: the first element of a network's Sequential; the shape of one example.
template <int C, int H, int W>
struct Input {
  static_assert(C > 0 && H > 0 && W > 0, "typenet: Input dimensions must be positive");
  static constexpr Shape shape{C, H, W};
};
}  // namespace typenet
