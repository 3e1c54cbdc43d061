#pragma once
// Node<L, In>: layer L bound to the input shape In. Instantiating it runs L's shape checks:
// when one fails, the compiler's "required from Node<Layer, Shape{...}>" names the culprit.
#include "typenet/core/shape.hpp"
#include "typenet/layers/layer.hpp"

namespace typenet {

template <class L, Shape In>
struct Node {
  static_assert(LayerTag<L>, "typenet: this type is not a layer: it needs `using op = op::...;`, a `name` and "
                             "`template <Shape In> struct bind` (see layers/layer.hpp)");
  using layer = L;
  using bound = typename L::template bind<In>;
  static constexpr Shape in = In;
  static constexpr Shape out = bound::out;
  static constexpr long params = bound::params;
  static constexpr long state = bound::state;
  static constexpr long macs = bound::macs;
};

}  // namespace typenet
