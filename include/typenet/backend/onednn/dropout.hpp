#pragma once
// Dropout on oneDNN's buffers: oneDNN 2.6 has no dropout primitive, and a mask is layout-blind,
// so this runs over the whole buffer (padding included, where values are zero anyway), in f32
// or bf16 (bf16 values are the upper halves of f32s; scaling rounds to nearest even).
#include <cstdint>
#include <algorithm>
#include <cstring>
#include "typenet/backend/onednn/bf16.hpp"
#include "typenet/backend/onednn/context.hpp"
#include "typenet/layers/dropout.hpp"

namespace typenet::onednn {

template <class L, Shape In>
struct Kernel<op::Dropout, L, In> {
  static constexpr float keep_scale = float(1.0 / (1.0 - L::rate));
  static constexpr std::uint32_t drop_below = std::uint32_t(L::rate * 65536.0);  // 16-bit threshold
  memory dst, diff_dst;
  memory own_dst;  // dst's buffer; at inference dst shows the input's bytes instead (no copy)
  Io io;
  std::vector<std::uint8_t> keep;  // 1 = kept, for the backward
  std::size_t count = 0, per_draw = 1;  // values, and values under one draw (a whole example: stochastic depth)
  bool bf16 = false;

  memory::desc plan(Context& c, const memory::desc& src, bool) {
    // Dropping whole examples needs each example's values to be one run of the buffer: the
    // examples dimension outermost, as in every layout oneDNN picks for activations.
    if (L::unit == DropUnit::sample &&
        (src.data.format_kind != dnnl_blocked ||
         std::size_t(src.data.format_desc.blocking.strides[0]) * c.batch != elements(src)))
      throw Error("typenet: StochasticDepth needs a layout with the examples outermost, and oneDNN chose another");
    return src;
  }
  void bind(Context& c, const Io& in, Slices) {
    io = in;
    own_dst = c.make(in.src.get_desc());
    dst = c.wrap(in.src.get_desc(), own_dst.get_data_handle());  // wrapped: repointing it frees nothing
    diff_dst = c.make_grad(in.src.get_desc());
    count = elements(in.src.get_desc());
    per_draw = L::unit == DropUnit::sample ? count / c.batch : 1;
    bf16 = in.src.get_desc().data_type() == dt::bf16;
    keep.assign(count, 1);
  }
  void prepare_inference(Context&) {}

  // y[i] = keep[i] ? x[i] * keep_scale : 0, in the buffers' element type.
  template <class T> static void apply(const void* x, void* y, const std::uint8_t* keep, std::size_t n) {
    const T* in = static_cast<const T*>(x);
    T* out = static_cast<T*>(y);
    for (std::size_t i = 0; i < n; ++i) {
      if constexpr (std::is_same_v<T, float>) out[i] = keep[i] ? in[i] * keep_scale : 0.0f;
      else out[i] = keep[i] ? f32_to_bf16(bf16_to_f32(in[i]) * keep_scale) : 0;
    }
  }
  void forward(Context& c, bool training) {
    // The next kernels hold dst's handle, not its pointer, so repointing it reaches them.
    dst.set_data_handle(training ? own_dst.get_data_handle() : io.src.get_data_handle());
    if (!training) return;
    const std::size_t draws = count / per_draw;
    std::uint8_t* k = keep.data();
    for (std::size_t i = 0; i < draws;) {  // four 16-bit draws per 64-bit number
      std::uint64_t r = c.rng.next();
      for (int j = 0; j < 4 && i < draws; ++j, ++i, r >>= 16) k[i] = (r & 0xFFFF) >= drop_below;
    }
    // One draw per example: spread draw i over example i's values, from the last example down,
    // so that no draw is overwritten before it is read (a store per value, not a call per value).
    if (per_draw > 1)
      for (std::size_t i = draws; i-- > 0;) std::fill_n(k + i * per_draw, per_draw, k[i]);
    if (bf16) apply<std::uint16_t>(io.src.get_data_handle(), dst.get_data_handle(), keep.data(), count);
    else apply<float>(io.src.get_data_handle(), dst.get_data_handle(), keep.data(), count);
  }
  void backward(Context&) {
    if (!io.diff_src) return;
    if (bf16) apply<std::uint16_t>(diff_dst.get_data_handle(), io.diff_src.get_data_handle(), keep.data(), count);
    else apply<float>(diff_dst.get_data_handle(), io.diff_src.get_data_handle(), keep.data(), count);
  }
};

}  // namespace typenet::onednn
