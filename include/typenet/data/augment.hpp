#pragma once
// Augmentation for images of any size, as per-image draws (ImageView) that
// data/transform.hpp applies: random translation (pad-and-crop, zero or reflect padding),
// horizontal flip (random, or alternating per epoch as in airbench), and torchvision's
// RandomResizedCrop (a random area and aspect ratio of the source, resized to the input).
#include <algorithm>
#include <cmath>
#include "typenet/core/rng.hpp"
#include "typenet/core/shape.hpp"
#include "typenet/data/resize.hpp"

namespace typenet {

struct RandomResizedCrop {
  bool enabled = false;
  float scale_min = 0.08f, scale_max = 1.0f;        // of the source's area
  float ratio_min = 3.0f / 4.0f, ratio_max = 4.0f / 3.0f;  // width : height
};

struct Augment {
  int pad = 4;               // random crop: shift in [-pad, pad] per axis (0 = off)
  bool flip = true;          // horizontal flip with probability 1/2
  bool reflect = false;      // outside pixels mirror the image (PyTorch's 'reflect'); else zeros
  bool alternate_flip = false;  // with flip: a fixed random half is flipped in even epochs, the
                                // other half in odd ones, so each image alternates orientation
  RandomResizedCrop resized_crop{};
};

// One image's draws. Output pixel (y,x) reads the (cropped, resized) source at (y+dy, x+dx),
// mirrored first when flipped. crop.h == 0: the whole source.
struct ImageView {
  int dy = 0, dx = 0;
  bool flip = false;
  Crop crop{};
};

// torchvision's RandomResizedCrop.get_params: ten tries at a random area and aspect ratio,
// then the centre crop with the ratio clamped to the range.
inline Crop random_resized_crop(Rng& rng, Shape in, const RandomResizedCrop& r) {
  const double area = double(in.h) * in.w;
  const double log_lo = std::log(double(r.ratio_min)), log_hi = std::log(double(r.ratio_max));
  for (int attempt = 0; attempt < 10; ++attempt) {
    const double target = area * rng.uniform(r.scale_min, r.scale_max);
    const double ratio = std::exp(log_lo + (log_hi - log_lo) * rng.uniform());
    const int w = int(std::lround(std::sqrt(target * ratio))), h = int(std::lround(std::sqrt(target / ratio)));
    if (w > 0 && h > 0 && w <= in.w && h <= in.h) {
      const int y0 = int(rng.below(std::uint32_t(in.h - h + 1))), x0 = int(rng.below(std::uint32_t(in.w - w + 1)));
      return {y0, x0, h, w};
    }
  }
  const double ratio = double(in.w) / in.h;
  int w = in.w, h = in.h;
  if (ratio < r.ratio_min) h = int(std::lround(w / double(r.ratio_min)));
  else if (ratio > r.ratio_max) w = int(std::lround(h * double(r.ratio_max)));
  return {(in.h - h) / 2, (in.w - w) / 2, h, w};
}

// The draws for one image, in a fixed order (translation, flip, then the resized crop), so
// that a seed gives the same augmentation whatever else is enabled after it.
inline ImageView draw_view(Rng& rng, const Augment& aug, Shape source, bool alternate_flip_state) {
  ImageView v;
  v.dy = aug.pad ? int(rng.below(2 * aug.pad + 1)) - aug.pad : 0;
  v.dx = aug.pad ? int(rng.below(2 * aug.pad + 1)) - aug.pad : 0;
  v.flip = aug.flip && (aug.alternate_flip ? alternate_flip_state : bool(rng.next() & 1));
  if (aug.resized_crop.enabled) v.crop = random_resized_crop(rng, source, aug.resized_crop);
  return v;
}

}  // namespace typenet
