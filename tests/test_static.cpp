// Compile-time facts: shapes, parameter counts, MACs and the fusion pass, checked by the compiler.
#include <catch2/catch.hpp>
#include <set>
#include <string_view>
#include <typenet/typenet.hpp>
#include <typenet/zoo/backbones.hpp>

using namespace typenet;

// The brief's example from DESIGN.md section 1.
using Block = Sequential<Conv<64, 3>, BatchNorm, ReLU>;
using Example = Sequential<Input<3, 32, 32>, Block, MaxPool<2>, Dropout<ratio<1, 5>>, Conv<128, 3>, BatchNorm, ReLU,
                           GlobalAvgPool, Dense<10>>;
static_assert(Example::output_shape == Shape{10});
static_assert(Example::param_count == 1728 + 128 + 73728 + 256 + 1290);
static_assert(Example::macs == 1728L * 32 * 32 + 73728L * 16 * 16 + 1280);
static_assert(std::is_same_v<Example::layers, List<ConvBnAct<Conv<64, 3>, ReLU>, MaxPool<2>, Dropout<ratio<1, 5>>,
                                                   ConvBnAct<Conv<128, 3>, ReLU>, GlobalAvgPool, Dense<10>>>);

// Zoo models: the public contract.
static_assert(zoo::SeedModel7::input_shape == Shape{3, 32, 32});
static_assert(zoo::SeedModel7::output_shape == Shape{10});
static_assert(zoo::SeedModel7::param_count == 1'175'786);
static_assert(zoo::SeedModel7::macs == 52'791'808);
static_assert(zoo::Airbench94::param_count == 1'972'792);
static_assert(zoo::Airbench94::output_shape == Shape{10});

// Strides, padding and pooling shape rules.
static_assert(Sequential<Input<3, 32, 32>, Conv<16, 3, 2>>::output_shape == Shape{16, 16, 16});
static_assert(Sequential<Input<3, 32, 32>, Conv<16, 5, 1, 0>>::output_shape == Shape{16, 28, 28});
static_assert(Sequential<Input<3, 31, 31>, MaxPool<2>>::output_shape == Shape{3, 15, 15});
static_assert(Sequential<Input<8, 4, 4>, Flatten, Dense<5, false>>::param_count == 8 * 16 * 5);

// The trim rule (graph/trim.hpp): a conv whose last row/column the next pool never reads is
// bound without its far-end padding, so it computes one row and column less.
using Trimmed = Sequential<Input<8, 31, 31>, Conv<16, 3>, MaxPool<2>>;
static_assert(std::is_same_v<front_t<Trimmed::nodes>::layer, Conv<16, 3, 1, 1, false, 0>>);
static_assert(front_t<Trimmed::nodes>::out == Shape{16, 30, 30});
static_assert(Trimmed::output_shape == Shape{16, 15, 15});
static_assert(Trimmed::macs == 8L * 16 * 9 * 30 * 30);
// Not trimmed: the pool reads every row; no far-end padding to drop; a BN between sees every row.
static_assert(front_t<Sequential<Input<8, 32, 32>, Conv<16, 3>, MaxPool<2>>::nodes>::out == Shape{16, 32, 32});
static_assert(front_t<Sequential<Input<8, 33, 33>, Conv<16, 3, 1, 0>, MaxPool<2>>::nodes>::out == Shape{16, 31, 31});
static_assert(front_t<Sequential<Input<8, 31, 31>, Conv<16, 3>, BatchNorm, MaxPool<2>>::nodes>::out ==
              Shape{16, 31, 31});
// Airbench94's pooled convs: 31->30, 15->14 and 7->6 rows (whitening 2x2, then the 3x3 convs, then the head).
static_assert(zoo::Airbench94::macs == 24L * 3 * 4 * 31 * 31 + 24L * 64 * 9 * 30 * 30 + 64L * 64 * 9 * 15 * 15 +
                                           64L * 256 * 9 * 14 * 14 + 256L * 256 * 9 * 7 * 7 +
                                           256L * 256 * 9 * 6 * 6 + 256L * 256 * 9 * 3 * 3 + 256L * 10);

// A Residual is one node whose parameters are both branches'.
using Res = Sequential<Input<16, 8, 8>, Residual<Sequential<Conv<32, 3, 2>, BatchNorm, ReLU, Conv<32, 3>>,
                                                 Sequential<Conv<32, 1, 2, 0>, BatchNorm>>>;
static_assert(Res::output_shape == Shape{32, 4, 4});
static_assert(Res::param_count == 16 * 32 * 9 + 64 + 32 * 32 * 9 + 16 * 32 + 64);
static_assert(Res::state_count == 128);

TEST_CASE("per-layer shapes of SeedModel7 are readable at compile time and at run time", "[static]") {
  using N = zoo::SeedModel7;
  CHECK(N::node_count == 16);
  const auto table = architecture<N>();
  CHECK(table.find("ConvBnAct(3,32,32)->(32,32,32):928/64;") == 0);
  CHECK(table.find("GlobalAvgPool(256,4,4)->(256):0/0;Dense(256)->(10):2570/0;") != std::string::npos);
}

// Rewrite rules match kinds of layer (layers/concepts.hpp), not Conv's parameter list: a
// convolution with a parameter Conv does not have (as groups will be) is fused and trimmed
// all the same, and keeps its parameter through the trim.
template <int F, int K, int S = 1, int P = K / 2, bool B = false, int E = P, int Extra = 0>
struct ConvPlus : Conv<F, K, S, P, B, E> {
  static constexpr int extra = Extra;
  template <int E2> using with_pad_end = ConvPlus<F, K, S, P, B, E2, Extra>;
};
using Plus = ConvPlus<16, 3, 1, 1, false, 1, 7>;
using PlusNet = Sequential<Input<8, 31, 31>, Plus, BatchNorm, ReLU, Plus, MaxPool<2>, ConvPlus<8, 3>, BatchNorm,
                           GlobalAvgPool, Dense<10>>;
static_assert(Convolution<Plus> && Activation<ReLU> && Activation<GELU> && WindowPooling<MaxPool<2>>);
static_assert(!Convolution<BatchNorm> && !WindowPooling<GlobalAvgPool>);
static_assert(std::is_same_v<PlusNet::layers, List<ConvBnAct<Plus, ReLU>, Plus, MaxPool<2>,
                                                   ConvBnAct<ConvPlus<8, 3>, Identity>, GlobalAvgPool, Dense<10>>>);
template <std::size_t I, class L> struct NodeAt;
template <class N, class... Ns> struct NodeAt<0, List<N, Ns...>> { using type = N; };
template <std::size_t I, class N, class... Ns> struct NodeAt<I, List<N, Ns...>> : NodeAt<I - 1, List<Ns...>> {};
static_assert(std::is_same_v<NodeAt<1, PlusNet::nodes>::type::layer, ConvPlus<16, 3, 1, 1, false, 0, 7>>);  // trimmed
static_assert(NodeAt<1, PlusNet::nodes>::type::out == Shape{16, 30, 30});
// Conv -> BatchNorm with no activation after it is a ConvBn node: folded at inference too.
static_assert(std::is_same_v<Sequential<Input<8, 8, 8>, Conv<8, 3>, BatchNorm>::layers, List<ConvBnAct<Conv<8, 3>, Identity>>>);
static_assert(std::string_view(ConvBnAct<Conv<8, 3>, Identity>::name) == "ConvBn");

TEST_CASE("a convolution with an extra parameter runs fused and trimmed, equal to the reference", "[static]") {
  Model<PlusNet> fast({.batch = 2, .seed = 3});
  Model<PlusNet, Reference<double>> ref({.batch = 2, .seed = 3});
  Rng r(4);
  for (auto& x : fast.input()) x = r.uniform(-1, 1);
  std::copy(fast.input().begin(), fast.input().end(), ref.input().begin());
  std::copy(std::as_const(fast).params().begin(), std::as_const(fast).params().end(), ref.params().begin());
  for (Mode m : {Mode::train, Mode::infer}) {
    fast.forward(m);
    ref.forward(m);
    for (std::size_t i = 0; i < fast.output().size(); ++i) CHECK(fast.output()[i] == Approx(ref.output()[i]).margin(1e-4));
  }
}

// The structured walk (graph/walk.hpp): every layer as written, with its path, shapes and ranges.
using Walked = Sequential<Input<3, 8, 8>, Conv<4, 3>, BatchNorm, ReLU, MaxPool<2>,
                          Residual<Sequential<Conv<4, 3>, BatchNorm, ReLU, Conv<4, 3>, BatchNorm>,
                                   Sequential<Conv<4, 1>, BatchNorm>>,
                          GlobalAvgPool, Dense<10>>;

TEST_CASE("the walk: paths, kinds, shapes and contiguous parameter ranges; named tensors", "[static][walk]") {
  std::vector<std::string> paths, kinds;
  long next_param = 0, next_state = 0;
  walk<Walked>([&](auto, const LayerInfo& l) {
    paths.push_back(l.path);
    kinds.push_back(l.kind);
    CHECK(l.param_offset == next_param);  // node after node, branch after branch
    CHECK(l.state_offset == next_state);
    next_param += l.params;
    next_state += l.state;
    if (l.path == "2.shortcut.0.0") CHECK(l.in == Shape(4, 4, 4));
  });
  CHECK(next_param == Walked::param_count);
  CHECK(next_state == Walked::state_count);
  CHECK(paths == std::vector<std::string>{"0.0", "0.1", "0.2", "1", "2.body.0.0", "2.body.0.1", "2.body.0.2",
                                          "2.body.1.0", "2.body.1.1", "2.shortcut.0.0", "2.shortcut.0.1", "3", "4"});
  CHECK(kinds[2] == std::string("ReLU"));
  const auto t = named_tensors<Walked>();
  REQUIRE(t.size() == 1 + 4 + 1 + 4 + 1 + 4 + 1 + 4 + 2);  // each conv weight, each BN four, the dense pair
  CHECK(t[0].name == "0.0.weight");
  CHECK(t[0].dims == std::vector<long>{4, 3, 3, 3});
  CHECK(t[1].name == "0.1.weight");
  CHECK(t[1].offset == 4 * 27);
  CHECK(t[3].name == "0.1.running_mean");
  CHECK(t[3].state);
  CHECK(t.back().name == "4.bias");
  CHECK(t.back().offset == Walked::param_count - 10);
}

TEST_CASE("ResNet18Cifar's named tensors cover its buffers exactly once", "[static][walk]") {
  long params = 0, state = 0;
  std::set<std::string> names;
  for (const auto& t : named_tensors<zoo::ResNet18Cifar>()) {
    long n = 1;
    for (long d : t.dims) n *= d;
    (t.state ? state : params) += n;
    names.insert(t.name);
  }
  CHECK(params == zoo::ResNet18Cifar::param_count);
  CHECK(state == zoo::ResNet18Cifar::state_count);
  CHECK(names.size() == named_tensors<zoo::ResNet18Cifar>().size());
}

TEST_CASE("the walk opens a gate's branch as N.gate.i, and depthwise weights are (C*M,1,K,K)", "[static][walk]") {
  using Gated = Sequential<Input<8, 4, 4>, DepthwiseConv<2, 3>, BatchNorm, SiLU, SqueezeExcite<4>, GlobalAvgPool, Dense<3>>;
  std::vector<std::string> paths;
  long next_param = 0;
  walk<Gated>([&](auto, const LayerInfo& l) {
    paths.push_back(l.path);
    CHECK(l.param_offset == next_param);
    next_param += l.params;
  });
  CHECK(next_param == Gated::param_count);
  CHECK(paths == std::vector<std::string>{"0.0", "0.1", "0.2", "1.gate.0", "1.gate.1", "1.gate.2", "1.gate.3",
                                          "1.gate.4", "2", "3"});
  const auto t = named_tensors<Gated>();
  CHECK(t[0].name == "0.0.weight");
  CHECK(t[0].dims == std::vector<long>{16, 1, 3, 3});
  CHECK(t[5].name == "1.gate.1.weight");  // squeeze: (4,16), torchvision's fc1 (4,16,1,1)
  CHECK(t[5].dims == std::vector<long>{4, 16});
  // 16*9 depthwise + 2*16 BN + (4*16+4) + (16*4+16) + (3*16+3)
  static_assert(Gated::param_count == 144 + 32 + 68 + 80 + 51);
}

TEST_CASE("each backbone's named tensors cover its buffers exactly once", "[static][walk]") {
  zoo::for_each_backbone([](auto net, const char* name, const char*) {
    using Net = typename decltype(net)::type;
    long params = 0, state = 0;
    std::set<std::string> names;
    for (const auto& t : named_tensors<Net>()) {
      long n = 1;
      for (long d : t.dims) n *= d;
      (t.state ? state : params) += n;
      names.insert(t.name);
    }
    INFO(name);
    CHECK(params == Net::param_count);
    CHECK(state == Net::state_count);
    CHECK(names.size() == named_tensors<Net>().size());
  });
}
