#pragma once
// Shape: the compile-time shape of one example (the batch dimension N is a run-time choice).
// Legend used in comments throughout: N batch, C channels, H height, W width, F features.
#include <string>

namespace typenet {

struct Shape {
  int rank = 0;  // 1: (F), 3: (C,H,W)
  int c = 0, h = 1, w = 1;

  constexpr Shape() = default;
  constexpr Shape(int features) : rank(1), c(features) {}                 // (F)
  constexpr Shape(int channels, int height, int width) : rank(3), c(channels), h(height), w(width) {}

  constexpr long size() const { return long(c) * h * w; }
  friend constexpr bool operator==(const Shape&, const Shape&) = default;

  std::string to_string() const {
    if (rank == 1) return "(" + std::to_string(c) + ")";
    return "(" + std::to_string(c) + "," + std::to_string(h) + "," + std::to_string(w) + ")";
  }
};

}  // namespace typenet
