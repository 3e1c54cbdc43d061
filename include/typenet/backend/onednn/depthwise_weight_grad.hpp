#pragma once
// The weight gradient of a depthwise convolution (one filter per channel), our own: oneDNN 2.6
// has a jit kernel only for 3x3 and falls back to im2col + gemm for 5x5 (4.6 s against 26 ms
// for one (32,288,33,33) map on Zen 5), which made EfficientNet untrainable.
//   dW[c,ky,kx] = sum over n,oy,ox of dy[n,c,oy,ox] * x[n,c, oy*S+ky-P, ox*S+kx-P]   (db[c]: of dy)
// x and dy in oneDNN's blocked layout (16 channels a block, f32 or bf16) take a vectorised path
// with the block's channels as lanes; any other layout a plain one.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>
#include <omp.h>
#include "typenet/backend/onednn/channel_sums.hpp"

namespace typenet::onednn {

namespace lanes16 {
using f32x16 = float __attribute__((vector_size(64)));
using u32x16 = std::uint32_t __attribute__((vector_size(64)));
using u16x16 = std::uint16_t __attribute__((vector_size(32)));
inline void load(const float* p, f32x16& v) { std::memcpy(&v, p, sizeof v); }
inline void load(const std::uint16_t* p, f32x16& v) {  // bf16: the upper halves of f32s
  u16x16 h;
  std::memcpy(&h, p, sizeof h);
  const u32x16 bits = __builtin_convertvector(h, u32x16) << 16;
  std::memcpy(&v, &bits, sizeof v);
}
}  // namespace lanes16

// The interface the (shape-free) conv core holds; made for a kernel size and stride.
struct DepthwiseWeightGradBase {
  virtual ~DepthwiseWeightGradBase() = default;
  // x: the conv's input as the forward read it; dy: its output gradient; pad: rows/columns
  // of zeros before the map (the far side's padding is implied by dy's size).
  virtual void plan(const memory::desc& x, const memory::desc& dy, int pad_begin) = 0;
  // Writes dw (C*K*K floats, plain) and, when given, db (C floats).
  virtual void run(const memory& x, const memory& dy, float* dw, float* db) = 0;
};

template <int K, int S>
class DepthwiseWeightGrad final : public DepthwiseWeightGradBase {
 public:
  void plan(const memory::desc& x, const memory::desc& dy, int pad_begin) override {
    in = MapLayout::of(x);
    out = MapLayout::of(dy);
    pad = pad_begin;
    vectorised = in.block == 16 && out.block == 16 && in.bf16 == out.bf16;
    parts = omp_get_max_threads();
    partial.assign(std::size_t(parts) * in.c * (K * K + 1), 0.0f);
  }
  void run(const memory& x, const memory& dy, float* dw, float* db) override {
    if (in.bf16) sum<std::uint16_t>(x, dy);
    else sum<float>(x, dy);
    const std::size_t per_part = std::size_t(in.c) * (K * K + 1);
    for (dnnl_dim_t c = 0; c < in.c; ++c)
      for (int t = 0; t <= K * K; ++t) {
        float total = 0;
        for (int p = 0; p < parts; ++p) total += partial[p * per_part + c * (K * K + 1) + t];
        if (t < K * K) dw[c * K * K + t] = total;
        else if (db) db[c] = total;
      }
  }

 private:
  MapLayout in, out;
  int pad = 0, parts = 1;  // parts: threads at plan(), each summing its share of the examples
  bool vectorised = false;
  std::vector<float> partial;  // per thread: (C, K*K weights + 1 bias) sums over its examples

  // The output columns whose whole window lies inside the input row: [first, last).
  dnnl_dim_t inner_first() const { return std::min<dnnl_dim_t>(out.w, (pad + S - 1) / S); }
  dnnl_dim_t inner_last() const {
    const dnnl_dim_t last = in.w - K + pad >= 0 ? (in.w - K + pad) / S + 1 : 0;
    return std::max(inner_first(), std::min<dnnl_dim_t>(out.w, last));
  }

  template <class T> void sum(const memory& x_mem, const memory& dy_mem) {
    const T* x = static_cast<const T*>(x_mem.get_data_handle());
    const T* dy = static_cast<const T*>(dy_mem.get_data_handle());
    std::fill(partial.begin(), partial.end(), 0.0f);
#pragma omp parallel num_threads(parts)
    for (int part = omp_get_thread_num(); part < parts; part += omp_get_num_threads()) {  // all parts, however many run
      const dnnl_dim_t n0 = in.n * part / parts, n1 = in.n * (part + 1) / parts;
      float* mine = partial.data() + std::size_t(part) * in.c * (K * K + 1);
      if (vectorised) blocked<T>(x, dy, n0, n1, mine);
      else plain<T>(x, dy, n0, n1, mine);
    }
  }

  template <class T> void blocked(const T* x, const T* dy, dnnl_dim_t n0, dnnl_dim_t n1, float* sums) const {
    using lanes16::f32x16;
    const dnnl_dim_t blocks = (in.c + 15) / 16, first = inner_first(), last = inner_last();
    for (dnnl_dim_t cb = 0; cb < blocks; ++cb) {
      f32x16 acc[K][K] = {}, bias_acc = {};
      for (dnnl_dim_t n = n0; n < n1; ++n)
        for (dnnl_dim_t oy = 0; oy < out.h; ++oy) {
          const T* dy_row = dy + n * out.stride_n + cb * out.stride_c + oy * out.stride_h;
          for (dnnl_dim_t ox = 0; ox < out.w; ++ox) {
            f32x16 d;
            lanes16::load(dy_row + ox * out.stride_w, d);
            bias_acc += d;
          }
          for (int ky = 0; ky < K; ++ky) {
            const dnnl_dim_t iy = oy * S + ky - pad;
            if (iy < 0 || iy >= in.h) continue;
            const T* x_row = x + n * in.stride_n + cb * in.stride_c + iy * in.stride_h;
            f32x16 a[K];
            for (int kx = 0; kx < K; ++kx) a[kx] = acc[ky][kx];
            auto column = [&](dnnl_dim_t ox, bool edge) {
              f32x16 d;
              lanes16::load(dy_row + ox * out.stride_w, d);
              for (int kx = 0; kx < K; ++kx) {
                const dnnl_dim_t ix = ox * S + kx - pad;
                if (edge && (ix < 0 || ix >= in.w)) continue;
                f32x16 v;
                lanes16::load(x_row + ix * in.stride_w, v);
                a[kx] += d * v;
              }
            };
            for (dnnl_dim_t ox = 0; ox < first; ++ox) column(ox, true);
            for (dnnl_dim_t ox = first; ox < last; ++ox) column(ox, false);
            for (dnnl_dim_t ox = last; ox < out.w; ++ox) column(ox, true);
            for (int kx = 0; kx < K; ++kx) acc[ky][kx] = a[kx];
          }
        }
      const dnnl_dim_t lanes = std::min<dnnl_dim_t>(16, in.c - cb * 16);
      for (dnnl_dim_t l = 0; l < lanes; ++l) {
        float* s = sums + (cb * 16 + l) * (K * K + 1);
        for (int t = 0; t < K * K; ++t) s[t] += acc[t / K][t % K][l];
        s[K * K] += bias_acc[l];
      }
    }
  }

  template <class T> void plain(const T* x, const T* dy, dnnl_dim_t n0, dnnl_dim_t n1, float* sums) const {
    for (dnnl_dim_t c = 0; c < in.c; ++c) {
      float* s = sums + c * (K * K + 1);
      for (dnnl_dim_t n = n0; n < n1; ++n)
        for (dnnl_dim_t oy = 0; oy < out.h; ++oy)
          for (dnnl_dim_t ox = 0; ox < out.w; ++ox) {
            const float d = as_f32(dy[out.offset(n, c, oy, ox)]);
            s[K * K] += d;
            for (int ky = 0; ky < K; ++ky)
              for (int kx = 0; kx < K; ++kx) {
                const dnnl_dim_t iy = oy * S + ky - pad, ix = ox * S + kx - pad;
                if (iy >= 0 && iy < in.h && ix >= 0 && ix < in.w) s[ky * K + kx] += d * as_f32(x[in.offset(n, c, iy, ix)]);
              }
          }
    }
  }
};

}  // namespace typenet::onednn
