#pragma once
// The evaluation loop: inference over a whole ImageSet in the model's batches, each image
// converted to the network's input shape. A last partial batch is padded and its padding
// ignored. Test-time augmentation is an option (airbench's levels):
//   tta 0: the image;  1: the mean of the logits of the image and its mirror;
//   tta 2: 0.5 * level1(image) + 0.25 * level1(shifted up-left by 1) + 0.25 * level1(down-right),
//          the shifted views reflect-padded: six forward passes per image.
// With a Collective each process evaluates its contiguous share of the set and the sums are
// combined: every process gets the whole set's result.
#include <algorithm>
#include <span>
#include <vector>
#include "typenet/data/image_set.hpp"
#include "typenet/data/transform.hpp"
#include "typenet/model.hpp"
#include "typenet/train/collective.hpp"
#include "typenet/train/loss.hpp"

namespace typenet {

struct EvalOptions {
  Normalize normalize = Normalize::cifar();  // as in training
  int tta = 0;
  std::vector<int>* predicted = nullptr;     // when given: each image's predicted class (one process)
  Collective* collective = nullptr;          // data-parallel: the set shared out over the processes
};

struct EvalResult {
  double loss = 0, accuracy = 0;  // loss of the image alone; accuracy with the views averaged
  double plain_accuracy = 0;      // of the image alone (= accuracy without TTA)
};

struct TtaView {
  ImageView view;
  float weight;
};

inline std::vector<TtaView> tta_views(int level) {
  if (level <= 0) return {{{}, 1.0f}};
  if (level == 1) return {{{}, 0.5f}, {{.flip = true}, 0.5f}};
  // Shift first, then mirror (as the recipe does): in ImageView's terms dx changes sign.
  return {{{}, 0.25f},
          {{.flip = true}, 0.25f},
          {{.dy = -1, .dx = -1}, 0.125f},
          {{.dy = -1, .dx = 1, .flip = true}, 0.125f},
          {{.dy = 1, .dx = 1}, 0.125f},
          {{.dy = 1, .dx = -1, .flip = true}, 0.125f}};
}

template <class M>
EvalResult evaluate(M& model, const ImageSet& set, const EvalOptions& o = {}) {
  constexpr Shape In = M::network::input_shape;
  constexpr int K = M::network::output_shape.c;
  check_feeds(set.shape, In, "the evaluation set");
  if (set.size() == 0) throw Error("typenet: the evaluation set holds no images");
  const auto views = tta_views(o.tta);
  const int n = model.batch();
  const std::size_t per_image = std::size_t(In.size());
  std::vector<int> labels(static_cast<std::size_t>(n));
  std::vector<float> logits(std::size_t(n) * K), plain(std::size_t(n) * K), scratch(std::size_t(n) * K);
  EvalResult r;
  long correct = 0, plain_correct = 0;
  if (o.predicted && o.collective) throw Error("typenet: evaluate: per-image predictions come from one process, not a collective");
  if (o.predicted) o.predicted->clear();
  const std::size_t ranks = o.collective ? std::size_t(o.collective->ranks()) : 1;
  const std::size_t rank = o.collective ? std::size_t(o.collective->rank()) : 0;
  const std::size_t begin = set.size() * rank / ranks, end = set.size() * (rank + 1) / ranks;
  for (std::size_t first = begin; first < end; first += std::size_t(n)) {
    const int count = int(std::min<std::size_t>(std::size_t(n), end - first));
    std::fill(logits.begin(), logits.end(), 0.0f);
    for (const TtaView& v : views) {
      auto in = model.input();
#pragma omp parallel for schedule(static)
      for (int i = 0; i < n; ++i) {
        float* dst = in.data() + std::size_t(i) * per_image;
        if (i < count) write_image(set.image(first + std::size_t(i)), set.shape, dst, In, v.view, true, o.normalize);
        else std::fill_n(dst, per_image, 0.0f);
      }
      model.forward(Mode::infer);
      const auto out = model.output();
      for (std::size_t j = 0; j < std::size_t(count) * K; ++j) logits[j] += v.weight * out[j];
      if (&v == &views.front()) std::copy(out.begin(), out.begin() + std::ptrdiff_t(count) * K, plain.begin());
    }
    for (int i = 0; i < count; ++i) labels[std::size_t(i)] = set.labels[first + std::size_t(i)];
    const auto lr = softmax_cross_entropy(std::span<const float>(plain).first(std::size_t(count) * K),
                                          std::span<const int>(labels).first(std::size_t(count)), K, 0.0f, scratch);
    r.loss += lr.loss_sum;
    plain_correct += lr.correct;
    for (int i = 0; i < count; ++i) {
      const float* z = logits.data() + std::size_t(i) * K;
      const int p = int(std::max_element(z, z + K) - z);
      correct += p == labels[std::size_t(i)];
      if (o.predicted) o.predicted->push_back(p);
    }
  }
  if (o.collective) {
    double sums[3] = {r.loss, double(correct), double(plain_correct)};
    o.collective->sum(sums);
    r.loss = sums[0], correct = long(sums[1]), plain_correct = long(sums[2]);
  }
  r.loss /= double(set.size());
  r.accuracy = double(correct) / double(set.size());
  r.plain_accuracy = double(plain_correct) / double(set.size());
  return r;
}

}  // namespace typenet
