#pragma once
// Test-time augmentation (airbench's levels): the logits of several views of each image,
// averaged with fixed weights, decide the class.
//   level 0: the image;  level 1: the mean over the image and its mirror;
//   level 2: 0.5 * level1(image) + 0.25 * level1(image shifted up-left by 1) + 0.25 * level1(down-right),
//            the shifted views reflect-padded. Six forward passes per image.
#include <algorithm>
#include <vector>
#include "typenet/data/batcher.hpp"
#include "typenet/model.hpp"
#include "typenet/train/trainer.hpp"

namespace typenet {

struct TtaResult {
  double accuracy = 0;        // with the views averaged
  double plain_accuracy = 0;  // of the first view alone (the image itself), for free
};

template <class M>
TtaResult evaluate_tta(M& model, const cifar10::Split& split, int level = 2) {
  constexpr int K = M::network::output_shape.c;
  struct View { int dy, dx; bool flip; float weight; };
  std::vector<View> views;
  if (level <= 0) views = {{0, 0, false, 1.0f}};
  else if (level == 1) views = {{0, 0, false, 0.5f}, {0, 0, true, 0.5f}};
  else views = {{0, 0, false, 0.25f}, {0, 0, true, 0.25f},  {-1, -1, false, 0.125f},
                {-1, -1, true, 0.125f}, {1, 1, false, 0.125f}, {1, 1, true, 0.125f}};
  const int n = model.batch();
  std::vector<float> logits(std::size_t(n) * K);
  std::vector<float> plain(std::size_t(n) * K);
  long correct = 0, plain_correct = 0;
  for (std::size_t first = 0; first < split.size(); first += n) {
    const int count = int(std::min<std::size_t>(n, split.size() - first));
    std::fill(logits.begin(), logits.end(), 0.0f);
    for (const View& v : views) {
      auto in = model.input();
      for (int i = 0; i < n; ++i) {
        float* dst = in.data() + std::size_t(i) * cifar10::image_bytes;
        // Shift first, then mirror (as the recipe does): in write_image's terms dx changes sign.
        if (i < count) Batcher::write_image(split.image(first + i), dst, v.dy, v.flip ? -v.dx : v.dx, v.flip, true);
        else std::fill_n(dst, cifar10::image_bytes, 0.0f);
      }
      model.forward(Mode::infer);
      const auto out = model.output();
      for (std::size_t j = 0; j < std::size_t(count) * K; ++j) logits[j] += v.weight * out[j];
      if (&v == &views.front()) std::copy(out.begin(), out.begin() + std::size_t(count) * K, plain.begin());
    }
    for (int i = 0; i < count; ++i) {
      const float* z = logits.data() + std::size_t(i) * K;
      const float* q = plain.data() + std::size_t(i) * K;
      correct += int(std::max_element(z, z + K) - z) == split.labels[first + i];
      plain_correct += int(std::max_element(q, q + K) - q) == split.labels[first + i];
    }
  }
  return {double(correct) / double(split.size()), double(plain_correct) / double(split.size())};
}

}  // namespace typenet
