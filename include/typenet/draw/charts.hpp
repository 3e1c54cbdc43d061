#pragma once
// The pictures people look at after training, as PNG files (draw/canvas.hpp):
//   training_curves:   loss and accuracy against epoch, train and held out;
//   confusion_matrix:  true class (rows) against predicted class (columns), counts shaded per row;
//   prediction_grid:   test images with predicted and true labels, mistakes framed in red.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <span>
#include <string>
#include <vector>
#include "typenet/data/image_set.hpp"
#include "typenet/draw/canvas.hpp"
#include "typenet/train/epoch_stats.hpp"

namespace typenet::plot {

namespace detail {

inline std::string fmt(double v, const char* f = "%.2f") {
  char b[32];
  std::snprintf(b, sizeof b, f, v);
  return b;
}

struct Series {
  std::vector<double> y;
  Rgb colour;
  const char* label;
};

// One panel: axes with ticks, one polyline per series (NaN points skipped), a legend.
inline void panel(Canvas& c, int x0, int y0, int w, int h, const char* title, int epochs,
                  const std::vector<Series>& series, bool legend_low) {
  double lo = INFINITY, hi = -INFINITY;
  for (const auto& s : series)
    for (double v : s.y)
      if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  if (!std::isfinite(lo)) lo = 0, hi = 1;
  if (hi - lo < 1e-6) lo -= 0.5, hi += 0.5;
  const double pad = 0.05 * (hi - lo);
  lo -= pad, hi += pad;
  const int left = x0 + 70, right = x0 + w - 15, top = y0 + 40, bottom = y0 + h - 45;
  c.text(x0 + (w - Canvas::text_width(title)) / 2, y0 + 10, title, black);
  for (int i = 0; i <= 4; ++i) {  // horizontal grid and y labels
    const double v = lo + (hi - lo) * i / 4;
    const int y = bottom - int((bottom - top) * double(i) / 4);
    c.rect(left, y, right, y + 1, light);
    const auto s = fmt(v, hi - lo > 5 ? "%.1f" : "%.3f");
    c.text(left - 8 - Canvas::text_width(s), y - 6, s, black);
  }
  const auto xpos = [&](int e) { return left + (right - left) * (epochs > 1 ? double(e - 1) / (epochs - 1) : 0.5); };
  const int step = std::max(1, (epochs + 9) / 10);
  for (int e = 1; e <= epochs; e += step) {
    const auto s = std::to_string(e);
    c.rect(int(xpos(e)), bottom, int(xpos(e)) + 1, bottom + 5, black);
    c.text(int(xpos(e)) - Canvas::text_width(s) / 2, bottom + 9, s, black);
  }
  c.text(x0 + (w - Canvas::text_width("epoch")) / 2, bottom + 27, "epoch", black);
  c.frame(left, top, right + 1, bottom + 1, black);
  const auto ypos = [&](double v) { return bottom - (bottom - top) * (v - lo) / (hi - lo); };
  int legend_y = legend_low ? bottom - 12 - 20 * int(series.size()) : top + 8;
  for (const auto& s : series) {
    bool any = false;
    for (std::size_t i = 0; i < s.y.size(); ++i) {
      if (!std::isfinite(s.y[i])) continue;
      any = true;
      const int e = int(i) + 1;
      if (i > 0 && std::isfinite(s.y[i - 1])) c.line(xpos(e - 1), ypos(s.y[i - 1]), xpos(e), ypos(s.y[i]), s.colour);
      c.rect(int(xpos(e)) - 2, int(ypos(s.y[i])) - 2, int(xpos(e)) + 3, int(ypos(s.y[i])) + 3, s.colour);
    }
    if (!any) continue;
    c.rect(right - 150, legend_y + 5, right - 125, legend_y + 8, s.colour);
    c.text(right - 118, legend_y, s.label, black);
    legend_y += 20;
  }
}

inline Rgb shade(double f) {  // 0: white, 1: dark blue
  f = std::clamp(f, 0.0, 1.0);
  return {std::uint8_t(255 - f * 225), std::uint8_t(255 - f * 170), std::uint8_t(255 - f * 90)};
}

}  // namespace detail

// Loss (left) and accuracy (right) per epoch, of training and of the held-out set the history's
// val_* columns measured (`held_out` names it in the legend: "validation", "test").
inline void training_curves(const std::filesystem::path& file, std::span<const EpochStats> history,
                            const std::string& title = "", const std::string& held_out = "validation") {
  Canvas c(1000, 440);
  if (!title.empty()) c.text((1000 - Canvas::text_width(title)) / 2, 6, title, black);
  std::vector<double> loss, val_loss, acc, val_acc;
  for (const auto& s : history) {
    loss.push_back(s.loss), val_loss.push_back(s.val_loss);
    acc.push_back(s.accuracy), val_acc.push_back(s.val_accuracy);
  }
  const int epochs = int(history.size());
  detail::panel(c, 0, 20, 500, 420, "loss", epochs, {{loss, blue, "train"}, {val_loss, orange, held_out.c_str()}}, false);
  detail::panel(c, 500, 20, 500, 420, "accuracy", epochs, {{acc, blue, "train"}, {val_acc, orange, held_out.c_str()}}, true);
  c.save_png(file);
}

using Confusion = std::vector<std::vector<int>>;  // [true][predicted], classes x classes
inline Confusion confusion(std::span<const int> predicted, std::span<const int> truth, int classes) {
  Confusion m(std::size_t(classes), std::vector<int>(std::size_t(classes), 0));
  for (std::size_t i = 0; i < predicted.size(); ++i)
    if (truth[i] >= 0 && truth[i] < classes && predicted[i] >= 0 && predicted[i] < classes) ++m[truth[i]][predicted[i]];
  return m;
}

// Rows: true class, columns: predicted class; each cell shaded by its share of the row. Cells
// shrink with many classes (CIFAR-100: 100 x 100), and numbers are written while they fit.
inline void confusion_matrix(const std::filesystem::path& file, const Confusion& m,
                             const std::vector<std::string>& names, const std::string& title = "") {
  const int k = int(m.size());
  const int cell = std::clamp(640 / std::max(k, 1), 6, 56), left = 130, top = 60;
  const bool numbers = cell >= 28, labels = cell >= 10;
  Canvas c(left + k * cell + 20, top + k * cell + 70);
  long total = 0, right = 0;
  for (int t = 0; t < k; ++t)
    for (int p = 0; p < k; ++p) total += m[t][p], right += t == p ? m[t][p] : 0;
  const std::string head = (title.empty() ? "" : title + ": ") + "accuracy " +
                           detail::fmt(total ? double(right) / total : 0, "%.4f") + " (rows: true, columns: predicted)";
  c.text(10, 12, head, black);
  const auto name = [&](int i) { return i < int(names.size()) ? names[std::size_t(i)] : std::to_string(i); };
  for (int t = 0; t < k; ++t) {
    long row = 0;
    for (int p = 0; p < k; ++p) row += m[t][p];
    if (labels) c.text(left - 10 - Canvas::text_width(name(t), 1), top + t * cell + cell / 2 - 4, name(t), black, 1);
    for (int p = 0; p < k; ++p) {
      const double f = row ? double(m[t][p]) / double(row) : 0;
      const int x = left + p * cell, y = top + t * cell;
      c.rect(x, y, x + cell, y + cell, detail::shade(f));
      if (numbers) {
        c.frame(x, y, x + cell + 1, y + cell + 1, light);
        const auto v = std::to_string(m[t][p]);
        c.text(x + (cell - Canvas::text_width(v)) / 2, y + cell / 2 - 6, v, f > 0.5 ? white : black);
      }
    }
  }
  if (labels)
    for (int p = 0; p < k; ++p) {
      const int x = left + p * cell + cell / 2;
      c.text(x - Canvas::text_width(name(p), 1) / 2, top + k * cell + 10 + (p % 2) * 14, name(p), black, 1);
    }
  c.save_png(file);
}

// The first `count` images of `set` (scaled to about 96 pixels), "predicted" above "true"
// under each; red frames mark mistakes, green frames correct answers.
inline void prediction_grid(const std::filesystem::path& file, const ImageSet& set, std::span<const int> predicted,
                            int count = 32, int columns = 8) {
  count = std::min<int>(count, int(std::min(set.size(), predicted.size())));
  const int side = std::max(set.shape.h, set.shape.w);
  const int scale = std::max(1, 96 / std::max(side, 1));
  const int iw = set.shape.w * scale, ih = set.shape.h * scale, cw = std::max(iw, 96) + 40, ch = ih + 60;
  const int rows = (count + columns - 1) / columns;
  Canvas c(columns * cw + 20, rows * ch + 50);
  int wrong = 0;
  for (int i = 0; i < count; ++i) wrong += predicted[i] != set.labels[std::size_t(i)];
  c.text(10, 10, "predicted (true) for the first " + std::to_string(count) + " test images: " +
                     std::to_string(wrong) + " wrong, framed red", black);
  const auto name = [&](int i) {
    return i >= 0 && i < set.classes() ? set.class_names[std::size_t(i)] : std::to_string(i);
  };
  for (int i = 0; i < count; ++i) {
    const int x = 10 + (i % columns) * cw + 20, y = 40 + (i / columns) * ch;
    const bool ok = predicted[i] == set.labels[std::size_t(i)];
    c.rect(x - 4, y - 4, x + iw + 4, y + ih + 4, ok ? green : red);
    c.image(x, y, set.image(std::size_t(i)), set.shape.c, set.shape.h, set.shape.w, scale);
    const std::string p = name(predicted[i]), t = "(" + name(set.labels[std::size_t(i)]) + ")";
    c.text(x + (iw - Canvas::text_width(p)) / 2, y + ih + 8, p, ok ? black : red);
    c.text(x + (iw - Canvas::text_width(t, 1)) / 2, y + ih + 28, t, grey, 1);
  }
  c.save_png(file);
}

}  // namespace typenet::plot
