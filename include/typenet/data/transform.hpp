#pragma once
// One source image as a network's input: (C,H,W) uint8 of the dataset's size => (C',H',W')
// float of the network's, in four steps — crop and resize to (H',W') when the view has a
// crop or the sizes differ; translate; mirror; normalise. Grey sources feed 3-channel
// networks by replication. The one place pixels become inputs: training batches, evaluation
// (and its test-time views) and predict all come through here.
#include <cstdint>
#include <string>
#include <vector>
#include "typenet/core/error.hpp"
#include "typenet/core/shape.hpp"
#include "typenet/data/augment.hpp"
#include "typenet/data/normalize.hpp"
#include "typenet/data/resize.hpp"

namespace typenet {

// Whether images of shape `data` can feed a network input of shape `input` (channels equal,
// or grey into three); any size can, by resizing.
constexpr bool can_feed(Shape data, Shape input) {
  return input.rank == 3 && data.rank == 3 && (data.c == input.c || (data.c == 1 && input.c == 3));
}

// Compile-time form, where the dataset's shape is known (e.g. cifar10::shape): a network whose
// input channels it cannot feed is rejected with a typenet: message naming both shapes.
template <Shape Data, Shape Input>
constexpr void static_check_feeds() {
  static_assert(Input.rank == 3, "typenet: this dataset holds images, but the network's Input is flat (F)");
  static_assert(can_feed(Data, Input),
                "typenet: the dataset's images cannot feed this network: its Input has another channel count");
}

inline void check_feeds(Shape data, Shape input, const std::string& what) {
  if (!can_feed(data, input))
    throw Error("typenet: " + what + " holds " + data.to_string() + " images, which cannot feed a network whose input is " +
                input.to_string() + (input.rank == 3 ? " (channel counts differ)" : " (not an image)"));
}

// Writes `src` (shape `in`) as `out`-shaped floats to `dst`.
inline void write_image(const std::uint8_t* src, Shape in, float* dst, Shape out, const ImageView& v,
                        bool reflect, const Normalize& norm) {
  if (v.crop.h > 0 || in.h != out.h || in.w != out.w) {  // resize first; the view then applies at (H',W')
    static thread_local std::vector<std::uint8_t> resized;
    resized.resize(std::size_t(in.c) * out.h * out.w);
    resize_crop(src, in, v.crop.h > 0 ? v.crop : Crop{0, 0, in.h, in.w}, resized.data(), out.h, out.w);
    src = resized.data();
    in = Shape(in.c, out.h, out.w);
  }
  const int H = in.h, W = in.w;
  const auto mirror = [](int i, int n) { return i < 0 ? -i : i > n - 1 ? 2 * (n - 1) - i : i; };
  for (int c = 0; c < out.c; ++c) {
    const std::uint8_t* plane = src + std::size_t(in.c == 1 ? 0 : c) * H * W;
    const float scale = norm.scale(c, out.c), shift = norm.shift(c, out.c);
    float* o = dst + std::size_t(c) * H * W;
    if (v.dy == 0 && v.dx == 0 && !v.flip) {
      for (int i = 0; i < H * W; ++i) o[i] = plane[i] * scale + shift;
      continue;
    }
    for (int y = 0; y < H; ++y)
      for (int x = 0; x < W; ++x) {
        int sy = y + v.dy, sx0 = x + v.dx;
        if (reflect) sy = mirror(sy, H), sx0 = mirror(sx0, W);
        const int sx = v.flip ? W - 1 - sx0 : sx0;
        const bool inside = sy >= 0 && sy < H && sx0 >= 0 && sx0 < W;
        o[y * W + x] = inside ? plane[sy * W + sx] * scale + shift : 0.0f;
      }
  }
}

}  // namespace typenet
