#pragma once
// Reading a PNG or JPEG for classification: decoded with stb_image, centre-cropped to a square
// and resized to the network's input with stb_image_resize, returned as (C,H,W) bytes.
// stb's implementations are compiled here with static linkage (define
// TYPENET_NO_STB_IMPLEMENTATION if your program already compiles them).
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>
#include "typenet/core/error.hpp"

#ifndef TYPENET_NO_STB_IMPLEMENTATION
#define STB_IMAGE_STATIC
#define STB_IMAGE_IMPLEMENTATION
#define STBI_ONLY_PNG
#define STBI_ONLY_JPEG
#define STB_IMAGE_RESIZE_STATIC
#define STB_IMAGE_RESIZE_IMPLEMENTATION
#endif
#include <stb/stb_image.h>
#include <stb/stb_image_resize.h>

namespace typenet {

// (3, size, size) bytes, channel-major, from an RGB(A) or grey PNG/JPEG of any size.
inline std::vector<std::uint8_t> load_image(const std::filesystem::path& file, int size = 32) {
  int w = 0, h = 0, channels = 0;
  unsigned char* px = stbi_load(file.string().c_str(), &w, &h, &channels, 3);
  if (!px)
    throw Error("typenet: cannot read image " + file.string() + ": " + stbi_failure_reason() +
                " (PNG and JPEG are supported)");
  const int side = std::min(w, h), x0 = (w - side) / 2, y0 = (h - side) / 2;  // centre crop
  std::vector<unsigned char> hwc(std::size_t(size) * size * 3);
  const int ok = stbir_resize_uint8(px + (std::size_t(y0) * w + x0) * 3, side, side, w * 3, hwc.data(), size, size,
                                    size * 3, 3);
  stbi_image_free(px);
  if (!ok) throw Error("typenet: cannot resize image " + file.string());
  std::vector<std::uint8_t> chw(hwc.size());
  for (int c = 0; c < 3; ++c)
    for (int i = 0; i < size * size; ++i) chw[std::size_t(c) * size * size + i] = hwc[std::size_t(i) * 3 + c];
  return chw;
}

}  // namespace typenet
