#pragma once
// Learning-rate schedules: the rate for step t of T (t counts from 0), as a pure function.
#include <algorithm>
#include <cmath>

namespace typenet {

// Linear warm-up from 0 to `peak` over `warmup` of the steps, then linear or cosine decay to `final_ratio * peak`.
struct WarmupDecay {
  float peak = 0.1f;
  float warmup = 0.1f;       // fraction of all steps
  float final_ratio = 0.0f;  // end at peak * final_ratio
  bool cosine = false;

  float operator()(long t, long total) const {
    const long w = std::lround(double(warmup) * double(total));  // warm-up steps
    if (t < w) return float(peak * double(t + 1) / double(w));
    const double x = std::clamp(double(t - w) / double(std::max(1L, total - w)), 0.0, 1.0);
    const double f = cosine ? 0.5 * (1 + std::cos(M_PI * x)) : 1 - x;
    return float(peak * (final_ratio + (1 - final_ratio) * f));
  }
};

// One cycle, linear both ways: from start_ratio * peak at step 0 up to peak at `peak_at` of the
// steps, then down to end_ratio * peak at the last step (airbench: 0.2 -> 1 at 23% -> 0.07).
struct OneCycle {
  float peak = 0.1f;
  float peak_at = 0.23f;  // fraction of all steps
  float start_ratio = 0.2f, end_ratio = 0.07f;

  float operator()(long t, long total) const {
    const long w = long(double(peak_at) * double(total));
    const double f = t < w ? start_ratio + (1 - start_ratio) * double(t) / double(w)
                           : 1 + (end_ratio - 1) * std::clamp(double(t - w) / double(std::max(1L, total - w)), 0.0, 1.0);
    return float(peak * f);
  }
};

}  // namespace typenet
