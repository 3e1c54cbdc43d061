#pragma once
// Inverted dropout on the reference backend.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>
#include "typenet/backend/reference/context.hpp"
#include "typenet/layers/dropout.hpp"

namespace typenet::reference {

// Inverted dropout with a mask from the context's generator: one draw per value, or per
// example (stochastic depth).
template <class T, class L, Shape In>
struct Kernel<T, op::Dropout, L, In> {
  static constexpr long per_draw = L::unit == DropUnit::sample ? In.size() : 1;
  std::vector<std::uint8_t> keep;
  void setup(int n) { keep.assign(n * In.size(), 1); }
  void forward(Context& c, const T* x, T* y, const T*, T*, bool training) {
    const T scale = T(1) / T(1 - L::rate);
    for (long j = 0; j < c.batch * In.size(); ++j) {
      if (j % per_draw == 0) keep[j] = training ? c.rng.uniform() >= float(L::rate) : 1;
      else keep[j] = keep[j - 1];
      y[j] = training ? (keep[j] ? x[j] * scale : T(0)) : x[j];
    }
  }
  void backward(Context& c, const T*, const T*, const T* dy, T* dx, const T*, T*) {
    const T scale = T(1) / T(1 - L::rate);
    if (dx)
      for (long j = 0; j < c.batch * In.size(); ++j) dx[j] = keep[j] ? dy[j] * scale : T(0);
  }
};

}  // namespace typenet::reference
