// typenet train: a zoo model with `fit`, or the airbench94 recipe; resumable from a checkpoint.
#include <chrono>
#include <tuple>
#include <typenet/draw/run_pictures.hpp>
#include <typenet/recipes/airbench94.hpp>
#include "cli.hpp"

namespace {

// `train --recipe airbench94`: the recipe's own schedule, optimiser and initialisation.
template <class Net>
int train_recipe(const TrainArgs& a, const tn::io::CheckpointReader* resume) {
  if constexpr (!std::is_same_v<Net, tn::zoo::Airbench94>) {
    throw tn::Error("typenet: --recipe airbench94 trains the model Airbench94, not " + a.model);
  } else {
    tn::onednn::set_threads(a.threads);
    tn::Airbench94Recipe r{.eval_each_epoch = a.eval_each_epoch, .seed = a.seed, .precision = precision(a.dtype),
                           .checkpoint = a.checkpoint_options(), .resume = resume};
    const auto data = a.data.load();
    tn::Model<Net> model(r.model_options());
    std::printf("recipe airbench94, model %s: %ld params; batch %d, %.1f epochs, %s, %d threads, seed %llu, "
                "%zu train / %zu test images\n", a.model.c_str(), Net::param_count, r.batch, r.epochs, a.dtype.c_str(),
                tn::onednn::threads(), (unsigned long long)a.seed, data.train.size(), data.test.size());
    std::fflush(stdout);
    tn::HistoryWriter history{a.history};
    const auto res = tn::run_airbench94(model, data, r, [&](const tn::EpochStats& s) {
      std::printf("epoch %2d  loss %.4f  acc %.4f  lr %.4f  %.0f img/s  %.1f s", s.epoch, s.loss, s.accuracy, s.lr,
                  s.images_per_s, s.seconds);
      if (a.eval_each_epoch) std::printf("  test_acc %.4f", s.val_accuracy);
      std::printf("\n");
      std::fflush(stdout);
    });
    history.rows = res.history;
    if (!a.save.empty()) tn::io::save(a.save, model);
    std::printf("steps %ld, training %.1f s, TTA evaluation %.1f s, total %.1f s\n", res.steps, res.train_seconds,
                res.eval_seconds, res.train_seconds + res.eval_seconds);
    std::printf("test_accuracy_plain=%.4f\ntest_accuracy=%.4f\n", res.accuracy, res.accuracy_tta);
    if (!a.history.empty()) {  // after the timed run: history, pictures (plain view)
      history.write();
      tn::write_run_pictures(a.history, history.rows, model, data.test, a.model + " (airbench94)");
      std::printf("history and pictures in %s\n", a.history.c_str());
    }
    return 0;
  }
}

template <class Net>
int train(const TrainArgs& a, const tn::io::CheckpointReader* resume = nullptr) {
  a.check_outputs();
  if (!a.recipe.empty()) return train_recipe<Net>(a, resume);
  tn::onednn::set_threads(a.threads);
  const auto data = a.data.load();
  tn::check_feeds(data.train.shape, Net::input_shape, "--data " + a.data.dir);
  // With --val, epochs are judged on a stratified split of the training set and the test set
  // is used once, at the end; without it, every epoch is evaluated on the test set.
  tn::ImageSet train_split, val_split;
  if (a.val) std::tie(train_split, val_split) = tn::stratified_split(data.train, a.val, a.seed);
  const tn::ImageSet& train_set = a.val ? train_split : data.train;
  const tn::ImageSet& held_out = a.val ? val_split : data.test;
  const char* held_name = a.val ? "val" : "test";

  tn::Model<Net> model({.batch = a.batch, .seed = a.seed, .precision = precision(a.dtype)});
  std::printf("model %s: %ld params, %ld MACs/image; batch %d, %s, %d threads, %zu train / %zu %s / %zu test images "
              "%s from %s\n",
              a.model.c_str(), Net::param_count, Net::macs, a.batch, a.dtype.c_str(), tn::onednn::threads(),
              train_set.size(), a.val ? val_split.size() : 0, "val", data.test.size(),
              data.train.shape.to_string().c_str(), a.data.dir.c_str());
  tn::Augment aug = a.no_augment ? tn::Augment{.pad = 0, .flip = false} : tn::Augment{};
  if (a.resized_crop) aug.pad = 0, aug.resized_crop.enabled = true;
  const tn::TrainConfig cfg{.epochs = double(a.epochs),
                            .schedule = {.peak = a.lr, .warmup = a.warmup},
                            .label_smoothing = a.smoothing,
                            .augment = aug,
                            .normalize = a.data.norm(),
                            .seed = a.seed,
                            .checkpoint = a.checkpoint_options(),
                            .resume = resume};
  if (resume) std::printf("resuming the run of %s\n", a.resume.c_str());
  tn::ProgressBar print{.epochs = a.epochs, .held_out = held_name};
  auto checkpoint = tn::EachEpoch{[&](const tn::EpochStats&) {
    if (!a.save.empty()) tn::io::save(a.save, model);
  }};
  // Callbacks that are off do nothing: patience beyond the run, no history folder.
  tn::EarlyStopping stop{.patience = a.early_stop ? a.early_stop : a.epochs + 1, .restore_best = a.early_stop > 0};
  tn::HistoryWriter history{a.history};
  const auto t0 = std::chrono::steady_clock::now();
  if (a.optimizer == "adamw") {
    tn::AdamW opt{.weight_decay = a.wd};
    tn::fit(model, opt, train_set, &held_out, cfg, print, checkpoint, history, stop);
  } else {
    tn::SGD opt{.momentum = a.momentum, .nesterov = true, .weight_decay = a.wd};
    tn::fit(model, opt, train_set, &held_out, cfg, print, checkpoint, history, stop);
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (a.early_stop && stop.best_epoch) {
    std::printf("early stopping: best %s_acc %.4f at epoch %d (weights restored)\n", held_name, stop.best,
                stop.best_epoch);
    if (!a.save.empty()) tn::io::save(a.save, model);
  }
  const auto r = a.history.empty()
                     ? tn::evaluate(model, data.test, {.normalize = cfg.normalize})
                     : tn::write_run_pictures(a.history, history.rows, model, data.test, a.model, cfg.normalize);
  std::printf("total %.1f s (training and per-epoch evaluation)\n", secs);
  if (!a.history.empty()) std::printf("history and pictures in %s\n", a.history.c_str());
  std::printf("test_accuracy=%.4f\n", r.accuracy);
  return 0;
}

}  // namespace

int train_command(const TrainArgs& a, const tn::io::CheckpointReader* resume) {
  int rc = 2;
  if (!tn::zoo::visit_model(a.model, [&](auto t) { rc = train<typename decltype(t)::type>(a, resume); })) {
    if (resume) throw tn::Error("typenet: checkpoint " + a.resume + " is of an unknown model '" + a.model + "'");
    throw unknown_model(a.model);
  }
  return rc;
}
