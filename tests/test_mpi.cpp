// Data-parallel training on MPI, run by ctest as `mpirun -np 2 test_mpi`: every rank runs every
// test case, in the same order. The oracle of each is the same run in one process, made by each
// rank on its own beside the collective one.
#define CATCH_CONFIG_RUNNER
#include "helpers.hpp"
#include <typenet/dist/mpi.hpp>

using namespace typenet;
using test::synthetic_split;
using test::worst_relative;  // largest |a - b| relative to the largest |b|

namespace {

dist::MpiCollective& world() {
  static dist::MpiCollective w;
  return w;
}

// Rank 0's values, on every rank.
std::vector<float> leaders(std::span<const float> v) {
  std::vector<float> out(v.begin(), v.end());
  world().broadcast({reinterpret_cast<std::uint8_t*>(out.data()), out.size() * sizeof(float)}, 0);
  return out;
}

// Rank 0's text (up to 1000 bytes), on every rank.
std::string leaders_text(const std::string& text) {
  std::vector<std::uint8_t> bytes(1001, 0);
  std::copy_n(text.begin(), std::min<std::size_t>(text.size(), 1000), bytes.begin());
  world().broadcast(bytes, 0);
  return std::string(reinterpret_cast<const char*>(bytes.data()));
}

// No batch norm and no dropout: a data-parallel step is then the single-process step exactly
// (up to the order of f32 sums).
using Plain = Sequential<Input<3, 32, 32>, Conv<8, 3>, ReLU, MaxPool<2>, Conv<16, 3>, ReLU, MaxPool<2>, GlobalAvgPool,
                         Dense<10>>;
using Normed = Sequential<Input<3, 32, 32>, Conv<8, 3>, BatchNorm, ReLU, MaxPool<4>, GlobalAvgPool, Dense<10>>;
// Batch norm as a plain node and fused after a conv (with a GELU after it). Smooth throughout:
// with a ReLU in its place, a pre-activation within f32 rounding of zero lands on the other side
// of the kink in one run and not the other within a few steps here, and the two runs part at
// once by 1e-5 or more (the same happens between the synchronised and the plain batch norm in
// one process). The fused ReLU is checked one step at a time (synced_step_matches_one_process).
using DeepNormed = Sequential<Input<3, 32, 32>, Conv<8, 3>, BatchNorm, GELU, AvgPool<2>, BatchNorm, Conv<16, 3>,
                              BatchNorm, GELU, AvgPool<4>, GlobalAvgPool, Dense<10>>;

// One training step of the synchronised batch norm: each rank holds its half of a batch, and
// together they compute what one process computes on the whole of it. Their summed weight
// gradients are the whole batch's, their input gradients its slices, their statistics its.
template <class Backend>
void synced_step_matches_one_process() {
  using Net = Sequential<Input<4, 6, 6>, Conv<8, 3>, BatchNorm, ReLU, BatchNorm, Conv<6, 3>, BatchNorm, GELU, Flatten,
                         Dense<5>>;
  using T = typename Backend::scalar;
  const int half = 4, rank = world().rank();
  Model<Net, Backend> whole({.batch = 2 * half, .seed = 2, .input_grad = true});
  Model<Net, Backend> part({.batch = half, .seed = 2, .input_grad = true,
                            .batch_norm_sum = batch_norm_sum(&world(), true)});
  test::fill_random(whole.params(), 3, 0.5f);
  std::copy(whole.params().begin(), whole.params().end(), part.params().begin());
  test::fill_random(whole.input(), 4);
  const std::size_t in = Net::input_shape.size(), out = Net::output_shape.size();
  std::copy_n(whole.input().begin() + rank * half * in, half * in, part.input().begin());
  whole.forward(Mode::train);
  part.forward(Mode::train);
  const auto slice = [&](auto all, std::size_t per) { return all.subspan(rank * half * per, half * per); };
  CHECK(worst_relative(part.output(), slice(whole.output(), out)) <= 1e-5);
  test::fill_random(whole.diff_output(), 5);
  std::copy_n(whole.diff_output().begin() + rank * half * out, half * out, part.diff_output().begin());
  whole.backward();
  part.backward();
  std::vector<T> grads(part.grads().begin(), part.grads().end());
  world().sum(std::span<T>(grads));
  CHECK(worst_relative(grads, whole.grads()) <= 1e-5);
  CHECK(worst_relative(part.input_grad(), slice(whole.input_grad(), in)) <= 1e-5);
  CHECK(worst_relative(part.state(), whole.state()) <= 1e-6);
}

// The equality runs: 20 steps of SGD with momentum on 640 synthetic images, global batch 32,
// alone (comm null) or shared out over the processes of comm.
template <class Net>
std::vector<EpochStats> twenty_steps(Model<Net>& m, Collective* comm,
                                     std::size_t bucket_bytes = std::size_t(25) << 20) {
  static const auto train = synthetic_split(640, 1);
  const TrainConfig cfg{.epochs = 20.0 * 32 / 640, .schedule = {.peak = 0.05f, .warmup = 0.2f},
                        .augment = {.pad = 2, .flip = true}, .seed = 4, .collective = comm,
                        .gradient_bucket_bytes = bucket_bytes};
  SGD opt{.momentum = 0.9f, .weight_decay = 5e-4f};
  return fit(m, opt, train, nullptr, cfg);
}

}  // namespace

TEST_CASE("Two processes take the steps of one: parameters after 20 steps agree within 1e-5", "[mpi]") {
  REQUIRE(world().ranks() == 2);
  Model<Plain> single({.batch = 32, .seed = 3});
  twenty_steps(single, nullptr);

  // One sum after backward; one per node with parameters, started as backward leaves it; the default.
  const std::size_t bucket_bytes = GENERATE(std::size_t(0), std::size_t(4), std::size_t(25) << 20);
  Model<Plain> shared({.batch = 16, .seed = 3});
  const auto h = twenty_steps(shared, &world(), bucket_bytes);
  REQUIRE(h.size() == 1);
  CHECK(h[0].steps == 20);
  const double err = worst_relative(shared.params(), single.params());
  WARN("rank " << world().rank() << ": 2 processes against 1 after 20 steps, gradient buckets of " << bucket_bytes
               << " bytes: largest difference " << err << " of the largest parameter");
  CHECK(err <= 1e-5);
  CHECK(worst_relative(shared.params(), leaders(shared.params())) == 0);  // every rank holds the same weights
}

TEST_CASE("Synchronised batch norm: two processes with half a batch each compute one process's step", "[mpi]") {
  synced_step_matches_one_process<Reference<double>>();
  synced_step_matches_one_process<OneDnn>();
}

TEST_CASE("Synchronised batch norm: two processes take the steps of one, statistics included, after 20 steps",
          "[mpi]") {
  Model<DeepNormed> single({.batch = 32, .seed = 3});
  twenty_steps(single, nullptr);
  Model<DeepNormed> shared({.batch = 16, .seed = 3, .batch_norm_sum = batch_norm_sum(&world(), true)});
  twenty_steps(shared, &world());
  const double params = worst_relative(shared.params(), single.params()), state = worst_relative(shared.state(), single.state());
  WARN("rank " << world().rank() << ": synchronised batch norm, 2 processes against 1 after 20 steps: largest "
               << "difference " << params << " of the largest parameter, " << state << " of the largest statistic");
  CHECK(params <= 1e-5);
  CHECK(state <= 1e-5);

  // Per-process batch norm is another computation: the same run differs from one process's.
  Model<DeepNormed> own({.batch = 16, .seed = 3});
  twenty_steps(own, &world());
  CHECK(worst_relative(own.params(), single.params()) > 1e-4);
}

TEST_CASE("Sharded evaluation gives the whole set's loss and accuracy", "[mpi]") {
  const auto test = synthetic_split(301, 2);  // not a multiple of the ranks or the batch
  Model<Normed> m({.batch = 20, .seed = 5});
  const auto alone = evaluate(m, test);
  const auto shared = evaluate(m, test, {.collective = &world()});
  CHECK(shared.accuracy == alone.accuracy);
  CHECK(shared.loss == Approx(alone.loss).epsilon(1e-6));
  std::vector<int> predicted;
  CHECK_THROWS_WITH(evaluate(m, test, {.predicted = &predicted, .collective = &world()}),
                    Catch::Contains("per-image predictions come from one process"));
}

TEST_CASE("Batch-norm statistics are the ranks' average after training, the same everywhere", "[mpi]") {
  const auto train = synthetic_split(400, 3), test = synthetic_split(100, 4);
  Model<Normed> m({.batch = 25, .seed = 6});
  SGD opt{.momentum = 0.9f};
  const auto h = fit(m, opt, train, &test, {.epochs = 2, .schedule = {.peak = 0.1f}, .collective = &world()});
  CHECK(worst_relative(m.state(), leaders(m.state())) == 0);
  CHECK(worst_relative(m.params(), leaders(m.params())) == 0);
  CHECK(h.back().val_accuracy > 0.3);  // chance is 0.1
}

TEST_CASE("A loss or a weight that goes NaN on one rank stops every rank with the same message", "[mpi]") {
  const auto train = synthetic_split(400, 5);
  Model<Plain> m({.batch = 25, .seed = 7});
  SGD opt{};
  struct PoisonRankOne {  // a NaN output bias on rank 1 only, before step 3: its loss is NaN
    void on_step_begin(LoopState& st, Model<Plain>& model) {
      if (world().rank() == 1 && st.step == 3) model.params()[model.params().size() - 1] = std::nanf("");
    }
  };
  const std::string message =
      test::error_of([&] { fit(m, opt, train, nullptr, {.epochs = 1, .collective = &world()}, PoisonRankOne{}); });
  CHECK_THAT(message, Catch::Contains("the loss became") && Catch::Contains("at epoch 1, step 3: training diverged"));
  CHECK(message == leaders_text(message));

  // A weight that only rank 1 holds as NaN (as memory corruption would leave it) is seen at the
  // epoch's end by every rank.
  Model<Plain> w({.batch = 25, .seed = 7});
  struct BreakRankOne {
    void after_step(LoopState& st, Model<Plain>& model) {
      if (world().rank() == 1 && st.step == 2) model.params()[0] = std::nanf("");
    }
  };
  const std::string broken =
      test::error_of([&] { fit(w, opt, train, nullptr, {.epochs = 1, .collective = &world()}, BreakRankOne{}); });
  CHECK_THAT(broken, Catch::Contains("training diverged"));  // at the loss or at the epoch's end
  CHECK(broken == leaders_text(broken));
}

int main(int argc, char** argv) {
  dist::MpiSession mpi(&argc, &argv);
  const int failed = Catch::Session().run(argc, argv);
  int any = failed;
  MPI_Allreduce(&failed, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);  // the job fails where any rank did
  return any ? 1 : 0;
}
