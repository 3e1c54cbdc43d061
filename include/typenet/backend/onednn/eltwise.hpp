#pragma once
// Elementwise layers (ReLU, GELU, SiLU, Sigmoid, ReLU6, Scale) on oneDNN, in the layout of their input.
#include "typenet/backend/onednn/context.hpp"
#include "typenet/layers/activation.hpp"

namespace typenet::onednn {

// oneDNN's algorithm for an activation, with the layer's alpha and beta as its parameters.
template <class L>
constexpr dnnl::algorithm eltwise_algorithm() {
  if constexpr (L::fn == EltwiseFn::relu) return dnnl::algorithm::eltwise_relu;
  else if constexpr (L::fn == EltwiseFn::gelu) return dnnl::algorithm::eltwise_gelu_erf;
  else if constexpr (L::fn == EltwiseFn::silu) return dnnl::algorithm::eltwise_swish;  // x * sigmoid(alpha x)
  else if constexpr (L::fn == EltwiseFn::sigmoid) return dnnl::algorithm::eltwise_logistic;
  else if constexpr (L::fn == EltwiseFn::clip) return dnnl::algorithm::eltwise_clip;  // from alpha to beta
  else if constexpr (L::fn == EltwiseFn::scale || L::fn == EltwiseFn::identity)
    return dnnl::algorithm::eltwise_linear;  // alpha * x + beta
  else static_assert(always_false<L>, "typenet: this activation function has no oneDNN algorithm");
}

// An activation as oneDNN's numbers, so that the code using it is compiled once.
struct EltwiseSpec {
  dnnl::algorithm algo;
  float alpha, beta;
};
template <class L>
constexpr EltwiseSpec eltwise_spec() {
  return {eltwise_algorithm<L>(), L::alpha, L::beta};
}

// The activation as a post-op of another primitive.
inline dnnl::primitive_attr with_post_op(const EltwiseSpec& f) {
  dnnl::post_ops ops;
  ops.append_eltwise(1.0f, f.algo, f.alpha, f.beta);
  dnnl::primitive_attr attr;
  attr.set_post_ops(ops);
  return attr;
}

// EltwiseCore: y = f(x); its backward reads x, or y where f can be undone from it (from_output:
// ReLU, whose y > 0 exactly where x > 0).
struct EltwiseCore {
  EltwiseSpec f;
  bool from_output = false;
  dnnl::eltwise_forward::primitive_desc fwd;
  dnnl::eltwise_backward::primitive_desc bwd;
  Step fwd_step, bwd_step;

  memory::desc plan(Context& c, const memory::desc& d) {
    const dnnl::algorithm algo = from_output ? dnnl::algorithm::eltwise_relu_use_dst_for_bwd : f.algo;
    fwd = c.note(dnnl::eltwise_forward::primitive_desc({dnnl::prop_kind::forward_training, algo, d, f.alpha, f.beta},
                                                       c.attr, c.engine));
    bwd = c.note(dnnl::eltwise_backward::primitive_desc({algo, d, d, f.alpha, f.beta}, c.attr, c.engine, fwd));
    return d;
  }
  void bind(Context& c, const memory& src, const memory& dst, const memory& diff_dst, const memory& diff_src) {
    fwd_step = Step(dnnl::eltwise_forward(fwd), {{DNNL_ARG_SRC, &src}, {DNNL_ARG_DST, &dst},
                                                 {DNNL_ARG_SCRATCHPAD, &c.scratchpad}});
    if (diff_src)
      bwd_step = Step(dnnl::eltwise_backward(bwd), {{from_output ? DNNL_ARG_DST : DNNL_ARG_SRC, from_output ? &dst : &src},
                                                    {DNNL_ARG_DIFF_DST, &diff_dst}, {DNNL_ARG_DIFF_SRC, &diff_src},
                                                    {DNNL_ARG_SCRATCHPAD, &c.scratchpad}});
  }
  void forward(const Context& c) const { fwd_step.run(c); }
  void backward(const Context& c) const { bwd_step.run(c); }
};

template <class L, Shape In>
struct Kernel<op::Eltwise, L, In> {
  EltwiseCore core{eltwise_spec<L>()};
  // A ReLU right after a kernel that applies it as a post-op (a residual sum: the chain joins
  // them, chain.hpp): its input is already its output, so it computes nothing forward, and its
  // backward reads that output. One pass over the tensor fewer.
  static constexpr bool joinable = L::fn == EltwiseFn::relu && L::alpha == 0.0f;
  bool joined = false;
  memory dst, diff_dst;
  memory::desc plan(Context& c, const memory::desc& src, bool) {
    core.from_output = joined;
    return core.plan(c, src);
  }
  void bind(Context& c, const Io& io, Slices) {
    dst = joined ? io.src : c.make(core.fwd.dst_desc());
    diff_dst = c.make_grad(core.fwd.dst_desc());
    core.bind(c, io.src, dst, diff_dst, io.diff_src);
  }
  void prepare_inference(Context&) {}
  void forward(Context& c, bool) {
    if (!joined) core.forward(c);
  }
  void backward(Context& c) { core.backward(c); }
};

}  // namespace typenet::onednn
