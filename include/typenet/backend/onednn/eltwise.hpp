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

// EltwiseCore: y = f(x); its backward reads x.
struct EltwiseCore {
  EltwiseSpec f;
  dnnl::eltwise_forward::primitive_desc fwd;
  dnnl::eltwise_backward::primitive_desc bwd;
  Step fwd_step, bwd_step;

  memory::desc plan(Context& c, const memory::desc& d) {
    fwd = c.note(dnnl::eltwise_forward::primitive_desc({dnnl::prop_kind::forward_training, f.algo, d, f.alpha, f.beta},
                                                       c.attr, c.engine));
    bwd = c.note(dnnl::eltwise_backward::primitive_desc({f.algo, d, d, f.alpha, f.beta}, c.attr, c.engine, fwd));
    return d;
  }
  void bind(Context& c, const memory& src, const memory& dst, const memory& diff_dst, const memory& diff_src) {
    fwd_step = Step(dnnl::eltwise_forward(fwd), {{DNNL_ARG_SRC, &src}, {DNNL_ARG_DST, &dst},
                                                 {DNNL_ARG_SCRATCHPAD, &c.scratchpad}});
    if (diff_src)
      bwd_step = Step(dnnl::eltwise_backward(bwd), {{DNNL_ARG_SRC, &src},
                                                    {DNNL_ARG_DIFF_DST, &diff_dst}, {DNNL_ARG_DIFF_SRC, &diff_src},
                                                    {DNNL_ARG_SCRATCHPAD, &c.scratchpad}});
  }
  void forward(const Context& c) const { fwd_step.run(c); }
  void backward(const Context& c) const { bwd_step.run(c); }
};

template <class L, Shape In>
struct Kernel<op::Eltwise, L, In> {
  EltwiseCore core{eltwise_spec<L>()};
  memory dst, diff_dst;
  memory::desc plan(Context& c, const memory::desc& src, bool) { return core.plan(c, src); }
  void bind(Context& c, const Io& io, Slices) {
    dst = c.make(core.fwd.dst_desc());
    diff_dst = c.make_grad(core.fwd.dst_desc());
    core.bind(c, io.src, dst, diff_dst, io.diff_src);
  }
  void prepare_inference(Context&) {}
  void forward(Context& c, bool) { core.forward(c); }
  void backward(Context& c) { core.backward(c); }
};

}  // namespace typenet::onednn
