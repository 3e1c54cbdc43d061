// Finite-difference gradient checks of every layer type in the reference backend (double).
#include "helpers.hpp"

using namespace typenet;
using test::gradient_check;

TEST_CASE("Conv gradients (no bias, bias, stride 2, no padding)", "[gradcheck]") {
  gradient_check<Sequential<Input<3, 6, 6>, Conv<4, 3>>>();
  gradient_check<Sequential<Input<2, 7, 7>, Conv<3, 3, 2, 1, true>>>();
  gradient_check<Sequential<Input<3, 5, 5>, Conv<2, 2, 1, 0, true>>>();
}
TEST_CASE("BatchNorm gradients (training mode)", "[gradcheck]") {
  gradient_check<Sequential<Input<3, 4, 4>, BatchNorm>>(3);
}
TEST_CASE("ReLU, GELU and Scale gradients", "[gradcheck]") {
  gradient_check<Sequential<Input<2, 3, 3>, ReLU>>();
  gradient_check<Sequential<Input<2, 3, 3>, GELU>>();
  gradient_check<Sequential<Input<7>, Scale<ratio<1, 9>>>>();
}
TEST_CASE("SiLU, Sigmoid and ReLU6 gradients", "[gradcheck]") {
  gradient_check<Sequential<Input<2, 3, 3>, SiLU>>();
  gradient_check<Sequential<Input<2, 3, 3>, Sigmoid>>();
  gradient_check<Sequential<Input<2, 3, 3>, Scale<ratio<8, 1>>, ReLU6>>();  // inputs of +-8 reach both clips
}
TEST_CASE("grouped, depthwise and separable convolution gradients", "[gradcheck]") {
  gradient_check<Sequential<Input<4, 5, 5>, Conv<6, 3, 1, 1, true, 1, 2>>>();
  gradient_check<Sequential<Input<3, 6, 6>, DepthwiseConv<2, 3, 2, 0, true, 1>>>();  // 'same' stride 2: pads (0,1)
  gradient_check<Sequential<Input<3, 5, 5>, SeparableConv<4, 3>>>();
}
TEST_CASE("padded pooling gradients (max ignores padding, average excludes it)", "[gradcheck]") {
  gradient_check<Sequential<Input<2, 7, 7>, MaxPool<3, 2, 1>>>();
  gradient_check<Sequential<Input<2, 6, 6>, AvgPool<3, 2, 0, 1>>>();
  gradient_check<Sequential<Input<2, 5, 5>, AvgPool<3, 1, 1>>>();
}
TEST_CASE("squeeze-and-excitation gradients (trunk and gate branch)", "[gradcheck]") {
  gradient_check<Sequential<Input<4, 3, 3>, SqueezeExcite<2>>>();
  gradient_check<Sequential<Input<3, 4, 4>, Gate<Sequential<GlobalAvgPool, Dense<3>, Sigmoid>>, Conv<2, 1, 1, 0>>>();
}
TEST_CASE("MaxPool, AvgPool and GlobalAvgPool gradients", "[gradcheck]") {
  gradient_check<Sequential<Input<2, 4, 4>, MaxPool<2>>>();
  gradient_check<Sequential<Input<2, 7, 7>, MaxPool<3, 2>>>();
  gradient_check<Sequential<Input<2, 4, 6>, AvgPool<2>>>();
  gradient_check<Sequential<Input<3, 3, 5>, GlobalAvgPool>>();
}
TEST_CASE("Flatten and Dense gradients", "[gradcheck]") {
  gradient_check<Sequential<Input<2, 3, 3>, Flatten, Dense<4>>>();
  gradient_check<Sequential<Input<6>, Dense<3, false>>>();
}
TEST_CASE("fused Conv-BatchNorm-activation gradients", "[gradcheck]") {
  gradient_check<Sequential<Input<2, 5, 5>, Conv<3, 3>, BatchNorm, ReLU>>();
  gradient_check<Sequential<Input<2, 5, 5>, Conv<3, 3>, BatchNorm, GELU>>();
  gradient_check<Sequential<Input<2, 5, 5>, Conv<3, 3>, BatchNorm, SiLU>>();
  gradient_check<Sequential<Input<2, 5, 5>, DepthwiseConv<1, 3>, BatchNorm, ReLU6>>();
}
TEST_CASE("Residual gradients (identity and projection shortcut)", "[gradcheck]") {
  gradient_check<Sequential<Input<3, 4, 4>, Residual<Sequential<Conv<3, 3>, BatchNorm, ReLU, Conv<3, 3>>>>>();
  gradient_check<Sequential<Input<2, 6, 6>, Residual<Sequential<Conv<4, 3, 2>, BatchNorm, ReLU, Conv<4, 3>>,
                                                     Sequential<Conv<4, 1, 2, 0>, BatchNorm>>>>();
}
TEST_CASE("Dropout: backward uses the forward's mask and scale", "[gradcheck]") {
  using N = Sequential<Input<4, 8, 8>, Dropout<ratio<1, 4>>>;
  Model<N, Reference<double>> m({.batch = 8, .seed = 5, .input_grad = true});
  for (auto& x : m.input()) x = 1.0;
  m.forward(Mode::train);
  std::size_t zeros = 0;
  for (double y : m.output()) {
    CHECK((y == 0.0 || std::abs(y - 4.0 / 3.0) < 1e-12));
    zeros += y == 0.0;
  }
  const double rate = double(zeros) / double(m.output().size());
  CHECK(rate > 0.2);
  CHECK(rate < 0.3);
  for (auto& d : m.diff_output()) d = 1.0;
  m.backward();
  for (std::size_t i = 0; i < m.output().size(); ++i) CHECK(m.input_grad()[i] == m.output()[i]);
  m.forward(Mode::infer);  // identity in inference
  for (double y : m.output()) CHECK(y == 1.0);
}

TEST_CASE("StochasticDepth drops whole examples, and its backward uses the same mask", "[gradcheck]") {
  using N = Sequential<Input<2, 3, 3>, StochasticDepth<ratio<1, 2>>>;
  Model<N, Reference<double>> m({.batch = 32, .seed = 5, .input_grad = true});
  for (auto& x : m.input()) x = 1.0;
  m.forward(Mode::train);
  for (auto& d : m.diff_output()) d = 1.0;
  m.backward();
  int dropped = 0;
  for (int b = 0; b < 32; ++b) {
    const double v = m.output()[b * 18];
    CHECK((v == 0.0 || v == 2.0));
    dropped += v == 0.0;
    for (int j = 0; j < 18; ++j) {
      CHECK(m.output()[b * 18 + j] == v);
      CHECK(m.input_grad()[b * 18 + j] == v);
    }
  }
  CHECK(dropped > 4);
  CHECK(dropped < 28);
  m.forward(Mode::infer);
  for (double y : m.output()) CHECK(y == 1.0);
}
