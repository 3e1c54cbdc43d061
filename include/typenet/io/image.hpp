#pragma once
// Decoding a PNG or JPEG with stb_image into (C,H,W) bytes. stb's implementation is compiled
// here with static linkage (define TYPENET_NO_STB_IMPLEMENTATION if your program already
// compiles it).
#include <cstdint>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>
#include "typenet/core/error.hpp"
#include "typenet/core/shape.hpp"
#include "typenet/io/read_file.hpp"

#ifndef TYPENET_NO_STB_IMPLEMENTATION
#define STB_IMAGE_STATIC
#define STB_IMAGE_IMPLEMENTATION
#define STBI_ONLY_PNG
#define STBI_ONLY_JPEG
#endif
#include <stb/stb_image.h>

namespace typenet::io {

struct DecodedImage {
  Shape shape;                       // (C,H,W)
  std::vector<std::uint8_t> pixels;  // (C,H,W)
};

// The largest image typenet decodes: 2^26 pixels (8192 x 8192), so that a forged header
// cannot ask for gigabytes.
inline constexpr long max_image_pixels = 1L << 26;

// `channels`: 3 (grey is replicated, alpha dropped) or 1 (colour is converted to grey).
// `name` is the file's name for messages.
inline DecodedImage decode_image(const std::uint8_t* bytes, std::size_t size, const std::string& name,
                                 int channels = 3) {
  if (channels != 1 && channels != 3) throw Error("typenet: images are decoded to 1 or 3 channels, not " + std::to_string(channels));
  if (size > std::size_t(std::numeric_limits<int>::max()))
    throw Error("typenet: image " + name + " is too large (" + std::to_string(size) + " bytes)");
  int w = 0, h = 0, n = 0;
  if (!stbi_info_from_memory(bytes, int(size), &w, &h, &n))
    throw Error("typenet: cannot read image " + name + ": " + stbi_failure_reason() + " (PNG and JPEG are supported)");
  if (w <= 0 || h <= 0 || long(w) * h > max_image_pixels)
    throw Error("typenet: image " + name + " is " + std::to_string(w) + "x" + std::to_string(h) +
                " pixels, beyond the " + std::to_string(max_image_pixels) + " typenet decodes");
  unsigned char* px = stbi_load_from_memory(bytes, int(size), &w, &h, &n, channels);
  if (!px)
    throw Error("typenet: cannot read image " + name + ": " + stbi_failure_reason() + " (PNG and JPEG are supported)");
  DecodedImage out{Shape(channels, h, w), std::vector<std::uint8_t>(std::size_t(channels) * h * w)};
  const std::size_t plane = std::size_t(h) * w;
  for (int c = 0; c < channels; ++c)
    for (std::size_t i = 0; i < plane; ++i) out.pixels[c * plane + i] = px[i * channels + c];  // HWC => CHW
  stbi_image_free(px);
  return out;
}

inline DecodedImage decode_image_file(const std::filesystem::path& file, int channels = 3) {
  const auto bytes = read_file(file, "image", std::uintmax_t(1) << 30);
  return decode_image(bytes.data(), bytes.size(), file.string(), channels);
}

}  // namespace typenet::io
