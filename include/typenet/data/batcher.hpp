#pragma once
// Batcher: turns uint8 images into a normalised float batch (N,3,32,32) in the model's input,
// with seeded shuffling and augmentation (random crop from a zero- or reflect-padded image,
// horizontal flip: random per image, or alternating per epoch as in airbench).
#include <algorithm>
#include <numeric>
#include <span>
#include "typenet/core/rng.hpp"
#include "typenet/data/cifar10.hpp"

namespace typenet {

struct Augment {
  int pad = 4;               // random crop: shift in [-pad, pad] per axis (0 = off)
  bool flip = true;          // horizontal flip with probability 1/2
  bool reflect = false;      // outside pixels mirror the image (PyTorch's 'reflect'); else zeros
  bool alternate_flip = false;  // with flip: a fixed random half is flipped in even epochs, the
                                // other half in odd ones, so each image alternates orientation
};

class Batcher {
 public:
  Batcher(const cifar10::Split& split, int batch, std::uint64_t seed) : split_(split), batch_(batch), rng_(seed) {
    order_.resize(split.size());
    std::iota(order_.begin(), order_.end(), 0u);
    Rng flips(seed ^ 0xf11bf11bf11bf11bull);  // its own stream: shuffles stay as without it
    base_flip_.resize(split.size());
    for (auto& f : base_flip_) f = std::uint8_t(flips.next() & 1);
  }
  // Full batches per epoch (the last partial batch is dropped in training).
  std::size_t batches() const { return split_.size() / std::size_t(batch_); }
  // Starts an epoch: a new order (and, for alternating flips, the other orientation).
  void shuffle() {
    ++epoch_;
    for (std::size_t i = order_.size(); i > 1; --i) std::swap(order_[i - 1], order_[rng_.below(std::uint32_t(i))]);
  }
  // Write batch b (in the current order) to `input`; labels to `labels`.
  // The random draws are made in order (results do not depend on the thread count); the
  // images are then written in parallel.
  void fill(std::size_t b, std::span<float> input, std::span<int> labels, const Augment& aug) {
    views_.resize(std::size_t(batch_));
    for (int i = 0; i < batch_; ++i) {
      const std::uint32_t idx = order_[b * batch_ + i];
      labels[i] = split_.labels[idx];
      View& v = views_[std::size_t(i)];
      v.dy = aug.pad ? int(rng_.below(2 * aug.pad + 1)) - aug.pad : 0;
      v.dx = aug.pad ? int(rng_.below(2 * aug.pad + 1)) - aug.pad : 0;
      v.flip = aug.flip && (aug.alternate_flip ? bool(base_flip_[idx] ^ (epoch_ & 1)) : bool(rng_.next() & 1));
    }
#pragma omp parallel for schedule(static)
    for (int i = 0; i < batch_; ++i) {
      const View& v = views_[std::size_t(i)];
      write_image(split_.image(order_[b * batch_ + i]), input.data() + std::size_t(i) * cifar10::image_bytes, v.dy,
                  v.dx, v.flip, aug.reflect);
    }
  }
  // Output pixel (y,x) reads source (y+dy, x+dx), mirrored first when flipped; outside the
  // image: zero, or with `reflect` the pixel mirrored about the border (-1 -> 1, 32 -> 30).
  static void write_image(const std::uint8_t* src, float* dst, int dy, int dx, bool flip, bool reflect = false) {
    const auto mirror = [](int i) { return i < 0 ? -i : i > 31 ? 62 - i : i; };
    for (int c = 0; c < 3; ++c) {
      const float scale = 1.0f / (255.0f * cifar10::stddev[c]), shift = -cifar10::mean[c] / cifar10::stddev[c];
      for (int y = 0; y < 32; ++y)
        for (int x = 0; x < 32; ++x) {
          int sy = y + dy, sx0 = x + dx;
          if (reflect) sy = mirror(sy), sx0 = mirror(sx0);
          const int sx = flip ? 31 - sx0 : sx0;
          const bool inside = sy >= 0 && sy < 32 && sx0 >= 0 && sx0 < 32;
          dst[(c * 32 + y) * 32 + x] = inside ? src[(c * 32 + sy) * 32 + sx] * scale + shift : 0.0f;
        }
    }
  }

 private:
  const cifar10::Split& split_;
  int batch_;
  Rng rng_;
  std::vector<std::uint32_t> order_;
  std::vector<std::uint8_t> base_flip_;  // alternating flips: orientation in even epochs
  struct View { int dy, dx; bool flip; };
  std::vector<View> views_;              // this batch's draws, one per image
  long epoch_ = -1;                      // counts shuffles: the first epoch is 0
};

}  // namespace typenet
