// typenet against PyTorch on the same weights: tests/make_pytorch_fixture.py wrote the files.
#include <filesystem>
#include <fstream>
#include "helpers.hpp"

using namespace typenet;
using PyTorchFixtureNet = Sequential<Input<3, 8, 8>, Conv<8, 3>, BatchNorm, ReLU, MaxPool<2>, Conv<16, 3, 1, 1, true>,
                                     GELU, AvgPool<2>, Flatten, Dense<10>>;

template <class T>
std::vector<T> read_fixture(const std::string& name, std::size_t count) {
  const auto path = std::filesystem::path(TYPENET_FIXTURE_DIR) / "pytorch_small" / name;
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in.good());
  std::vector<T> v(count);
  in.read(reinterpret_cast<char*>(v.data()), std::streamsize(count * sizeof(T)));
  REQUIRE(in.gcount() == std::streamsize(count * sizeof(T)));
  REQUIRE(in.peek() == EOF);  // exactly the expected size
  return v;
}

template <class Backend>
void match_pytorch() {
  constexpr int N = 4, K = 10;
  Model<PyTorchFixtureNet, Backend> m({.batch = N, .input_grad = true});
  const auto params = read_fixture<float>("params.bin", PyTorchFixtureNet::param_count);
  std::copy(params.begin(), params.end(), m.params().begin());
  const auto input = read_fixture<float>("input.bin", m.input().size());
  std::copy(input.begin(), input.end(), m.input().begin());
  const auto labels = read_fixture<int>("labels.bin", N);

  m.forward(Mode::train);
  const std::vector<float> logits(m.output().begin(), m.output().end());
  CHECK(test::mismatch(logits, read_fixture<float>("logits.bin", N * K), 1e-4, 0) <= 1);
  std::vector<float> dlogits(N * K);
  const auto res = softmax_cross_entropy(logits, labels, K, 0.1f, dlogits);
  CHECK(res.loss_sum / N == Approx(read_fixture<float>("loss.bin", 1)[0]).margin(1e-5));
  std::copy(dlogits.begin(), dlogits.end(), m.diff_output().begin());
  m.backward();
  CHECK(test::mismatch(m.grads(), (read_fixture<float>("grads.bin", PyTorchFixtureNet::param_count)), 1e-4, 0) <= 1);
  CHECK(test::mismatch(m.input_grad(), (read_fixture<float>("input_grad.bin", input.size())), 1e-4, 0) <= 1);
  CHECK(test::mismatch(m.state(), (read_fixture<float>("state.bin", PyTorchFixtureNet::state_count)), 1e-4, 0) <= 1);
}

TEST_CASE("oneDNN backend matches PyTorch: logits, loss, gradients, BN statistics", "[pytorch]") {
  match_pytorch<OneDnn>();
}
TEST_CASE("reference backend matches PyTorch: logits, loss, gradients, BN statistics", "[pytorch]") {
  match_pytorch<Reference<float>>();
}
