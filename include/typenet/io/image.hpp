#pragma once
// Decoding a PNG or JPEG with stb_image into (C,H,W) bytes. stb's implementation is compiled
// here with static linkage (define TYPENET_NO_STB_IMPLEMENTATION if your program already
// compiles it).
#include <algorithm>
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
// UBSan (the fuzzers, TYPENET_SANITIZE) flags two things in stb that corrupt files trigger and
// that are not ours to change: memcpy(dst, src, 0) with a null dst (an empty PNG chunk), and
// the JPEG bit reader shifting by 32 or more (garbage pixels from garbage data). Only those two
// checks are off, only inside stb's functions; ASan still watches every access they make.
#if defined(__clang__)
#pragma clang attribute push(__attribute__((no_sanitize("nonnull-attribute", "shift"))), apply_to = function)
#endif
#include <stb/stb_image.h>
#if defined(__clang__)
#pragma clang attribute pop
#endif

namespace typenet::io {

struct DecodedImage {
  Shape shape;                       // (C,H,W)
  std::vector<std::uint8_t> pixels;  // (C,H,W)
};

// The largest image typenet decodes: 2^26 pixels (8192 x 8192), so that a forged header
// cannot ask for gigabytes.
inline constexpr long max_image_pixels = 1L << 26;

namespace detail {
// stb_image (Debian's 2022-09 snapshot) trusts two things a file says (both found by
// tests/fuzz/fuzz_image.cpp): a JPEG's Huffman table counts (a DHT segment whose 16 counts add
// up to more than 256 makes it write past its tables), and a PNG's chunk lengths (a 100-byte
// file claiming a 2 GB chunk makes it allocate 2 GB). These walks refuse such files first; a
// file they cannot follow is left to stb, which reports it.
inline void check_png_chunks(const std::uint8_t* b, std::size_t size, const std::string& name) {
  static constexpr std::uint8_t signature[8] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
  if (size < 8 || !std::equal(signature, signature + 8, b)) return;
  for (std::size_t at = 8; at + 8 <= size;) {  // [length u32 BE][type][data][CRC]
    const std::size_t length = std::size_t(b[at]) << 24 | std::size_t(b[at + 1]) << 16 | std::size_t(b[at + 2]) << 8 | b[at + 3];
    if (length > size - at - 8)
      throw Error("typenet: cannot read image " + name + ": a PNG chunk of " + std::to_string(length) +
                  " bytes runs past the end of the file (truncated or corrupt)");
    if (std::equal(b + at + 4, b + at + 8, "IEND")) return;
    at += 12 + length;
  }
}

inline void check_jpeg_huffman_tables(const std::uint8_t* b, std::size_t size, const std::string& name) {
  std::size_t at = 0;
  while (at < size && b[at] == 0xFF) ++at;  // stb takes fill bytes before the start marker too
  if (at == 0 || at >= size || b[at] != 0xD8) return;  // not a JPEG
  ++at;
  while (at + 4 <= size) {
    if (b[at] != 0xFF) {  // entropy-coded data: on to the next marker (0xFF00 is a data byte)
      ++at;
      continue;
    }
    const std::uint8_t marker = b[at + 1];
    if (marker == 0xFF || marker == 0x00 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
      at += marker == 0xFF ? 1 : 2;  // fill byte, stuffed zero, or a marker without a length
      continue;
    }
    if (marker == 0xD9) return;  // end of image
    const std::size_t length = std::size_t(b[at + 2]) << 8 | b[at + 3];
    if (marker == 0xC4) {  // DHT: tables of [class and id][16 counts][that many symbols]
      // As stb reads them: on while the segment has bytes left, past its end if a table
      // header overruns it (bytes beyond the file read as 0).
      long left = long(length) - 2;
      for (std::size_t t = at + 4; left > 0 && t < size;) {
        std::size_t symbols = 0;
        for (std::size_t i = t + 1; i <= t + 16 && i < size; ++i) symbols += b[i];
        if (symbols > 256)
          throw Error("typenet: cannot read image " + name + ": a Huffman table of " + std::to_string(symbols) +
                      " symbols (at most 256): a corrupt JPEG");
        t += 17 + symbols;
        left -= long(17 + symbols);
      }
    }
    if (length < 2 || at + 2 + length > size) return;
    at += 2 + length;
  }
}
}  // namespace detail

struct ImageSize {
  int w = 0, h = 0;
};

// An image file's size from its header, before anything is decoded; a file stb cannot read
// safely or at all is an Error naming it. `name` is the file's name for messages.
inline ImageSize read_image_size(const std::uint8_t* bytes, std::size_t size, const std::string& name) {
  if (size > std::size_t(std::numeric_limits<int>::max()))
    throw Error("typenet: image " + name + " is too large (" + std::to_string(size) + " bytes)");
  detail::check_jpeg_huffman_tables(bytes, size, name);
  detail::check_png_chunks(bytes, size, name);
  int w = 0, h = 0, n = 0;
  if (!stbi_info_from_memory(bytes, int(size), &w, &h, &n))
    throw Error("typenet: cannot read image " + name + ": " + stbi_failure_reason() + " (PNG and JPEG are supported)");
  return {w, h};
}

// `channels`: 3 (grey is replicated, alpha dropped) or 1 (colour is converted to grey).
inline DecodedImage decode_image(const std::uint8_t* bytes, std::size_t size, const std::string& name,
                                 int channels = 3) {
  if (channels != 1 && channels != 3) throw Error("typenet: images are decoded to 1 or 3 channels, not " + std::to_string(channels));
  auto [w, h] = read_image_size(bytes, size, name);
  if (w <= 0 || h <= 0 || long(w) * h > max_image_pixels)
    throw Error("typenet: image " + name + " is " + std::to_string(w) + "x" + std::to_string(h) +
                " pixels, beyond the " + std::to_string(max_image_pixels) + " typenet decodes");
  int n = 0;
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
