#pragma once
// What the CLI's translation units share: option groups, validators, the command entry points
// (commands.cpp: each picks the model type by name), and the commands for one model type
// (model_commands.hpp), declared here and compiled in one TU per model (models/*.cpp), so that
// every Model<Net> is instantiated once in the build and the models compile in parallel.
#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdlib>
#include <unistd.h>
#include <cstdio>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>
#include <typenet/bench/throughput.hpp>
#include <typenet/data/dataset.hpp>
#include <typenet/io/checkpoint.hpp>
#include <typenet/io/output_path.hpp>
#include <typenet/study/model_tester.hpp>
#include <typenet/study/sweep.hpp>
#include <typenet/train/fine_tune.hpp>
#include <typenet/typenet.hpp>

namespace tn = typenet;

// A number that must be finite and within [lo, hi] (CLI11's own ranges let NaN through).
inline CLI::Validator finite_in(double lo, double hi) {
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
inline const CLI::Validator positive = finite_in(1e-30, 1e30), non_negative = finite_in(0.0, 1e30),
                            fraction = finite_in(0.0, 1.0);

// Where a run's data come from: --data (CIFAR-10, CIFAR-100 or an image folder, detected),
// and how its images are read.
struct DataArgs {
  std::string dir = "data/cifar-10-batches-bin";
  std::size_t limit = 0;          // CIFAR: only the first N images of each file (quick runs)
  std::string labels = "fine";    // CIFAR-100: fine (100 classes) or coarse (20)
  std::string resize;             // image folder: HxW every image is brought to ("" keeps their size)
  std::string normalize = "cifar";

  // with_auto: --normalize also takes "auto" (finetune: the backbone's own).
  void add_to(CLI::App* app, bool with_auto = false) {
    app->add_option("--data", dir, "Dataset directory: CIFAR-10 or CIFAR-100 binaries, or an image folder with "
                                   "train/<class>/ and test/<class>/ (detected)")->capture_default_str();
    app->add_option("--limit", limit, "CIFAR: use only the first N images of each file (quick runs)")
        ->check(CLI::Range(1, 50000));
    app->add_option("--labels", labels, "CIFAR-100: fine (100 classes) or coarse (20)")->capture_default_str()
        ->check(CLI::IsMember({"fine", "coarse"}));
    app->add_option("--resize", resize, "Image folder: bring every image to HxW while reading (e.g. 64x64)");
    std::vector<std::string> presets{"cifar", "imagenet", "pm1", "unit"};
    if (with_auto) presets.push_back("auto");
    app->add_option("--normalize", normalize, std::string("Pixel normalisation: cifar, imagenet, pm1 ([-1,1]) or unit "
                                                          "(x/255)") + (with_auto ? "; auto: the backbone's own" : ""))
        ->capture_default_str()->check(CLI::IsMember(presets));
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
inline tn::Precision precision(const std::string& dtype) {
  if (dtype != "bf16") return tn::Precision::f32;
  if (tn::onednn::has_fast_bf16()) return tn::Precision::bf16;
  std::fprintf(stderr, "typenet: this CPU has no native bf16 (AVX512-BF16); running in f32\n");
  return tn::Precision::f32;
}

// The processes a run is spread over under mpirun (main.cpp, with TYPENET_WITH_MPI); null: one.
tn::Collective* world();
std::size_t gradient_bucket_bytes();  // --allreduce-bucket-mb (train/gradient_sync.hpp)
bool sync_batch_norm();               // --sync-bn: batch norm over the global batch under mpirun
inline bool leader() { return !world() || world()->leader(); }  // prints and writes the files
inline std::string rank_prefix() { return leader() ? "" : "rank " + std::to_string(world()->rank()) + ": "; }
// Whether an MPI launcher (mpirun, or a PMI/PMIx one) started this process.
inline bool launched_by_mpi() { return std::getenv("OMPI_COMM_WORLD_SIZE") || std::getenv("PMI_SIZE") || std::getenv("PMIX_RANK"); }
// The progress bar redraws itself only on a terminal; mpirun hands its processes a pseudo-
// terminal even when the job's output goes to a file, so under it there are epoch lines only.
inline bool progress_on_terminal() { return isatty(fileno(stdout)) && !launched_by_mpi(); }
// This process's share of a global batch, which must split evenly over the processes.
inline int process_batch(int batch) {
  const int ranks = world() ? world()->ranks() : 1;
  if (batch % ranks != 0)
    throw tn::Error("typenet: --batch " + std::to_string(batch) + " does not split evenly over " + std::to_string(ranks) +
                    " processes");
  return batch / ranks;
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

// finetune: a pretrained backbone's weights in, a new 10-way head, two phases (train/fine_tune.hpp).
// The run options (data, batch, lr, wd, optimiser, dtype, seed, save, history, checkpoint) are
// train's; `run.epochs` counts the unfrozen phase.
struct FineTuneArgs {
  TrainArgs run;
  std::string weights, preset = "fastai", unfreeze_from;
  int size = 0;  // the backbone's input size (0: native)
  double freeze_epochs = 1;
  float lr_mult = 100.0f, unfrozen_lr = 1e-5f;
  bool train_frozen_bn = false;

  FineTuneArgs() {
    run.model = "MobileNetV2", run.epochs = 4, run.batch = 64, run.lr = 2e-3f, run.wd = 0.01f;
    run.optimizer = "adamw", run.smoothing = 0.0f, run.data.normalize = "auto";
  }
  tn::FineTunePlan plan() const {
    return {.preset = preset == "keras" ? tn::FineTunePlan::Preset::keras : tn::FineTunePlan::Preset::fastai,
            .freeze_epochs = freeze_epochs, .epochs = double(run.epochs), .lr = run.lr, .lr_mult = lr_mult,
            .keras_unfrozen_lr = unfrozen_lr, .unfreeze_from = unfreeze_from, .train_frozen_bn = train_frozen_bn};
  }
  nlohmann::json to_json() const {
    auto j = run.to_json();
    j["finetune"] = {{"weights", weights}, {"preset", preset}, {"unfreeze_from", unfreeze_from},
                     {"size", size}, {"freeze_epochs", freeze_epochs}, {"lr_mult", lr_mult}, {"unfrozen_lr", unfrozen_lr},
                     {"train_frozen_bn", train_frozen_bn}};
    return j;
  }
  static FineTuneArgs from_checkpoint(const tn::io::CheckpointReader& ck) {
    FineTuneArgs a;
    a.run = TrainArgs::from_checkpoint(ck);
    try {
      const auto j = nlohmann::json::parse(ck.section("run").get_text()).at("finetune");
      a.weights = j.at("weights"), a.preset = j.at("preset"), a.unfreeze_from = j.at("unfreeze_from");
      a.size = j.at("size"), a.freeze_epochs = j.at("freeze_epochs");
      a.lr_mult = j.at("lr_mult"), a.unfrozen_lr = j.at("unfrozen_lr"), a.train_frozen_bn = j.at("train_frozen_bn");
    } catch (const nlohmann::json::exception& e) {
      throw tn::Error("typenet: checkpoint " + ck.name() + " is not of a finetune run (" + e.what() + ")");
    }
    return a;
  }
  tn::CheckpointOptions checkpoint_options() const { return {run.checkpoint, run.checkpoint_every, to_json().dump()}; }
};

struct BenchArgs {
  std::string model = "SeedModel7", mode = "train", dtype = "f32";
  int size = 0;  // backbones: the input size (0: native)
  int batch = 256, threads = 0, steps = 0, repeats = 3;
  bool direct = false;  // f32: no Winograd
};

// study: several zoo models under one configuration.
struct StudyArgs {
  std::string models = "SeedModel7", out = "out/study", dtype = "f32";
  DataArgs data;
  tn::StudyConfig config;
  int epochs = 30;
  float lr = 0.1f, warmup = 0.1f, smoothing = 0.1f;
};

// sweep: one model over batch sizes, learning rates and weight decays.
struct SweepArgs {
  std::string model = "SeedModel7", out = "out/sweep", dtype = "f32", file;
  DataArgs data;
  tn::SweepSpace space;
  tn::StudyConfig config;
  int epochs = 10, random = 0;
  float warmup = 0.1f, smoothing = 0.1f;
};

// eval and predict take any weights file typenet reads (by content); a backbone at --size and
// --num-classes (10 or 1000), other models as they are.
struct EvalArgs {
  std::string model = "SeedModel7", weights;
  DataArgs data;
  int batch = 250, threads = 0, size = 0, num_classes = 10;
};
struct PredictArgs {
  std::string model = "SeedModel7", weights, normalize = "cifar", classes;
  int size = 0, num_classes = 10;
  std::vector<std::string> images;
};
struct PlotArgs {
  std::string model = "SeedModel7", weights, dir;
  DataArgs data;
};

// The commands (0 on success; a typenet::Error for what the user can mend).
int train_command(const TrainArgs& a, const tn::io::CheckpointReader* resume);
int finetune_command(const FineTuneArgs& a, const tn::io::CheckpointReader* resume);
int study_command(StudyArgs& a);
int sweep_command(SweepArgs& a);
int eval_command(const EvalArgs& a);
int predict_command(const PredictArgs& a);
int plot_command(const PlotArgs& a);
int bench_command(const BenchArgs& a);
void models_command(const std::string& name, bool verbose);

// The commands for the network Net (model_commands.hpp). Only declared here: models/<name>.cpp
// instantiates them, and a zoo model or benchmarked backbone without its TU is a link error.
template <class Net> int train_model(const TrainArgs& a, const tn::io::CheckpointReader* resume);
template <class Net> int finetune_model(const FineTuneArgs& a, const tn::io::CheckpointReader* resume);
template <class Net> int eval_model(const EvalArgs& a);
template <class Net> int predict_model(const PredictArgs& a);
template <class Net> int plot_model(const PlotArgs& a);
template <class Net> tn::StudyRow study_model(const std::string& name, const tn::Dataset& data,
                                              const tn::StudyConfig& config);
template <class Net> std::vector<tn::SweepRow> sweep_model(const tn::Dataset& data, const tn::StudyConfig& config,
                                                           const std::vector<tn::SweepPoint>& points,
                                                           const std::function<void(const tn::SweepRow&)>& on_point);
template <class Net> void bench_model(const tn::bench::Settings& s);
template <class Net> void list_model(const char* name, const char* note, bool verbose);

// "typenet: unknown model 'X' (see `typenet models`)"; the CLI exits with status 2 on it.
struct UnknownModel : tn::Error {
  using tn::Error::Error;
};
inline UnknownModel unknown_model(const std::string& name) {
  return UnknownModel("typenet: unknown model '" + name + "' (see `typenet models`)");
}
