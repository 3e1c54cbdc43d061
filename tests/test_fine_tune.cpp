// Fine-tuning: a frozen prefix that runs as in inference, optimiser rate ranges, and the two
// phases of train/fine_tune.hpp on a real backbone (MobileNetV2 at 32x32).
#include "helpers.hpp"
#include <typenet/train/fine_tune.hpp>
#include <typenet/zoo/mobilenet_v2.hpp>
#include <typenet/zoo/reference_names.hpp>

using namespace typenet;
namespace {
using Small = Sequential<Input<3, 8, 8>, Conv<4, 3>, BatchNorm, ReLU, Conv<5, 3>, BatchNorm, ReLU, GlobalAvgPool, Dense<3>>;
}  // namespace

TEST_CASE("A frozen prefix runs as in inference: its BN uses and keeps its running statistics", "[fine-tune]") {
  Model<Small, OneDnn> fast({.batch = 4, .seed = 3});
  Model<Small, Reference<double>> ref({.batch = 4, .seed = 3});
  test::fill_random(fast.params(), 4, 0.5f);
  test::fill_random(fast.state(), 5, 0.3f);
  for (std::size_t i = 4; i < 8; ++i) fast.state()[i] += 1.0f;  // first BN's variances: positive
  for (std::size_t i = 13; i < 18; ++i) fast.state()[i] += 1.0f;
  std::copy(fast.params().begin(), fast.params().end(), ref.params().begin());
  std::copy(fast.state().begin(), fast.state().end(), ref.state().begin());
  test::fill_random(fast.input(), 6);
  std::copy(fast.input().begin(), fast.input().end(), ref.input().begin());
  const std::vector<float> state0(fast.state().begin(), fast.state().end());

  // Everything frozen: training-mode forward = inference, and no statistic moves.
  fast.forward(Mode::infer);
  const std::vector<float> inferred(fast.output().begin(), fast.output().end());
  fast.forward(Mode::train, Small::node_count);
  CHECK(test::mismatch(fast.output(), inferred, 1e-6, 1e-5) <= 1);
  CHECK(std::equal(state0.begin(), state0.end(), fast.state().begin()));

  // The first fused conv-BN-ReLU frozen: its statistics stay, the second BN's move; oneDNN
  // agrees with the reference backend on the output and on the gradients of what trains.
  fast.forward(Mode::train, 1);
  ref.forward(Mode::train, 1);
  CHECK(std::equal(state0.begin(), state0.begin() + 8, fast.state().begin()));
  CHECK(!std::equal(state0.begin() + 8, state0.end(), fast.state().begin() + 8));
  CHECK(test::mismatch(fast.output(), ref.output(), 1e-5, 1e-4) <= 1);
  CHECK(test::mismatch(fast.state(), ref.state(), 1e-5, 1e-4) <= 1);
  test::fill_random(fast.diff_output(), 7);
  std::copy(fast.diff_output().begin(), fast.diff_output().end(), ref.diff_output().begin());
  fast.backward(1);
  ref.backward(1);
  const long first = 4 * 3 * 9 + 8;  // the frozen node's conv weights and BN scale/shift
  CHECK(test::mismatch(std::span<const float>(fast.grads()).subspan(first), std::span<const double>(ref.grads()).subspan(first),
                       1e-5, 1e-4) <= 1);
}

TEST_CASE("Rate ranges: elements outside them are frozen (no step, no decay), inside them lr * rate", "[fine-tune][optim]") {
  std::vector<float> p(10, 1.0f), g(10, 0.5f);
  SGD sgd{.momentum = 0.0f, .nesterov = false, .weight_decay = 0.1f};
  sgd.ranges = {{2, 4, 1.0f}, {6, 8, 0.25f}};
  sgd.step(p, g, 0.1f);
  for (int i : {0, 1, 4, 5, 8, 9}) CHECK(p[std::size_t(i)] == 1.0f);
  CHECK(p[2] == Approx(1.0f - 0.1f * (0.5f + 0.1f)));
  CHECK(p[6] == Approx(1.0f - 0.025f * (0.5f + 0.1f)));

  // Adam's bias correction counts from a range's start: its first step is lr * rate, whatever t is.
  std::vector<float> q(4, 0.0f), gq = {1.0f, -2.0f, 3.0f, -4.0f};
  AdamW adam{.weight_decay = 0.0f};
  adam.ranges = {{0, 2, 1.0f, 0}};
  for (int i = 0; i < 5; ++i) adam.step(q, gq, 0.01f);
  CHECK(q[2] == 0.0f);
  adam.ranges = {{0, 2, 1.0f, 0}, {2, 4, 0.5f, 5}};
  adam.step(q, gq, 0.01f);
  CHECK(q[2] == Approx(-0.005f).epsilon(1e-4));
  CHECK(q[3] == Approx(0.005f).epsilon(1e-4));
  adam.ranges = {{0, 20, 1.0f, 0}};
  CHECK_THAT(test::error_of([&] { adam.step(q, gq, 0.01f); }), Catch::Contains("does not fit 4 parameters"));
}

TEST_CASE("fastai's fine_tune schedule: one cycle on the head, then one cycle at half the rate", "[fine-tune]") {
  const FineTuneSchedule s{{.freeze_epochs = 1, .epochs = 3, .lr = 1e-3f}};
  const long total = 400, b = 100;
  CHECK(s.plan.phase2_start(total) == b);
  CHECK(s(0, total) == Approx(1e-3f / 25));
  CHECK(s(98, total) == Approx(1e-3f).epsilon(1e-3));  // the peak at 99% of phase 1
  CHECK(s(b, total) == Approx(0.5e-3f / 5));          // phase 2 starts at lr/2/div
  CHECK(s(b + 90, total) == Approx(0.5e-3f).epsilon(1e-2));
  CHECK(s(total - 1, total) == Approx(0.5e-3f / 1e5));
  const FineTuneSchedule k{{.preset = FineTunePlan::Preset::keras, .lr = 1e-3f, .keras_unfrozen_lr = 1e-5f}};
  CHECK(k(0, total) == 1e-3f);
  CHECK(k(total - 1, total) == 1e-5f);
}

TEST_CASE("Fine-tuning MobileNetV2: the head alone, then the stages from block_11 at geometric rates", "[fine-tune]") {
  using Net = zoo::MobileNetV2<10, 32>;
  const io::NameMap names = zoo::reference_names("MobileNetV2");
  const auto stages = network_stages<Net>(names);
  const NetworkStage& block11 = stages[stage_index(stages, "block_11")];
  const NetworkStage& head = stages.back();
  CHECK(head.name == "head");
  CHECK(head.param_end == Net::param_count);
  CHECK_THAT(test::error_of([&] { stage_index(stages, "block_99"); }),
             Catch::Contains("no stage 'block_99'; the stages are stem, expanded_conv, block_1,"));

  Model<Net> m({.batch = 8, .seed = 1});
  AdamW opt{.weight_decay = 0.0f};
  const FineTunePlan plan{.freeze_epochs = 1, .epochs = 1, .lr = 1e-3f, .unfreeze_from = "block_11"};
  FineTuneHooks<Net, AdamW> hooks(plan, names, opt);
  LoopState st{.step = 0, .steps_per_epoch = 4, .total_steps = 8};
  hooks.on_step_begin(st, m);
  CHECK(st.frozen_nodes == head.first_node);
  CHECK(st.inference_nodes == head.first_node);
  REQUIRE(opt.ranges.size() == 1);
  CHECK(opt.ranges[0].begin == head.param_begin);
  st.step = 4;
  hooks.on_step_begin(st, m);
  CHECK(st.frozen_nodes == block11.first_node);
  CHECK(opt.ranges.front().begin == block11.param_begin);
  CHECK(opt.ranges.front().rate == Approx(0.01f));  // slice(lr/100, lr): the first unfrozen stage
  CHECK(opt.ranges.front().since == 4);
  CHECK(opt.ranges.back().rate == 1.0f);
  CHECK(opt.ranges[3].rate == Approx(std::pow(0.01, 4.0 / 7.0)).epsilon(1e-5));  // block_14 of 7 steps to the head

  // A real run of one frozen and one unfrozen epoch.
  ImageSet train = test::synthetic_split(32, 3);
  const std::vector<float> p0(m.params().begin(), m.params().end()), s0(m.state().begin(), m.state().end());
  LoopConfig<FineTuneSchedule> cfg{.epochs = plan.total_epochs(), .schedule = {plan}, .normalize = Normalize::minus_one_one()};
  fit(m, opt, train, nullptr, cfg, hooks);
  const auto changed = [&](long b, long e) {
    for (long i = b; i < e; ++i)
      if (m.params()[std::size_t(i)] != p0[std::size_t(i)]) return true;
    return false;
  };
  CHECK(!changed(0, block11.param_begin));  // below block_11: never trained
  CHECK(changed(block11.param_begin, head.param_begin));
  CHECK(changed(head.param_begin, Net::param_count));
  // The frozen stages' BN statistics did not move (their BN ran on them); the unfrozen ones' did.
  long frozen_state = 0;
  walk<Net>([&](auto, const LayerInfo& l) {
    if (l.param_offset < block11.param_begin) frozen_state = l.state_offset + l.state;
  });
  CHECK(std::equal(s0.begin(), s0.begin() + frozen_state, m.state().begin()));
  CHECK(!std::equal(s0.begin() + frozen_state, s0.end(), m.state().begin() + frozen_state));
}
