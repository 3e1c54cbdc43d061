#pragma once
// Callbacks: plain objects with on_epoch_end(stats, model, control) and optionally
// on_train_end(model), passed to fit() as a pack and called through a fold expression — per
// epoch, never per step, and never through a virtual call.
#include <charconv>
#include <cmath>
#include <filesystem>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>
#include "typenet/core/error.hpp"
#include "typenet/io/bytes.hpp"
#include "typenet/io/read_file.hpp"
#include "typenet/io/table.hpp"
#include "typenet/io/weights.hpp"
#include "typenet/train/epoch_stats.hpp"
#include "typenet/train/loop_state.hpp"

namespace typenet {

enum class Metric { val_accuracy, val_loss };
inline double metric_value(const EpochStats& s, Metric m) { return m == Metric::val_accuracy ? s.val_accuracy : s.val_loss; }
// True when `v` beats `best` by more than min_delta in the metric's direction.
inline bool improves(Metric m, double v, double best, double min_delta) {
  if (std::isnan(best)) return !std::isnan(v);
  return m == Metric::val_accuracy ? v > best + min_delta : v < best - min_delta;
}

// Any callable f(stats) as a callback (printing, logging).
template <class F>
struct EachEpoch {
  F f;
  template <class M> void on_epoch_end(const EpochStats& s, M&, Control&) { f(s); }
};
template <class F> EachEpoch(F) -> EachEpoch<F>;

// Stop after `patience` epochs without improvement; optionally put the best weights back.
struct EarlyStopping {
  Metric monitor = Metric::val_accuracy;
  int patience = 5;
  double min_delta = 0.0;
  bool restore_best = true;

  double best = NAN;
  int best_epoch = 0, waited = 0;
  std::vector<float> best_params, best_state;

  static constexpr const char* state_name = "early_stopping";
  void save_state(io::Bytes& b) const { b.put(best).put(best_epoch).put(waited).put_values(best_params).put_values(best_state); }
  template <class M> void load_state(io::BytesReader r, const M& model) {
    best = r.get<double>(), best_epoch = r.get<int>(), waited = r.get<int>();
    best_params = r.get_values<float>(), best_state = r.get_values<float>();
    r.expect_end();
    if (!best_params.empty() && (best_params.size() != model.params().size() || best_state.size() != model.state().size()))
      r.fail("holds best weights of another network");
  }

  template <class M>
  void on_epoch_end(const EpochStats& s, M& model, Control& c) {
    const double v = metric_value(s, monitor);
    if (improves(monitor, v, best, min_delta)) {
      best = v;
      best_epoch = s.epoch;
      waited = 0;
      if (restore_best) {
        best_params.assign(model.params().begin(), model.params().end());
        best_state.assign(model.state().begin(), model.state().end());
      }
    } else if (++waited >= patience) {
      c.stop = true;
    }
  }
  template <class M>
  void on_train_end(M& model) {
    if (!restore_best || best_params.empty()) return;
    std::copy(best_params.begin(), best_params.end(), model.params().begin());
    std::copy(best_state.begin(), best_state.end(), model.state().begin());
  }
};

// Save the weights (atomically) every epoch, or only when the monitored metric improves.
struct ModelCheckpoint {
  std::filesystem::path path;
  bool best_only = true;
  Metric monitor = Metric::val_accuracy;
  double best = NAN;
  int saved_epoch = 0;

  static constexpr const char* state_name = "model_checkpoint";
  void save_state(io::Bytes& b) const { b.put(best).put(saved_epoch); }
  void load_state(io::BytesReader r) {
    best = r.get<double>(), saved_epoch = r.get<int>();
    r.expect_end();
  }

  template <class M>
  void on_epoch_end(const EpochStats& s, M& model, Control&) {
    const double v = metric_value(s, monitor);
    if (best_only && !improves(monitor, v, best, 0.0)) return;
    best = v;
    io::save(path, model);
    saved_epoch = s.epoch;
  }
};

// Multiply the learning rate by `factor` after `patience` epochs without improvement.
struct ReduceLROnPlateau {
  Metric monitor = Metric::val_loss;
  float factor = 0.1f;
  int patience = 3;
  float min_scale = 1e-3f;
  double best = NAN;
  int waited = 0;

  static constexpr const char* state_name = "reduce_lr_on_plateau";
  void save_state(io::Bytes& b) const { b.put(best).put(waited); }
  void load_state(io::BytesReader r) {
    best = r.get<double>(), waited = r.get<int>();
    r.expect_end();
  }

  template <class M>
  void on_epoch_end(const EpochStats& s, M&, Control& c) {
    const double v = metric_value(s, monitor);
    if (improves(monitor, v, best, 0.0)) {
      best = v;
      waited = 0;
    } else if (++waited >= patience) {
      c.lr_scale = std::max(min_scale, c.lr_scale * factor);
      waited = 0;
    }
  }
};

// The per-epoch history as CSV and JSON in `dir` (history.csv, history.json), rewritten
// after every epoch so that an interrupted run keeps what it did. With an empty dir it only
// keeps the rows.
struct HistoryWriter {
  std::filesystem::path dir;
  std::vector<EpochStats> rows;

  static constexpr const char* state_name = "history";
  void save_state(io::Bytes& b) const { b.put_values(rows); }
  void load_state(io::BytesReader r) {
    rows = r.get_values<EpochStats>();
    r.expect_end();
  }

  static constexpr const char* columns = "epoch,loss,accuracy,val_loss,val_accuracy,lr,images_per_s,seconds";

  template <class M>
  void on_epoch_end(const EpochStats& s, M&, Control&) {
    rows.push_back(s);
    write();
  }

  // Rewrites both files with all rows so far (nothing without a folder).
  void write() const {
    if (dir.empty()) return;
    std::filesystem::create_directories(dir);
    io::Table t({"epoch", "loss", "accuracy", "val_loss", "val_accuracy", "lr", "images_per_s", "seconds"});
    for (const auto& r : rows) t.add({r.epoch, r.loss, r.accuracy, r.val_loss, r.val_accuracy, r.lr, r.images_per_s, r.seconds});
    t.write(dir / "history", "the history");
  }
};

// Reads back the text of a history.csv written by HistoryWriter ("null" is NaN); text in
// another format is an error naming its file (`name`).
inline std::vector<EpochStats> parse_history_csv(const std::string& text, const std::string& name) {
  std::istringstream in(text);
  std::string line;
  if (!std::getline(in, line) || line != HistoryWriter::columns)
    throw Error("typenet: " + name + " is not a typenet history (expected the header " + HistoryWriter::columns + ")");
  std::vector<EpochStats> rows;
  for (long line_no = 2; std::getline(in, line); ++line_no) {
    if (!line.empty() && line.back() == '\r') line.pop_back();  // edited on Windows
    if (line.empty()) continue;
    const auto fail = [&](const std::string& why) {
      throw Error("typenet: " + name + " line " + std::to_string(line_no) + ": " + why);
    };
    double v[8];
    std::size_t at = 0, cells = 0;
    for (; at <= line.size(); ++cells) {
      const std::size_t end = std::min(line.find(',', at), line.size());
      if (cells == 8) fail("more than 8 values");
      const std::string_view cell = std::string_view(line).substr(at, end - at);
      double& x = v[cells];
      if (cell == "null") {
        x = NAN;
      } else {
        const auto [stop, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), x);
        if (ec != std::errc() || stop != cell.data() + cell.size() || cell.empty())
          fail("bad value '" + std::string(cell) + "'");
      }
      at = end + 1;
    }
    if (cells != 8) fail(std::to_string(cells) + " values, expected 8");
    if (!(v[0] >= 0 && v[0] <= 1e9 && v[0] == std::floor(v[0]))) fail("the epoch is not a whole number");
    rows.push_back({.epoch = int(v[0]), .loss = v[1], .accuracy = v[2], .val_loss = v[3], .val_accuracy = v[4],
                    .images_per_s = v[6], .seconds = v[7], .lr = float(v[5])});
  }
  return rows;
}

inline std::vector<EpochStats> read_history_csv(const std::filesystem::path& file) {
  return parse_history_csv(io::read_text_file(file, "history", 1 << 28), file.string());
}

}  // namespace typenet
