#pragma once
// Canvas: an RGB picture to draw simple charts on — filled rectangles, thick lines, text in
// stb_easy_font's segment font, CIFAR images — written as PNG by stb_image_write.
// stb's implementation is compiled here with static linkage (define
// TYPENET_NO_STB_IMPLEMENTATION if your program already compiles it).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>
#include "typenet/core/error.hpp"
#include "typenet/io/atomic_write.hpp"

#ifndef TYPENET_NO_STB_IMPLEMENTATION
#define STB_IMAGE_WRITE_STATIC
#define STB_IMAGE_WRITE_IMPLEMENTATION
#endif
#include <stb/stb_easy_font.h>
#include <stb/stb_image_write.h>

namespace typenet::plot {

struct Rgb {
  std::uint8_t r = 0, g = 0, b = 0;
};
inline constexpr Rgb white{255, 255, 255}, black{0, 0, 0}, grey{160, 160, 160}, light{230, 230, 230},
    blue{31, 119, 180}, orange{255, 127, 14}, green{44, 160, 44}, red{214, 39, 40};

class Canvas {
 public:
  Canvas(int width, int height, Rgb background = white)
      : w_(width), h_(height), px_(std::size_t(width) * height * 3) {
    rect(0, 0, width, height, background);
  }
  int width() const { return w_; }
  int height() const { return h_; }

  // Pixels [x0, x1) x [y0, y1), clipped to the canvas.
  void rect(int x0, int y0, int x1, int y1, Rgb c) {
    x0 = std::max(x0, 0), y0 = std::max(y0, 0), x1 = std::min(x1, w_), y1 = std::min(y1, h_);
    for (int y = y0; y < y1; ++y)
      for (int x = x0; x < x1; ++x) set(x, y, c);
  }
  void frame(int x0, int y0, int x1, int y1, Rgb c, int thick = 1) {
    rect(x0, y0, x1, y0 + thick, c), rect(x0, y1 - thick, x1, y1, c);
    rect(x0, y0, x0 + thick, y1, c), rect(x1 - thick, y0, x1, y1, c);
  }
  // A line of width `thick`, stamped along its length.
  void line(double x0, double y0, double x1, double y1, Rgb c, int thick = 2) {
    const int n = int(std::ceil(std::max(std::abs(x1 - x0), std::abs(y1 - y0)))) + 1;
    for (int i = 0; i <= n; ++i) {
      const double t = double(i) / n;
      const int x = int(std::lround(x0 + t * (x1 - x0))) - thick / 2, y = int(std::lround(y0 + t * (y1 - y0))) - thick / 2;
      rect(x, y, x + thick, y + thick, c);
    }
  }
  // Text with its top-left corner at (x, y); `scale` magnifies the 7-pixel-high font.
  void text(int x, int y, std::string_view s, Rgb c, int scale = 2) {
    std::string str(s);
    std::vector<char> quads(std::max<std::size_t>(2000, 300 * str.size()));
    unsigned char colour[4] = {c.r, c.g, c.b, 255};
    const int n = stb_easy_font_print(0, 0, str.data(), colour, quads.data(), int(quads.size()));
    const float* v = reinterpret_cast<const float*>(quads.data());  // 4 vertices of (x,y,z,rgba) per quad
    for (int q = 0; q < n; ++q, v += 16)
      rect(x + int(v[0] * scale), y + int(v[1] * scale), x + int(v[8] * scale), y + int(v[9] * scale), c);
  }
  static int text_width(std::string_view s, int scale = 2) {
    std::string str(s);
    return stb_easy_font_width(str.data()) * scale;
  }
  // A (C,H,W) image (C = 3, or 1 drawn grey), each pixel as a scale x scale block.
  void image(int x, int y, const std::uint8_t* chw, int channels, int h, int w, int scale) {
    const std::size_t plane = std::size_t(h) * w, g = channels == 3 ? plane : 0;
    for (int py = 0; py < h; ++py)
      for (int px = 0; px < w; ++px) {
        const std::size_t i = std::size_t(py) * w + px;
        rect(x + px * scale, y + py * scale, x + (px + 1) * scale, y + (py + 1) * scale, {chw[i], chw[g + i], chw[2 * g + i]});
      }
  }
  // Encoded in memory, then written atomically: a reader never sees half a picture.
  void save_png(const std::filesystem::path& file) const {
    if (file.has_parent_path()) {
      std::error_code ec;
      std::filesystem::create_directories(file.parent_path(), ec);
    }
    std::vector<char> png;
    const auto append = [](void* to, void* data, int size) {
      auto* out = static_cast<std::vector<char>*>(to);
      out->insert(out->end(), static_cast<char*>(data), static_cast<char*>(data) + size);
    };
    if (!stbi_write_png_to_func(append, &png, w_, h_, 3, px_.data(), w_ * 3))
      throw Error("typenet: cannot encode the picture " + file.string());
    io::write_atomically(file, std::span<const char>(png.data(), png.size()), "the picture");
  }
  Rgb at(int x, int y) const {
    const std::uint8_t* p = &px_[(std::size_t(y) * w_ + x) * 3];
    return {p[0], p[1], p[2]};
  }

 private:
  void set(int x, int y, Rgb c) {
    std::uint8_t* p = &px_[(std::size_t(y) * w_ + x) * 3];
    p[0] = c.r, p[1] = c.g, p[2] = c.b;
  }
  int w_, h_;
  std::vector<std::uint8_t> px_;
};

}  // namespace typenet::plot
