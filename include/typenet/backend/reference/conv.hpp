#pragma once
// Convolution on the reference backend: the direct loop nest.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>
#include "typenet/backend/reference/context.hpp"
#include "typenet/layers/conv.hpp"

namespace typenet::reference {

// (N,C,H,W) => (N,F,H',W'), weights (F,C/G,K,K), optional bias (F). Filter o of group
// g = o / (F/G) reads input channels g*C/G .. (g+1)*C/G - 1.
template <class T, class L, Shape In>
struct Kernel<T, op::Conv, L, In> {
  using B = typename Node<L, In>::bound;
  static constexpr Shape O = Node<L, In>::out;
  static constexpr int K = L::kernel, S = L::stride, P = L::pad, CG = B::channels_per_group,
                       FG = B::filters / B::groups;
  static constexpr long WC = B::weights;
  std::vector<Sum> y_sum, dp_sum, dx_sum;
  void setup(int n) {
    y_sum.assign(n * O.size(), 0);
    dp_sum.assign(B::params, 0);
    dx_sum.assign(n * In.size(), 0);
  }
  template <class F> static void each(int n, F&& f) {  // f(x index, w index, y index)
    for (int b = 0; b < n; ++b)
      for (int o = 0; o < O.c; ++o)
        for (int oy = 0; oy < O.h; ++oy)
          for (int ox = 0; ox < O.w; ++ox)
            for (int j = 0; j < CG; ++j)
              for (int ky = 0; ky < K; ++ky)
                for (int kx = 0; kx < K; ++kx) {
                  const int iy = oy * S - P + ky, ix = ox * S - P + kx, i = o / FG * CG + j;
                  if (iy < 0 || iy >= In.h || ix < 0 || ix >= In.w) continue;
                  f(((long(b) * In.c + i) * In.h + iy) * In.w + ix, ((long(o) * CG + j) * K + ky) * K + kx,
                    ((long(b) * O.c + o) * O.h + oy) * O.w + ox);
                }
  }
  void forward(Context& c, const T* x, T* y, const T* p, T*, bool) {
    for (long j = 0; j < c.batch * O.size(); ++j) y_sum[j] = L::bias ? Sum(p[WC + (j / (O.h * O.w)) % O.c]) : 0;
    each(c.batch, [&](long xi, long wi, long yi) { y_sum[yi] += Sum(x[xi]) * Sum(p[wi]); });
    std::copy(y_sum.begin(), y_sum.end(), y);
  }
  void backward(Context& c, const T* x, const T*, const T* dy, T* dx, const T* p, T* dp) {
    std::fill(dp_sum.begin(), dp_sum.end(), Sum(0));
    std::fill(dx_sum.begin(), dx_sum.end(), Sum(0));
    each(c.batch, [&](long xi, long wi, long yi) {
      dp_sum[wi] += Sum(x[xi]) * Sum(dy[yi]);
      if (dx) dx_sum[xi] += Sum(p[wi]) * Sum(dy[yi]);
    });
    if constexpr (L::bias)
      for (long j = 0; j < c.batch * O.size(); ++j) dp_sum[WC + (j / (O.h * O.w)) % O.c] += Sum(dy[j]);
    std::copy(dp_sum.begin(), dp_sum.end(), dp);
    if (dx) std::copy(dx_sum.begin(), dx_sum.end(), dx);
  }
};

}  // namespace typenet::reference
