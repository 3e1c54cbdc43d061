#pragma once
// Rng: a small, fully specified generator (splitmix64), so that a seed gives the same
// weights, shuffles and augmentations on every platform and standard library.
#include <cmath>
#include <cstdint>

namespace typenet {

class Rng {
 public:
  explicit Rng(std::uint64_t seed = 0) : state_(seed * 0x9E3779B97F4A7C15ull + 0x632BE59BD9B4E019ull) {}

  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // uniform in [0, 1) with 24 random bits: exact in float.
  float uniform() { return float(next() >> 40) * (1.0f / 16777216.0f); }
  float uniform(float lo, float hi) { return lo + (hi - lo) * uniform(); }
  // uniform integer in [0, n)
  std::uint32_t below(std::uint32_t n) { return std::uint32_t((next() >> 32) * n >> 32); }
  float normal() {  // Box-Muller
    float u1 = uniform(), u2 = uniform();
    return std::sqrt(-2.0f * std::log(1.0f - u1)) * std::cos(6.28318530718f * u2);
  }
  Rng split() { return Rng(next()); }

  // The whole state: a resumed run continues the same stream.
  std::uint64_t state() const { return state_; }
  static Rng from_state(std::uint64_t s) {
    Rng r;
    r.state_ = s;
    return r;
  }

 private:
  std::uint64_t state_;
};

}  // namespace typenet
