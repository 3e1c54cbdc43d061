#pragma once
// Classify one image with a trained model: normalise as in training, run inference, and
// return the k most probable classes with their softmax probabilities, best first.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>
#include "typenet/data/batcher.hpp"
#include "typenet/model.hpp"

namespace typenet {

struct ClassProbability {
  int label;
  float probability;
};

// `image`: (3,32,32) bytes (load_image, or a CIFAR record). Uses the model's first batch slot.
template <class M>
std::vector<ClassProbability> predict(M& model, const std::vector<std::uint8_t>& image, int k = 3) {
  constexpr int K = M::network::output_shape.c;
  Batcher::write_image(image.data(), model.input().data(), 0, 0, false);
  model.forward(Mode::infer);
  const auto z = model.output().first(K);
  const float zmax = *std::max_element(z.begin(), z.end());
  std::vector<ClassProbability> p(K);
  float sum = 0;
  for (int i = 0; i < K; ++i) sum += (p[i] = {i, std::exp(z[i] - zmax)}).probability;
  for (auto& c : p) c.probability /= sum;
  std::sort(p.begin(), p.end(), [](auto& a, auto& b) { return a.probability > b.probability; });
  p.resize(std::min(k, K));
  return p;
}

}  // namespace typenet
