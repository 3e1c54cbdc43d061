#pragma once
// Batch normalisation on the reference backend, PyTorch's running statistics.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>
#include "typenet/backend/reference/context.hpp"
#include "typenet/layers/batch_norm.hpp"

namespace typenet::reference {

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
      Sum mu = 0, var = 0;
      if (training) {
        for (int b = 0; b < c.batch; ++b)
          for (long i = 0; i < HW; ++i) mu += x[(long(b) * C + ch) * HW + i];
        mu /= Sum(m);
        for (int b = 0; b < c.batch; ++b)
          for (long i = 0; i < HW; ++i) {
            const Sum d = x[(long(b) * C + ch) * HW + i] - mu;
            var += d * d;
          }
        var /= Sum(m);
        s[ch] = (1 - T(c.bn_momentum)) * s[ch] + T(c.bn_momentum) * mu;
        s[C + ch] = (1 - T(c.bn_momentum)) * s[C + ch] + T(c.bn_momentum) * var * T(m) / T(std::max(m - 1, 1L));
      } else {
        mu = s[ch];
        var = s[C + ch];
      }
      mean[ch] = mu;
      inv_std[ch] = T(1) / std::sqrt(var + T(L::epsilon(c.bn_eps)));
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
      Sum sum_dy = 0, sum_dy_xhat = 0;
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

}  // namespace typenet::reference
