#pragma once
// Hyperparameter sweeps over batch size, learning rate and weight decay: a grid, or a seeded
// random search (batch from the list; lr and weight decay log-uniform between the list's
// smallest and largest values). Each point is one run_experiment (validation split, test set
// once); a diverging point is recorded as such and the sweep goes on.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>
#include "typenet/core/rng.hpp"
#include "typenet/io/table.hpp"
#include "typenet/study/model_tester.hpp"

namespace typenet {

struct SweepSpace {
  std::vector<int> batch{256};
  std::vector<float> lr{0.1f}, wd{5e-4f};
};

struct SweepPoint {
  int batch = 256;
  float lr = 0.1f, wd = 5e-4f;
  std::string label() const {
    char b[96];
    std::snprintf(b, sizeof b, "b%d_lr%g_wd%g", batch, double(lr), double(wd));
    return b;
  }
};

struct SweepRow {
  SweepPoint point;
  StudyRow result;
};

inline void check_space(const SweepSpace& s) {
  if (s.batch.empty() || s.lr.empty() || s.wd.empty())
    throw Error("typenet: sweep: batch, lr and wd each need at least one value");
  for (int b : s.batch)
    if (b < 1) throw Error("typenet: sweep: batch sizes must be positive, not " + std::to_string(b));
  for (float v : s.lr)
    if (!(v > 0)) throw Error("typenet: sweep: learning rates must be positive, not " + std::to_string(v));
  for (float v : s.wd)
    if (!(v >= 0)) throw Error("typenet: sweep: weight decays must be non-negative, not " + std::to_string(v));
}

// Every combination, batch slowest.
inline std::vector<SweepPoint> grid_points(const SweepSpace& s) {
  check_space(s);
  std::vector<SweepPoint> pts;
  for (int b : s.batch)
    for (float lr : s.lr)
      for (float wd : s.wd) pts.push_back({b, lr, wd});
  return pts;
}

inline std::vector<SweepPoint> random_points(const SweepSpace& s, int count, std::uint64_t seed) {
  check_space(s);
  Rng rng(seed);
  const auto log_uniform = [&](const std::vector<float>& v) {
    const float lo = *std::min_element(v.begin(), v.end()), hi = *std::max_element(v.begin(), v.end());
    if (lo <= 0) return lo + (hi - lo) * rng.uniform();  // a zero weight decay: uniform instead
    return float(std::exp(std::log(double(lo)) + (std::log(double(hi)) - std::log(double(lo))) * rng.uniform()));
  };
  std::vector<SweepPoint> pts(std::size_t(std::max(count, 0)));
  for (auto& p : pts) {
    p.batch = s.batch[rng.below(std::uint32_t(s.batch.size()))];
    p.lr = log_uniform(s.lr);
    p.wd = log_uniform(s.wd);
  }
  return pts;
}

// Best validation accuracy first; diverged runs last.
inline void sort_sweep(std::vector<SweepRow>& rows) {
  std::stable_sort(rows.begin(), rows.end(), [](const SweepRow& a, const SweepRow& b) {
    if (a.result.diverged != b.result.diverged) return b.result.diverged;
    return a.result.best_val_accuracy > b.result.best_val_accuracy;
  });
}

inline std::string sweep_table(const std::vector<SweepRow>& rows) {
  std::string t = "| rank | batch | lr | wd | epochs | best val acc | test acc | seconds | img/s |\n"
                  "|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  char line[256];
  int rank = 0;
  for (const auto& r : rows) {
    const auto& x = r.result;
    std::snprintf(line, sizeof line, "| %d | %d | %g | %g | %d | %.4f | %s | %.0f | %.0f |\n", ++rank, r.point.batch,
                  double(r.point.lr), double(r.point.wd), x.epochs_run, x.best_val_accuracy,
                  x.diverged ? "diverged" : std::to_string(x.test_accuracy).substr(0, 6).c_str(), x.seconds,
                  x.images_per_s);
    t += line;
  }
  return t;
}

// results.csv, results.md and results.json in `out`.
inline void write_sweep(const std::filesystem::path& out, const std::vector<SweepRow>& rows) {
  std::filesystem::create_directories(out);
  io::Table t({"batch", "lr", "wd", "epochs_run", "best_val_accuracy", "test_accuracy", "seconds", "images_per_s",
               "diverged"});
  for (const auto& [p, x] : rows)
    t.add({p.batch, p.lr, p.wd, x.epochs_run, x.best_val_accuracy, x.test_accuracy, x.seconds, x.images_per_s, x.diverged});
  t.write(out / "results", "the sweep results");
  io::write_atomically(out / "results.md", sweep_table(rows), "the sweep results");
}

// Runs `Net` at each point under `base` (epochs, schedule shape, validation, precision...),
// each run's history in base.out/<point label>/. Returns the rows sorted; after each point the
// results so far are written (a long sweep stopped early keeps them).
template <class Net>
std::vector<SweepRow> run_sweep(const Dataset& data, const StudyConfig& base,
                                const std::vector<SweepPoint>& points,
                                const std::function<void(const SweepRow&)>& on_point = {}) {
  // Every point is checked before the first one trains: a sweep does not stop half-way.
  const std::size_t train_images = data.train.size() > base.val ? data.train.size() - base.val : 0;
  const int ranks = base.train.collective ? base.train.collective->ranks() : 1;
  for (const auto& p : points) {
    if (std::size_t(p.batch) > train_images)
      throw Error("typenet: sweep point " + p.label() + ": batch " + std::to_string(p.batch) + " is larger than the " +
                  std::to_string(train_images) + " training images");
    if (p.batch % ranks != 0)
      throw Error("typenet: sweep point " + p.label() + ": batch " + std::to_string(p.batch) +
                  " does not split evenly over " + std::to_string(ranks) + " processes");
  }
  const bool writes = !base.train.collective || base.train.collective->leader();
  std::vector<SweepRow> rows;
  for (const auto& p : points) {
    StudyConfig cfg = base;
    cfg.batch = p.batch;
    cfg.train.schedule.peak = p.lr;
    cfg.weight_decay = p.wd;
    rows.push_back({p, run_experiment<Net>(p.label(), data, cfg)});
    if (on_point) on_point(rows.back());
    auto sorted = rows;
    sort_sweep(sorted);
    if (!base.out.empty() && writes) write_sweep(base.out, sorted);
  }
  sort_sweep(rows);
  return rows;
}

}  // namespace typenet
