// oneDNN (f32) against the reference backend (double) on the same weights and inputs:
// forward in training and inference mode, and every gradient. oneDNN's 3x3 convolutions run
// Winograd by default (these shapes have Winograd kernels); one case checks direct as well.
#include "helpers.hpp"

using namespace typenet;

using test::compare_backends;

TEST_CASE("oneDNN = reference: Conv", "[backend]") {
  compare_backends<Sequential<Input<3, 9, 9>, Conv<16, 3>>>();
  compare_backends<Sequential<Input<16, 8, 8>, Conv<32, 3, 2, 1, true>>>();
  compare_backends<Sequential<Input<5, 7, 7>, Conv<8, 2, 1, 0, true>>>();
}
TEST_CASE("oneDNN = reference with direct convolutions (Winograd off)", "[backend]") {
  compare_backends<Sequential<Input<16, 8, 8>, Conv<32, 3>>>(4, 1e-4, 1e-3, /*winograd=*/false);
  compare_backends<Sequential<Input<16, 8, 8>, Conv<32, 3>, BatchNorm, GELU>>(4, 1e-4, 1e-3, /*winograd=*/false);
}
TEST_CASE("oneDNN = reference: BatchNorm", "[backend]") { compare_backends<Sequential<Input<16, 5, 5>, BatchNorm>>(); }
TEST_CASE("oneDNN = reference: ReLU, GELU, Scale", "[backend]") {
  compare_backends<Sequential<Input<16, 4, 4>, ReLU>>();
  compare_backends<Sequential<Input<16, 4, 4>, GELU>>();
  compare_backends<Sequential<Input<10>, Scale<ratio<1, 9>>>>();
}
TEST_CASE("oneDNN = reference: SiLU, Sigmoid, ReLU6", "[backend]") {
  compare_backends<Sequential<Input<16, 4, 4>, SiLU>>();
  compare_backends<Sequential<Input<16, 4, 4>, Sigmoid>>();
  compare_backends<Sequential<Input<16, 4, 4>, Scale<ratio<8, 1>>, ReLU6>>();
}
TEST_CASE("oneDNN = reference: grouped, depthwise and separable convolutions, fused and trimmed", "[backend]") {
  compare_backends<Sequential<Input<16, 8, 8>, Conv<32, 3, 1, 1, true, 1, 4>>>();
  compare_backends<Sequential<Input<16, 9, 9>, DepthwiseConv<2, 3, 2, 0, false, 1>>>();
  compare_backends<Sequential<Input<16, 7, 7>, DepthwiseConv<1, 5, 1, 2, true>>>();
  // 5x5 weight gradients are ours (backend/onednn/depthwise_weight_grad.hpp): a partial
  // channel block (24), stride 2 with Keras's 'same' padding (1,2), a map wider than the window
  compare_backends<Sequential<Input<24, 11, 11>, DepthwiseConv<1, 5, 2, 1, true, 2>, BatchNorm, SiLU>>();
  compare_backends<Sequential<Input<16, 8, 8>, SeparableConv<24, 3>, BatchNorm, ReLU6>>();
  compare_backends<Sequential<Input<16, 8, 8>, DepthwiseConv<1, 3>, BatchNorm, SiLU, DepthwiseConv<1, 3>, BatchNorm>>();
  // a depthwise conv before an unpadded pool is trimmed (7 rows pooled by 2 read 6)
  using Trimmed = Sequential<Input<16, 7, 7>, DepthwiseConv<1, 3>, MaxPool<2>>;
  static_assert(Trimmed::nodes::size == 2 && Trimmed::macs < Sequential<Input<16, 7, 7>, DepthwiseConv<1, 3>>::macs);
  compare_backends<Trimmed>();
}
TEST_CASE("oneDNN = reference: squeeze-and-excitation", "[backend]") {
  compare_backends<Sequential<Input<16, 6, 6>, SqueezeExcite<4>>>();
  compare_backends<Sequential<Input<24, 9, 9>, SqueezeExcite<6>>>();  // a partial channel block
  compare_backends<Sequential<Input<16, 6, 6>, Conv<16, 3>, BatchNorm, SiLU, SqueezeExcite<4>, Conv<8, 1, 1, 0>>>();
}
// A synchronised batch norm whose sums come back doubled sees two processes holding the same
// batch: the global batch's statistics and gradient terms are then this one's, so it must
// compute what the plain batch norm computes. This checks its bookkeeping (counts, which sums,
// where the correction goes) in one process, for the plain, fused-ReLU and fused-GELU nodes;
// test_mpi checks it across two real processes with different data.
struct BnStep {
  std::vector<double> output, grads, input_grad;
  int sums = 0, forward_sums = 0;  // calls of the sum: in forward, in all
};
template <class Backend>
BnStep bn_step(Precision precision, bool synchronised) {
  using Net = Sequential<Input<5, 9, 9>, Conv<16, 3>, BatchNorm, ReLU, MaxPool<2>, BatchNorm, Conv<8, 3>,
                         BatchNorm, GELU, Flatten, Dense<4>>;
  BnStep r;
  ModelOptions o{.batch = 6, .seed = 21, .input_grad = true, .precision = precision};
  if (synchronised)
    o.batch_norm_sum = [&r](std::span<double> v) {
      ++r.sums;
      for (double& x : v) x *= 2;
    };
  Model<Net, Backend> m(o);
  test::fill_random(m.params(), 31, 0.5f);
  test::fill_random(m.input(), 32);
  m.forward(Mode::train);
  r.forward_sums = r.sums;
  test::fill_random(m.diff_output(), 33);
  m.backward();
  const auto copy = [](auto v) { return std::vector<double>(v.begin(), v.end()); };
  r.output = copy(m.output()), r.grads = copy(m.grads()), r.input_grad = copy(m.input_grad());
  return r;
}

// ||a - b|| / ||b||
template <class A, class B> double relative_l2(const A& a, const B& b) {
  double d = 0, n = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const double x = a[i], y = b[i];
    d += (x - y) * (x - y), n += y * y;
  }
  return std::sqrt(d / n);
}

TEST_CASE("Synchronised batch norm over identical batches is plain batch norm, on both backends", "[backend]") {
  const auto check_equal = [](const BnStep& synced, const BnStep& plain, double atol, double rtol) {
    CHECK(synced.forward_sums >= 3);  // every batch norm asked, in forward and in backward
    CHECK(synced.sums >= synced.forward_sums + 3);
    CHECK(test::mismatch(synced.output, plain.output, atol, rtol) <= 1);
    CHECK(test::mismatch(synced.grads, plain.grads, atol, rtol) <= 1);
    CHECK(test::mismatch(synced.input_grad, plain.input_grad, atol, rtol) <= 1);
  };
  check_equal(bn_step<Reference<double>>(Precision::f32, true), bn_step<Reference<double>>(Precision::f32, false),
              1e-12, 1e-12);
  const BnStep f32 = bn_step<OneDnn>(Precision::f32, false);
  check_equal(bn_step<OneDnn>(Precision::f32, true), f32, 1e-5, 1e-4);
  if (!onednn::has_bf16()) return;
  // In bf16 the synchronised backward rounds twice (oneDNN's dx = gamma/sd * dy, then dx plus the
  // correction) where the plain one rounds once: judged by their distance from f32.
  const BnStep plain = bn_step<OneDnn>(Precision::bf16, false), synced = bn_step<OneDnn>(Precision::bf16, true);
  for (auto part : {&BnStep::output, &BnStep::grads, &BnStep::input_grad}) {
    const double p = relative_l2(plain.*part, f32.*part), s = relative_l2(synced.*part, f32.*part);
    WARN("bf16 against f32, relative L2: plain batch norm " << p << ", synchronised " << s);
    CHECK(s <= 2 * p + 1e-3);
  }
}

TEST_CASE("BN epsilon is the layer's: Keras's 1e-3 against the model's 1e-5, plain and fused", "[backend]") {
  compare_backends<Sequential<Input<16, 5, 5>, KerasBatchNorm>>();
  compare_backends<Sequential<Input<16, 6, 6>, Conv<16, 3>, KerasBatchNorm, ReLU6>>();
  // values +-0.01: batch variance 1e-4, so y = 0.01 / sqrt(1e-4 + eps)
  auto normalised = []<class Net>(std::type_identity<Net>) {
    Model<Net> model({.batch = 2});
    for (std::size_t i = 0; i < model.input().size(); ++i) model.input()[i] = i % 2 ? 0.01f : -0.01f;
    model.forward(Mode::train);
    return model.output()[1];
  };
  CHECK(normalised(std::type_identity<Sequential<Input<1, 2, 2>, KerasBatchNorm>>{}) == Approx(0.01 / std::sqrt(1.1e-3)).epsilon(1e-3));
  CHECK(normalised(std::type_identity<Sequential<Input<1, 2, 2>, BatchNorm>>{}) == Approx(0.01 / std::sqrt(1.1e-4)).epsilon(1e-3));
}
TEST_CASE("oneDNN = reference: padded pooling", "[backend]") {
  compare_backends<Sequential<Input<16, 9, 9>, MaxPool<3, 2, 1>>>();
  compare_backends<Sequential<Input<16, 8, 8>, MaxPool<3, 2, 0, 1>, AvgPool<3, 2, 1>>>();
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
  // Three body kernels: the first shares gradient bytes with the last (grad_arena.hpp), and the
  // identity sum still reads the body's output gradient after the body's backward.
  compare_backends<Sequential<Input<16, 6, 6>, Residual<Sequential<Conv<16, 3>, BatchNorm, ReLU, Conv<16, 3>, BatchNorm,
                                                                   ReLU, Conv<16, 3>>>>>();
}
// A ReLU right after a residual sum runs as the sum's post-op, and its backward reads the
// sum's output (backend/onednn/chain.hpp): ResNet's blocks, a projection then an identity one
// that reads the joined output as its x.
TEST_CASE("oneDNN = reference: a ReLU after a residual sum joins the sum", "[backend]") {
  using Net = Sequential<Input<16, 8, 8>,
                         Residual<Sequential<Conv<32, 3, 2>, BatchNorm, ReLU, Conv<32, 3>, BatchNorm>,
                                  Sequential<Conv<32, 1, 2, 0>, BatchNorm>>, ReLU,
                         Residual<Sequential<Conv<32, 3>, BatchNorm, ReLU, Conv<32, 3>, BatchNorm>>, ReLU,
                         GlobalAvgPool, Dense<10>>;
  onednn::Context c;
  c.batch = 2;
  onednn::Chain<Net::nodes> chain;
  chain.plan(c, onednn::plain_desc(2, Net::input_shape), true);
  CHECK(boost::hana::at_c<1>(chain.kernels).joined);
  CHECK(boost::hana::at_c<3>(chain.kernels).joined);
  CHECK(boost::hana::at_c<2>(chain.kernels).activation.has_value());
  compare_backends<Net>();
  // Not after anything else: a GELU, or a ReLU after a conv, keeps its own pass.
  onednn::Chain<Sequential<Input<16, 8, 8>, Residual<Sequential<Conv<16, 3>>>, GELU, Conv<16, 3>, ReLU>::nodes> other;
  other.plan(c, onednn::plain_desc(2, Shape{16, 8, 8}), true);
  CHECK_FALSE(boost::hana::at_c<1>(other.kernels).joined);
  CHECK_FALSE(boost::hana::at_c<3>(other.kernels).joined);
}
TEST_CASE("oneDNN gradients share one arena: kernels two apart share bytes", "[backend]") {
  using Block = Sequential<Conv<16, 3>, BatchNorm, ReLU>;
  using Deep = Sequential<Input<8, 16, 16>, Block, Block, Block, Block, Block, Block, GlobalAvgPool, Dense<10>>;
  Model<Deep> m({.batch = 4});
  const auto b = m.buffer_bytes();
  // Six fused nodes, each with two 4x16x16x16 gradients (64 KB apiece): the arena holds two nodes'.
  CHECK(b.gradients_unshared >= 12u * 64 * 1024);
  CHECK(b.gradients < 5u * 64 * 1024);
}
// A conv before a pool that skips its last row is bound trimmed (graph/trim.hpp): oneDNN runs it
// with asymmetric padding. The Scale in Whole keeps every row, so Whole is the untrimmed oracle.
TEST_CASE("a conv trimmed for its pool computes what the untrimmed conv computes", "[backend]") {
  using Trimmed = Sequential<Input<8, 9, 9>, Conv<16, 3>, MaxPool<2>, BatchNorm, GELU>;
  using Whole = Sequential<Input<8, 9, 9>, Conv<16, 3>, Scale<ratio<1, 1>>, MaxPool<2>, BatchNorm, GELU>;
  static_assert(front_t<Trimmed::nodes>::out.h == 8 && front_t<Whole::nodes>::out.h == 9);
  compare_backends<Trimmed>();
  for (const bool winograd : {true, false}) {
    const ModelOptions o{.batch = 4, .seed = 5, .input_grad = true, .winograd = winograd};
    Model<Trimmed, OneDnn> t(o);
    Model<Whole, OneDnn> w(o);
    test::fill_random(t.params(), 41, 0.5f);
    std::copy(t.params().begin(), t.params().end(), w.params().begin());
    test::fill_random(t.input(), 42);
    std::copy(t.input().begin(), t.input().end(), w.input().begin());
    t.forward(Mode::train);
    w.forward(Mode::train);
    CHECK(test::mismatch(t.output(), w.output(), 1e-5, 1e-4) <= 1);
    test::fill_random(t.diff_output(), 43);
    std::copy(t.diff_output().begin(), t.diff_output().end(), w.diff_output().begin());
    t.backward();
    w.backward();
    CHECK(test::mismatch(t.grads(), w.grads(), 1e-5, 1e-4) <= 1);
    CHECK(test::mismatch(t.input_grad(), w.input_grad(), 1e-5, 1e-4) <= 1);
  }
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
  // Inference shows the input's bytes as the output; training again must write its own buffer.
  m.forward(Mode::train);
  zeros = 0;
  for (float y : m.output()) zeros += y == 0.0f;
  CHECK(double(zeros) / double(m.output().size()) == Approx(0.3).margin(0.02));
  for (float x : m.input()) CHECK(x == 1.0f);
}
// At batch 1 oneDNN picks other inference kernels (its small-batch Winograd among them); the
// trimmed conv's asymmetric padding and the inference-only paths (pooling without workspace,
// weights laid out once, dropout as a view) are checked against the reference there too.
TEST_CASE("oneDNN = reference: batch-1 inference", "[backend]") {
  using Net = Sequential<Input<3, 18, 18>, Conv<16, 3>, BatchNorm, ReLU, MaxPool<2>, Dropout<ratio<1, 4>>,
                         Conv<32, 3>, MaxPool<2>, BatchNorm, GELU, Conv<32, 3>, MaxPool<2>, Dropout<ratio<1, 4>>,
                         Flatten, Dense<10>>;
  // Its second conv (9x9 in, pooled to 4x4) is trimmed to 8x8, as this one alone is:
  static_assert(front_t<Sequential<Input<16, 9, 9>, Conv<32, 3>, MaxPool<2>>::nodes>::out.h == 8);
  for (const bool winograd : {true, false}) {
    const ModelOptions o{.batch = 1, .seed = 3, .winograd = winograd};
    Model<Net, OneDnn> fast(o);
    Model<Net, Reference<double>> ref(o);
    test::fill_random(fast.params(), 51, 0.5f);
    std::copy(fast.params().begin(), fast.params().end(), ref.params().begin());
    test::fill_random(fast.state(), 52, 0.5f);
    for (std::size_t i = 0; i < fast.state().size(); ++i) fast.state()[i] = std::abs(fast.state()[i]) + 0.5f;
    std::copy(fast.state().begin(), fast.state().end(), ref.state().begin());
    for (int round = 0; round < 2; ++round) {  // the second round reuses the prepared weights
      test::fill_random(fast.input(), 53 + round);
      std::copy(fast.input().begin(), fast.input().end(), ref.input().begin());
      fast.forward(Mode::infer);
      ref.forward(Mode::infer);
      CHECK(test::mismatch(fast.output(), ref.output(), 1e-4, 1e-3) <= 1);
    }
  }
}

// bf16 activations and conv weights (f32 master weights, gradients and BN statistics) against
// the f32 backend: relative L2 error ||bf16 - f32|| / ||f32|| per tensor. With smooth
// activations it stays near bf16's rounding (under 1%). With ReLU the gradients differ more,
// and rightly: values within bf16 rounding of zero land on the other side of the ReLU, so a
// few gradient entries are dy in one precision and 0 in the other (about 3% per ReLU layer);
// max pooling likewise picks another maximum among near-ties.
template <class Net>
void compare_bf16(double bound, int batch = 8) {
  if (!onednn::has_bf16()) {  // AVX2: oneDNN 2.6 builds no bf16 primitive at all
    WARN("NOT RUN: this CPU has no AVX-512, and oneDNN 2.6 has no bf16 kernels without it");
    return;
  }
  if (!onednn::has_fast_bf16()) WARN("this CPU has no native bf16: the bf16 comparison runs oneDNN's emulation");
  const ModelOptions o{.batch = batch, .seed = 5, .input_grad = true};
  Model<Net> f32(o);
  ModelOptions ob = o;
  ob.precision = Precision::bf16;
  Model<Net> bf16(ob);
  std::copy(f32.params().begin(), f32.params().end(), bf16.params().begin());
  test::fill_random(f32.input(), 8);
  std::copy(f32.input().begin(), f32.input().end(), bf16.input().begin());
  for (Mode mode : {Mode::train, Mode::infer}) {
    f32.forward(mode);
    bf16.forward(mode);
    CHECK(relative_l2(bf16.output(), f32.output()) < 0.02);
  }
  f32.forward(Mode::train);
  bf16.forward(Mode::train);
  test::fill_random(f32.diff_output(), 9);
  std::copy(f32.diff_output().begin(), f32.diff_output().end(), bf16.diff_output().begin());
  f32.backward();
  bf16.backward();
  CHECK(relative_l2(bf16.grads(), f32.grads()) < bound);
  CHECK(relative_l2(bf16.input_grad(), f32.input_grad()) < bound);
  WARN("bf16 relative L2 error: logits " << relative_l2(bf16.output(), f32.output()) << ", grads "
       << relative_l2(bf16.grads(), f32.grads()) << ", input grad " << relative_l2(bf16.input_grad(), f32.input_grad()));
}

TEST_CASE("bf16 = f32 within bf16 precision: a smooth whole network", "[backend][bf16]") {
  compare_bf16<Sequential<Input<3, 16, 16>, Conv<16, 3>, BatchNorm, GELU, AvgPool<2>, Dropout<ratio<1, 10>>,
                          Conv<32, 3>, BatchNorm, GELU, Residual<Sequential<Conv<32, 3>, BatchNorm, GELU, Conv<32, 3>>>,
                          AvgPool<2>, Flatten, Dense<10>, Scale<ratio<1, 2>>>>(0.02);
}
TEST_CASE("bf16 = f32 within bf16 precision: ReLU networks (mask flips near zero)", "[backend][bf16]") {
  compare_bf16<Sequential<Input<3, 16, 16>, Conv<16, 3>, BatchNorm, ReLU, MaxPool<2>, Conv<32, 3>, BatchNorm, ReLU,
                          Residual<Sequential<Conv<32, 3>, BatchNorm, ReLU, Conv<32, 3>>>, GlobalAvgPool, Dense<10>>>(0.12);
}
TEST_CASE("bf16 = f32 within bf16 precision: depthwise, separable, SiLU, squeeze-and-excitation, stochastic depth",
          "[backend][bf16]") {
  compare_bf16<Sequential<Input<3, 16, 16>, Conv<16, 3, 2, 0, false, 1>, BatchNorm, SiLU,
                          Residual<Sequential<Conv<64, 1, 1, 0>, BatchNorm, SiLU, DepthwiseConv<1, 3>, BatchNorm, SiLU,
                                              SqueezeExcite<4>, Conv<16, 1, 1, 0>, BatchNorm,
                                              StochasticDepth<ratio<1, 5>>>>,
                          SeparableConv<32, 3>, BatchNorm, SiLU, DepthwiseConv<1, 5, 2, 1, false, 2>, BatchNorm, SiLU,
                          GlobalAvgPool, Dense<10>>>(0.02);
}
TEST_CASE("bf16 = f32 within bf16 precision: ReLU6 and padded max pooling (mask flips, near-ties)", "[backend][bf16]") {
  compare_bf16<Sequential<Input<3, 16, 16>, Conv<16, 3>, BatchNorm, ReLU6, MaxPool<3, 2, 1>, DepthwiseConv<2, 3>,
                          BatchNorm, ReLU6, GlobalAvgPool, Dense<10>>>(0.12);
}
TEST_CASE("bf16 = f32 within bf16 precision: deep 4x4 and 8x8 convs (f32 Winograd weight gradients)",
          "[backend][bf16]") {
  compare_bf16<Sequential<Input<256, 8, 8>, Conv<256, 3>, BatchNorm, GELU, AvgPool<2>, Conv<256, 3>, BatchNorm, GELU,
                          GlobalAvgPool, Dense<10>>>(0.02, 4);
}

// Wide 1x1 convs take their bf16 weight gradient from one matmul on channels-last copies
// (backend/onednn/conv.hpp, wide_pointwise) where oneDNN would run its jit_bf16_1x1 kernel.
TEST_CASE("bf16 = f32 within bf16 precision: wide 1x1 convs (matmul weight gradients)", "[backend][bf16]") {
  using Net = Sequential<Input<256, 16, 16>, Conv<512, 1, 1, 0>, BatchNorm, GELU, Conv<256, 1, 1, 0>, BatchNorm, GELU,
                         GlobalAvgPool, Dense<10>>;
  if (onednn::has_bf16()) {  // the path is taken for both convs where that kernel is oneDNN's choice
    onednn::Context c;
    c.batch = 4;
    c.act = onednn::dt::bf16;
    onednn::ConvCore wide(onednn::conv_geometry<Conv<512, 1, 1, 0>, Shape{256, 16, 16}>());
    wide.plan(c, onednn::plain_desc(4, Shape{256, 16, 16}, onednn::dt::bf16), true);
    if (std::string_view(wide.bwd_weights.impl_info_str()) == "jit_bf16_1x1:avx512_core_bf16")
      CHECK(wide.matmul_bwd_weights);
    else
      WARN("oneDNN picks " << wide.bwd_weights.impl_info_str() << " here: the matmul path is not taken");
    onednn::ConvCore narrow(onednn::conv_geometry<Conv<256, 1, 1, 0>, Shape{256, 16, 16}>());
    narrow.plan(c, onednn::plain_desc(4, Shape{256, 16, 16}, onednn::dt::bf16), true);
    CHECK_FALSE(narrow.matmul_bwd_weights);  // neither side has 512 channels
  }
  compare_bf16<Net>(0.02, 4);
}

// typenet's own loops on oneDNN buffers read every activation layout oneDNN may pick: the same
// values in plain, channels-last and channel-blocked layouts (a partial block: 20 channels),
// against a direct double-precision loop over the plain copy.
TEST_CASE("Per-channel sums and depthwise weight gradients read every activation layout", "[backend]") {
  using namespace onednn;
  Context c;
  constexpr int N = 2, C = 20, H = 9, W = 9, K = 5, S = 2, P = 1, OH = 4, OW = 4;  // (9 + 1 + 2 - 5) / 2 + 1
  auto plain = [&](dims d, int seed) {
    memory m = c.make({d, dt::f32, tag::nchw});
    float* p = static_cast<float*>(m.get_data_handle());
    std::vector<float> v(elements(m.get_desc()));
    test::fill_random(std::span<float>(v), seed);
    std::copy(v.begin(), v.end(), p);
    return m;
  };
  auto in_layout = [&](memory from, tag t) {
    memory to = c.make({from.get_desc().dims(), dt::f32, t});
    dnnl::reorder(from, to).execute(c.stream, from, to);
    c.stream.wait();
    return to;
  };
  const memory x = plain({N, C, H, W}, 1), y = plain({N, C, H, W}, 2), dy = plain({N, C, OH, OW}, 3);
  auto value = [](const memory& m, int n, int ch, int i, int j) {
    const dims d = m.get_desc().dims();
    return double(static_cast<const float*>(m.get_data_handle())[((n * d[1] + ch) * d[2] + i) * d[3] + j]);
  };
  for (tag t : {tag::nchw, tag::nhwc, tag::aBcd8b, tag::aBcd16b}) {
    INFO("layout tag " << int(t));
    const memory xt = in_layout(x, t), yt = in_layout(y, t), dyt = in_layout(dy, t);
    ChannelDot dot;
    dot.plan(xt.get_desc());
    std::vector<float> sums(N * C);
    dot.run(xt, yt, sums.data());
    DepthwiseWeightGrad<K, S> grad;
    grad.plan(xt.get_desc(), dyt.get_desc(), P);
    std::vector<float> dw(C * K * K), db(C);
    grad.run(xt, dyt, dw.data(), db.data());
    for (int n = 0; n < N; ++n)
      for (int ch = 0; ch < C; ++ch) {
        double expected = 0;
        for (int i = 0; i < H; ++i)
          for (int j = 0; j < W; ++j) expected += value(x, n, ch, i, j) * value(y, n, ch, i, j);
        CHECK(sums[n * C + ch] == Approx(expected).margin(1e-5).epsilon(1e-5));
      }
    for (int ch = 0; ch < C; ++ch) {
      double bias = 0;
      for (int n = 0; n < N; ++n)
        for (int i = 0; i < OH; ++i)
          for (int j = 0; j < OW; ++j) bias += value(dy, n, ch, i, j);
      CHECK(db[ch] == Approx(bias).margin(1e-5).epsilon(1e-5));
      for (int ky = 0; ky < K; ++ky)
        for (int kx = 0; kx < K; ++kx) {
          double expected = 0;
          for (int n = 0; n < N; ++n)
            for (int i = 0; i < OH; ++i)
              for (int j = 0; j < OW; ++j) {
                const int iy = i * S + ky - P, ix = j * S + kx - P;
                if (iy >= 0 && iy < H && ix >= 0 && ix < W) expected += value(dy, n, ch, i, j) * value(x, n, ch, iy, ix);
              }
          CHECK(dw[(ch * K + ky) * K + kx] == Approx(expected).margin(1e-5).epsilon(1e-5));
        }
    }
  }
}
