// The airbench94 recipe's pieces, each against what it promises, and a short end-to-end run.
#include <typenet/recipes/airbench94.hpp>
#include <typenet/zoo/airbench94.hpp>
#include "helpers.hpp"

using namespace typenet;
using test::synthetic_split;

TEST_CASE("one-cycle schedule: 0.2x at the start, peak at 23%, 0.07x at the end", "[recipe][schedule]") {
  const OneCycle s{.peak = 2.0f, .peak_at = 0.23f, .start_ratio = 0.2f, .end_ratio = 0.07f};
  const long total = 100;  // peak at step 23
  CHECK(s(0, total) == Approx(0.4));
  CHECK(s(23, total) == Approx(2.0));
  CHECK(s(11, total) == Approx(2.0 * (0.2 + 0.8 * 11.0 / 23.0)));
  CHECK(s(100, total) == Approx(0.14));
  CHECK(s(23 + 77 / 2, total) == Approx(2.0 * (1.0 - 0.93 * 38.0 / 77.0)));
}

TEST_CASE("SGD gradient scales: 0 freezes (no decay either), s scales the gradient only", "[recipe][optim]") {
  SGD opt{.momentum = 0.0f, .nesterov = false, .weight_decay = 0.1f};
  opt.scale = {0.0f, 1.0f, 4.0f};
  std::vector<float> p = {1.0f, 1.0f, 1.0f}, g = {0.5f, 0.5f, 0.5f};
  opt.step(p, g, 0.1f);
  CHECK(p[0] == 1.0f);
  CHECK(p[1] == Approx(1.0f - 0.1f * (0.5f + 0.1f)));
  CHECK(p[2] == Approx(1.0f - 0.1f * (4 * 0.5f + 0.1f)));
  opt.scale = {1.0f};
  CHECK_THROWS_AS(opt.step(p, g, 0.1f), Error);
}

using Tiny = Sequential<Input<3, 32, 32>, Conv<24, 2, 1, 0, true>, GELU, Conv<32, 3>, MaxPool<2>, BatchNorm, GELU,
                        Conv<32, 3>, BatchNorm, GELU, MaxPool<15>, Flatten, Dense<10, false>, Scale<ratio<1, 9>>>;

TEST_CASE("lookahead: moves the slow copy toward the net and the net back to it", "[recipe]") {
  Model<Tiny> m({.batch = 2});
  Lookahead la(m);
  const std::vector<float> start(m.params().begin(), m.params().end());
  for (auto& x : m.params()) x += 1.0f;
  la.update(m, 0.75f);  // ema = start + 0.25
  CHECK(m.params()[5] == Approx(start[5] + 0.25f));
  CHECK(la.params[5] == Approx(start[5] + 0.25f));
  for (auto& x : m.params()) x += 1.0f;
  la.update(m, 1.0f);  // decay 1: the net returns to the slow copy
  CHECK(m.params()[5] == Approx(start[5] + 0.25f));
  la.update(m, 0.0f);  // decay 0: the slow copy takes the net
  CHECK(la.params[7] == m.params()[7]);
}

TEST_CASE("reflect padding and alternating flips in the batcher", "[recipe][data]") {
  const auto split = synthetic_split(4, 9);
  std::vector<float> plain(cifar10::image_bytes), shifted(cifar10::image_bytes), flipped(cifar10::image_bytes);
  const Normalize norm = Normalize::cifar();
  write_image(split.image(0), split.shape, plain.data(), split.shape, {}, false, norm);
  write_image(split.image(0), split.shape, shifted.data(), split.shape, {.dy = -1, .dx = 2}, true, norm);
  // Row 0 reads source row -1 -> 1; column 30 reads source column 32 -> 30, column 31 -> 29.
  CHECK(shifted[0 * 32 + 5] == plain[1 * 32 + 7]);
  CHECK(shifted[4 * 32 + 30] == plain[3 * 32 + 30]);
  CHECK(shifted[4 * 32 + 31] == plain[3 * 32 + 29]);

  // Pad 0: each image's orientation in epoch 1 is the mirror of epoch 0's.
  Batcher b(split, split.shape, 4, 3);
  const Augment aug{.pad = 0, .flip = true, .alternate_flip = true};
  std::vector<float> e0(4 * cifar10::image_bytes), e1(e0.size());
  std::vector<int> l0(4), l1(4);
  b.shuffle();
  b.fill(0, e0, l0, aug);
  b.shuffle();
  b.fill(0, e1, l1, aug);
  for (std::size_t i = 0; i < 4; ++i) {  // find image i of epoch 0 in epoch 1 by its mirror
    bool found = false;
    for (std::size_t j = 0; j < 4 && !found; ++j) {
      bool mirror = true;
      for (int y = 0; y < 32 && mirror; ++y)
        for (int x = 0; x < 32 && mirror; ++x)
          mirror = e0[i * cifar10::image_bytes + y * 32 + x] == e1[j * cifar10::image_bytes + y * 32 + 31 - x];
      found = mirror;
    }
    CHECK(found);
  }
}

TEST_CASE("patch whitening: the first 12 filters decorrelate 2x2 patches to unit variance", "[recipe][init]") {
  const auto split = synthetic_split(200, 21);
  const auto w = patch_whitening_filters<Shape{3, 32, 32}, 2>(split, 200, 5e-4);
  REQUIRE(w.size() == 24 * 12);
  // Second moments of the filter responses over every patch, computed independently here.
  std::vector<double> m(12 * 12, 0.0);
  std::vector<float> img(cifar10::image_bytes);
  long n = 0;
  for (std::size_t i = 0; i < split.size(); ++i) {
    write_image(split.image(i), split.shape, img.data(), split.shape, {}, false, Normalize::cifar());
    for (int y = 0; y < 31; ++y)
      for (int x = 0; x < 31; ++x, ++n) {
        double r[12];
        for (int f = 0; f < 12; ++f) {
          r[f] = 0;
          for (int c = 0; c < 3; ++c)
            for (int ky = 0; ky < 2; ++ky)
              for (int kx = 0; kx < 2; ++kx)
                r[f] += w[f * 12 + (c * 2 + ky) * 2 + kx] * img[(c * 32 + y + ky) * 32 + x + kx];
        }
        for (int a = 0; a < 12; ++a)
          for (int b = 0; b < 12; ++b) m[a * 12 + b] += r[a] * r[b];
      }
  }
  for (int a = 0; a < 12; ++a)
    for (int b = 0; b < 12; ++b) {
      INFO("response moment (" << a << "," << b << ")");
      CHECK(m[a * 12 + b] / n == Approx(a == b ? 1.0 : 0.0).margin(0.02));
    }
  for (int j = 0; j < 12 * 12; ++j) CHECK(w[12 * 12 + j] == -w[j]);  // the negated half
}

TEST_CASE("dirac init: the first C_in filters pass their channel through", "[recipe][init]") {
  using Net = Sequential<Input<4, 6, 6>, Conv<6, 3>>;
  Model<Net> m({.batch = 1});
  const std::vector<float> before(m.params().begin(), m.params().end());
  dirac_init<Net>(m.params());
  test::fill_random(m.input(), 5);
  m.forward(Mode::infer);
  const auto in = m.input();
  const auto out = m.output();
  for (int c = 0; c < 4; ++c)
    for (int i = 0; i < 36; ++i) CHECK(out[c * 36 + i] == Approx(in[c * 36 + i]).margin(1e-6));
  const std::size_t filter = 4 * 9;  // filters 4 and 5 keep their random init
  CHECK(std::equal(before.begin() + 4 * filter, before.end(), m.params().begin() + 4 * filter));
}

TEST_CASE("dirac init reaches a conv that the fusion pass joined with BN and GELU", "[recipe][init]") {
  using Net = Sequential<Input<4, 6, 6>, Conv<6, 3>, BatchNorm, GELU>;
  static_assert(is_op_v<front_t<Net::nodes>, op::ConvBnAct>);
  std::vector<float> p(Net::param_count, 0.5f);
  dirac_init<Net>(p);
  for (int f = 0; f < 6; ++f)
    for (int c = 0; c < 4; ++c)
      for (int k = 0; k < 9; ++k) {
        const float w = p[(f * 4 + c) * 9 + k];
        if (f < 4) CHECK(w == (c == f && k == 4 ? 1.0f : 0.0f));
        else CHECK(w == 0.5f);
      }
}

TEST_CASE("for_each_layer opens fused nodes: Airbench94 has 7 convs and 6 batch norms", "[recipe]") {
  using Net = zoo::Airbench94;
  int convs = 0, norms = 0, fused = 0;
  long params = 0, last_end = 0;
  bool in_order = true;
  for_each_node(Net::nodes{}, [&](auto node, long, long) {
    fused += is_op_v<typename decltype(node)::type, op::ConvBnAct>;
  });
  for_each_layer(Net::nodes{}, [&](auto node, long p, long) {
    using N = typename decltype(node)::type;
    convs += is_op_v<N, op::Conv>;
    norms += is_op_v<N, op::BatchNorm>;
    in_order = in_order && p == last_end;  // each layer's parameters follow the previous one's
    last_end = p + N::params;
    params += N::params;
  });
  CHECK(fused == 3);
  CHECK(convs == 7);
  CHECK(norms == 6);
  CHECK(in_order);
  CHECK(params == Net::param_count);
}

TEST_CASE("airbench94 gradient scales: every BN scale frozen, every BN shift at 64x", "[recipe][optim]") {
  using Net = zoo::Airbench94;
  const auto s = airbench_detail::gradient_scales<Net>(Airbench94Recipe{});
  long frozen = 0, fast = 0;
  for (float x : s) frozen += x == 0.0f, fast += x == 64.0f;
  const long bn_channels = 2 * (64 + 256 + 256);
  CHECK(frozen == 24 * 12 + bn_channels);  // whitening weights and BN scales
  CHECK(fast == bn_channels);
}

TEST_CASE("backward from node k: the same gradients from k on, none before, for both backends", "[recipe]") {
  constexpr std::size_t k = 2;  // Tiny: whitening conv, GELU, then the first trained conv
  CHECK(airbench_detail::first_node_after_whitening<Tiny>() == k);
  Model<Tiny> m({.batch = 4, .seed = 5});
  test::fill_random(m.input(), 6);
  std::vector<int> labels = {1, 2, 3, 4};
  m.forward(Mode::train);
  softmax_cross_entropy(m.output(), labels, 10, 0.0f, m.diff_output());
  m.backward();
  const std::vector<float> full(m.grads().begin(), m.grads().end());
  std::fill(m.grads().begin(), m.grads().end(), 7.0f);
  m.backward(k);
  const long before = front_t<Tiny::nodes>::params;  // node 1 (GELU) has none
  for (long i = 0; i < before; ++i) REQUIRE(m.grads()[i] == 7.0f);
  for (long i = before; i < Tiny::param_count; ++i) REQUIRE(m.grads()[i] == full[i]);
}

TEST_CASE("test-time augmentation: level 0 is plain evaluation; level 2 runs", "[recipe][tta]") {
  const auto data = synthetic_split(300, 31);
  Model<Tiny> m({.batch = 64, .seed = 2});
  const auto plain = evaluate(m, data);
  const auto t0 = evaluate(m, data, {.tta = 0}), t2 = evaluate(m, data, {.tta = 2});
  CHECK(t0.accuracy == Approx(plain.accuracy));
  CHECK(t2.plain_accuracy == Approx(plain.accuracy));
  CHECK(t2.accuracy >= 0.0);
}

TEST_CASE("airbench94 recipe end to end on synthetic data: frozen parts stay, it learns", "[recipe][convergence]") {
  Dataset data{synthetic_split(1280, 41), synthetic_split(256, 42)};
  Airbench94Recipe r{.batch = 64, .epochs = 4.5, .lr = 11.5f, .whiten_images = 500, .seed = 3,
                     .precision = Precision::f32};
  Model<Tiny> m(r.model_options());
  std::vector<EpochStats> seen;
  const auto res = run_airbench94(m, data, r, [&](const EpochStats& s) { seen.push_back(s); });
  CHECK(res.steps == 90);  // ceil(4.5 * 20)
  CHECK(seen.size() == 5);
  const auto w = patch_whitening_filters<Shape{3, 32, 32}, 2>(data.train, 500, 5e-4);
  CHECK(std::equal(w.begin(), w.end(), m.params().begin()));  // whitening weights frozen
  const long bn = 24 * 12 + 24 + 32 * 24 * 9;                  // first BN's scale
  const long fused_bn = bn + 64 + 32 * 32 * 9;                  // the BN fused with the second conv
  for (int c = 0; c < 32; ++c) CHECK(m.params()[bn + c] == 1.0f);
  for (int c = 0; c < 32; ++c) CHECK(m.params()[fused_bn + c] == 1.0f);
  CHECK(m.params()[bn + 32] != 0.0f);  // the shifts train
  CHECK(m.params()[fused_bn + 32] != 0.0f);
  CHECK(seen.back().loss < seen.front().loss);
  CHECK(res.accuracy_tta > 0.5);  // chance is 0.1
}
