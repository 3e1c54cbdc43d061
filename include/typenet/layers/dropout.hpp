#pragma once
#include "typenet/layers/layer.hpp"

namespace typenet {

// What one dropout draw removes: a single value, or a whole example (stochastic depth).
enum class DropUnit { value, sample };

// Dropout<ratio<P,Q>, Unit>: in training, zero each value (Unit sample: each example's whole
// tensor) with probability P/Q and scale the survivors by 1/(1-P/Q) (inverted dropout);
// identity in inference. (shape) => (same shape).
template <class Rate, DropUnit Unit = DropUnit::value>
struct Dropout {
  static_assert(Rate::value >= 0.0 && Rate::value < 1.0, "typenet: Dropout rate must be in [0, 1)");
  using op = op::Dropout;
  static constexpr const char* name = Unit == DropUnit::value ? "Dropout" : "StochasticDepth";
  static constexpr double rate = Rate::value;
  static constexpr DropUnit unit = Unit;
  template <Shape In> struct bind : NoParams { static constexpr Shape out = In; };
};

// StochasticDepth<ratio<P,Q>>: drop a residual branch for a whole example with probability
// P/Q (torchvision's StochasticDepth(p, "row"), timm's DropPath). Put it last in the branch.
template <class Rate> using StochasticDepth = Dropout<Rate, DropUnit::sample>;

}  // namespace typenet
