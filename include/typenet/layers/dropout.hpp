#pragma once
#include "typenet/layers/layer.hpp"

namespace typenet {

// Dropout<ratio<P,Q>>: in training, zero each value with probability P/Q and scale the
// survivors by 1/(1-P/Q) (inverted dropout); identity in inference. (shape) => (same shape).
template <class Rate>
struct Dropout {
  static_assert(Rate::value >= 0.0 && Rate::value < 1.0, "typenet: Dropout rate must be in [0, 1)");
  using op = op::Dropout;
  static constexpr const char* name = "Dropout";
  static constexpr double rate = Rate::value;
  template <Shape In> struct bind : NoParams { static constexpr Shape out = In; };
};

}  // namespace typenet
