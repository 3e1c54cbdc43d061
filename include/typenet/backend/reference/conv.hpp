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
  void setup(int) {}
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
    for (long j = 0; j < c.batch * O.size(); ++j) y[j] = L::bias ? p[WC + (j / (O.h * O.w)) % O.c] : T(0);
    each(c.batch, [&](long xi, long wi, long yi) { y[yi] += x[xi] * p[wi]; });
  }
  void backward(Context& c, const T* x, const T*, const T* dy, T* dx, const T* p, T* dp) {
    std::fill(dp, dp + Node<L, In>::params, T(0));
    if (dx) std::fill(dx, dx + c.batch * In.size(), T(0));
    each(c.batch, [&](long xi, long wi, long yi) {
      dp[wi] += x[xi] * dy[yi];
      if (dx) dx[xi] += p[wi] * dy[yi];
    });
    if constexpr (L::bias)
      for (long j = 0; j < c.batch * O.size(); ++j) dp[WC + (j / (O.h * O.w)) % O.c] += dy[j];
  }
};

}  // namespace typenet::reference
