#pragma once
// Resizing (C,H,W) uint8 images with stb_image_resize: bilinear where an axis grows, area
// (box) where it shrinks, each channel plane on its own. stb's implementation is compiled
// here with static linkage (define TYPENET_NO_STB_IMPLEMENTATION if your program already
// compiles it).
#include <algorithm>
#include <cstdint>
#include <vector>
#include "typenet/core/error.hpp"
#include "typenet/core/shape.hpp"

#ifndef TYPENET_NO_STB_IMPLEMENTATION
#define STB_IMAGE_RESIZE_STATIC
#define STB_IMAGE_RESIZE_IMPLEMENTATION
#endif
#include <stb/stb_image_resize.h>

namespace typenet {

// A rectangle of a (C,H,W) image: rows y0..y0+h-1, columns x0..x0+w-1.
struct Crop {
  int y0 = 0, x0 = 0, h = 0, w = 0;
};

// The crop of `src` (shape `in`) resized to (in.c, out_h, out_w), written to `dst`.
inline void resize_crop(const std::uint8_t* src, Shape in, Crop crop, std::uint8_t* dst, int out_h, int out_w) {
  const auto filter = [](int from, int to) { return to >= from ? STBIR_FILTER_TRIANGLE : STBIR_FILTER_BOX; };
  const std::size_t in_plane = std::size_t(in.h) * in.w, out_plane = std::size_t(out_h) * out_w;
  for (int c = 0; c < in.c; ++c) {
    const std::uint8_t* from = src + c * in_plane + std::size_t(crop.y0) * in.w + crop.x0;
    const int ok = stbir_resize(from, crop.w, crop.h, in.w, dst + c * out_plane, out_w, out_h, out_w,
                                STBIR_TYPE_UINT8, 1, STBIR_ALPHA_CHANNEL_NONE, 0, STBIR_EDGE_CLAMP, STBIR_EDGE_CLAMP,
                                filter(crop.w, out_w), filter(crop.h, out_h), STBIR_COLORSPACE_LINEAR, nullptr);
    if (!ok) throw Error("typenet: resizing an image from " + in.to_string() + " failed");
  }
}

inline std::vector<std::uint8_t> resize_image(const std::uint8_t* src, Shape in, int out_h, int out_w) {
  std::vector<std::uint8_t> out(std::size_t(in.c) * out_h * out_w);
  resize_crop(src, in, {0, 0, in.h, in.w}, out.data(), out_h, out_w);
  return out;
}

// The largest centred crop with the aspect ratio out_h : out_w (what predict and evaluation
// of a non-square photo use before resizing).
inline Crop centre_crop(Shape in, int out_h, int out_w) {
  int h = in.h, w = int(long(in.h) * out_w / out_h);
  if (w > in.w) w = in.w, h = std::max(1, int(long(in.w) * out_h / out_w));
  return {(in.h - h) / 2, (in.w - w) / 2, h, w};
}

}  // namespace typenet
