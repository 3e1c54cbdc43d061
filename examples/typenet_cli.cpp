// typenet: the command-line program. `typenet --help` lists the commands.
//   typenet models
//   typenet train --model SeedModel7 --data data/cifar-10-batches-bin --epochs 30 --save model.tnw
//   typenet eval  --model SeedModel7 --weights model.tnw --data data/cifar-10-batches-bin
#include <CLI/CLI.hpp>
#include <cstdio>
#include <algorithm>
#include <sstream>
#include <tuple>
#include <cmath>
#include <typenet/bench/peak.hpp>
#include <nlohmann/json.hpp>
#include <typenet/data/dataset.hpp>
#include <typenet/io/checkpoint.hpp>
#include <typenet/draw/run_pictures.hpp>
#include <typenet/io/output_path.hpp>
#include <typenet/predict.hpp>
#include <typenet/recipes/airbench94.hpp>
#include <typenet/study/sweep_json.hpp>
#include <typenet/typenet.hpp>

namespace tn = typenet;

// A number that must be finite and within [lo, hi] (CLI11's own ranges let NaN through).
static CLI::Validator finite_in(double lo, double hi) {
  return CLI::Validator(
      [lo, hi](std::string& s) -> std::string {
        double v = 0;
        try {
          std::size_t used = 0;
          v = std::stod(s, &used);
          if (used != s.size()) return "'" + s + "' is not a number";
        } catch (const std::exception&) {
          return "'" + s + "' is not a number";
        }
        if (!std::isfinite(v)) return "'" + s + "' is not a finite number";
        if (v < lo || v > hi) return s + " is outside [" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
        return {};
      },
      "FINITE in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
}
static const CLI::Validator positive = finite_in(1e-30, 1e30), non_negative = finite_in(0.0, 1e30),
                            fraction = finite_in(0.0, 1.0);

// Where a run's data come from: --data (CIFAR-10, CIFAR-100 or an image folder, detected),
// and how its images are read.
struct DataArgs {
  std::string dir = "data/cifar-10-batches-bin";
  std::size_t limit = 0;          // CIFAR: only the first N images of each file (quick runs)
  std::string labels = "fine";    // CIFAR-100: fine (100 classes) or coarse (20)
  std::string resize;             // image folder: HxW every image is brought to ("" keeps their size)
  std::string normalize = "cifar";

  void add_to(CLI::App* app) {
    app->add_option("--data", dir, "Dataset directory: CIFAR-10 or CIFAR-100 binaries, or an image folder with "
                                   "train/<class>/ and test/<class>/ (detected)")->capture_default_str();
    app->add_option("--limit", limit, "CIFAR: use only the first N images of each file (quick runs)")
        ->check(CLI::Range(1, 50000));
    app->add_option("--labels", labels, "CIFAR-100: fine (100 classes) or coarse (20)")->capture_default_str()
        ->check(CLI::IsMember({"fine", "coarse"}));
    app->add_option("--resize", resize, "Image folder: bring every image to HxW while reading (e.g. 64x64)");
    app->add_option("--normalize", normalize, "Pixel normalisation: cifar, imagenet, pm1 ([-1,1]) or unit (x/255)")
        ->capture_default_str()->check(CLI::IsMember({"cifar", "imagenet", "pm1", "unit"}));
  }
  tn::Normalize norm() const { return tn::Normalize::preset(normalize); }
  tn::Dataset load() const {
    tn::DataOptions o{.limit = limit,
                      .cifar100_labels = labels == "coarse" ? tn::cifar100::Labels::coarse : tn::cifar100::Labels::fine};
    if (!resize.empty()) {
      const auto x = resize.find('x');
      try {
        if (x == std::string::npos) throw std::invalid_argument(resize);
        o.folder.resize_h = std::stoi(resize.substr(0, x));
        o.folder.resize_w = std::stoi(resize.substr(x + 1));
      } catch (const std::exception&) {
        throw tn::Error("typenet: --resize " + resize + ": expected HxW, e.g. 64x64");
      }
      if (o.folder.resize_h < 1 || o.folder.resize_w < 1 || o.folder.resize_h > 4096 || o.folder.resize_w > 4096)
        throw tn::Error("typenet: --resize " + resize + ": height and width must be in 1..4096");
    }
    return tn::load_dataset(dir, o);
  }
};

// bf16 where the CPU computes it natively; elsewhere a clean fallback to f32.
static tn::Precision precision(const std::string& dtype) {
  if (dtype != "bf16") return tn::Precision::f32;
  if (tn::onednn::has_fast_bf16()) return tn::Precision::bf16;
  std::fprintf(stderr, "typenet: this CPU has no native bf16 (AVX512-BF16); running in f32\n");
  return tn::Precision::f32;
}

struct TrainArgs {
  std::string model = "SeedModel7", save;
  DataArgs data;
  int epochs = 30, batch = 256, threads = 0;
  float lr = 0.1f, wd = 5e-4f, momentum = 0.9f, smoothing = 0.1f, warmup = 0.1f;
  std::uint64_t seed = 1;
  std::string optimizer = "sgd", dtype = "f32";
  bool no_augment = false, resized_crop = false;
  std::size_t val = 0;    // validation images carved from the training set (0: judge on test)
  int early_stop = 0;     // patience in epochs (0: off)
  std::string history;    // folder for history.csv / history.json
  std::string recipe;     // a published recipe with its own hyperparameters (airbench94)
  bool eval_each_epoch = false;  // recipe: plain test accuracy after every epoch (untimed)
  std::string checkpoint;  // the run's whole state, at every epoch end (and every N steps)
  long checkpoint_every = 0;
  std::string resume;      // continue the run of this checkpoint
  std::string isa;         // read from a checkpoint: the kernels its run used (empty: not recorded)

  // Everything that could fail late is checked before any training starts.
  void check_outputs() const {
    if (!save.empty()) tn::io::check_output_file(save, "--save");
    if (!checkpoint.empty()) tn::io::check_output_file(checkpoint, "--checkpoint");
    tn::io::prepare_output_dir(history, "--history");
  }

  // The run's configuration, stored in its checkpoints ("run"): --resume reads it back.
  // `threads` and `isa` are what the run really used: its results depend on them.
  nlohmann::json to_json() const {
    return {{"model", model}, {"save", save}, {"data", data.dir}, {"limit", data.limit}, {"labels", data.labels},
            {"resize", data.resize}, {"normalize", data.normalize}, {"epochs", epochs}, {"batch", batch},
            {"threads", tn::onednn::threads()}, {"isa", tn::onednn::isa_name()}, {"lr", lr}, {"wd", wd}, {"momentum", momentum},
            {"label_smoothing", smoothing}, {"warmup", warmup}, {"seed", seed}, {"optimizer", optimizer},
            {"dtype", dtype}, {"no_augment", no_augment}, {"random_resized_crop", resized_crop}, {"val", val},
            {"early_stop", early_stop}, {"history", history}, {"recipe", recipe},
            {"eval_each_epoch", eval_each_epoch}, {"checkpoint", checkpoint},
            {"checkpoint_every", checkpoint_every}};
  }
  static TrainArgs from_checkpoint(const tn::io::CheckpointReader& ck) {
    TrainArgs a;
    try {
      const auto j = nlohmann::json::parse(ck.section("run").get_text());
      a.model = j.at("model"), a.save = j.at("save"), a.data.dir = j.at("data"), a.data.limit = j.at("limit");
      a.data.labels = j.at("labels"), a.data.resize = j.at("resize"), a.data.normalize = j.at("normalize");
      a.epochs = j.at("epochs"), a.batch = j.at("batch"), a.threads = j.at("threads"), a.lr = j.at("lr");
      a.wd = j.at("wd"), a.momentum = j.at("momentum"), a.smoothing = j.at("label_smoothing");
      a.warmup = j.at("warmup"), a.seed = j.at("seed"), a.optimizer = j.at("optimizer"), a.dtype = j.at("dtype");
      a.no_augment = j.at("no_augment"), a.resized_crop = j.at("random_resized_crop"), a.val = j.at("val");
      a.early_stop = j.at("early_stop"), a.history = j.at("history"), a.recipe = j.at("recipe");
      a.eval_each_epoch = j.at("eval_each_epoch"), a.checkpoint = j.at("checkpoint");
      a.checkpoint_every = j.at("checkpoint_every");
      a.isa = j.value("isa", "");  // checkpoints before the ISA was recorded have none
    } catch (const nlohmann::json::exception& e) {
      throw tn::Error("typenet: checkpoint " + ck.name() + ": its run configuration is unreadable (" +
                      e.what() + "); was it written by `typenet train`?");
    }
    a.resume = ck.name();
    return a;
  }
  tn::CheckpointOptions checkpoint_options() const { return {checkpoint, checkpoint_every, to_json().dump()}; }
};

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

template <class Net>
int eval(const std::string& name, const std::string& weights, const DataArgs& d, int batch, int threads) {
  tn::onednn::set_threads(threads);
  tn::Model<Net> model({.batch = batch});
  tn::io::load(weights, model);  // first: a wrong file should not wait for the dataset
  const auto data = d.load();
  const auto r = tn::evaluate(model, data.test, {.normalize = d.norm()});
  std::printf("model %s, weights %s: test_loss %.4f\n", name.c_str(), weights.c_str(), r.loss);
  std::printf("test_accuracy=%.4f\n", r.accuracy);
  return 0;
}

// Pictures of a finished run from its weights and (when the folder has one) its history.csv.
template <class Net>
int plot(const std::string& name, const std::string& weights, const std::string& dir, const DataArgs& d) {
  const auto csv = std::filesystem::path(dir) / "history.csv";
  const auto history = std::filesystem::exists(csv) ? tn::read_history_csv(csv) : std::vector<tn::EpochStats>{};
  if (weights.empty()) {  // the curves alone
    if (history.empty()) throw tn::Error("typenet: plot: no " + csv.string() + " and no --weights: nothing to draw");
    tn::plot::training_curves(std::filesystem::path(dir) / "training_curves.png", history, name);
    std::printf("training curves in %s\n", dir.c_str());
    return 0;
  }
  tn::Model<Net> model({.batch = 250});
  tn::io::load(weights, model);
  const auto data = d.load();
  const auto r = tn::write_run_pictures(dir, history, model, data.test, name, d.norm());
  std::printf("model %s, weights %s: test_accuracy=%.4f; pictures in %s\n", name.c_str(), weights.c_str(), r.accuracy,
              dir.c_str());
  return 0;
}

struct BenchArgs {
  std::string model = "SeedModel7", mode = "train", dtype = "f32";
  int batch = 256, threads = 0, steps = 0, repeats = 3;
  bool direct = false;  // f32: no Winograd
};

// Top-3 classes of each image (PNG or JPEG, centre-cropped and resized to the network's input).
// Class names are CIFAR-10's unless --classes names a file with one per line.
template <class Net>
int predict(const std::string& weights, const std::vector<std::string>& images, const std::string& normalize,
            const std::string& classes_file) {
  tn::Model<Net> model({.batch = 1});
  tn::io::load(weights, model);
  std::vector<std::string> names(tn::cifar10::class_names.begin(), tn::cifar10::class_names.end());
  if (!classes_file.empty()) {
    names.clear();
    std::istringstream in(tn::io::read_text_file(classes_file, "class names file", 1 << 20));
    for (std::string line; std::getline(in, line);)
      if (!line.empty()) names.push_back(line);
  }
  if (int(names.size()) < Net::output_shape.c)
    throw tn::Error("typenet: " + std::to_string(names.size()) + " class names for a network with " +
                    std::to_string(Net::output_shape.c) + " outputs (give --classes FILE)");
  for (const auto& file : images) {
    const auto top = tn::predict(model, tn::load_image(file, Net::input_shape), 3, tn::Normalize::preset(normalize));
    std::printf("%s:", file.c_str());
    for (auto [label, p] : top) std::printf("  %s %.3f", names[std::size_t(label)].c_str(), p);
    std::printf("\n");
  }
  return 0;
}

// One line: settings, throughput (or latency), achieved GFLOP/s and its fraction of the
// FMA peak measured here. Training counts 3 x forward MACs x 2 FLOPs per image.
template <class Net>
int bench(const BenchArgs& a) {
  tn::onednn::set_threads(a.threads);
  const int threads = tn::onednn::threads();
  const int batch = a.mode == "latency" ? 1 : a.batch;
  tn::Model<Net> m({.batch = batch, .precision = precision(a.dtype), .winograd = !a.direct});
  tn::Rng rng(1);
  for (auto& x : m.input()) x = rng.uniform(-1, 1);
  std::vector<int> labels(batch);
  for (auto& l : labels) l = int(rng.below(Net::output_shape.c));
  tn::SGD opt{};
  auto run_once = [&] {
    if (a.mode == "train") {
      m.forward(tn::Mode::train);
      tn::softmax_cross_entropy(m.output(), labels, Net::output_shape.c, 0.1f, m.diff_output());
      m.backward();
      opt.step(m.params(), m.grads(), 1e-4f);
    } else {
      m.forward(tn::Mode::infer);
    }
  };
  using clock = std::chrono::steady_clock;
  for (int i = 0; i < 3; ++i) run_once();  // warm-up
  const double flops_per_image = 2.0 * double(Net::macs) * (a.mode == "train" ? 3 : 1);
  const bool bf16 = m.options().precision == tn::Precision::bf16;
  // The FMA peak is measured after the timed runs, so that its seconds of full load cannot
  // change the clocks they run at.
  const auto peak_gflops = [&] {
    const auto peak = tn::bench::measure_peak(threads);
    return bf16 ? peak.bf16_gflops : peak.f32_gflops;
  };
  const char* peak_name = bf16 ? "peak_bf16_gflops" : "peak_f32_gflops";
  std::printf("bench model=%s mode=%s dtype=%s%s batch=%d threads=%d isa=%s ", a.model.c_str(), a.mode.c_str(),
              bf16 ? "bf16" : "f32", a.direct && !bf16 ? " conv=direct" : "", batch, threads, tn::onednn::isa_name());
  if (a.mode == "latency") {  // per repeat: the median of >= 300 calls; the best repeat is reported
    double best_median = 1e30, best_p90 = 0;
    for (int r = 0; r < a.repeats; ++r) {
      std::vector<double> ms;
      for (int i = 0; i < std::max(a.steps, 300); ++i) {
        const auto t0 = clock::now();
        run_once();
        ms.push_back(std::chrono::duration<double, std::milli>(clock::now() - t0).count());
      }
      std::sort(ms.begin(), ms.end());
      if (ms[ms.size() / 2] < best_median) {
        best_median = ms[ms.size() / 2];
        best_p90 = ms[ms.size() * 9 / 10];
      }
    }
    const double gflops = flops_per_image / (best_median * 1e-3) / 1e9, peak = peak_gflops();
    std::printf("repeats=%d latency_ms_median=%.4f p90=%.4f gflops=%.1f %s=%.0f fraction=%.3f\n", a.repeats,
                best_median, best_p90, gflops, peak_name, peak, gflops / peak);
    return 0;
  }
  // About 1 TFLOP of work per repeat (a few seconds here) unless --steps says otherwise.
  const int steps = a.steps ? a.steps : std::max(3, int(1e12 / (flops_per_image * batch)));
  double best = 0;
  for (int r = 0; r < a.repeats; ++r) {
    const auto t0 = clock::now();
    for (int i = 0; i < steps; ++i) run_once();
    best = std::max(best, steps * batch / std::chrono::duration<double>(clock::now() - t0).count());
  }
  const double gflops = best * flops_per_image / 1e9, peak = peak_gflops();
  std::printf("steps=%d repeats=%d img_s=%.1f gflops=%.1f %s=%.0f fraction=%.3f\n", steps, a.repeats, best, gflops,
              peak_name, peak, gflops / peak);
  return 0;
}

int main(int argc, char** argv) {
  CLI::App app{"typenet: train and run convolutional networks declared as C++ types"};
  app.require_subcommand(1);

  auto* models = app.add_subcommand("models", "List the model zoo with parameters and MACs per image");
  bool verbose = false;
  std::string model_name;
  models->add_flag("-v,--verbose", verbose, "Print each model's layer table and its parameter table (every tensor's "
                                            "name, shape and offset)");
  models->add_option("name", model_name, "Only this model");

  TrainArgs ta;
  auto* tr = app.add_subcommand("train", "Train a zoo model; ends with test_accuracy=...");
  // A repeated option takes its last value: `scripts/main.sh --epochs 5` overrides the script's --epochs 30.
  tr->option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  tr->add_option("--model", ta.model, "Model name (see `typenet models`)")->capture_default_str();
  ta.data.add_to(tr);
  tr->add_option("--epochs", ta.epochs, "Epochs")->capture_default_str()->check(CLI::Range(1, 100000));
  tr->add_option("--batch", ta.batch, "Batch size")->capture_default_str()->check(CLI::Range(1, 65536));
  tr->add_option("--lr", ta.lr, "Peak learning rate")->capture_default_str()->check(positive);
  tr->add_option("--wd", ta.wd, "Weight decay")->capture_default_str()->check(non_negative);
  tr->add_option("--momentum", ta.momentum, "SGD Nesterov momentum")->capture_default_str()->check(fraction);
  tr->add_option("--label-smoothing", ta.smoothing, "Label smoothing")->capture_default_str()->check(fraction);
  tr->add_option("--warmup", ta.warmup, "Fraction of steps of linear warm-up, then linear decay to 0")
      ->capture_default_str()->check(fraction);
  tr->add_option("--optimizer", ta.optimizer, "sgd (Nesterov) or adamw")->capture_default_str()
      ->check(CLI::IsMember({"sgd", "adamw"}));
  tr->add_option("--seed", ta.seed, "Seed of weights, shuffling, augmentation, dropout")->capture_default_str();
  tr->add_option("--threads", ta.threads, "Threads (0: all cores)")->capture_default_str()->check(CLI::Range(0, 4096));
  tr->add_option("--save", ta.save, "Write weights here after every epoch (atomically)");
  tr->add_option("--dtype", ta.dtype, "f32, or bf16 (f32 master weights; falls back to f32 without AVX512-BF16)")
      ->capture_default_str()->check(CLI::IsMember({"f32", "bf16"}));
  tr->add_flag("--no-augment", ta.no_augment, "Disable random crop and flip");
  tr->add_flag("--random-resized-crop", ta.resized_crop, "Augment with torchvision's RandomResizedCrop (scale "
                                                        "0.08-1, ratio 3/4-4/3) instead of pad-and-crop");
  tr->add_option("--val", ta.val, "Validation images carved from the training set, stratified and seeded "
                                  "(e.g. 5000); the test set is then used once, at the end")->check(CLI::Range(0, 10000000));
  tr->add_option("--early-stop", ta.early_stop, "Stop after this many epochs without a better validation "
                                                "accuracy and restore the best weights (needs --val)")
      ->check(CLI::Range(1, 100000));
  tr->add_option("--history", ta.history, "Write history.csv and history.json (per epoch) into this folder");
  tr->add_option("--recipe", ta.recipe, "airbench94: Airbench94 with its published recipe (whitening and identity "
                                        "init, lookahead, TTA; its own batch, epochs and lr; bf16 recommended)")
      ->check(CLI::IsMember({"airbench94"}));
  tr->add_flag("--eval-each-epoch", ta.eval_each_epoch, "With --recipe: print the plain test accuracy after every "
                                                        "epoch (not counted in the run's time)");
  tr->add_option("--checkpoint", ta.checkpoint, "Write the run's whole state here at every epoch's end (atomically); "
                                                "`train --resume FILE` continues it");
  tr->add_option("--checkpoint-every", ta.checkpoint_every, "Also write the checkpoint every N steps")
      ->check(CLI::Range(1L, 100000000L));
  tr->add_option("--resume", ta.resume, "Continue the run saved in this checkpoint, with its own options (no other "
                                        "option may be given): the result is that of the uninterrupted run");

  std::string inspect_file;
  auto* in = app.add_subcommand("inspect", "Check a weights (.tnw) or checkpoint (.tnc) file and list what it holds");
  in->add_option("file", inspect_file, "The file")->required();

  std::string em = "SeedModel7", ew;
  DataArgs ed;
  int eb = 250, et = 0;
  auto* ev = app.add_subcommand("eval", "Evaluate saved weights on the test set");
  ev->add_option("--model", em, "Model name")->capture_default_str();
  ev->add_option("--weights", ew, "Weights file written by train --save")->required();
  ed.add_to(ev);
  ev->add_option("--batch", eb, "Batch size")->capture_default_str()->check(CLI::Range(1, 65536));
  ev->add_option("--threads", et, "Threads (0: all cores)")->capture_default_str()->check(CLI::Range(0, 4096));

  BenchArgs ba;
  auto* bn = app.add_subcommand("bench", "Measure training/inference throughput or batch-1 latency (one line)");
  bn->add_option("--model", ba.model, "Model name")->capture_default_str();
  bn->add_option("--mode", ba.mode, "train, infer or latency (batch 1)")->capture_default_str()
      ->check(CLI::IsMember({"train", "infer", "latency"}));
  bn->add_option("--dtype", ba.dtype, "f32 or bf16")->capture_default_str()->check(CLI::IsMember({"f32", "bf16"}));
  bn->add_option("--batch", ba.batch, "Batch size")->capture_default_str()->check(CLI::Range(1, 65536));
  bn->add_option("--threads", ba.threads, "Threads (0: all cores)")->capture_default_str()->check(CLI::Range(0, 4096));
  bn->add_option("--steps", ba.steps, "Steps per repeat (0: about 1 TFLOP of work)")->check(CLI::Range(0, 10000000));
  bn->add_option("--repeats", ba.repeats, "Repeats; the best is reported")->capture_default_str()
      ->check(CLI::Range(1, 100));
  bn->add_flag("--direct", ba.direct, "f32: direct convolutions only (by default 3x3 ones use oneDNN's Winograd "
                                      "kernels where it has them)");

  std::string pm = "SeedModel7", pw, pnorm = "cifar", pclasses;
  std::vector<std::string> pimages;
  auto* pr = app.add_subcommand("predict", "Classify PNG/JPEG images: top-3 classes with probabilities");
  pr->add_option("--model", pm, "Model name")->capture_default_str();
  pr->add_option("--weights", pw, "Weights file written by train --save")->required();
  pr->add_option("--normalize", pnorm, "Pixel normalisation used in training: cifar, imagenet, pm1, unit")
      ->capture_default_str()->check(CLI::IsMember({"cifar", "imagenet", "pm1", "unit"}));
  pr->add_option("--classes", pclasses, "File with one class name per line (default: CIFAR-10's)");
  pr->add_option("images", pimages, "Image files")->required();

  // study: several zoo models under one configuration, one row each.
  std::string smodels = "SeedModel7", sout = "out/study", sdtype = "f32";
  DataArgs sdata;
  tn::StudyConfig sc;
  int sepochs = 30;
  float slr = 0.1f, swarm = 0.1f, ssmooth = 0.1f;
  auto* st = app.add_subcommand("study", "Train and evaluate several models under one configuration; prints a table");
  st->add_option("--models", smodels, "Comma-separated zoo names")->capture_default_str();
  sdata.add_to(st);
  st->add_option("--epochs", sepochs, "Epochs per model")->capture_default_str()->check(CLI::Range(1, 100000));
  st->add_option("--batch", sc.batch, "Batch size")->capture_default_str()->check(CLI::Range(1, 65536));
  st->add_option("--lr", slr, "Peak learning rate (warm-up then linear decay)")->capture_default_str()->check(positive);
  st->add_option("--warmup", swarm, "Warm-up fraction")->capture_default_str()->check(fraction);
  st->add_option("--wd", sc.weight_decay, "Weight decay")->capture_default_str()->check(non_negative);
  st->add_option("--label-smoothing", ssmooth, "Label smoothing")->capture_default_str()->check(fraction);
  st->add_option("--val", sc.val, "Validation images carved from the training set (0: none)")->capture_default_str()
      ->check(CLI::Range(0, 10000000));
  st->add_option("--early-stop", sc.early_stop, "Patience in epochs (0: off)")->capture_default_str()
      ->check(CLI::Range(0, 100000));
  st->add_option("--seed", sc.train.seed, "Seed")->capture_default_str();
  st->add_option("--dtype", sdtype, "f32 or bf16")->capture_default_str()->check(CLI::IsMember({"f32", "bf16"}));
  st->add_option("--out", sout, "Output folder: results.csv, results.md, <model>/history.*")->capture_default_str();

  // sweep: one model over batch sizes, learning rates and weight decays.
  std::string swm = "SeedModel7", swout = "out/sweep", swdtype = "f32", swfile;
  DataArgs swdata;
  tn::SweepSpace space;
  tn::StudyConfig swc;
  int swepochs = 10, swrandom = 0;
  float swwarm = 0.1f, swsmooth = 0.1f;
  auto* sw = app.add_subcommand("sweep", "Tune batch size, learning rate and weight decay of one model (grid or "
                                         "seeded random search); prints the runs sorted by validation accuracy");
  sw->add_option("--model", swm, "Model name")->capture_default_str();
  sw->add_option("--batch", space.batch, "Batch sizes, comma-separated")->delimiter(',')->capture_default_str()
      ->check(CLI::Range(1, 65536));
  sw->add_option("--lr", space.lr, "Peak learning rates, comma-separated")->delimiter(',')->capture_default_str()
      ->check(positive);
  sw->add_option("--wd", space.wd, "Weight decays, comma-separated")->delimiter(',')->capture_default_str()
      ->check(non_negative);
  sw->add_option("--config", swfile, "JSON file {\"batch\": [...], \"lr\": [...], \"wd\": [...]} (replaces the lists)");
  sw->add_option("--random", swrandom, "Random search: this many points (batch from the list, lr and wd "
                                       "log-uniform between the list's extremes); 0: the full grid")
      ->capture_default_str()->check(CLI::Range(0, 100000));
  sw->add_option("--epochs", swepochs, "Epochs per run")->capture_default_str()->check(CLI::Range(1, 100000));
  sw->add_option("--warmup", swwarm, "Warm-up fraction")->capture_default_str()->check(fraction);
  sw->add_option("--label-smoothing", swsmooth, "Label smoothing")->capture_default_str()->check(fraction);
  sw->add_option("--val", swc.val, "Validation images carved from the training set")->capture_default_str()
      ->check(CLI::Range(0, 10000000));
  sw->add_option("--seed", swc.train.seed, "Seed of the runs and of the random search")->capture_default_str();
  sw->add_option("--dtype", swdtype, "f32 or bf16")->capture_default_str()->check(CLI::IsMember({"f32", "bf16"}));
  swdata.add_to(sw);
  sw->add_option("--out", swout, "Output folder: results.{csv,md,json}, <point>/history.*")->capture_default_str();

  std::string plm = "SeedModel7", plw, pld;
  DataArgs pldata;
  auto* pl = app.add_subcommand("plot", "Pictures of a run: training curves (from DIR/history.csv), confusion "
                                        "matrix and a prediction grid on the test set, as PNG files in DIR");
  pl->add_option("--model", plm, "Model name")->capture_default_str();
  pl->add_option("--weights", plw, "Weights file (without: the training curves only)");
  pl->add_option("--dir", pld, "Run folder (history.csv is read from it, the PNGs written to it)")->required();
  pldata.add_to(pl);

  CLI11_PARSE(app, argc, argv);
  try {
    if (models->parsed()) {
      std::printf("%-12s %12s %14s\n", "model", "params", "MACs/image");
      bool any = false;
      tn::zoo::for_each_model([&](auto t, const char* name) {
        using Net = typename decltype(t)::type;
        if (!model_name.empty() && model_name != name) return;
        any = true;
        std::printf("%-12s %12ld %14ld\n", name, Net::param_count, Net::macs);
        if (verbose) {
          tn::print_summary<Net>();
          std::printf("  parameters (path: node.part, residual branches as body/shortcut):\n");
          tn::print_parameter_table<Net>();
        }
      });
      if (!any) throw tn::Error("typenet: unknown model '" + model_name + "' (see `typenet models`)");
      return 0;
    }
    if (in->parsed()) {
      const auto head = tn::io::read_file(inspect_file, "file", std::uintmax_t(1) << 36);
      if (head.size() >= 8 && std::string(head.begin(), head.begin() + 8) == "TYPENETC") {
        const tn::io::CheckpointReader ck(inspect_file);
        std::printf("%s: typenet checkpoint, every section intact\n", inspect_file.c_str());
        for (const auto& [name, bytes] : ck.sections()) std::printf("  %-32s %12zu bytes\n", name.c_str(), bytes);
        std::printf("run: %s\n", ck.section("run").get_text().c_str());
        return 0;
      }
      throw tn::Error("typenet: inspect: " + inspect_file + " is not a typenet checkpoint (weights files are checked "
                      "by `typenet eval --weights`)");
    }
    if (tr->parsed() && !ta.resume.empty()) {
      for (const CLI::Option* o : tr->get_options())
        if (o->count() > 0 && o->get_name() != "--resume")
          throw tn::Error("typenet: train --resume takes the run's options from the checkpoint; " + o->get_name() +
                          " cannot be given with it");
      const tn::io::CheckpointReader ck(ta.resume);
      const TrainArgs saved = TrainArgs::from_checkpoint(ck);
      if (!saved.isa.empty() && saved.isa != tn::onednn::isa_name())
        std::fprintf(stderr, "typenet: warning: checkpoint %s was written with oneDNN's %s kernels, this machine runs "
                     "%s: the run goes on, but not bit-identically to one left alone\n", ta.resume.c_str(),
                     saved.isa.c_str(), tn::onednn::isa_name());
      int rc = 2;
      const bool found = tn::zoo::visit_model(saved.model, [&](auto t) { rc = train<typename decltype(t)::type>(saved, &ck); });
      if (!found) throw tn::Error("typenet: checkpoint " + ta.resume + " is of an unknown model '" + saved.model + "'");
      return rc;
    }
    if (tr->parsed() && ta.early_stop && !ta.val)
      throw tn::Error("typenet: --early-stop needs --val (early stopping never looks at the test set)");
    if (st->parsed()) {
      sc.train.epochs = sepochs;
      sc.train.schedule = {.peak = slr, .warmup = swarm};
      sc.train.label_smoothing = ssmooth;
      sc.train.normalize = sdata.norm();
      sc.precision = precision(sdtype);
      sc.out = sout;
      sc.progress = true;
      tn::io::prepare_output_dir(sc.out, "--out");
      const auto data = sdata.load();
      std::vector<tn::StudyRow> rows;
      std::stringstream names(smodels);
      for (std::string name; std::getline(names, name, ',');) {
        const bool found = tn::zoo::visit_model(name, [&](auto t) {
          using Net = typename decltype(t)::type;
          std::printf("== %s\n", name.c_str());
          std::fflush(stdout);
          rows.push_back(tn::run_experiment<Net>(name, data, sc));
          tn::write_study(sc.out, rows);  // after each model: a long study stopped early keeps its rows
        });
        if (!found) throw tn::Error("typenet: unknown model '" + name + "' (see `typenet models`)");
      }
      std::printf("\n%s\nresults in %s\n", tn::study_table(rows).c_str(), sc.out.string().c_str());
      return 0;
    }
    if (sw->parsed()) {
      if (!swfile.empty()) space = tn::read_sweep_json(swfile);
      const auto points = swrandom ? tn::random_points(space, swrandom, swc.train.seed) : tn::grid_points(space);
      swc.train.epochs = swepochs;
      swc.train.schedule.warmup = swwarm;
      swc.train.label_smoothing = swsmooth;
      swc.train.normalize = swdata.norm();
      swc.precision = precision(swdtype);
      swc.out = swout;
      swc.progress = true;
      tn::io::prepare_output_dir(swc.out, "--out");
      const auto data = swdata.load();
      std::vector<tn::SweepRow> rows;
      const bool found = tn::zoo::visit_model(swm, [&](auto t) {
        using Net = typename decltype(t)::type;
        std::printf("sweep of %s: %zu runs of %d epochs\n", swm.c_str(), points.size(), swepochs);
        rows = tn::run_sweep<Net>(data, swc, points, [](const tn::SweepRow& r) {
          std::printf("== %s: best val acc %.4f%s\n", r.point.label().c_str(), r.result.best_val_accuracy,
                      r.result.diverged ? " (diverged)" : "");
          std::fflush(stdout);
        });
      });
      if (!found) throw tn::Error("typenet: unknown model '" + swm + "' (see `typenet models`)");
      std::printf("\n%s\nresults in %s\n", tn::sweep_table(rows).c_str(), swout.c_str());
      return 0;
    }
    const std::string& name = tr->parsed()   ? ta.model
                              : bn->parsed() ? ba.model
                              : pr->parsed() ? pm
                              : pl->parsed() ? plm
                                             : em;
    int rc = 2;
    const bool found = tn::zoo::visit_model(name, [&](auto t) {
      using Net = typename decltype(t)::type;
      rc = tr->parsed()   ? train<Net>(ta)
           : bn->parsed() ? bench<Net>(ba)
           : pr->parsed() ? predict<Net>(pw, pimages, pnorm, pclasses)
           : pl->parsed() ? plot<Net>(name, plw, pld, pldata)
                          : eval<Net>(em, ew, ed, eb, et);
    });
    if (!found) {
      std::fprintf(stderr, "typenet: unknown model '%s' (see `typenet models`)\n", name.c_str());
      return 2;
    }
    return rc;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
}
