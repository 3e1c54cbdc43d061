#pragma once
// ProgressBar: a callback for fit(). On a terminal it redraws one line per epoch as the steps go
// (bar, step, running loss and accuracy, images/s, ETA of the epoch), at most ten times a
// second; at the epoch's end, and only then when the output is not a terminal (CI, a file), it
// prints one plain line with the epoch's statistics.
#include <chrono>
#include <cstdio>
#include <string>
#include <unistd.h>
#include "typenet/train/epoch_stats.hpp"

namespace typenet {

// What fit() tells on_batch_end after each step of an epoch (running means so far).
struct BatchProgress {
  int epoch = 0, epochs = 0;
  long step = 0, steps = 0;  // steps done in this epoch, of `steps`
  double loss = 0, accuracy = 0, images_per_s = 0, seconds = 0;
};

template <class C>
inline constexpr bool has_on_batch_end = requires(C& c, const BatchProgress& p) { c.on_batch_end(p); };

struct ProgressBar {
  int epochs = 0;
  const char* held_out = "val";  // what val_* were measured on
  bool enabled = true;
  bool terminal = isatty(fileno(stdout));
  std::FILE* out = stdout;
  double last_draw = -1;

  void on_batch_end(const BatchProgress& p) {
    if (!enabled || !terminal) return;
    if (p.step < p.steps && p.seconds - last_draw < 0.1) return;
    last_draw = p.seconds;
    constexpr int width = 24;
    const int done = int(width * p.step / p.steps);
    std::string bar(std::size_t(done), '#');
    bar.resize(width, '.');
    const double eta = p.step ? p.seconds / p.step * (p.steps - p.step) : 0;
    std::fprintf(out, "\r\033[Kepoch %d/%d [%s] %ld/%ld  loss %.4f  acc %.4f  %.0f img/s  ETA %d:%02d", p.epoch,
                 p.epochs, bar.c_str(), p.step, p.steps, p.loss, p.accuracy, p.images_per_s, int(eta) / 60,
                 int(eta) % 60);
    std::fflush(out);
  }

  template <class M, class C>
  void on_epoch_end(const EpochStats& s, M&, C&) {
    if (!enabled) return;
    last_draw = -1;
    if (terminal) std::fprintf(out, "\r\033[K");
    std::fprintf(out, "epoch %3d/%d  loss %.4f  acc %.4f  %s_loss %.4f  %s_acc %.4f  lr %.4f  %.0f img/s  %.1f s\n",
                 s.epoch, epochs, s.loss, s.accuracy, held_out, s.val_loss, held_out, s.val_accuracy, s.lr,
                 s.images_per_s, s.seconds);
    std::fflush(out);
  }
};

}  // namespace typenet
