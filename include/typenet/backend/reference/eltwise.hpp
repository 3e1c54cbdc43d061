#pragma once
// Elementwise layers (ReLU, GELU, SiLU, Sigmoid, ReLU6, Scale, Identity) on the reference backend.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>
#include "typenet/backend/reference/context.hpp"
#include "typenet/layers/activation.hpp"

namespace typenet::reference {

// y = f(x) elementwise.
template <class T, class L, Shape In>
struct Kernel<T, op::Eltwise, L, In> {
  void setup(int) {}
  static_assert(L::fn == EltwiseFn::relu || L::fn == EltwiseFn::gelu || L::fn == EltwiseFn::silu ||
                    L::fn == EltwiseFn::sigmoid || L::fn == EltwiseFn::clip || L::fn == EltwiseFn::scale ||
                    L::fn == EltwiseFn::identity,
                "typenet: this activation function has no reference kernel");
  static T sigmoid(T x) { return T(1) / (T(1) + std::exp(-x)); }
  static T f(T x) {
    if constexpr (L::fn == EltwiseFn::relu) return x > 0 ? x : T(0);
    else if constexpr (L::fn == EltwiseFn::gelu) return T(0.5) * x * (T(1) + std::erf(x / std::sqrt(T(2))));
    else if constexpr (L::fn == EltwiseFn::silu) return x * sigmoid(T(L::alpha) * x);
    else if constexpr (L::fn == EltwiseFn::sigmoid) return sigmoid(x);
    else if constexpr (L::fn == EltwiseFn::clip) return std::min(std::max(x, T(L::alpha)), T(L::beta));
    else return x * T(L::alpha) + T(L::beta);  // scale, identity
  }
  static T df(T x) {
    if constexpr (L::fn == EltwiseFn::relu) return x > 0 ? T(1) : T(0);
    else if constexpr (L::fn == EltwiseFn::gelu)
      return T(0.5) * (T(1) + std::erf(x / std::sqrt(T(2)))) + x * std::exp(-x * x / 2) / std::sqrt(T(2 * M_PI));
    else if constexpr (L::fn == EltwiseFn::silu) {
      const T a = T(L::alpha), s = sigmoid(a * x);
      return s + a * x * s * (T(1) - s);
    } else if constexpr (L::fn == EltwiseFn::sigmoid) {
      const T s = sigmoid(x);
      return s * (T(1) - s);
    } else if constexpr (L::fn == EltwiseFn::clip) return x > T(L::alpha) && x < T(L::beta) ? T(1) : T(0);
    else return T(L::alpha);
  }
  void forward(Context& c, const T* x, T* y, const T*, T*, bool) {
    for (long j = 0; j < c.batch * In.size(); ++j) y[j] = f(x[j]);
  }
  void backward(Context& c, const T* x, const T*, const T* dy, T* dx, const T*, T*) {
    if (dx)
      for (long j = 0; j < c.batch * In.size(); ++j) dx[j] = dy[j] * df(x[j]);
  }
};

}  // namespace typenet::reference
