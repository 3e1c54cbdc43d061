// oneDNN (f32) against the reference backend (double) on the same weights and inputs:
// forward in training and inference mode, and every gradient.
#include "helpers.hpp"

using namespace typenet;

template <class Net>
void compare_backends(int batch = 4, double atol = 1e-4, double rtol = 1e-3) {
  const ModelOptions o{.batch = batch, .seed = 21, .input_grad = true};
  Model<Net, OneDnn> fast(o);
  Model<Net, Reference<double>> ref(o);
  test::fill_random(fast.params(), 31, 0.5f);  // also moves BN scale/shift away from 1/0
  std::copy(fast.params().begin(), fast.params().end(), ref.params().begin());
  test::fill_random(fast.input(), 32);
  std::copy(fast.input().begin(), fast.input().end(), ref.input().begin());

  fast.forward(Mode::train);
  ref.forward(Mode::train);
  CHECK(test::mismatch(fast.output(), ref.output(), atol, rtol) <= 1);

  test::fill_random(fast.diff_output(), 33);
  std::copy(fast.diff_output().begin(), fast.diff_output().end(), ref.diff_output().begin());
  fast.backward();
  ref.backward();
  CHECK(test::mismatch(fast.grads(), ref.grads(), atol, rtol) <= 1);
  CHECK(test::mismatch(fast.input_grad(), ref.input_grad(), atol, rtol) <= 1);
  CHECK(test::mismatch(fast.state(), ref.state(), atol, rtol) <= 1);  // BN running statistics

  fast.forward(Mode::infer);  // BN folded into the conv on oneDNN
  ref.forward(Mode::infer);
  CHECK(test::mismatch(fast.output(), ref.output(), atol, rtol) <= 1);
}

TEST_CASE("oneDNN = reference: Conv", "[backend]") {
  compare_backends<Sequential<Input<3, 9, 9>, Conv<16, 3>>>();
  compare_backends<Sequential<Input<16, 8, 8>, Conv<32, 3, 2, 1, true>>>();
  compare_backends<Sequential<Input<5, 7, 7>, Conv<8, 2, 1, 0, true>>>();
}
TEST_CASE("oneDNN = reference: BatchNorm", "[backend]") { compare_backends<Sequential<Input<16, 5, 5>, BatchNorm>>(); }
TEST_CASE("oneDNN = reference: ReLU, GELU, Scale", "[backend]") {
  compare_backends<Sequential<Input<16, 4, 4>, ReLU>>();
  compare_backends<Sequential<Input<16, 4, 4>, GELU>>();
  compare_backends<Sequential<Input<10>, Scale<ratio<1, 9>>>>();
}
TEST_CASE("oneDNN = reference: pooling", "[backend]") {
  compare_backends<Sequential<Input<16, 8, 8>, MaxPool<2>>>();
  compare_backends<Sequential<Input<16, 7, 7>, MaxPool<3, 2>>>();
  compare_backends<Sequential<Input<16, 6, 6>, AvgPool<2>>>();
  compare_backends<Sequential<Input<16, 4, 4>, GlobalAvgPool>>();
}
TEST_CASE("oneDNN = reference: Flatten and Dense", "[backend]") {
  compare_backends<Sequential<Input<16, 3, 3>, Flatten, Dense<10>>>();
  compare_backends<Sequential<Input<32>, Dense<10, false>>>();
}
TEST_CASE("oneDNN = reference: fused Conv-BatchNorm-ReLU/GELU", "[backend]") {
  compare_backends<Sequential<Input<16, 8, 8>, Conv<32, 3>, BatchNorm, ReLU>>();
  compare_backends<Sequential<Input<16, 8, 8>, Conv<16, 3>, BatchNorm, GELU>>();
}
TEST_CASE("oneDNN = reference: Residual", "[backend]") {
  compare_backends<Sequential<Input<16, 6, 6>, Residual<Sequential<Conv<16, 3>, BatchNorm, ReLU, Conv<16, 3>>>, ReLU>>();
  compare_backends<Sequential<Input<16, 8, 8>, Residual<Sequential<Conv<32, 3, 2>, BatchNorm, ReLU, Conv<32, 3>>,
                                                        Sequential<Conv<32, 1, 2, 0>, BatchNorm>>>>();
}
TEST_CASE("oneDNN = reference: a small whole network", "[backend]") {
  using Net = Sequential<Input<3, 16, 16>, Conv<16, 3>, BatchNorm, ReLU, MaxPool<2>, Conv<32, 3>, BatchNorm, GELU,
                         MaxPool<2>, Residual<Sequential<Conv<32, 3>, BatchNorm, ReLU, Conv<32, 3>>>, GlobalAvgPool,
                         Dense<10>, Scale<ratio<1, 2>>>;
  compare_backends<Net>(8);
}
TEST_CASE("oneDNN dropout: rate, scale, and a backward through the same mask", "[backend]") {
  using N = Sequential<Input<16, 8, 8>, Dropout<ratio<3, 10>>>;
  Model<N> m({.batch = 16, .input_grad = true});
  for (auto& x : m.input()) x = 1.0f;
  m.forward(Mode::train);
  std::size_t zeros = 0;
  for (float y : m.output()) zeros += y == 0.0f;
  const double rate = double(zeros) / double(m.output().size());
  CHECK(rate == Approx(0.3).margin(0.02));
  for (auto& d : m.diff_output()) d = 1.0f;
  m.backward();
  CHECK(test::mismatch(m.input_grad(), m.output(), 1e-6, 0) <= 1);
  m.forward(Mode::infer);
  for (float y : m.output()) CHECK(y == 1.0f);
}
