#pragma once
// Batch normalisation on the reference backend, PyTorch's running statistics. Synchronised
// (Context::batch_norm_sum set), the batch is the global one: its count, mean and variance,
// and backward's sums of dy and dy*xhat, are sums over the processes, taken exactly as written
// (mean first, then squared deviations from it), as an oracle should.
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
  std::vector<T> inv_std;
  std::vector<Sum> mu, sums;  // mu: the mean the last forward normalised by (the batch's or the running one)
  Sum count = 0;  // values per channel in the (global) batch of the last training forward

  void setup(int) { inv_std.assign(C, T(0)); mu.assign(C, 0); }

  void forward(Context& c, const T* x, T* y, const T* p, T* s, bool training) {
    if (training) {
      count = Sum(c.batch * HW);
      sums.assign(C + 1, 0);
      for_each(c, [&](int ch, long j) { sums[ch] += x[j]; });
      sums[C] = count;
      if (c.batch_norm_sum) c.batch_norm_sum(sums);
      count = sums[C];
      for (int ch = 0; ch < C; ++ch) mu[ch] = sums[ch] / count;
      sums.assign(C, 0);
      for_each(c, [&](int ch, long j) { sums[ch] += (x[j] - mu[ch]) * (x[j] - mu[ch]); });
      if (c.batch_norm_sum) c.batch_norm_sum(sums);
      const T m = T(c.bn_momentum);
      for (int ch = 0; ch < C; ++ch) {
        const Sum var = sums[ch] / count;
        s[ch] = (1 - m) * s[ch] + m * mu[ch];
        s[C + ch] = (1 - m) * s[C + ch] + m * var * T(count) / T(std::max(count - 1, Sum(1)));
        inv_std[ch] = T(1) / std::sqrt(var + T(L::epsilon(c.bn_eps)));
      }
    } else {
      for (int ch = 0; ch < C; ++ch) {
        mu[ch] = s[ch];
        inv_std[ch] = T(1) / std::sqrt(Sum(s[C + ch]) + T(L::epsilon(c.bn_eps)));
      }
    }
    for_each(c, [&](int ch, long j) { y[j] = (x[j] - mu[ch]) * inv_std[ch] * p[ch] + p[C + ch]; });
  }

  void backward(Context& c, const T* x, const T*, const T* dy, T* dx, const T* p, T* dp) {
    sums.assign(2 * C, 0);  // sum dy*xhat, then sum dy, per channel
    for_each(c, [&](int ch, long j) {
      sums[ch] += dy[j] * (x[j] - T(mu[ch])) * inv_std[ch];
      sums[C + ch] += dy[j];
    });
    for (int i = 0; i < 2 * C; ++i) dp[i] = T(sums[i]);  // this process's share: averaged as every gradient is
    if (!dx) return;
    if (c.batch_norm_sum) c.batch_norm_sum(sums);
    for_each(c, [&](int ch, long j) {
      const T xhat = (x[j] - T(mu[ch])) * inv_std[ch];
      dx[j] = p[ch] * inv_std[ch] * (dy[j] - sums[C + ch] / count - xhat * sums[ch] / count);
    });
  }

 private:
  // f(channel, index) over every value of this process's batch.
  template <class F> static void for_each(const Context& c, F&& f) {
    for (int b = 0; b < c.batch; ++b)
      for (int ch = 0; ch < C; ++ch)
        for (long i = 0; i < HW; ++i) f(ch, (long(b) * C + ch) * HW + i);
  }
};

}  // namespace typenet::reference
