#pragma once
// Training and evaluation loops over a Model: a step is batch assembly, forward, fused loss,
// backward, one optimiser loop. At each epoch's end the callbacks (train/callbacks.hpp) see the
// statistics and may stop the run or scale the learning rate; callbacks with on_batch_end
// (train/progress.hpp) also see each step.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <vector>
#include "typenet/core/error.hpp"
#include "typenet/data/batcher.hpp"
#include "typenet/model.hpp"
#include "typenet/train/callbacks.hpp"
#include "typenet/train/epoch_stats.hpp"
#include "typenet/train/loss.hpp"
#include "typenet/train/progress.hpp"
#include "typenet/train/schedule.hpp"

namespace typenet {

struct TrainConfig {
  int epochs = 30;
  WarmupDecay schedule{};
  float label_smoothing = 0.1f;
  Augment augment{};
  std::uint64_t seed = 1;  // shuffling and augmentation
  bool eval_each_epoch = true;
};

struct EvalResult {
  double loss = 0, accuracy = 0;
};

// Inference over a whole split; a last partial batch is padded and its padding ignored.
// With `predicted`, also each image's predicted class.
template <class M>
EvalResult evaluate(M& model, const cifar10::Split& split, std::vector<int>* predicted = nullptr) {
  constexpr int K = M::network::output_shape.c;
  const int n = model.batch();
  std::vector<int> labels(n);
  std::vector<float> dummy(std::size_t(n) * K);
  EvalResult r;
  if (predicted) predicted->clear();
  for (std::size_t first = 0; first < split.size(); first += n) {
    const int count = int(std::min<std::size_t>(n, split.size() - first));
    auto in = model.input();
    for (int i = 0; i < n; ++i) {
      if (i < count) Batcher::write_image(split.image(first + i), in.data() + std::size_t(i) * cifar10::image_bytes, 0, 0, false);
      else std::fill_n(in.data() + std::size_t(i) * cifar10::image_bytes, cifar10::image_bytes, 0.0f);
      labels[i] = i < count ? split.labels[first + i] : 0;
    }
    model.forward(Mode::infer);
    auto res = softmax_cross_entropy(model.output().first(std::size_t(count) * K), std::span(labels).first(count), K,
                                     0.0f, dummy);
    r.loss += res.loss_sum;
    r.accuracy += res.correct;
    for (int i = 0; predicted && i < count; ++i) {
      const float* z = model.output().data() + std::size_t(i) * K;
      predicted->push_back(int(std::max_element(z, z + K) - z));
    }
  }
  r.loss /= double(split.size());
  r.accuracy /= double(split.size());
  return r;
}

// Train on `train`; evaluate on `held_out` (when given) after every epoch, or only after the
// last with cfg.eval_each_epoch = false. Returns the history of the epochs run.
template <class M, class Optimizer, class... Callbacks>
std::vector<EpochStats> fit(M& model, Optimizer& opt, const cifar10::Split& train, const cifar10::Split* held_out,
                            const TrainConfig& cfg, Callbacks&&... callbacks) {
  constexpr int K = M::network::output_shape.c;
  const int n = model.batch();
  Batcher batcher(train, n, cfg.seed);
  std::vector<int> labels(n);
  const long steps_per_epoch = long(batcher.batches()), total = steps_per_epoch * cfg.epochs;
  if (steps_per_epoch == 0) throw Error("typenet: the training set is smaller than one batch");
  std::vector<EpochStats> history;
  long step = 0;
  Control control;
  for (int e = 1; e <= cfg.epochs && !control.stop; ++e) {
    const auto t0 = std::chrono::steady_clock::now();
    batcher.shuffle();
    EpochStats s{.epoch = e};
    for (long b = 0; b < steps_per_epoch; ++b, ++step) {
      batcher.fill(std::size_t(b), model.input(), labels, cfg.augment);
      model.forward(Mode::train);
      const auto res = softmax_cross_entropy(model.output(), labels, K, cfg.label_smoothing, model.diff_output());
      if (!std::isfinite(res.loss_sum))
        throw Diverged("typenet: the loss became " + std::to_string(res.loss_sum) + " at epoch " + std::to_string(e) +
                    ", step " + std::to_string(b) + ": training diverged (lower the learning rate); weights saved "
                    "before this point are kept");
      model.backward();
      s.lr = cfg.schedule(step, total) * control.lr_scale;
      opt.step(model.params(), model.grads(), s.lr);
      s.loss += res.loss_sum;
      s.accuracy += res.correct;
      if constexpr ((has_on_batch_end<std::remove_reference_t<Callbacks>> || ...)) {
        const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        const double seen = double(b + 1) * n;
        const BatchProgress p{.epoch = e, .epochs = cfg.epochs, .step = b + 1, .steps = steps_per_epoch,
                              .loss = s.loss / seen, .accuracy = s.accuracy / seen, .images_per_s = seen / secs,
                              .seconds = secs};
        auto tell = [&](auto& cb) {
          if constexpr (has_on_batch_end<std::remove_reference_t<decltype(cb)>>) cb.on_batch_end(p);
        };
        (tell(callbacks), ...);
      }
    }
    s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double seen = double(steps_per_epoch) * n;
    s.loss /= seen;
    s.accuracy /= seen;
    s.images_per_s = seen / s.seconds;
    if (held_out && (cfg.eval_each_epoch || e == cfg.epochs)) {
      const auto ev = evaluate(model, *held_out);
      s.val_loss = ev.loss;
      s.val_accuracy = ev.accuracy;
    }
    history.push_back(s);
    (callbacks.on_epoch_end(s, model, control), ...);
  }
  auto end = [&](auto& cb) {
    if constexpr (requires { cb.on_train_end(model); }) cb.on_train_end(model);
  };
  (end(callbacks), ...);
  return history;
}

}  // namespace typenet
