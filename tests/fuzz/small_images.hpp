#pragma once
// Decoding a forged header's 8192 x 8192 image is correct but takes a second; the harnesses
// that decode leave such inputs out (above 2^12 pixels and below typenet's own 2^26 limit),
// so that they run at thousands of inputs a second. Sizes beyond typenet's limit, and headers
// typenet refuses, still go in: refusing them is part of what is fuzzed. The size comes from
// typenet's own header reader, never from stb directly (stb alone is not safe on a bad JPEG).
#include <span>
#include <typenet/io/image.hpp>

namespace fuzz {
inline bool small_enough(std::span<const std::uint8_t> file) {
  try {
    const auto s = typenet::io::read_image_size(file.data(), file.size(), "fuzz input");
    const long pixels = long(s.w) * long(s.h);
    return pixels <= (1L << 12) || pixels > typenet::io::max_image_pixels;
  } catch (const typenet::Error&) {
    return true;
  }
}
}  // namespace fuzz
