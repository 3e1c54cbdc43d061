#pragma once
// Dropout on oneDNN's buffers: oneDNN 2.6 has no dropout primitive, and a mask is layout-blind,
// so this runs over the whole buffer (padding included, where values are zero anyway).
#include <cstdint>
#include "typenet/backend/onednn/context.hpp"
#include "typenet/layers/dropout.hpp"

namespace typenet::onednn {

template <class L, Shape In>
struct Kernel<op::Dropout, L, In> {
  static constexpr float keep_scale = float(1.0 / (1.0 - L::rate));
  static constexpr std::uint32_t drop_below = std::uint32_t(L::rate * 65536.0);  // 16-bit threshold
  memory dst, diff_dst;
  Io io;
  std::vector<std::uint8_t> keep;  // 1 = kept, for the backward
  std::size_t count = 0;

  memory::desc plan(Context&, const memory::desc& src, bool) { return src; }
  void bind(Context& c, const Io& in, Slices) {
    io = in;
    dst = c.make(in.src.get_desc());
    diff_dst = c.make(in.src.get_desc());
    count = in.src.get_desc().get_size() / sizeof(float);
    keep.assign(count, 1);
  }
  void prepare_inference(Context&) {}
  void forward(Context& c, bool training) {
    const auto* x = static_cast<const float*>(io.src.get_data_handle());
    auto* y = static_cast<float*>(dst.get_data_handle());
    if (!training) { std::copy(x, x + count, y); return; }
    std::size_t i = 0;
    while (i < count) {  // four 16-bit draws per 64-bit number
      std::uint64_t r = c.rng.next();
      for (int k = 0; k < 4 && i < count; ++k, ++i, r >>= 16) {
        keep[i] = (r & 0xFFFF) >= drop_below;
        y[i] = keep[i] ? x[i] * keep_scale : 0.0f;
      }
    }
  }
  void backward(Context&) {
    if (!io.diff_src) return;
    const auto* dy = static_cast<const float*>(diff_dst.get_data_handle());
    auto* dx = static_cast<float*>(io.diff_src.get_data_handle());
    for (std::size_t i = 0; i < count; ++i) dx[i] = keep[i] ? dy[i] * keep_scale : 0.0f;
  }
};

}  // namespace typenet::onednn
