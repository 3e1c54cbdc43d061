// Depthwise convolutions are memory-bound on CPUs: this measures how close they come to the
// machine's memory bandwidth. For MobileNetV2's and EfficientNet-B2's depthwise shapes (batch 32,
// f32, stride 1): oneDNN's own depthwise primitive alone (layouts its choice, input already in
// that layout), and typenet's DepthwiseConv node running the same primitive inside a Model
// (inference; training forward + backward). Bandwidth counts one read of the input and one
// write of the output (weights are tiny); a STREAM-style triad (a = b + s*c, 3 arrays of 128 MB)
// gives the machine's figure. Best of 5 repeats.
//   build/bin/bench_depthwise   (all cores; OMP_NUM_THREADS to change)
#include <omp.h>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <dnnl.hpp>
#include <vector>
#include <typenet/typenet.hpp>

namespace tn = typenet;
using dnnl::memory;
using clock_type = std::chrono::steady_clock;

namespace {

template <class F> double best_seconds(F&& call, int reps = 5) {
  call();
  double best = 1e30;
  for (int r = 0; r < reps; ++r) {
    const auto t0 = clock_type::now();
    call();
    best = std::min(best, std::chrono::duration<double>(clock_type::now() - t0).count());
  }
  return best;
}

double triad_gbs() {
  const long n = 32L << 20;  // 128 MB per array
  std::vector<float> a(n), b(n, 1.0f), c(n, 2.0f);
  const double s = best_seconds([&] {
#pragma omp parallel for schedule(static)
    for (long i = 0; i < n; ++i) a[i] = b[i] + 3.0f * c[i];
  });
  return 3.0 * n * sizeof(float) / s / 1e9;
}

// oneDNN's depthwise primitive alone: (N,C,H,W) -> (N,C,H,W), KxK, stride 1, 'same'.
double onednn_depthwise_seconds(int n, int c, int h, int k) {
  dnnl::engine eng(dnnl::engine::kind::cpu, 0);
  dnnl::stream st(eng);
  const memory::dims x{n, c, h, h}, w{c, 1, 1, k, k}, pad{k / 2, k / 2};
  const memory::desc any_x(x, memory::data_type::f32, memory::format_tag::any);
  const memory::desc any_w(w, memory::data_type::f32, memory::format_tag::any);
  dnnl::convolution_forward::primitive_desc pd(
      {dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct, any_x, any_w, any_x, {1, 1}, pad, pad},
      eng);
  memory src(pd.src_desc(), eng), wei(pd.weights_desc(), eng), dst(pd.dst_desc(), eng);
  std::fill_n(static_cast<float*>(src.get_data_handle()), pd.src_desc().get_size() / 4, 0.5f);
  std::fill_n(static_cast<float*>(wei.get_data_handle()), pd.weights_desc().get_size() / 4, 0.1f);
  dnnl::convolution_forward conv(pd);
  std::printf("    oneDNN picks %s\n", pd.impl_info_str());
  return best_seconds([&] {
    conv.execute(st, {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, wei}, {DNNL_ARG_DST, dst}});
    st.wait();
  });
}

template <int C, int H, int K>
void shape(const char* where, double triad) {
  constexpr int N = 32;
  using Net = tn::Sequential<tn::Input<C, H, H>, tn::DepthwiseConv<1, K>>;
  const double bytes = 2.0 * N * C * H * H * sizeof(float);
  std::printf("%-34s (%d,%d,%d,%d) %dx%d\n", where, N, C, H, H, K, K);
  const double raw = onednn_depthwise_seconds(N, C, H, K);
  tn::Model<Net> m({.batch = N});
  for (auto& v : m.input()) v = 0.5f;
  const double infer = best_seconds([&] { m.forward(tn::Mode::infer); });
  const double train = best_seconds([&] {
    m.forward(tn::Mode::train);
    m.backward();
  });
  std::printf("    oneDNN primitive alone   %7.3f ms  %6.1f GB/s  %4.0f%% of triad\n", raw * 1e3, bytes / raw / 1e9,
              100 * bytes / raw / 1e9 / triad);
  std::printf("    typenet node, inference  %7.3f ms  %6.1f GB/s  %4.0f%% of triad (input reordered from NCHW)\n",
              infer * 1e3, bytes / infer / 1e9, 100 * bytes / infer / 1e9 / triad);
  std::printf("    typenet node, training forward + backward (weights only: the input has no gradient)  %7.3f ms\n",
              train * 1e3);
}

}  // namespace

int main() {
  std::printf("bench_depthwise: %d threads, oneDNN ISA %s\n", omp_get_max_threads(), tn::onednn::isa_name());
  const double triad = triad_gbs();
  std::printf("triad (a = b + s*c, 3 x 128 MB): %.1f GB/s\n", triad);
  shape<144, 56, 3>("MobileNetV2@224 block_2", triad);
  shape<192, 28, 3>("MobileNetV2@224 block_4", triad);
  shape<576, 14, 3>("MobileNetV2@224 block_14", triad);
  shape<288, 33, 5>("EfficientNetB2@260 stage 3 (5x5)", triad);
  shape<1248, 9, 5>("EfficientNetB2@260 stage 6 (5x5)", triad);
}
