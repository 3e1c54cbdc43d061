#pragma once
// What the rewrite rules (graph/fuse.hpp, graph/trim.hpp) match: kinds of layer, by what a
// layer is and offers, not by its full template parameter list — so that a new parameter of
// Conv (groups, say) leaves every rule working.
#include <concepts>
#include "typenet/layers/activation.hpp"
#include "typenet/layers/op.hpp"

namespace typenet {

// Any convolution (plain, grouped, depthwise): its geometry, and itself with another far-end
// padding (the trim rule). Filters and groups may depend on the input: they are the bound
// layer's (layers/conv.hpp, ConvBinding).
template <class L>
concept Convolution = std::same_as<typename L::op, op::Conv> && requires {
  { L::kernel } -> std::convertible_to<int>;
  { L::stride } -> std::convertible_to<int>;
  { L::pad } -> std::convertible_to<int>;
  { L::pad_end } -> std::convertible_to<int>;
  { L::bias } -> std::convertible_to<bool>;
  typename L::template with_pad_end<0>;
};

// Any elementwise activation, its parameters carried by its type.
template <class L>
concept Activation = std::same_as<typename L::op, op::Eltwise> && requires {
  { L::fn } -> std::convertible_to<EltwiseFn>;
  { L::alpha } -> std::convertible_to<float>;
  { L::beta } -> std::convertible_to<float>;
};

template <class L>
concept Normalization = std::same_as<typename L::op, op::BatchNorm>;

// Any windowed pooling (not the global one): window, stride and padding.
template <class L>
concept WindowPooling = std::same_as<typename L::op, op::Pool> && !L::global && requires {
  { L::window } -> std::convertible_to<int>;
  { L::stride } -> std::convertible_to<int>;
  { L::pad } -> std::convertible_to<int>;
  { L::pad_end } -> std::convertible_to<int>;
};

}  // namespace typenet
