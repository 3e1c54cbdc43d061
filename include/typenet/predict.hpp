#pragma once
// Classify images with a trained model: each image is centre-cropped to the input's aspect
// ratio, resized to the network's input shape, normalised as in training; the k most probable
// classes come back with their softmax probabilities, best first.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <utility>
#include <vector>
#include "typenet/data/resize.hpp"
#include "typenet/data/transform.hpp"
#include "typenet/io/image.hpp"
#include "typenet/model.hpp"

namespace typenet {

struct ClassProbability {
  int label;
  float probability;
};

// A PNG or JPEG as (C,H,W) bytes of `input`'s shape: centre crop, then resize.
inline io::DecodedImage load_image(const std::filesystem::path& file, Shape input) {
  if (input.rank != 3 || (input.c != 1 && input.c != 3))
    throw Error("typenet: images feed a (1,H,W) or (3,H,W) input, not " + input.to_string());
  auto img = io::decode_image_file(file, input.c);
  const Crop crop = centre_crop(img.shape, input.h, input.w);
  std::vector<std::uint8_t> out(std::size_t(input.size()));
  resize_crop(img.pixels.data(), img.shape, crop, out.data(), input.h, input.w);
  return {input, std::move(out)};
}

// `image`: bytes of shape `shape` (load_image, or a dataset image). Uses the model's first batch slot.
template <class M>
std::vector<ClassProbability> predict(M& model, const std::uint8_t* image, Shape shape, int k = 3,
                                      const Normalize& norm = Normalize::cifar()) {
  constexpr int K = M::network::output_shape.c;
  check_feeds(shape, M::network::input_shape, "the image");
  write_image(image, shape, model.input().data(), M::network::input_shape, {}, false, norm);
  model.forward(Mode::infer);
  const auto z = model.output().first(K);
  const float zmax = *std::max_element(z.begin(), z.end());
  std::vector<ClassProbability> p(K);
  float sum = 0;
  for (int i = 0; i < K; ++i) sum += (p[i] = {i, std::exp(z[i] - zmax)}).probability;
  for (auto& c : p) c.probability /= sum;
  std::sort(p.begin(), p.end(), [](auto& a, auto& b) { return a.probability > b.probability; });
  p.resize(std::size_t(std::min(k, K)));
  return p;
}
template <class M>
std::vector<ClassProbability> predict(M& model, const io::DecodedImage& image, int k = 3,
                                      const Normalize& norm = Normalize::cifar()) {
  return predict(model, image.pixels.data(), image.shape, k, norm);
}

}  // namespace typenet
