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
