#pragma once
// ModelTester: train and evaluate several model types under one configuration, one row each
// (the seed study's model tester). Every run selects on a validation split carved from the
// training set and touches the test set once, at its end; its history, pictures and weights
// land in out/<name>/. With cfg.train.collective every run is data-parallel over its processes
// (train/loop.hpp): cfg.batch is the global batch, and only the first process writes and prints.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <string>
#include <tuple>
#include <vector>
#include "typenet/data/split.hpp"
#include "typenet/draw/run_pictures.hpp"
#include "typenet/io/table.hpp"
#include "typenet/io/weights.hpp"
#include "typenet/train/callbacks.hpp"
#include "typenet/train/loop.hpp"
#include "typenet/train/optim.hpp"

namespace typenet {

struct StudyConfig {
  TrainConfig train{};
  int batch = 256;
  float momentum = 0.9f, weight_decay = 5e-4f;
  std::size_t val = 5000;  // validation images (stratified); 0: judge epochs on the test set
  int early_stop = 0;      // patience in epochs; 0: off
  Precision precision = Precision::f32;
  bool sync_batch_norm = false;  // data-parallel: batch norm over the global batch (ModelOptions::batch_norm_sum)
  bool progress = false;      // a progress bar on a terminal, one line per epoch otherwise
  std::filesystem::path out;  // results.csv, results.md, <model>/history.{csv,json}; empty: none
};

struct StudyRow {
  std::string model;
  long params = 0, macs = 0;
  int epochs_run = 0;
  double best_val_accuracy = 0, test_accuracy = 0, seconds = 0, images_per_s = 0;
  bool diverged = false;
};

template <class Net>
StudyRow run_experiment(const std::string& name, const Dataset& data, const StudyConfig& cfg,
                        const std::function<void(const EpochStats&)>& on_epoch = {}) {
  ImageSet train, val;
  if (cfg.val) std::tie(train, val) = stratified_split(data.train, cfg.val, cfg.train.seed);
  const ImageSet& fit_on = cfg.val ? train : data.train;
  const ImageSet& judge_on = cfg.val ? val : data.test;
  const int epochs = int(std::ceil(cfg.train.epochs));
  Collective* const comm = cfg.train.collective;  // data-parallel: cfg.batch is the global batch
  const bool writes = !comm || comm->leader();     // the history, pictures and progress: the first process's
  if (comm && cfg.batch % comm->ranks() != 0)
    throw Error("typenet: " + name + ": batch " + std::to_string(cfg.batch) + " does not split evenly over " +
                std::to_string(comm->ranks()) + " processes");

  Model<Net> model({.batch = cfg.batch / (comm ? comm->ranks() : 1), .seed = cfg.train.seed, .precision = cfg.precision,
                    .batch_norm_sum = batch_norm_sum(comm, cfg.sync_batch_norm)});
  SGD opt{.momentum = cfg.momentum, .nesterov = true, .weight_decay = cfg.weight_decay};
  EarlyStopping stop{.patience = cfg.early_stop ? cfg.early_stop : epochs + 1};
  HistoryWriter history{cfg.out.empty() || !writes ? std::filesystem::path{} : cfg.out / name};
  auto report = EachEpoch{[&](const EpochStats& s) { if (on_epoch) on_epoch(s); }};
  ProgressBar bar{.epochs = epochs, .held_out = cfg.val ? "val" : "test", .enabled = cfg.progress && writes};
  if (comm) bar.terminal = false;  // mpirun hands its processes a pseudo-terminal even when the output goes to a file

  StudyRow row{.model = name, .params = Net::param_count, .macs = Net::macs};
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<EpochStats> h;
  try {
    h = fit(model, opt, fit_on, &judge_on, cfg.train, bar, report, history, stop);
  } catch (const Diverged&) {  // a diverging run is a result, not the end of the study
    row.diverged = true;
    h = history.rows;
  }
  row.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  row.epochs_run = int(h.size());
  double img = 0, secs = 0;
  for (const auto& s : h) {
    row.best_val_accuracy = std::max(row.best_val_accuracy, std::isfinite(s.val_accuracy) ? s.val_accuracy : 0.0);
    img += s.images_per_s * s.seconds;
    secs += s.seconds;
  }
  row.images_per_s = secs > 0 ? img / secs : 0;
  if (row.diverged) {
    row.test_accuracy = NAN;
  } else if (cfg.out.empty() || comm) {
    row.test_accuracy = evaluate(model, data.test, {.normalize = cfg.train.normalize, .collective = comm}).accuracy;
  }
  // Alone, a run meets the test set once, for the accuracy and the pictures together. Pictures
  // need every image's prediction in one process, so under a collective the first process
  // evaluates the test set again, alone.
  if (!row.diverged && !cfg.out.empty() && writes) {
    const double accuracy = write_run_pictures(cfg.out / name, h, model, data.test, name, cfg.train.normalize).accuracy;
    if (!comm) row.test_accuracy = accuracy;
    io::save(cfg.out / name / "weights.tnw", model);
  }
  return row;
}

// The comparison table as Markdown (also what the CLI prints).
inline std::string study_table(const std::vector<StudyRow>& rows) {
  std::string t = "| model | params | MACs/image | epochs | best val acc | test acc | seconds | img/s |\n"
                  "|---|---:|---:|---:|---:|---:|---:|---:|\n";
  char line[256];
  for (const auto& r : rows) {
    std::snprintf(line, sizeof line, "| %s | %ld | %ld | %d | %.4f | %s | %.0f | %.0f |\n", r.model.c_str(), r.params,
                  r.macs, r.epochs_run, r.best_val_accuracy,
                  r.diverged ? "diverged" : std::to_string(r.test_accuracy).substr(0, 6).c_str(), r.seconds,
                  r.images_per_s);
    t += line;
  }
  return t;
}

inline void write_study(const std::filesystem::path& out, const std::vector<StudyRow>& rows) {
  std::filesystem::create_directories(out);
  io::Table t({"model", "params", "macs", "epochs_run", "best_val_accuracy", "test_accuracy", "seconds", "images_per_s",
               "diverged"});
  for (const auto& r : rows)
    t.add({r.model, r.params, r.macs, r.epochs_run, r.best_val_accuracy, r.test_accuracy, r.seconds, r.images_per_s,
           r.diverged});
  t.write(out / "results", "the study results");
  io::write_atomically(out / "results.md", study_table(rows), "the study results");
}

// ModelTester<Named<Net, name>...>-style use without names: pass the types and their names.
template <class... Nets, class... Names>
std::vector<StudyRow> test_models(const Dataset& data, const StudyConfig& cfg, Names... names) {
  static_assert(sizeof...(Nets) == sizeof...(Names), "typenet: test_models needs one name per model type");
  std::vector<StudyRow> rows;
  (rows.push_back(run_experiment<Nets>(names, data, cfg)), ...);
  if (!cfg.out.empty()) write_study(cfg.out, rows);
  return rows;
}

}  // namespace typenet
