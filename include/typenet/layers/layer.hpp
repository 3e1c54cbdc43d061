#pragma once
// The layer contract. A layer is an empty tag type L with
//   using op = op::...;                       which kernel computes it
//   static constexpr const char* name;         for summaries and error messages
//   template <Shape In> struct bind;           L applied to an input shape, with
//       static constexpr Shape out;            its output shape (static_asserts reject bad inputs)
//       static constexpr long params, state;   trainable values, non-trained state (BN statistics)
//       static constexpr long macs;            forward multiply-accumulates per example
//       static void init(T* params, T* state, Rng&)  initial values, independent of the backend
//       static std::vector<Tensor> tensors()  (with params or state) the named tensors in those
//                                             ranges, PyTorch's names and layouts
// Layers know nothing of kernels: backend/<b>/ gives each op its execution.
#include <cmath>
#include <concepts>
#include <vector>
#include "typenet/core/list.hpp"
#include "typenet/core/rng.hpp"
#include "typenet/core/shape.hpp"
#include "typenet/layers/op.hpp"

namespace typenet {

// The part of the contract a type shows before it is bound to a shape.
template <class L>
concept LayerTag = requires {
  typename L::op;
  { L::name } -> std::convertible_to<const char*>;
};

// A named tensor of a layer: `offset` into the layer's parameter range, or with `state` its
// state range; `dims` in PyTorch's layout, e.g. a conv's weight (F,C,K,K).
struct Tensor {
  const char* name;
  std::vector<long> dims;
  long offset = 0;
  bool state = false;
  long size() const {
    long n = 1;
    for (long d : dims) n *= d;
    return n;
  }
};

// Defaults for layers with nothing to learn.
struct NoParams {
  static constexpr long params = 0, state = 0, macs = 0;
  template <class T> static void init(T*, T*, Rng&) {}
  static std::vector<Tensor> tensors() { return {}; }
};

// PyTorch's default for conv and linear layers: U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
template <class T>
void init_fan_in_uniform(T* p, long count, long fan_in, Rng& rng) {
  const float bound = 1.0f / std::sqrt(float(fan_in));
  for (long i = 0; i < count; ++i) p[i] = T(rng.uniform(-bound, bound));
}

}  // namespace typenet
