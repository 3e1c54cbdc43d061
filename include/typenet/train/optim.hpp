#pragma once
// Optimisers: one loop over the flat parameter buffer. The learning rate comes from the
// schedule each step; weight decay is PyTorch's for SGD (L2 added to the gradient) and
// decoupled (AdamW: p -= lr * wd * p) for AdamW.
#include <algorithm>
#include <cmath>
#include <span>
#include <string>
#include <vector>
#include "typenet/core/error.hpp"
#include "typenet/io/bytes.hpp"

namespace typenet {

// A range [begin, end) of the flat parameter buffer trained at lr * rate, weight decay included
// (a PyTorch parameter group with that rate). With ranges set, elements outside all of them are
// frozen: no step, no decay, no moment. `since` is the optimiser step at which the range began
// training: Adam's bias correction counts from there, as PyTorch's per-parameter state would.
struct RateRange {
  long begin = 0, end = 0;
  float rate = 1.0f;
  long since = 0;
};

namespace detail {
inline void check_ranges(const std::vector<RateRange>& ranges, std::size_t params, const char* optimiser) {
  for (const RateRange& r : ranges)
    if (r.begin < 0 || r.end < r.begin || std::size_t(r.end) > params || !(r.rate >= 0) || !std::isfinite(r.rate))
      throw Error(std::string("typenet: ") + optimiser + " rate range [" + std::to_string(r.begin) + ", " +
                  std::to_string(r.end) + ") at rate " + std::to_string(r.rate) + " does not fit " +
                  std::to_string(params) + " parameters");
}
}  // namespace detail

struct SGD {
  float momentum = 0.9f;
  bool nesterov = true;
  float weight_decay = 5e-4f;
  // Per-element gradient scale (empty: all 1). 0 freezes an element: no step, no decay; s > 0
  // scales its gradient but not its decay, like a PyTorch group with lr*s and weight_decay/s.
  std::vector<float> scale;
  std::vector<RateRange> ranges;  // empty: every element at rate 1
  std::vector<float> velocity;

  void save_state(io::Bytes& b) const { b.put_values(velocity).put_values(scale); }
  // Each vector is empty (not begun) or as long as the model's parameters.
  template <class M> void load_state(io::BytesReader r, const M& model) {
    const std::size_t params = model.params().size();
    velocity = r.get_values<float>();
    scale = r.get_values<float>();
    r.expect_end();
    if (!velocity.empty() && velocity.size() != params) r.fail("holds momentum for another network");
    if (!scale.empty() && scale.size() != params) r.fail("holds gradient scales for another network");
  }

  void step(std::span<float> p, std::span<const float> g, float lr) {
    if (velocity.size() != p.size()) velocity.assign(p.size(), 0.0f);
    if (!scale.empty() && scale.size() != p.size()) throw Error("typenet: SGD::scale has the wrong size");
    if (ranges.empty()) return update(p, g, lr, 0, p.size());
    detail::check_ranges(ranges, p.size(), "SGD");
    for (const RateRange& r : ranges)
      if (r.rate > 0) update(p, g, lr * r.rate, std::size_t(r.begin), std::size_t(r.end));
  }

 private:
  void update(std::span<float> p, std::span<const float> g, float lr, std::size_t begin, std::size_t end) {
    float* v = velocity.data();
    const float* s = scale.empty() ? nullptr : scale.data();
    const float mu = momentum, wd = weight_decay;
    if (!s) {
#pragma omp parallel for simd
      for (std::size_t i = begin; i < end; ++i) {
        const float d = g[i] + wd * p[i];
        v[i] = mu * v[i] + d;
        p[i] -= lr * (nesterov ? d + mu * v[i] : v[i]);
      }
      return;
    }
#pragma omp parallel for simd
    for (std::size_t i = begin; i < end; ++i) {
      const float on = s[i] != 0.0f ? 1.0f : 0.0f;
      const float d = s[i] * g[i] + on * wd * p[i];
      v[i] = on * (mu * v[i] + d);
      p[i] -= on * lr * (nesterov ? d + mu * v[i] : v[i]);
    }
  }
};

struct AdamW {
  float beta1 = 0.9f, beta2 = 0.999f, eps = 1e-8f;
  float weight_decay = 0.01f;
  std::vector<RateRange> ranges;  // empty: every element at rate 1
  std::vector<float> m, v;
  long t = 0;

  void save_state(io::Bytes& b) const { b.put_values(m).put_values(v).put(t); }
  template <class M> void load_state(io::BytesReader r, const M& model) {
    const std::size_t params = model.params().size();
    m = r.get_values<float>();
    v = r.get_values<float>(m.size());
    t = r.get<long>();
    r.expect_end();
    if (!m.empty() && m.size() != params) r.fail("holds moments for another network");
    if (t < 0 || (m.empty() && t != 0)) r.fail("holds step " + std::to_string(t));
  }

  void step(std::span<float> p, std::span<const float> g, float lr) {
    if (m.size() != p.size()) { m.assign(p.size(), 0.0f); v.assign(p.size(), 0.0f); t = 0; }
    ++t;
    if (ranges.empty()) return update(p, g, lr, 0, p.size(), t);
    detail::check_ranges(ranges, p.size(), "AdamW");
    for (const RateRange& r : ranges)
      if (r.rate > 0) update(p, g, lr * r.rate, std::size_t(r.begin), std::size_t(r.end), std::max(1L, t - r.since));
  }

 private:
  void update(std::span<float> p, std::span<const float> g, float lr, std::size_t begin, std::size_t end, long steps) {
    const float c1 = 1.0f / (1.0f - std::pow(beta1, float(steps))), c2 = 1.0f / (1.0f - std::pow(beta2, float(steps)));
#pragma omp parallel for simd
    for (std::size_t i = begin; i < end; ++i) {
      m[i] = beta1 * m[i] + (1 - beta1) * g[i];
      v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
      p[i] -= lr * (weight_decay * p[i] + m[i] * c1 / (std::sqrt(v[i] * c2) + eps));
    }
  }
};

}  // namespace typenet
