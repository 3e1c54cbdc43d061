#pragma once
// `typenet bench`'s measurement, for any network type: training or inference images per
// second, or batch-1 latency, with the achieved GFLOP/s and its fraction of the FMA peak
// measured here. One line on stdout. Training counts 3 x forward MACs x 2 FLOPs per image.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>
#include "typenet/bench/peak.hpp"
#include "typenet/model.hpp"
#include "typenet/train/loss.hpp"
#include "typenet/train/optim.hpp"

namespace typenet::bench {

struct Settings {
  std::string label;            // the model's name as printed
  std::string mode = "train";   // train, infer, latency (batch 1)
  Precision precision = Precision::f32;
  int batch = 256, threads = 0, steps = 0, repeats = 3;
  bool direct = false;          // f32: no Winograd
};

template <class Net>
void throughput(const Settings& a) {
  onednn::set_threads(a.threads);
  const int threads = onednn::threads();
  const int batch = a.mode == "latency" ? 1 : a.batch;
  Model<Net> m({.batch = batch, .precision = a.precision, .winograd = !a.direct});
  Rng rng(1);
  for (auto& x : m.input()) x = rng.uniform(-1, 1);
  std::vector<int> labels(batch);
  for (auto& l : labels) l = int(rng.below(Net::output_shape.c));
  SGD opt{};
  auto run_once = [&] {
    if (a.mode == "train") {
      m.forward(Mode::train);
      softmax_cross_entropy(m.output(), labels, Net::output_shape.c, 0.1f, m.diff_output());
      m.backward();
      opt.step(m.params(), m.grads(), 1e-4f);
    } else {
      m.forward(Mode::infer);
    }
  };
  using clock = std::chrono::steady_clock;
  for (int i = 0; i < 3; ++i) run_once();  // warm-up
  const double flops_per_image = 2.0 * double(Net::macs) * (a.mode == "train" ? 3 : 1);
  const bool bf16 = m.options().precision == Precision::bf16;
  // The FMA peak is measured after the timed runs, so that its seconds of full load cannot
  // change the clocks they run at.
  const auto peak_gflops = [&] {
    const auto peak = measure_peak(threads);
    return bf16 ? peak.bf16_gflops : peak.f32_gflops;
  };
  const char* peak_name = bf16 ? "peak_bf16_gflops" : "peak_f32_gflops";
  std::printf("bench model=%s mode=%s dtype=%s%s batch=%d threads=%d isa=%s ", a.label.c_str(), a.mode.c_str(),
              bf16 ? "bf16" : "f32", a.direct && !bf16 ? " conv=direct" : "", batch, threads, onednn::isa_name());
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
    return;
  }
  // About 1 TFLOP of work per repeat (a few seconds here) unless steps says otherwise.
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
  // Where the memory went: GB of kept buffers (activations, workspaces, weight copies), of the
  // gradients' shared arena (and what they would take unshared), of the scratchpad, of the flat
  // parameter/gradient/state buffers.
  const auto b = m.buffer_bytes();
  std::printf("buffers_gb kept=%.3f gradients=%.3f (unshared %.3f) scratchpad=%.3f flat=%.3f\n", b.kept / 1e9,
              b.gradients / 1e9, b.gradients_unshared / 1e9, b.scratchpad / 1e9, b.flat / 1e9);
}

}  // namespace typenet::bench
