// The transfer backbones at small input sizes, equal to their reference implementations:
// tests/make_backbone_fixtures.py built torchvision's resnet34 and efficientnet_b2 and PyTorch
// transcriptions of Keras's Xception and MobileNetV2, with weights from the generator below,
// and wrote what they computed (in float64). Each backend is held to that, and oneDNN (f32) to
// the reference backend (double) on the same weights. Stochastic depth and dropout are 0.
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include "helpers.hpp"
#include <typenet/io/import_weights.hpp>
#include <typenet/zoo/backbones.hpp>

using namespace typenet;
namespace {

// splitmix64 of (seed << 40) + index, as a double in [-1, 1): the script's `uniform`.
double fixture_uniform(std::uint64_t seed, std::uint64_t index) {
  std::uint64_t z = (seed << 40) + index + 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return double(z >> 11) * 0x1p-53 * 2.0 - 1.0;
}

// The script's `weight_values`, by the tensor's role (its name's last part) and shape.
float fixture_value(const std::string& leaf, const std::vector<long>& dims, bool state, std::uint64_t index) {
  const double u = fixture_uniform(state ? 2 : 1, index);
  if (state) return float(leaf == "running_mean" ? 0.1 * u : 1.0 + 0.5 * u);
  if (dims.size() >= 2) {
    long fan_in = 1;
    for (std::size_t i = 1; i < dims.size(); ++i) fan_in *= dims[i];
    return float(std::sqrt(6.0 / double(fan_in)) * u);
  }
  return float(leaf == "weight" ? 1.0 + 0.2 * u : 0.1 * u);
}

std::filesystem::path fixture_dir(const char* net) {
  return std::filesystem::path(TYPENET_FIXTURE_DIR) / "backbones" / net;
}
template <class T> std::vector<T> read_values(const char* net, const char* file) {
  const auto bytes = io::read_file(fixture_dir(net) / file, "fixture");
  REQUIRE(bytes.size() % sizeof(T) == 0);
  std::vector<T> v(bytes.size() / sizeof(T));
  std::memcpy(v.data(), bytes.data(), bytes.size());
  return v;
}

struct ManifestEntry {
  bool state;
  std::string name;
  std::vector<long> dims;
};
std::vector<ManifestEntry> read_manifest(const char* net) {
  std::ifstream in(fixture_dir(net) / "manifest.txt");
  REQUIRE(in.good());
  std::vector<ManifestEntry> m;
  for (std::string line; std::getline(in, line);) {
    std::istringstream s(line);
    std::string kind;
    ManifestEntry e;
    s >> kind >> e.name;
    e.state = kind == "state";
    for (long d; s >> d;) e.dims.push_back(d);
    m.push_back(e);
  }
  return m;
}


// oneDNN (f32) against the reference backend (double) on the same random weights: the logits
// in training and inference mode, and each parameter tensor's gradient and the input gradient,
// relative to the tensor's largest value. (An elementwise tolerance does not fit networks this
// deep: f32 accumulation leaves about 1e-4 of a tensor's scale on entries far smaller than it,
// and a BN shift that feeds another BN has an exact gradient of 0 that f32 leaves at 1e-5.)
// Loads the fixture's generated weights and BN statistics into m, checking that the walk's
// order and shapes are the manifest's; returns, for each parameter value, its tensor's index.
template <class Net, class Backend>
std::vector<long> load_fixture_weights(Model<Net, Backend>& m, const char* net) {
  const auto manifest = read_manifest(net);
  const auto tensors = named_tensors<Net>();
  REQUIRE(manifest.size() == tensors.size());
  std::vector<long> tensor_of_param;
  long next_param = 0, next_state = 0, param_tensors = 0;
  for (std::size_t t = 0; t < tensors.size(); ++t) {
    INFO(manifest[t].name << " against " << tensors[t].name);
    REQUIRE(manifest[t].state == tensors[t].state);
    REQUIRE(io::detail::without_trailing_ones(manifest[t].dims) == io::detail::without_trailing_ones(tensors[t].dims));
    long& next = tensors[t].state ? next_state : next_param;
    REQUIRE(tensors[t].offset == next);
    const std::string leaf = manifest[t].name.substr(manifest[t].name.rfind('.') + 1);
    long n = 1;
    for (long d : tensors[t].dims) n *= d;
    auto values = tensors[t].state ? m.state() : m.params();
    for (long i = 0; i < n; ++i) values[next + i] = fixture_value(leaf, manifest[t].dims, tensors[t].state, next + i);
    if (!tensors[t].state) tensor_of_param.insert(tensor_of_param.end(), n, param_tensors++);
    next += n;
  }
  REQUIRE(next_param == Net::param_count);
  REQUIRE(next_state == Net::state_count);
  const auto input = read_values<float>(net, "input.bin");
  REQUIRE(input.size() == m.input().size());
  std::copy(input.begin(), input.end(), m.input().begin());
  return tensor_of_param;
}

// oneDNN (f32) against the reference backend (double) on the fixture's weights and input: the
// logits in training and inference mode, and each parameter tensor's gradient and the input
// gradient, relative to the tensor's largest value (floored at 1e-3 of the largest gradient:
// a BN shift that feeds another BN has an exact gradient of 0, which f32 leaves at 1e-6).
template <class Net>
void compare_backends_by_tensor(const char* net) {
  Model<Net, OneDnn> fast({.batch = 2, .input_grad = true});
  Model<Net, Reference<double>> ref({.batch = 2, .input_grad = true});
  load_fixture_weights(fast, net);
  std::copy(fast.params().begin(), fast.params().end(), ref.params().begin());
  std::copy(fast.state().begin(), fast.state().end(), ref.state().begin());
  std::copy(fast.input().begin(), fast.input().end(), ref.input().begin());
  const auto as_f32 = [](auto span) { return std::vector<float>(span.begin(), span.end()); };
  fast.forward(Mode::infer);
  ref.forward(Mode::infer);
  CHECK(test::worst_relative(fast.output(), as_f32(ref.output())) <= 1e-4);
  fast.forward(Mode::train);
  ref.forward(Mode::train);
  CHECK(test::worst_relative(fast.output(), as_f32(ref.output())) <= 1e-4);
  test::fill_random(fast.diff_output(), 33);
  std::copy(fast.diff_output().begin(), fast.diff_output().end(), ref.diff_output().begin());
  fast.backward();
  ref.backward();
  double floor = 0, worst = 0;
  for (double g : ref.grads()) floor = std::max(floor, 1e-3 * std::abs(g));
  std::string worst_tensor;
  for (const auto& t : named_tensors<Net>()) {
    if (t.state) continue;
    long n = 1;
    for (long d : t.dims) n *= d;
    double err = 0, scale = floor;
    for (long i = t.offset; i < t.offset + n; ++i) {
      err = std::max(err, std::abs(double(fast.grads()[i]) - ref.grads()[i]));
      scale = std::max(scale, std::abs(ref.grads()[i]));
    }
    if (err / scale > worst) { worst = err / scale; worst_tensor = t.name; }
  }
  INFO("worst gradient tensor " << worst_tensor);
  CHECK(worst <= 1e-3);
  CHECK(test::worst_relative(fast.input_grad(), as_f32(ref.input_grad())) <= 1e-3);
  WARN(net << ": oneDNN against the reference in double: worst gradient tensor " << worst_tensor << " at " << worst
           << " of its scale");
}

// Against the reference implementation (the fixture, computed in float64): logits in eval and
// training mode within 1e-4 of their largest; each parameter tensor's gradient norm, and 1024
// sampled gradient values against |exact| + their tensor's RMS, within 1e-3 (tensor norms
// floored at 1e-3 of the largest, as the script's `agreement`); the input gradient and the BN
// statistics after the step, sampled.
template <class Net, class Backend>
void match_reference_implementation(const char* net) {
  INFO(net);
  Model<Net, Backend> m({.batch = 2, .input_grad = true});
  const std::vector<long> tensor_of_param = load_fixture_weights(m, net);
  m.forward(Mode::infer);
  const double eval_error = test::worst_relative(m.output(), read_values<float>(net, "logits_eval.bin"));
  CHECK(eval_error <= 1e-4);

  m.forward(Mode::train);
  const double train_error = test::worst_relative(m.output(), read_values<float>(net, "logits_train.bin"));
  CHECK(train_error <= 1e-4);
  const auto labels = read_values<int>(net, "labels.bin");
  std::vector<float> logits(m.output().begin(), m.output().end()), dlogits(logits.size());
  const auto loss = softmax_cross_entropy(logits, labels, 10, 0.0f, dlogits);
  CHECK(loss.loss_sum / 2 == Approx(read_values<float>(net, "loss.bin")[0]).epsilon(1e-4));
  std::copy(dlogits.begin(), dlogits.end(), m.diff_output().begin());
  m.backward();

  const auto norms = read_values<float>(net, "grad_norm.bin");
  std::vector<double> ours(norms.size(), 0.0), size(norms.size(), 0.0);
  for (std::size_t i = 0; i < m.grads().size(); ++i) {
    ours[tensor_of_param[i]] += double(m.grads()[i]) * m.grads()[i];
    size[tensor_of_param[i]] += 1;
  }
  const double floor = 1e-3 * *std::max_element(norms.begin(), norms.end());
  double norm_error = 0, grad_error = 0;
  std::size_t worst_norm = 0;
  for (std::size_t t = 0; t < norms.size(); ++t) {
    const double e = std::abs(std::sqrt(ours[t]) - norms[t]) / std::max<double>(norms[t], floor);
    if (e > norm_error) norm_error = e, worst_norm = t;
  }
  const auto gi = read_values<std::int64_t>(net, "grad_idx.bin");
  const auto gv = read_values<float>(net, "grad_val.bin");
  REQUIRE(gi.size() == gv.size());
  for (std::size_t k = 0; k < gi.size(); ++k) {
    const long t = tensor_of_param[gi[k]];
    const double rms = std::max<double>(norms[t], floor) / std::sqrt(size[t]);
    grad_error = std::max(grad_error, std::abs(double(m.grads()[gi[k]]) - gv[k]) / (std::abs(gv[k]) + rms));
  }
  INFO("worst gradient norm: parameter tensor " << worst_norm << " of the manifest");
  CHECK(norm_error <= 1e-3);
  CHECK(grad_error <= 1e-3);

  auto sampled_error = [&](const char* what, std::span<const float> ours_all) {
    const auto idx = read_values<std::int64_t>(net, (std::string(what) + "_idx.bin").c_str());
    const auto val = read_values<float>(net, (std::string(what) + "_val.bin").c_str());
    std::vector<float> picked;
    for (auto i : idx) picked.push_back(ours_all[i]);
    return test::worst_relative(picked, val);
  };
  const double input_grad_error = sampled_error("input_grad", m.input_grad());
  const double state_error = sampled_error("state", m.state());
  CHECK(input_grad_error <= 1e-3);
  CHECK(state_error <= 1e-4);
  WARN(net << " (" << (std::is_same_v<Backend, OneDnn> ? "oneDNN" : "reference f32") << "): logits eval "
           << eval_error << ", train " << train_error << "; gradient norms " << norm_error << ", sampled gradients "
           << grad_error << ", input gradient " << input_grad_error << ", BN statistics " << state_error);
}

}  // namespace

TEST_CASE("oneDNN = reference: torchvision's ResNet34 at 64x64", "[backend][backbone]") {
  compare_backends_by_tensor<zoo::ResNet34<10, 64>>("resnet34");
}
TEST_CASE("oneDNN = reference: torchvision's EfficientNet-B2 at 64x64", "[backend][backbone]") {
  compare_backends_by_tensor<zoo::EfficientNetB2<10, 64, ratio<0>, ratio<0>>>("efficientnet_b2");
}
TEST_CASE("oneDNN = reference: Keras's Xception at 71x71 (its minimum)", "[backend][backbone]") {
  compare_backends_by_tensor<zoo::Xception<10, 71>>("xception");
}
TEST_CASE("oneDNN = reference: Keras's MobileNetV2 at 64x64", "[backend][backbone]") {
  compare_backends_by_tensor<zoo::MobileNetV2<10, 64>>("mobilenet_v2");
}

TEST_CASE("torchvision's resnet34 = zoo::ResNet34 on the same weights, both backends", "[backbone][pytorch]") {
  match_reference_implementation<zoo::ResNet34<10, 64>, OneDnn>("resnet34");
  match_reference_implementation<zoo::ResNet34<10, 64>, Reference<float>>("resnet34");
}
TEST_CASE("torchvision's efficientnet_b2 = zoo::EfficientNetB2 on the same weights, both backends",
          "[backbone][pytorch]") {
  match_reference_implementation<zoo::EfficientNetB2<10, 64, ratio<0>, ratio<0>>, OneDnn>("efficientnet_b2");
  match_reference_implementation<zoo::EfficientNetB2<10, 64, ratio<0>, ratio<0>>, Reference<float>>("efficientnet_b2");
}
TEST_CASE("Keras's Xception (transcribed) = zoo::Xception on the same weights, both backends", "[backbone][pytorch]") {
  match_reference_implementation<zoo::Xception<10, 71>, OneDnn>("xception");
  match_reference_implementation<zoo::Xception<10, 71>, Reference<float>>("xception");
}
TEST_CASE("Keras's MobileNetV2 (transcribed) = zoo::MobileNetV2 on the same weights, both backends",
          "[backbone][pytorch]") {
  match_reference_implementation<zoo::MobileNetV2<10, 64>, OneDnn>("mobilenet_v2");
  match_reference_implementation<zoo::MobileNetV2<10, 64>, Reference<float>>("mobilenet_v2");
}
