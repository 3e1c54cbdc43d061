// Loss, optimiser, schedule, reproducibility, divergence, and a short convergence run.
#include "helpers.hpp"

using namespace typenet;

TEST_CASE("softmax cross-entropy: value, smoothing and gradient against finite differences", "[train]") {
  std::vector<float> z = {1.0f, -0.5f, 2.0f, 0.1f, 0.3f, 0.2f}, g(6);
  std::vector<int> y = {2, 0};
  const auto r = softmax_cross_entropy(z, y, 3, 0.0f, g);
  const double l0 = -std::log(std::exp(2.0) / (std::exp(1.0) + std::exp(-0.5) + std::exp(2.0)));
  const double l1 = -std::log(std::exp(0.1) / (std::exp(0.1) + std::exp(0.3) + std::exp(0.2)));
  CHECK(r.loss_sum == Approx(l0 + l1).epsilon(1e-6));
  CHECK(r.correct == 1);
  for (float s : {0.0f, 0.2f}) {
    softmax_cross_entropy(z, y, 3, s, g);
    for (int i = 0; i < 6; ++i) {
      auto zp = z, zm = z;
      zp[i] += 1e-3f;
      zm[i] -= 1e-3f;
      std::vector<float> scratch(6);
      const double num = (softmax_cross_entropy(zp, y, 3, s, scratch).loss_sum -
                          softmax_cross_entropy(zm, y, 3, s, scratch).loss_sum) / 2e-3 / 2;  // mean over N=2
      CHECK(g[i] == Approx(num).margin(1e-4));
    }
  }
}

TEST_CASE("warm-up then linear or cosine decay: values at given steps", "[train]") {
  const WarmupDecay lin{.peak = 1.0f, .warmup = 0.1f};
  CHECK(lin(0, 100) == Approx(0.1));
  CHECK(lin(9, 100) == Approx(1.0));
  CHECK(lin(10, 100) == Approx(1.0));
  CHECK(lin(55, 100) == Approx(0.5));
  CHECK(lin(100, 100) == Approx(0.0).margin(1e-7));
  const WarmupDecay cos{.peak = 2.0f, .warmup = 0.0f, .final_ratio = 0.1f, .cosine = true};
  CHECK(cos(0, 100) == Approx(2.0));
  CHECK(cos(50, 100) == Approx(2.0 * (0.1 + 0.9 * 0.5)));
  CHECK(cos(100, 100) == Approx(0.2));
}

TEST_CASE("SGD with Nesterov momentum and weight decay: two steps by hand", "[train]") {
  SGD opt{.momentum = 0.9f, .nesterov = true, .weight_decay = 0.1f};
  std::vector<float> p = {1.0f}, g = {0.5f};
  opt.step(p, g, 0.1f);  // d = 0.5 + 0.1 = 0.6; v = 0.6; p -= 0.1 * (0.6 + 0.54)
  CHECK(p[0] == Approx(1.0 - 0.114));
  opt.step(p, g, 0.1f);  // d = 0.5 + 0.0886 = 0.5886; v = 0.54 + 0.5886; p -= 0.1 * (d + 0.9 v)
  const double d = 0.5 + 0.1 * 0.886, v = 0.9 * 0.6 + d;
  CHECK(p[0] == Approx(0.886 - 0.1 * (d + 0.9 * v)));
}

// Synthetic CIFAR-shaped data: each class has its own colour and stripe direction, plus noise.
static cifar10::Split synthetic_split(std::size_t n, std::uint64_t seed) {
  cifar10::Split s;
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

using TinyNet = Sequential<Input<3, 32, 32>, Conv<16, 3>, BatchNorm, ReLU, MaxPool<2>, Conv<32, 3>, BatchNorm, ReLU,
                           MaxPool<2>, Dropout<ratio<1, 10>>, GlobalAvgPool, Dense<10>>;

TEST_CASE("a short run on 3,000 synthetic images learns far above chance", "[train][convergence]") {
  const auto train = synthetic_split(3000, 1), test = synthetic_split(500, 2);
  Model<TinyNet> m({.batch = 100, .seed = 3});
  SGD opt{.momentum = 0.9f, .weight_decay = 5e-4f};
  const TrainConfig cfg{.epochs = 4, .schedule = {.peak = 0.2f, .warmup = 0.2f}, .augment = {.pad = 2, .flip = true}};
  const auto h = fit(m, opt, train, &test, cfg);
  REQUIRE(h.size() == 4);
  CHECK(h.back().loss < h.front().loss);
  CHECK(h.back().test_accuracy > 0.6);  // chance is 0.1
}

TEST_CASE("training is reproducible from its seed", "[train]") {
  const auto train = synthetic_split(400, 4);
  auto run = [&](std::uint64_t seed) {
    Model<TinyNet> m({.batch = 50, .seed = seed});
    SGD opt{};
    fit(m, opt, train, nullptr, {.epochs = 1, .seed = seed});
    return std::vector<float>(m.params().begin(), m.params().end());
  };
  const auto a = run(7), b = run(7), c = run(8);
  CHECK(a == b);
  CHECK(a != c);
}

TEST_CASE("a diverging run stops with a clear error", "[train]") {
  const auto train = synthetic_split(400, 5);
  Model<TinyNet> m({.batch = 50});
  SGD opt{};
  const TrainConfig cfg{.epochs = 3, .schedule = {.peak = 1e9f, .warmup = 0.0f}};
  CHECK_THROWS_WITH(fit(m, opt, train, nullptr, cfg), Catch::Contains("training diverged"));
}
