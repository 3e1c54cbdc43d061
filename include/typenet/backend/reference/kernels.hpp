#pragma once
// The reference backend: plain loops over plain NCHW / NC arrays, in any scalar type T
// (double for finite-difference checks). Slow and obvious on purpose: it is the tests' oracle.
// Every kernel:  forward(ctx, x, y, params, state, training)  (x => y)
//                backward(ctx, x, y, dy, dx, params, dparams)  (dy => dx, dparams; dx may be null)
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>
#include "typenet/core/list.hpp"
#include "typenet/core/rng.hpp"
#include "typenet/graph/node.hpp"
#include "typenet/layers/activation.hpp"
#include "typenet/layers/batch_norm.hpp"
#include "typenet/layers/conv.hpp"
#include "typenet/layers/dense.hpp"
#include "typenet/layers/dropout.hpp"
#include "typenet/layers/flatten.hpp"
#include "typenet/layers/pool.hpp"
#include "typenet/model_options.hpp"

namespace typenet::reference {

struct Context {
  int batch = 1;
  float bn_momentum = 0.1f, bn_eps = 1e-5f;
  Rng rng{0};
};

// The kernel contract: setup(batch), forward(ctx, x, y, params, state, training),
// backward(ctx, x, y, dy, dx, params, dparams), one specialisation per op. A layer with none
// fails with one typenet: line; "required from Kernel<T, op, Layer, Shape>" names the layer.
template <class T, class Op, class L, Shape In>
struct Kernel {
  static_assert(always_false<L>,
                "typenet: this layer has no kernel on the reference backend (specialise reference::Kernel<T, op, Layer, In>)");
  void setup(int) {}
  void forward(Context&, const T*, T*, const T*, T*, bool) {}
  void backward(Context&, const T*, const T*, const T*, T*, const T*, T*) {}
};

// (N,C,H,W) => (N,F,H',W'), weights (F,C,K,K), optional bias (F).
template <class T, class L, Shape In>
struct Kernel<T, op::Conv, L, In> {
  static constexpr Shape O = Node<L, In>::out;
  static constexpr int K = L::kernel, S = L::stride, P = L::pad;
  static constexpr long WC = Node<L, In>::bound::weights;
  void setup(int) {}
  template <class F> static void each(int n, F&& f) {  // f(x index, w index, y index)
    for (int b = 0; b < n; ++b)
      for (int o = 0; o < O.c; ++o)
        for (int oy = 0; oy < O.h; ++oy)
          for (int ox = 0; ox < O.w; ++ox)
            for (int i = 0; i < In.c; ++i)
              for (int ky = 0; ky < K; ++ky)
                for (int kx = 0; kx < K; ++kx) {
                  const int iy = oy * S - P + ky, ix = ox * S - P + kx;
                  if (iy < 0 || iy >= In.h || ix < 0 || ix >= In.w) continue;
                  f(((long(b) * In.c + i) * In.h + iy) * In.w + ix, ((long(o) * In.c + i) * K + ky) * K + kx,
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

// (N,C,H,W) => (N,C,H,W) with batch statistics in training, running statistics in inference.
template <class T, class L, Shape In>
struct Kernel<T, op::BatchNorm, L, In> {
  static constexpr int C = In.c;
  static constexpr long HW = long(In.h) * In.w;
  std::vector<T> mean, inv_std;
  void setup(int) { mean.assign(C, T(0)); inv_std.assign(C, T(0)); }
  void forward(Context& c, const T* x, T* y, const T* p, T* s, bool training) {
    const long m = c.batch * HW;
    for (int ch = 0; ch < C; ++ch) {
      T mu = 0, var = 0;
      if (training) {
        for (int b = 0; b < c.batch; ++b)
          for (long i = 0; i < HW; ++i) mu += x[(long(b) * C + ch) * HW + i];
        mu /= T(m);
        for (int b = 0; b < c.batch; ++b)
          for (long i = 0; i < HW; ++i) {
            const T d = x[(long(b) * C + ch) * HW + i] - mu;
            var += d * d;
          }
        var /= T(m);
        s[ch] = (1 - T(c.bn_momentum)) * s[ch] + T(c.bn_momentum) * mu;
        s[C + ch] = (1 - T(c.bn_momentum)) * s[C + ch] + T(c.bn_momentum) * var * T(m) / T(std::max(m - 1, 1L));
      } else {
        mu = s[ch];
        var = s[C + ch];
      }
      mean[ch] = mu;
      inv_std[ch] = T(1) / std::sqrt(var + T(c.bn_eps));
      for (int b = 0; b < c.batch; ++b)
        for (long i = 0; i < HW; ++i) {
          const long j = (long(b) * C + ch) * HW + i;
          y[j] = (x[j] - mu) * inv_std[ch] * p[ch] + p[C + ch];
        }
    }
  }
  void backward(Context& c, const T* x, const T*, const T* dy, T* dx, const T* p, T* dp) {
    const long m = c.batch * HW;
    for (int ch = 0; ch < C; ++ch) {
      T sum_dy = 0, sum_dy_xhat = 0;
      for (int b = 0; b < c.batch; ++b)
        for (long i = 0; i < HW; ++i) {
          const long j = (long(b) * C + ch) * HW + i;
          sum_dy += dy[j];
          sum_dy_xhat += dy[j] * (x[j] - mean[ch]) * inv_std[ch];
        }
      dp[ch] = sum_dy_xhat;
      dp[C + ch] = sum_dy;
      if (!dx) continue;
      for (int b = 0; b < c.batch; ++b)
        for (long i = 0; i < HW; ++i) {
          const long j = (long(b) * C + ch) * HW + i;
          const T xhat = (x[j] - mean[ch]) * inv_std[ch];
          dx[j] = p[ch] * inv_std[ch] * (dy[j] - sum_dy / T(m) - xhat * sum_dy_xhat / T(m));
        }
    }
  }
};

// y = f(x) elementwise.
template <class T, class L, Shape In>
struct Kernel<T, op::Eltwise, L, In> {
  void setup(int) {}
  static T f(T x) {
    if constexpr (L::fn == EltwiseFn::relu) return x > 0 ? x : T(0);
    else if constexpr (L::fn == EltwiseFn::gelu) return T(0.5) * x * (T(1) + std::erf(x / std::sqrt(T(2))));
    else return x * T(L::alpha) + T(L::beta);  // scale, identity
  }
  static T df(T x) {
    if constexpr (L::fn == EltwiseFn::relu) return x > 0 ? T(1) : T(0);
    else if constexpr (L::fn == EltwiseFn::gelu)
      return T(0.5) * (T(1) + std::erf(x / std::sqrt(T(2)))) + x * std::exp(-x * x / 2) / std::sqrt(T(2 * M_PI));
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

// Max/avg pooling, no padding. (N,C,H,W) => (N,C,H',W'); GlobalAvgPool => (N,C).
template <class T, class L, Shape In>
struct Kernel<T, op::Pool, L, In> {
  using B = typename Node<L, In>::bound;
  static constexpr Shape O = Node<L, In>::out;
  static constexpr int KH = B::window_h, KW = B::window_w, S = B::stride, OH = L::global ? 1 : O.h,
                       OW = L::global ? 1 : O.w;
  std::vector<long> argmax;
  void setup(int n) { argmax.assign(long(n) * In.c * OH * OW, 0); }
  void forward(Context& c, const T* x, T* y, const T*, T*, bool) {
    for (long bc = 0; bc < long(c.batch) * In.c; ++bc)
      for (int oy = 0; oy < OH; ++oy)
        for (int ox = 0; ox < OW; ++ox) {
          const long yi = (bc * OH + oy) * OW + ox;
          T acc = L::kind == PoolKind::max ? -INFINITY : T(0);
          for (int ky = 0; ky < KH; ++ky)
            for (int kx = 0; kx < KW; ++kx) {
              const long xi = (bc * In.h + oy * S + ky) * In.w + ox * S + kx;
              if (L::kind == PoolKind::avg) acc += x[xi];
              else if (x[xi] > acc) { acc = x[xi]; argmax[yi] = xi; }
            }
          y[yi] = L::kind == PoolKind::max ? acc : acc / T(KH * KW);
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
          for (int ky = 0; ky < KH; ++ky)
            for (int kx = 0; kx < KW; ++kx) dx[(bc * In.h + oy * S + ky) * In.w + ox * S + kx] += dy[yi] / T(KH * KW);
        }
  }
};

// Inverted dropout with a mask from the context's generator.
template <class T, class L, Shape In>
struct Kernel<T, op::Dropout, L, In> {
  std::vector<std::uint8_t> keep;
  void setup(int n) { keep.assign(n * In.size(), 1); }
  void forward(Context& c, const T* x, T* y, const T*, T*, bool training) {
    const T scale = T(1) / T(1 - L::rate);
    for (long j = 0; j < c.batch * In.size(); ++j) {
      keep[j] = training ? c.rng.uniform() >= float(L::rate) : 1;
      y[j] = training ? (keep[j] ? x[j] * scale : T(0)) : x[j];
    }
  }
  void backward(Context& c, const T*, const T*, const T* dy, T* dx, const T*, T*) {
    const T scale = T(1) / T(1 - L::rate);
    if (dx)
      for (long j = 0; j < c.batch * In.size(); ++j) dx[j] = keep[j] ? dy[j] * scale : T(0);
  }
};

// Flatten: plain NCHW is already (N, C*H*W).
template <class T, class L, Shape In>
struct Kernel<T, op::Flatten, L, In> {
  void setup(int) {}
  void forward(Context& c, const T* x, T* y, const T*, T*, bool) { std::copy(x, x + c.batch * In.size(), y); }
  void backward(Context& c, const T*, const T*, const T* dy, T* dx, const T*, T*) {
    if (dx) std::copy(dy, dy + c.batch * In.size(), dx);
  }
};

// (N,F) => (N,U), weights (U,F), optional bias (U).
template <class T, class L, Shape In>
struct Kernel<T, op::Dense, L, In> {
  static constexpr int F = In.c, U = L::units;
  void setup(int) {}
  void forward(Context& c, const T* x, T* y, const T* p, T*, bool) {
    for (int b = 0; b < c.batch; ++b)
      for (int u = 0; u < U; ++u) {
        T acc = L::bias ? p[long(U) * F + u] : T(0);
        for (int f = 0; f < F; ++f) acc += p[long(u) * F + f] * x[long(b) * F + f];
        y[long(b) * U + u] = acc;
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
          T acc = 0;
          for (int u = 0; u < U; ++u) acc += p[long(u) * F + f] * dy[long(b) * U + u];
          dx[long(b) * F + f] = acc;
        }
  }
};

}  // namespace typenet::reference
