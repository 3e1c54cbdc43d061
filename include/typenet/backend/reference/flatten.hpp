#pragma once
// Flatten on the reference backend.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>
#include "typenet/backend/reference/context.hpp"
#include "typenet/layers/flatten.hpp"

namespace typenet::reference {

// Flatten: plain NCHW is already (N, C*H*W).
template <class T, class L, Shape In>
struct Kernel<T, op::Flatten, L, In> {
  void setup(int) {}
  void forward(Context& c, const T* x, T* y, const T*, T*, bool) { std::copy(x, x + c.batch * In.size(), y); }
  void backward(Context& c, const T*, const T*, const T* dy, T* dx, const T*, T*) {
    if (dx) std::copy(dy, dy + c.batch * In.size(), dx);
  }
};

}  // namespace typenet::reference
