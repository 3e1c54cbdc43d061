// Adding a layer to typenet, end to end, in one file: Square, y = x * x elementwise.
//   build/bin/custom_layer      (prints the oneDNN-vs-reference and gradient checks)
//
// A layer touches four places, and in the library each is its own file:
//   1. an op tag: what the layer computes             layers/op.hpp
//   2. the layer tag: shape rule, counts, init        layers/<layer>.hpp
//   3. a kernel per backend, for that op              backend/reference/kernels.hpp, backend/onednn/<op>.hpp
//   4. (optionally) a rewrite rule or a zoo entry     graph/fuse.hpp, zoo/
// Nothing else changes: Sequential binds the shapes, Model plans the primitives, the training
// loop, checkpoints and the walk see the new layer like any other.
#include <cmath>
#include <cstdio>
#include <typenet/typenet.hpp>

namespace tn = typenet;

// 1. The op tag. Backends specialise their Kernel on it, so a layer's template arguments stay
//    the layer's business.
namespace myops { struct Square {}; }

// 2. The layer: an empty tag with a name and a shape rule. (shape) => (same shape), nothing to learn.
struct Square {
  using op = myops::Square;
  static constexpr const char* name = "Square";
  template <tn::Shape In>
  struct bind : tn::NoParams {  // params = state = macs = 0, init does nothing
    static constexpr tn::Shape out = In;
  };
};

// 3a. The reference kernel: plain loops over plain NCHW, in any scalar type (double for the
//     finite-difference checks). forward: x => y; backward: dy => dx (dx may be null).
template <class T, tn::Shape In>
struct tn::reference::Kernel<T, myops::Square, ::Square, In> {
  void setup(int) {}
  void forward(Context& c, const T* x, T* y, const T*, T*, bool) {
    for (long i = 0; i < c.batch * In.size(); ++i) y[i] = x[i] * x[i];
  }
  void backward(Context& c, const T* x, const T*, const T* dy, T* dx, const T*, T*) {
    if (dx)
      for (long i = 0; i < c.batch * In.size(); ++i) dx[i] = T(2) * x[i] * dy[i];
  }
};

// 3b. The oneDNN kernel: plan the primitives once (in the layout the previous layer chose),
//     bind memories once, then forward/backward are fixed lists of executions. oneDNN has
//     square as an eltwise algorithm; its backward reads x.
template <tn::Shape In>
struct tn::onednn::Kernel<myops::Square, ::Square, In> {
  dnnl::eltwise_forward::primitive_desc fwd;
  dnnl::eltwise_backward::primitive_desc bwd;
  memory dst, diff_dst;  // what the next kernel reads, and writes its gradient into
  Step fwd_step, bwd_step;

  memory::desc plan(Context& c, const memory::desc& src, bool) {
    const auto algo = dnnl::algorithm::eltwise_square;
    fwd = c.note(dnnl::eltwise_forward::primitive_desc({dnnl::prop_kind::forward_training, algo, src, 0.0f, 0.0f},
                                                       c.attr, c.engine));
    bwd = c.note(dnnl::eltwise_backward::primitive_desc({algo, src, src, 0.0f, 0.0f}, c.attr, c.engine, fwd));
    return src;  // same layout out as in
  }
  void bind(Context& c, const Io& io, Slices) {
    dst = c.make(fwd.dst_desc());
    diff_dst = c.make_grad(fwd.dst_desc());  // a gradient: its buffer is shared with other nodes' (placed after bind)
    fwd_step = Step(dnnl::eltwise_forward(fwd), {{DNNL_ARG_SRC, &io.src}, {DNNL_ARG_DST, &dst},
                                                 {DNNL_ARG_SCRATCHPAD, &c.scratchpad}});
    if (io.diff_src)  // empty when nobody needs this layer's input gradient
      bwd_step = Step(dnnl::eltwise_backward(bwd), {{DNNL_ARG_SRC, &io.src}, {DNNL_ARG_DIFF_DST, &diff_dst},
                                                    {DNNL_ARG_DIFF_SRC, &io.diff_src},
                                                    {DNNL_ARG_SCRATCHPAD, &c.scratchpad}});
  }
  void prepare_inference(Context&) {}
  void forward(Context& c, bool) { fwd_step.run(c); }
  void backward(Context& c) { bwd_step.run(c); }
};

// 4. Use it: the network is a type; shapes and counts are checked by the compiler.
using Net = tn::Sequential<tn::Input<3, 16, 16>, tn::Conv<8, 3>, tn::BatchNorm, Square, tn::MaxPool<2>,
                           tn::GlobalAvgPool, tn::Dense<10>>;
static_assert(Net::output_shape == tn::Shape{10});
static_assert(Net::param_count == 8 * 27 + 16 + 8 * 10 + 10);  // Square adds none

int main() {
  // oneDNN against the reference on the same weights and input, forward and backward.
  tn::Model<Net> fast({.batch = 4, .seed = 1, .input_grad = true});
  tn::Model<Net, tn::Reference<double>> ref({.batch = 4, .seed = 1, .input_grad = true});
  tn::Rng rng(2);
  for (auto& x : fast.input()) x = rng.uniform(-1, 1);
  std::copy(fast.input().begin(), fast.input().end(), ref.input().begin());
  std::copy(std::as_const(fast).params().begin(), std::as_const(fast).params().end(), ref.params().begin());
  fast.forward(tn::Mode::train);
  ref.forward(tn::Mode::train);
  for (auto& g : fast.diff_output()) g = rng.uniform(-1, 1);
  std::copy(fast.diff_output().begin(), fast.diff_output().end(), ref.diff_output().begin());
  fast.backward();
  ref.backward();
  double out_err = 0, grad_err = 0;
  for (std::size_t i = 0; i < fast.output().size(); ++i) out_err = std::max(out_err, std::abs(fast.output()[i] - ref.output()[i]));
  for (std::size_t i = 0; i < fast.input_grad().size(); ++i)
    grad_err = std::max(grad_err, std::abs(fast.input_grad()[i] - ref.input_grad()[i]));

  // A finite-difference check of the reference kernel's gradient, in double.
  const auto loss = [&] {
    ref.forward(tn::Mode::train);  // batch statistics: the loss is a function of x alone
    double l = 0;
    for (std::size_t i = 0; i < ref.output().size(); ++i) l += ref.output()[i] * double(i % 7);
    return l;
  };
  ref.forward(tn::Mode::train);
  for (std::size_t i = 0; i < ref.diff_output().size(); ++i) ref.diff_output()[i] = double(i % 7);
  ref.backward();
  double fd_err = 0;
  for (std::size_t i = 0; i < ref.input().size(); i += 97) {
    const double keep = ref.input()[i], h = 1e-6;
    ref.input()[i] = keep + h;
    const double up = loss();
    ref.input()[i] = keep - h;
    const double down = loss();
    ref.input()[i] = keep;
    fd_err = std::max(fd_err, std::abs((up - down) / (2 * h) - ref.input_grad()[i]));
  }
  std::printf("Square: oneDNN vs reference, max |output diff| %.2e, max |input-grad diff| %.2e; "
              "finite differences vs analytic input gradient %.2e\n", out_err, grad_err, fd_err);
  return out_err < 1e-4 && grad_err < 1e-4 && fd_err < 1e-5 ? 0 : 1;
}
