#pragma once
// The time of one oneDNN call in a micro-benchmark: one warm-up call, then the best of
// `repeats` timings, each the mean of `calls` calls (the stream waited on after them).
#include <algorithm>
#include <chrono>
#include <dnnl.hpp>

template <class F>
double best_ms(dnnl::stream& stream, F&& call, int calls, int repeats = 3) {
  call();
  double best = 1e30;
  for (int r = 0; r < repeats; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < calls; ++i) call();
    stream.wait();
    best = std::min(best, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() / calls);
  }
  return best;
}
