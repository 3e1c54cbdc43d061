#pragma once
#include "typenet/core/shape.hpp"

namespace typenet {
// Input<C,H,W> (an image) or Input<F> (a feature vector): the first element of a network's
// Sequential; the shape of one example.
template <int... D>
struct Input {
  static_assert(sizeof...(D) == 1 || sizeof...(D) == 3, "typenet: Input takes <C,H,W> or <F>");
  static_assert(((D > 0) && ...), "typenet: Input dimensions must be positive");
  static constexpr Shape shape{D...};
};
}  // namespace typenet
