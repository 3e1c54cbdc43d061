#pragma once
// Max and average pooling on the reference backend.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>
#include "typenet/backend/reference/context.hpp"
#include "typenet/layers/pool.hpp"

namespace typenet::reference {

// Max/avg pooling with optional padding. (N,C,H,W) => (N,C,H',W'); GlobalAvgPool => (N,C).
// Padding is outside every window: it never wins a max and is not counted in an average.
template <class T, class L, Shape In>
struct Kernel<T, op::Pool, L, In> {
  using B = typename Node<L, In>::bound;
  static constexpr Shape O = Node<L, In>::out;
  static constexpr int KH = B::window_h, KW = B::window_w, S = B::stride, P = B::pad, OH = L::global ? 1 : O.h,
                       OW = L::global ? 1 : O.w;
  std::vector<long> argmax;
  void setup(int n) { argmax.assign(long(n) * In.c * OH * OW, 0); }
  // f(index into x) for every input element in output (oy, ox)'s window of map bc; returns
  // how many there were.
  template <class F> static int each_in_window(long bc, int oy, int ox, F&& f) {
    int n = 0;
    for (int ky = 0; ky < KH; ++ky)
      for (int kx = 0; kx < KW; ++kx) {
        const int iy = oy * S - P + ky, ix = ox * S - P + kx;
        if (iy < 0 || iy >= In.h || ix < 0 || ix >= In.w) continue;
        f((bc * In.h + iy) * In.w + ix);
        ++n;
      }
    return n;
  }
  void forward(Context& c, const T* x, T* y, const T*, T*, bool) {
    for (long bc = 0; bc < long(c.batch) * In.c; ++bc)
      for (int oy = 0; oy < OH; ++oy)
        for (int ox = 0; ox < OW; ++ox) {
          const long yi = (bc * OH + oy) * OW + ox;
          T max = -INFINITY;
          Sum sum = 0;
          const int n = each_in_window(bc, oy, ox, [&](long xi) {
            if (L::kind == PoolKind::avg) sum += Sum(x[xi]);
            else if (x[xi] > max) { max = x[xi]; argmax[yi] = xi; }
          });
          y[yi] = L::kind == PoolKind::max ? max : T(sum / Sum(n));
        }
  }
  void backward(Context& c, const T*, const T*, const T* dy, T* dx, const T*, T*) {
    if (!dx) return;
    std::fill(dx, dx + c.batch * In.size(), T(0));
    for (long bc = 0; bc < long(c.batch) * In.c; ++bc)
      for (int oy = 0; oy < OH; ++oy)
        for (int ox = 0; ox < OW; ++ox) {
          const long yi = (bc * OH + oy) * OW + ox;
          if (L::kind == PoolKind::max) { dx[argmax[yi]] += dy[yi]; continue; }
          const int n = each_in_window(bc, oy, ox, [](long) {});
          each_in_window(bc, oy, ox, [&](long xi) { dx[xi] += dy[yi] / T(n); });
        }
  }
};

}  // namespace typenet::reference
