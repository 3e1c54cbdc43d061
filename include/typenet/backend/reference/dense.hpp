#pragma once
// Dense (fully connected) on the reference backend.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>
#include "typenet/backend/reference/context.hpp"
#include "typenet/layers/dense.hpp"

namespace typenet::reference {

// (N,F) => (N,U), weights (U,F), optional bias (U).
template <class T, class L, Shape In>
struct Kernel<T, op::Dense, L, In> {
  static constexpr int F = In.c, U = L::units;
  void setup(int) {}
  void forward(Context& c, const T* x, T* y, const T* p, T*, bool) {
    for (int b = 0; b < c.batch; ++b)
      for (int u = 0; u < U; ++u) {
        Sum acc = L::bias ? Sum(p[long(U) * F + u]) : 0;
        for (int f = 0; f < F; ++f) acc += Sum(p[long(u) * F + f]) * Sum(x[long(b) * F + f]);
        y[long(b) * U + u] = T(acc);
      }
  }
  void backward(Context& c, const T* x, const T*, const T* dy, T* dx, const T* p, T* dp) {
    std::fill(dp, dp + Node<L, In>::params, T(0));
    for (int b = 0; b < c.batch; ++b)
      for (int u = 0; u < U; ++u) {
        const T g = dy[long(b) * U + u];
        for (int f = 0; f < F; ++f) dp[long(u) * F + f] += g * x[long(b) * F + f];
        if (L::bias) dp[long(U) * F + u] += g;
      }
    if (dx)
      for (int b = 0; b < c.batch; ++b)
        for (int f = 0; f < F; ++f) {
          Sum acc = 0;
          for (int u = 0; u < U; ++u) acc += Sum(p[long(u) * F + f]) * Sum(dy[long(b) * U + u]);
          dx[long(b) * F + f] = T(acc);
        }
  }
};

}  // namespace typenet::reference
