#pragma once
// The machine's FMA peak, measured rather than looked up: `threads` copies of a loop of
// independent fused multiply-adds (16 accumulators hide the FMA latency), f32 on 512-bit
// vectors (256-bit on CPUs with AVX2 and FMA but no AVX-512), and bf16 dot products
// (vdpbf16ps) where the CPU has AVX512-BF16.
#include <immintrin.h>
#include <omp.h>
#include <chrono>

namespace typenet::bench {

struct Peak {
  double f32_gflops = 0;   // 0 when the CPU has neither AVX-512 nor AVX2 with FMA
  double bf16_gflops = 0;  // 0 when the CPU lacks AVX512-BF16
};

__attribute__((target("avx512f"))) inline double fma_f32_loop(long iters) {
  __m512 acc[16];
  for (auto& a : acc) a = _mm512_set1_ps(0.0f);
  const __m512 x = _mm512_set1_ps(0.999999f), y = _mm512_set1_ps(1e-7f);
  for (long i = 0; i < iters; ++i)
    for (auto& a : acc) a = _mm512_fmadd_ps(a, x, y);
  __m512 s = acc[0];
  for (int k = 1; k < 16; ++k) s = _mm512_add_ps(s, acc[k]);
  return _mm512_reduce_add_ps(s);
}

__attribute__((target("avx2,fma"))) inline double fma_f32_loop_avx2(long iters) {
  __m256 acc[16];
  for (auto& a : acc) a = _mm256_set1_ps(0.0f);
  const __m256 x = _mm256_set1_ps(0.999999f), y = _mm256_set1_ps(1e-7f);
  for (long i = 0; i < iters; ++i)
    for (auto& a : acc) a = _mm256_fmadd_ps(a, x, y);
  __m256 s = acc[0];
  for (int k = 1; k < 16; ++k) s = _mm256_add_ps(s, acc[k]);
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, s);
  return double(lanes[0]) + lanes[7];
}

__attribute__((target("avx512f,avx512bf16"))) inline double dpbf16_loop(long iters) {
  __m512 acc[16];
  for (auto& a : acc) a = _mm512_set1_ps(0.0f);
  const __m512bh x = (__m512bh)_mm512_set1_epi16(0x3f80), y = (__m512bh)_mm512_set1_epi16(0x3380);
  for (long i = 0; i < iters; ++i)
    for (auto& a : acc) a = _mm512_dpbf16_ps(a, x, y);
  __m512 s = acc[0];
  for (int k = 1; k < 16; ++k) s = _mm512_add_ps(s, acc[k]);
  return _mm512_reduce_add_ps(s);
}

// flops_per_iter: per thread per loop iteration (16 vectors x 16 lanes x 2, twice that for bf16 pairs).
template <class F>
double measure(F loop, double flops_per_iter, int threads) {
  const long iters = 20'000'000;
  double best = 0, sink = 0;
  for (int rep = 0; rep < 3; ++rep) {
    const auto t0 = std::chrono::steady_clock::now();
#pragma omp parallel num_threads(threads) reduction(+ : sink)
    sink += loop(iters);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    best = std::max(best, flops_per_iter * iters * threads / s / 1e9);
  }
  return sink == 12345.0 ? 0 : best;  // keep the loops alive
}

inline Peak measure_peak(int threads) {
  Peak p;
  if (__builtin_cpu_supports("avx512f")) p.f32_gflops = measure(fma_f32_loop, 16 * 16 * 2, threads);
  else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    p.f32_gflops = measure(fma_f32_loop_avx2, 16 * 8 * 2, threads);
  if (__builtin_cpu_supports("avx512bf16")) p.bf16_gflops = measure(dpbf16_loop, 16 * 32 * 2, threads);
  return p;
}

}  // namespace typenet::bench
