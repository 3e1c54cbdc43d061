#pragma once
// Per-(example, channel) quantities of an activation tensor, in whatever layout oneDNN chose
// for it. oneDNN 2.6 reduces with its reference kernel only (0.2-0.7 s for one 32x120x65x65
// map here), and broadcasts an (N,C) operand fast only when that operand shares the blocking of
// the tensor; both are squeeze-and-excitation's inner loop.
#include <algorithm>
#include <cstdint>
#include <vector>
#include "typenet/backend/onednn/bf16.hpp"
#include "typenet/backend/onednn/context.hpp"

namespace typenet::onednn {

// Where element (n,c,h,w) of a 4-d activation lives: plain strides, plus at most one inner
// block over channels (aBcd16b and kin), the only layouts oneDNN picks for activations.
struct MapLayout {
  dnnl_dim_t n = 0, c = 0, h = 0, w = 0;
  dnnl_dim_t stride_n = 0, stride_c = 0, stride_h = 0, stride_w = 0;  // stride_c steps blocks
  dnnl_dim_t block = 1;                                             // channels per inner block
  bool bf16 = false;

  static MapLayout of(const memory::desc& d) {
    const dnnl_memory_desc_t& m = d.data;
    const auto& b = m.format_desc.blocking;
    const bool one_channel_block = b.inner_nblks == 1 && b.inner_idxs[0] == 1;
    if (m.ndims != 4 || m.format_kind != dnnl_blocked || !(b.inner_nblks == 0 || one_channel_block) || m.offset0 != 0 ||
        (one_channel_block && b.inner_blks[0] > 16))
      throw Error("typenet: a per-channel sum met an activation layout it does not know");
    MapLayout l;
    l.n = m.dims[0], l.c = m.dims[1], l.h = m.dims[2], l.w = m.dims[3];
    l.stride_n = b.strides[0], l.stride_c = b.strides[1], l.stride_h = b.strides[2], l.stride_w = b.strides[3];
    l.block = one_channel_block ? b.inner_blks[0] : 1;
    l.bf16 = m.data_type == dnnl_bf16;
    return l;
  }
  // The index of element (n,c,y,x) in the buffer.
  dnnl_dim_t offset(dnnl_dim_t n_, dnnl_dim_t c_, dnnl_dim_t y, dnnl_dim_t x) const {
    return n_ * stride_n + (c_ / block) * stride_c + y * stride_h + x * stride_w + c_ % block;
  }
};

// The (N,C,1,1) operand that multiplies an activation of desc x channel-wise, blocked like x.
inline memory::desc channel_vector_desc(const memory::desc& x, dt type) {
  const MapLayout l = MapLayout::of(x);
  const dims nc11{l.n, l.c, 1, 1};
  switch (l.block) {
    case 1: return {nc11, type, tag::nchw};
    case 4: return {nc11, type, tag::aBcd4b};
    case 8: return {nc11, type, tag::aBcd8b};
    case 16: return {nc11, type, tag::aBcd16b};
  }
  throw Error("typenet: a per-channel product met a channel block of " + std::to_string(l.block));
}

// out[n*C + c] = sum over (h,w) of a[n,c,h,w] * b[n,c,h,w]; a and b share one layout. Summed in
// f32 per (example, channel block) with the block's channels as vector lanes.
class ChannelDot {
 public:
  void plan(const memory::desc& ab) {
    layout = MapLayout::of(ab);
    if (layout.block == 1 && layout.stride_c == 1)  // channels last: one row of sums per example
      lane_sums.assign(std::size_t(layout.n * layout.c), 0.0f);
  }
  void run(const memory& a, const memory& b, float* out) {
    if (layout.bf16) sum<std::uint16_t>(a, b, out);
    else sum<float>(a, b, out);
  }

 private:
  MapLayout layout;
  std::vector<float> lane_sums;          // channels last: (N,C) running sums, sized by plan()

  template <class T> void sum(const memory& a_mem, const memory& b_mem, float* out) {
    const T* a = static_cast<const T*>(a_mem.get_data_handle());
    const T* b = static_cast<const T*>(b_mem.get_data_handle());
    const MapLayout l = layout;
    if (l.block == 1 && l.stride_c == 1) {  // channels last: each example's channels are its lanes
#pragma omp parallel for schedule(static)
      for (dnnl_dim_t n = 0; n < l.n; ++n) {
        float* acc = lane_sums.data() + n * l.c;
        std::fill_n(acc, l.c, 0.0f);
        for (dnnl_dim_t y = 0; y < l.h; ++y)
          for (dnnl_dim_t x = 0; x < l.w; ++x) {
            const dnnl_dim_t p = n * l.stride_n + y * l.stride_h + x * l.stride_w;
            for (dnnl_dim_t k = 0; k < l.c; ++k) acc[k] += as_f32(a[p + k]) * as_f32(b[p + k]);
          }
        std::copy_n(acc, l.c, out + n * l.c);
      }
      return;
    }
    const dnnl_dim_t blocks = (l.c + l.block - 1) / l.block;
#pragma omp parallel for schedule(static) collapse(2)
    for (dnnl_dim_t n = 0; n < l.n; ++n)
      for (dnnl_dim_t cb = 0; cb < blocks; ++cb) {
        float acc[16] = {};
        const dnnl_dim_t lanes = std::min(l.block, l.c - cb * l.block);
        const dnnl_dim_t base = n * l.stride_n + cb * l.stride_c;
        if (l.block == 16) {  // the common case, with a width the compiler can vectorise
          for (dnnl_dim_t y = 0; y < l.h; ++y)
            for (dnnl_dim_t x = 0; x < l.w; ++x) {
              const dnnl_dim_t p = base + y * l.stride_h + x * l.stride_w;
#pragma omp simd
              for (int k = 0; k < 16; ++k) acc[k] += as_f32(a[p + k]) * as_f32(b[p + k]);
            }
        } else {
          for (dnnl_dim_t y = 0; y < l.h; ++y)
            for (dnnl_dim_t x = 0; x < l.w; ++x) {
              const dnnl_dim_t p = base + y * l.stride_h + x * l.stride_w;
              for (dnnl_dim_t k = 0; k < lanes; ++k) acc[k] += as_f32(a[p + k]) * as_f32(b[p + k]);
            }
        }
        for (dnnl_dim_t k = 0; k < lanes; ++k) out[n * l.c + cb * l.block + k] = acc[k];
      }
  }
};

}  // namespace typenet::onednn
