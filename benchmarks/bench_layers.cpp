// Per-layer training throughput: each fused Conv-BN-ReLU node of SeedModel7 (and a few
// others) alone, forward + backward at batch 256, in f32 and bf16, as GFLOP/s and as a
// fraction of the FMA peak measured here. Shows which layers hold a network back.
//   build/bin/bench_layers [threads]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <typenet/bench/peak.hpp>
#include <typenet/typenet.hpp>

namespace tn = typenet;

template <int C, int H, int F>
using ConvLayer = tn::Sequential<tn::Input<C, H, H>, tn::Conv<F, 3>, tn::BatchNorm, tn::ReLU>;

template <class Net>
void bench(const char* name, tn::Precision p, const tn::bench::Peak& peak, int batch) {
  tn::Model<Net> m({.batch = batch, .input_grad = Net::input_shape.c > 3, .precision = p});
  tn::Rng r(1);
  for (auto& x : m.input()) x = r.uniform(-1, 1);
  for (auto& d : m.diff_output()) d = r.uniform(-1, 1) * 1e-3f;
  auto step = [&] {
    m.forward(tn::Mode::train);
    m.backward();
  };
  for (int i = 0; i < 2; ++i) step();
  const double flops = 2.0 * Net::macs * batch * (Net::input_shape.c > 3 ? 3 : 2);  // no dX for the image
  const int steps = std::max(3, int(2e11 / flops));
  double best = 1e30;
  for (int rep = 0; rep < 3; ++rep) {
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < steps; ++i) step();
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / steps);
  }
  const bool bf16 = p == tn::Precision::bf16;
  const double gflops = flops / best / 1e9, pk = bf16 ? peak.bf16_gflops : peak.f32_gflops;
  std::printf("%-26s %-4s %8.2f ms/step %7.1f GFLOP/s %5.1f%% of peak\n", name, bf16 ? "bf16" : "f32", best * 1e3,
              gflops, 100 * gflops / pk);
}

int main(int argc, char** argv) {
  tn::onednn::set_threads(argc > 1 ? std::atoi(argv[1]) : 0);
  const auto peak = tn::bench::measure_peak(tn::onednn::threads());
  std::printf("threads %d, batch 256, FMA peak f32 %.0f GFLOP/s, bf16 %.0f GFLOP/s (measured)\n",
              tn::onednn::threads(), peak.f32_gflops, peak.bf16_gflops);
  for (auto p : {tn::Precision::f32, tn::Precision::bf16}) {
    if (p == tn::Precision::bf16 && !tn::onednn::has_fast_bf16()) continue;
    bench<ConvLayer<3, 32, 32>>("conv3x3 3->32 @32x32", p, peak, 256);
    bench<ConvLayer<32, 32, 32>>("conv3x3 32->32 @32x32", p, peak, 256);
    bench<ConvLayer<32, 16, 64>>("conv3x3 32->64 @16x16", p, peak, 256);
    bench<ConvLayer<64, 16, 64>>("conv3x3 64->64 @16x16", p, peak, 256);
    bench<ConvLayer<64, 8, 128>>("conv3x3 64->128 @8x8", p, peak, 256);
    bench<ConvLayer<128, 8, 128>>("conv3x3 128->128 @8x8", p, peak, 256);
    bench<ConvLayer<128, 4, 256>>("conv3x3 128->256 @4x4", p, peak, 256);
    bench<ConvLayer<256, 4, 256>>("conv3x3 256->256 @4x4", p, peak, 256);
  }
}
