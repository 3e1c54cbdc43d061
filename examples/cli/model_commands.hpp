#pragma once
// The CLI's commands for one network type: their definitions, included only by the model TUs
// (models/*.cpp), each of which instantiates them for its own networks with TYPENET_CLI_MODEL
// or TYPENET_CLI_BACKBONE_*. cli.hpp declares them; commands.cpp dispatches on the model's name.
#include <chrono>
#include <filesystem>
#include <sstream>
#include <tuple>
#include <typenet/bench/throughput.hpp>
#include <typenet/io/load_weights.hpp>
#include <typenet/zoo/reference_names.hpp>
#include <typenet/draw/run_pictures.hpp>
#include <typenet/predict.hpp>
#include <typenet/recipes/airbench94.hpp>
#include "cli.hpp"

// What train and finetune share: the augmentation of --no-augment and --resized-crop, the
// optimiser of --optimizer, the weights saved after every epoch, and the end of the run.
inline tn::Augment augment_of(const TrainArgs& a) {
  tn::Augment aug = a.no_augment ? tn::Augment{.pad = 0, .flip = false} : tn::Augment{};
  if (a.resized_crop) aug.pad = 0, aug.resized_crop.enabled = true;
  return aug;
}
// run(optimiser): `adamw` with --wd for --optimizer adamw, else SGD with Nesterov momentum.
template <class Run> void with_optimizer(const TrainArgs& a, tn::AdamW adamw, Run&& run) {
  if (a.optimizer == "adamw") {
    adamw.weight_decay = a.wd;
    run(adamw);
  } else {
    tn::SGD sgd{.momentum = a.momentum, .nesterov = true, .weight_decay = a.wd};
    run(sgd);
  }
}
template <class M> void save_weights(const TrainArgs& a, const M& model) {
  if (!a.save.empty() && leader()) tn::io::save(a.save, model);
}
template <class M> auto save_each_epoch(const TrainArgs& a, M& model) {
  return tn::EachEpoch{[&a, &model](const tn::EpochStats&) { save_weights(a, model); }};
}
// " on 2 processes" under mpirun, for the run's first line.
inline std::string processes_note() {
  if (!world()) return "";
  return " on " + std::to_string(world()->ranks()) + " processes" + (sync_batch_norm() ? " (synchronised batch norm)" : "");
}
// The model of a train or finetune run: this process's share of the batch, under mpirun the
// synchronised batch norm's sums when --sync-bn asks for them.
inline tn::ModelOptions model_options(const TrainArgs& a) {
  return {.batch = process_batch(a.batch), .seed = a.seed, .precision = precision(a.dtype),
          .batch_norm_sum = tn::batch_norm_sum(world(), sync_batch_norm())};
}
inline double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}
// The test set evaluated once more (with --history: pictures beside the history, whose held-out
// columns measured `held_out`), and the last lines.
// Under mpirun the evaluation is shared out, and the first process draws the pictures alone.
template <class M>
void finish_run(const TrainArgs& a, M& model, const tn::ImageSet& test, const tn::HistoryWriter& history,
                const tn::Normalize& normalize, const char* held_out, double seconds) {
  const auto pictures = [&] { return tn::write_run_pictures(a.history, history.rows, model, test, a.model, normalize, held_out); };
  tn::EvalResult r;
  if (!a.history.empty() && !world()) {
    r = pictures();  // one evaluation for both
  } else {
    r = tn::evaluate(model, test, {.normalize = normalize, .collective = world()});
    if (!a.history.empty() && leader()) pictures();
  }
  std::printf("total %.1f s (training and per-epoch evaluation)\n", seconds);
  if (!a.history.empty()) std::printf("history and pictures in %s\n", a.history.c_str());
  std::printf("test_accuracy=%.4f\n", r.accuracy);
}

// `train --recipe airbench94`: the recipe's own schedule, optimiser and initialisation.
template <class Net>
int train_recipe(const TrainArgs& a, const tn::io::CheckpointReader* resume) {
  if constexpr (!std::is_same_v<Net, tn::zoo::Airbench94>) {
    throw tn::Error("typenet: --recipe airbench94 trains the model Airbench94, not " + a.model);
  } else {
    tn::onednn::set_threads(a.threads);
    tn::Airbench94Recipe r{.eval_each_epoch = a.eval_each_epoch, .seed = a.seed, .precision = precision(a.dtype),
                           .checkpoint = a.checkpoint_options(), .resume = resume, .collective = world(),
                           .gradient_bucket_bytes = gradient_bucket_bytes(), .sync_batch_norm = sync_batch_norm()};
    const auto data = a.data.load();
    process_batch(r.batch);  // it must split evenly
    tn::Model<Net> model(r.model_options());
    std::printf("recipe airbench94, model %s: %ld params; batch %d, %.1f epochs, %s, %d threads%s, seed %llu, "
                "%zu train / %zu test images\n", a.model.c_str(), Net::param_count, r.batch, r.epochs, a.dtype.c_str(),
                tn::onednn::threads(), processes_note().c_str(), (unsigned long long)a.seed, data.train.size(),
                data.test.size());
    std::fflush(stdout);
    tn::HistoryWriter history{leader() ? a.history : ""};
    const auto res = tn::run_airbench94(model, data, r, [&](const tn::EpochStats& s) {
      std::printf("epoch %2d  loss %.4f  acc %.4f  lr %.4f  %.0f img/s  %.1f s", s.epoch, s.loss, s.accuracy, s.lr,
                  s.images_per_s, s.seconds);
      if (a.eval_each_epoch) std::printf("  test_acc %.4f", s.val_accuracy);
      std::printf("\n");
      std::fflush(stdout);
    });
    history.rows = res.history;
    save_weights(a, model);
    std::printf("steps %ld, training %.1f s, TTA evaluation %.1f s, total %.1f s\n", res.steps, res.train_seconds,
                res.eval_seconds, res.train_seconds + res.eval_seconds);
    std::printf("test_accuracy_plain=%.4f\ntest_accuracy=%.4f\n", res.accuracy, res.accuracy_tta);
    if (!a.history.empty() && leader()) {  // after the timed run: history, pictures (plain view)
      history.write();
      tn::write_run_pictures(a.history, history.rows, model, data.test, a.model + " (airbench94)", tn::Normalize::cifar(), "test");
      std::printf("history and pictures in %s\n", a.history.c_str());
    }
    return 0;
  }
}

template <class Net>
int train_model(const TrainArgs& a, const tn::io::CheckpointReader* resume) {
  if (leader()) a.check_outputs();
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

  tn::Model<Net> model(model_options(a));
  std::printf("model %s: %ld params, %ld MACs/image; batch %d, %s, %d threads%s, %zu train / %zu %s / %zu test images "
              "%s from %s\n",
              a.model.c_str(), Net::param_count, Net::macs, a.batch, a.dtype.c_str(), tn::onednn::threads(),
              processes_note().c_str(),
              train_set.size(), a.val ? val_split.size() : 0, "val", data.test.size(),
              data.train.shape.to_string().c_str(), a.data.dir.c_str());
  const tn::TrainConfig cfg{.epochs = double(a.epochs),
                            .schedule = {.peak = a.lr, .warmup = a.warmup},
                            .label_smoothing = a.smoothing,
                            .augment = augment_of(a),
                            .normalize = a.data.norm(),
                            .seed = a.seed,
                            .checkpoint = a.checkpoint_options(),
                            .resume = resume,
                            .collective = world(),
                            .gradient_bucket_bytes = gradient_bucket_bytes()};
  if (resume) std::printf("resuming the run of %s\n", a.resume.c_str());
  tn::ProgressBar print{.epochs = a.epochs, .held_out = held_name, .terminal = progress_on_terminal()};
  auto save = save_each_epoch(a, model);
  // Callbacks that are off do nothing: patience beyond the run, no history folder.
  tn::EarlyStopping stop{.patience = a.early_stop ? a.early_stop : a.epochs + 1, .restore_best = a.early_stop > 0};
  tn::HistoryWriter history{leader() ? a.history : ""};
  const auto t0 = std::chrono::steady_clock::now();
  with_optimizer(a, {}, [&](auto& opt) { tn::fit(model, opt, train_set, &held_out, cfg, print, save, history, stop); });
  const double secs = seconds_since(t0);
  if (a.early_stop && stop.best_epoch) {
    std::printf("early stopping: best %s_acc %.4f at epoch %d (weights restored)\n", held_name, stop.best,
                stop.best_epoch);
    save_weights(a, model);
  }
  finish_run(a, model, data.test, history, cfg.normalize, a.val ? "validation" : "test", secs);
  return 0;
}

// The names by which a model's weights come from other frameworks' files: a backbone's reference
// names, typenet's own walk names for every other model.
template <class Net> tn::io::NameMap names_of(const std::string& model) {
  return tn::zoo::has_reference_names(model) ? tn::zoo::reference_names(model) : tn::io::typenet_names<Net>();
}
// --normalize auto: the input the weights expect (the file's statement, else their framework's).
inline std::string resolved_normalize(const std::string& requested, const std::string& expected, const std::string& weights) {
  if (requested != "auto") return requested;
  if (expected.empty())
    throw tn::Error("typenet: --normalize auto: " + weights + " states an input range typenet has no preset for; give --normalize");
  return expected;
}

// finetune: the pretrained weights in (the old head left out), then the two phases of
// train/fine_tune.hpp under train's loop, with its checkpoints, history and pictures.
template <class Net>
int finetune_model(const FineTuneArgs& given, const tn::io::CheckpointReader* resume) {
  FineTuneArgs f = given;  // with the normalisation resolved, as its checkpoints record it
  const TrainArgs& a = f.run;
  if (leader()) a.check_outputs();
  tn::onednn::set_threads(a.threads);
  tn::Model<Net> model(model_options(a));
  const tn::io::NameMap names = names_of<Net>(a.model);
  tn::stage_index(tn::network_stages<Net>(names), f.unfreeze_from);  // a wrong stage fails before anything is read
  std::string& normalize = f.run.data.normalize;
  if (resume) {
    std::printf("resuming the finetune run of %s\n", a.resume.c_str());
  } else if (f.weights == "random") {  // the baseline: the same run from the type's own initialisation
    std::printf("weights: random initialisation (seed %llu)\n", (unsigned long long)a.seed);
    normalize = resolved_normalize(normalize, names.input, "random initialisation");
  } else {  // first: a wrong file should not wait for the dataset
    const auto w = tn::io::load_weights(f.weights, model, names, {.head = false, .allow_unexpected = true});
    std::printf("weights: %s%s\n", w.what.c_str(), w.imported ? "; a new head" : "");
    if (!w.import.skipped.empty()) {
      std::printf("left unused:");
      for (const auto& s : w.import.skipped) std::printf(" %s", s.c_str());
      std::printf("\n");
    }
    normalize = resolved_normalize(normalize, w.input, f.weights);
  }
  const auto data = a.data.load();
  tn::check_feeds(data.train.shape, Net::input_shape, "--data " + a.data.dir);
  const tn::FineTunePlan plan = f.plan();
  const tn::LoopConfig<tn::FineTuneSchedule> cfg{.epochs = plan.total_epochs(), .schedule = {plan},
                                                 .label_smoothing = a.smoothing, .augment = augment_of(a),
                                                 .normalize = tn::Normalize::preset(normalize), .seed = a.seed,
                                                 .checkpoint = f.checkpoint_options(), .resume = resume,
                                                 .collective = world(),
                            .gradient_bucket_bytes = gradient_bucket_bytes()};
  std::printf("finetune %s %s: %ld params; %s preset, %.4g frozen + %d unfrozen epochs from %s, lr %g, batch %d, %s, "
              "%d threads%s, normalise %s; %zu train / %zu test images\n",
              a.model.c_str(), Net::input_shape.to_string().c_str(), Net::param_count, f.preset.c_str(), f.freeze_epochs,
              a.epochs, f.unfreeze_from.empty() ? "the first stage" : f.unfreeze_from.c_str(), a.lr, a.batch,
              a.dtype.c_str(), tn::onednn::threads(), processes_note().c_str(), normalize.c_str(), data.train.size(),
              data.test.size());
  std::fflush(stdout);
  tn::ProgressBar print{.epochs = int(std::ceil(plan.total_epochs())), .held_out = "test", .terminal = progress_on_terminal()};
  auto save = save_each_epoch(a, model);
  tn::HistoryWriter history{leader() ? a.history : ""};
  const auto t0 = std::chrono::steady_clock::now();
  // fastai's Adam: betas (0.9, 0.99), eps 1e-5, decoupled decay
  with_optimizer(a, {.beta1 = 0.9f, .beta2 = 0.99f, .eps = 1e-5f}, [&](auto& opt) {
    tn::FineTuneHooks<Net, std::remove_reference_t<decltype(opt)>> phases(plan, names, opt);
    tn::fit(model, opt, data.train, &data.test, cfg, phases, print, save, history);
  });
  finish_run(a, model, data.test, history, cfg.normalize, "test", seconds_since(t0));
  return 0;
}

// eval, plot and predict: saved weights run in inference.
template <class Net>
int eval_model(const EvalArgs& a) {
  tn::onednn::set_threads(a.threads);
  tn::Model<Net> model({.batch = a.batch});
  const std::string what = tn::io::load_weights(a.weights, model, names_of<Net>(a.model)).what;  // first: before the dataset
  const auto data = a.data.load();
  const auto r = tn::evaluate(model, data.test, {.normalize = a.data.norm()});
  std::printf("model %s, weights %s: test_loss %.4f\n", a.model.c_str(), what.c_str(), r.loss);
  std::printf("test_accuracy=%.4f\n", r.accuracy);
  return 0;
}

// Pictures of a finished run from its weights and (when the folder has one) its history.csv.
template <class Net>
int plot_model(const PlotArgs& a) {
  const auto csv = std::filesystem::path(a.dir) / "history.csv";
  const auto history = std::filesystem::exists(csv) ? tn::read_history_csv(csv) : std::vector<tn::EpochStats>{};
  if (a.weights.empty()) {  // the curves alone
    if (history.empty()) throw tn::Error("typenet: plot: no " + csv.string() + " and no --weights: nothing to draw");
    tn::plot::training_curves(std::filesystem::path(a.dir) / "training_curves.png", history, a.model);
    std::printf("training curves in %s\n", a.dir.c_str());
    return 0;
  }
  tn::Model<Net> model({.batch = 250});
  tn::io::load_weights(a.weights, model, names_of<Net>(a.model));
  const auto data = a.data.load();
  const auto r = tn::write_run_pictures(a.dir, history, model, data.test, a.model, a.data.norm());
  std::printf("model %s, weights %s: test_accuracy=%.4f; pictures in %s\n", a.model.c_str(), a.weights.c_str(), r.accuracy,
              a.dir.c_str());
  return 0;
}

// Top-3 classes of each image (PNG or JPEG, centre-cropped and resized to the network's input).
// Class names are CIFAR-10's unless --classes names a file with one per line.
template <class Net>
int predict_model(const PredictArgs& a) {
  tn::Model<Net> model({.batch = 1});
  tn::io::load_weights(a.weights, model, names_of<Net>(a.model));
  std::vector<std::string> names(tn::cifar10::class_names.begin(), tn::cifar10::class_names.end());
  if (!a.classes.empty()) {
    names.clear();
    std::istringstream in(tn::io::read_text_file(a.classes, "class names file", 1 << 20));
    for (std::string line; std::getline(in, line);)
      if (!line.empty()) names.push_back(line);
  }
  if (int(names.size()) < Net::output_shape.c)
    throw tn::Error("typenet: " + std::to_string(names.size()) + " class names for a network with " +
                    std::to_string(Net::output_shape.c) + " outputs (give --classes FILE)");
  for (const auto& file : a.images) {
    const auto top = tn::predict(model, tn::load_image(file, Net::input_shape), 3, tn::Normalize::preset(a.normalize));
    std::printf("%s:", file.c_str());
    for (auto [label, p] : top) std::printf("  %s %.3f", names[std::size_t(label)].c_str(), p);
    std::printf("\n");
  }
  return 0;
}

template <class Net>
tn::StudyRow study_model(const std::string& name, const tn::Dataset& data, const tn::StudyConfig& config) {
  return tn::run_experiment<Net>(name, data, config);
}
template <class Net>
std::vector<tn::SweepRow> sweep_model(const tn::Dataset& data, const tn::StudyConfig& config,
                                      const std::vector<tn::SweepPoint>& points,
                                      const std::function<void(const tn::SweepRow&)>& on_point) {
  return tn::run_sweep<Net>(data, config, points, on_point);
}
template <class Net> void bench_model(const tn::bench::Settings& s) { tn::bench::throughput<Net>(s); }

// One line of `typenet models`; with `verbose`, the layer table and the parameter table too.
template <class Net> void list_model(const char* name, const char* note, bool verbose) {
  std::printf("%-16s %-13s %12ld %14ld  %s\n", name, Net::input_shape.to_string().c_str(), Net::param_count, Net::macs,
              note);
  if (!verbose) return;
  tn::print_summary<Net>();
  std::printf("  parameters (path: node.part, residual branches as body/shortcut, gates as gate):\n");
  tn::print_parameter_table<Net>();
}

// Every command for a zoo model (models/<name>.cpp).
#define TYPENET_CLI_MODEL(...)                                                                                  \
  template int train_model<__VA_ARGS__>(const TrainArgs&, const tn::io::CheckpointReader*);                     \
  template int eval_model<__VA_ARGS__>(const EvalArgs&);                                                        \
  template int predict_model<__VA_ARGS__>(const PredictArgs&);                                                  \
  template int plot_model<__VA_ARGS__>(const PlotArgs&);                                                        \
  template tn::StudyRow study_model<__VA_ARGS__>(const std::string&, const tn::Dataset&, const tn::StudyConfig&); \
  template std::vector<tn::SweepRow> sweep_model<__VA_ARGS__>(                                                  \
      const tn::Dataset&, const tn::StudyConfig&, const std::vector<tn::SweepPoint>&,                           \
      const std::function<void(const tn::SweepRow&)>&);                                                         \
  template void bench_model<__VA_ARGS__>(const tn::bench::Settings&);                                           \
  template void list_model<__VA_ARGS__>(const char*, const char*, bool)

// A transfer backbone's configurations (zoo::for_each_backbone): at 1000 classes benchmarked,
// evaluated and predicted with; at 10 classes fine-tuned too.
#define TYPENET_CLI_BACKBONE_RUN(...)                                  \
  template int eval_model<__VA_ARGS__>(const EvalArgs&);               \
  template int predict_model<__VA_ARGS__>(const PredictArgs&);         \
  template void list_model<__VA_ARGS__>(const char*, const char*, bool)
#define TYPENET_CLI_BACKBONE_BENCHED(...)                             \
  template void bench_model<__VA_ARGS__>(const tn::bench::Settings&); \
  TYPENET_CLI_BACKBONE_RUN(__VA_ARGS__)
#define TYPENET_CLI_BACKBONE_TUNED(...)                                                     \
  template int finetune_model<__VA_ARGS__>(const FineTuneArgs&, const tn::io::CheckpointReader*); \
  TYPENET_CLI_BACKBONE_RUN(__VA_ARGS__)
