#pragma once
// Test helpers: random tensors, tolerant comparison, and the finite-difference oracle.
#include <catch2/catch.hpp>
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <system_error>
#include <unistd.h>
#include <span>
#include <string>
#include <vector>
#include <typenet/typenet.hpp>

namespace typenet::test {

// This test process's own directory under the system's temp directory, removed at exit. ctest
// runs test cases as parallel processes, so a fixed path (/tmp/typenet_x) would be shared by two
// cases at once and one would see the other's half-written files.
inline const std::filesystem::path& temp_dir() {
  static const struct Dir {
    std::filesystem::path path = std::filesystem::temp_directory_path() / ("typenet_test." + std::to_string(::getpid()));
    Dir() { std::filesystem::create_directories(path); }
    ~Dir() {
      std::error_code ignored;
      std::filesystem::remove_all(path, ignored);
    }
  } dir;
  return dir.path;
}

// Any writable range of numbers (a std::span, a model's params() view).
template <class R> void fill_random(R&& v, std::uint64_t seed, float scale = 1.0f) {
  Rng r(seed);
  using T = std::remove_reference_t<decltype(*v.begin())>;
  for (auto& x : v) x = T(r.uniform(-scale, scale));
}

// The message of the typenet::Error that f() throws ("" when it throws none).
inline std::string error_of(auto&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

// Largest |a-b| / (atol + rtol*|b|) over the elements: <= 1 means they match.
template <class A, class B> double mismatch(const A& a, const B& b, double atol, double rtol) {
  REQUIRE(a.size() == b.size());
  double worst = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    worst = std::max(worst, std::abs(double(a[i]) - double(b[i])) / (atol + rtol * std::abs(double(b[i]))));
  return worst;
}

// Largest |a - b| over the values, relative to the largest |b|: for whole tensors, where an
// elementwise tolerance does not fit deep networks' f32 accumulation.
template <class A, class B> double worst_relative(const A& a, const B& b) {
  REQUIRE(a.size() == b.size());
  double worst = 0, scale = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    worst = std::max(worst, std::abs(double(a[i]) - double(b[i])));
    scale = std::max(scale, std::abs(double(b[i])));
  }
  return worst / scale;
}

// Finite-difference check of the reference backend in double precision. The loss is
// L = sum(output .* R) for a fixed random R, so d(L)/d(output) = R.
template <class Net>
void gradient_check(int batch = 2, std::uint64_t seed = 11) {
  Model<Net, Reference<double>> m({.batch = batch, .seed = seed, .input_grad = true});
  fill_random(m.input(), seed + 1);
  std::vector<double> r(m.output().size());
  fill_random(std::span<double>(r), seed + 2);
  auto loss = [&] {
    m.forward(Mode::train);
    double l = 0;
    for (std::size_t i = 0; i < r.size(); ++i) l += m.output()[i] * r[i];
    return l;
  };
  loss();
  std::copy(r.begin(), r.end(), m.diff_output().begin());
  m.backward();
  const std::vector<double> grads(m.grads().begin(), m.grads().end());
  const std::vector<double> input_grad(m.input_grad().begin(), m.input_grad().end());

  const double h = 1e-6;
  auto numeric = [&](double& x) {
    const double keep = x;
    x = keep + h;
    const double up = loss();
    x = keep - h;
    const double down = loss();
    x = keep;
    return (up - down) / (2 * h);
  };
  auto check_some = [&](std::span<double> values, const std::vector<double>& analytic, const char* what) {
    const std::size_t stride = std::max<std::size_t>(1, values.size() / 40);  // about 40 probes
    for (std::size_t i = 0; i < values.size(); i += stride) {
      const double n = numeric(values[i]);
      INFO(what << "[" << i << "] numeric " << n << " analytic " << analytic[i]);
      CHECK(std::abs(n - analytic[i]) <= 1e-5 + 1e-4 * std::abs(n));
    }
  };
  if constexpr (Net::param_count > 0) check_some(m.params(), grads, "param");
  check_some(m.input(), input_grad, "input");
}

// oneDNN (f32) against the reference backend (double) on the same weights and inputs: forward
// in training and inference mode, every gradient and the BN running statistics.
template <class Net>
void compare_backends(int batch = 4, double atol = 1e-4, double rtol = 1e-3, bool winograd = true) {
  const ModelOptions o{.batch = batch, .seed = 21, .input_grad = true, .winograd = winograd};
  Model<Net, OneDnn> fast(o);
  Model<Net, Reference<double>> ref(o);
  fill_random(fast.params(), 31, 0.5f);  // also moves BN scale/shift away from 1/0
  std::copy(fast.params().begin(), fast.params().end(), ref.params().begin());
  fill_random(fast.input(), 32);
  std::copy(fast.input().begin(), fast.input().end(), ref.input().begin());

  fast.forward(Mode::train);
  ref.forward(Mode::train);
  CHECK(mismatch(fast.output(), ref.output(), atol, rtol) <= 1);

  fill_random(fast.diff_output(), 33);
  std::copy(fast.diff_output().begin(), fast.diff_output().end(), ref.diff_output().begin());
  fast.backward();
  ref.backward();
  CHECK(mismatch(fast.grads(), ref.grads(), atol, rtol) <= 1);
  CHECK(mismatch(fast.input_grad(), ref.input_grad(), atol, rtol) <= 1);
  CHECK(mismatch(fast.state(), ref.state(), atol, rtol) <= 1);  // BN running statistics

  fast.forward(Mode::infer);  // BN folded into the conv on oneDNN
  ref.forward(Mode::infer);
  CHECK(mismatch(fast.output(), ref.output(), atol, rtol) <= 1);
}


// Synthetic CIFAR-shaped data: each class has its own colour and stripe direction, plus noise.
inline ImageSet synthetic_split(std::size_t n, std::uint64_t seed) {
  ImageSet s = cifar10::empty_set();
  Rng r(seed);
  s.labels.resize(n);
  s.images.resize(n * cifar10::image_bytes);
  for (std::size_t i = 0; i < n; ++i) {
    const int k = int(r.below(10));
    s.labels[i] = std::uint8_t(k);
    for (int c = 0; c < 3; ++c)
      for (int y = 0; y < 32; ++y)
        for (int x = 0; x < 32; ++x) {
          const bool stripe = ((k < 5 ? x : y) / (1 + k % 5)) % 2;
          const float v = 60.0f + 25.0f * ((k + c) % 3) + 50.0f * stripe + r.uniform(-40.0f, 40.0f);
          s.images[i * cifar10::image_bytes + (c * 32 + y) * 32 + x] = std::uint8_t(std::clamp(v, 0.0f, 255.0f));
        }
  }
  return s;
}

}  // namespace typenet::test
