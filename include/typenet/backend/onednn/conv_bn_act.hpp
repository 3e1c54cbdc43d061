#pragma once
// The fused node convolution -> BatchNorm -> activation (graph/fuse.hpp) on oneDNN.
//   training:  conv => t;  batch norm t => y;  then the activation, except that a ReLU runs
//              inside the batch norm (one pass over y forward and backward instead of two),
//              and that ConvBn (activation Identity) has none
//   inference: one conv, BN folded into its weights and bias, the activation as a post-op
#include <cmath>
#include "typenet/backend/onednn/batch_norm.hpp"
#include "typenet/backend/onednn/conv.hpp"
#include "typenet/backend/onednn/eltwise.hpp"
#include "typenet/graph/fuse.hpp"

namespace typenet::onednn {

// The kernel's code, compiled once: the template below only names the numbers.
struct ConvBnActKernel {
  const bool relu_in_bn, has_act;
  const bool bn_writes_dst = relu_in_bn || !has_act;  // no separate activation pass

  ConvCore conv;
  BnCore bn;
  EltwiseCore act;
  memory dst, diff_dst;
  memory t, diff_t, bn_out, diff_bn_out;  // conv output; BN output (y itself when no activation pass follows)

  dnnl::convolution_forward::primitive_desc infer;  // folded
  memory w_folded_plain, b_folded, w_folded;
  Step fold_reorder, infer_step;
  Slices slices{};

  ConvBnActKernel(const ConvGeometry& g, EltwiseFn fn, const EltwiseSpec& spec)
      : relu_in_bn(fn == EltwiseFn::relu), has_act(fn != EltwiseFn::identity), conv(g), act{spec} {}

  memory::desc plan(Context& c, const memory::desc& src, bool src_needs_grad, float bn_epsilon) {
    const memory::desc d = conv.plan(c, src, src_needs_grad);
    bn.plan(c, d, bn_epsilon, relu_in_bn);
    if (!bn_writes_dst) act.plan(c, d);
    dnnl::primitive_attr a;  // not a copy of c.attr: copies share one handle
    a.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    if (has_act) {
      dnnl::post_ops po;
      po.append_eltwise(1.0f, act.f.algo, act.f.alpha, act.f.beta);  // the activation as a post-op
      a.set_post_ops(po);
    }
    infer = c.note(conv.with_algorithm(c, d.data_type(), [&](dnnl::algorithm alg) {
      return dnnl::convolution_forward::primitive_desc(
          conv.desc(dnnl::prop_kind::forward_inference, conv.fwd.src_desc(), d, /*with_bias=*/true, alg), a, c.engine);
    }));
    return d;
  }

  void bind(Context& c, const Io& io, Slices s) {
    slices = s;
    const long conv_params = conv.g.params;
    const memory::desc d = conv.fwd.dst_desc();
    dst = c.make(d);
    diff_dst = c.make_grad(d);
    t = c.make(d);
    diff_t = c.make_grad(d);
    bn_out = bn_writes_dst ? dst : c.make(d);
    diff_bn_out = bn_writes_dst ? diff_dst : c.make_grad(d);
    conv.bind(c, io, s, t, diff_t);
    bn.bind(c, t, bn_out, diff_bn_out, diff_t, {s.params + conv_params, s.grads + conv_params, s.state});
    if (!bn_writes_dst) act.bind(c, bn_out, dst, diff_dst, diff_bn_out);

    w_folded_plain = c.make(conv.weights_plain());
    b_folded = c.make(conv.bias_desc());
    w_folded = w_folded_plain.get_desc() == infer.weights_desc() ? w_folded_plain : c.make(infer.weights_desc());
    if (w_folded != w_folded_plain)
      fold_reorder = Step(dnnl::reorder(w_folded_plain, w_folded),
                          {{DNNL_ARG_FROM, &w_folded_plain}, {DNNL_ARG_TO, &w_folded}});
    infer_step = Step(dnnl::convolution_forward(infer), {{DNNL_ARG_SRC, &conv.src.to}, {DNNL_ARG_WEIGHTS, &w_folded},
                                                         {DNNL_ARG_BIAS, &b_folded}, {DNNL_ARG_DST, &dst},
                                                         {DNNL_ARG_SCRATCHPAD, &c.scratchpad}});
  }

  // Fold BN into the conv: w' = w * g / sqrt(v + eps), b' = (b - m) * g / sqrt(v + eps) + beta.
  void prepare_inference(Context& c) {
    const ConvGeometry& g = conv.g;
    const long conv_params = g.params;
    const float* w = slices.params;
    const float* gamma = slices.params + conv_params;
    const float* beta = gamma + g.out.c;
    const float* mean = slices.state;
    const float* var = slices.state + g.out.c;
    auto* wf = static_cast<float*>(w_folded_plain.get_data_handle());
    auto* bf = static_cast<float*>(b_folded.get_data_handle());
    const long per_filter = g.weights / g.out.c;
    for (int o = 0; o < g.out.c; ++o) {
      const float k = gamma[o] / std::sqrt(var[o] + bn.eps);
      for (long i = 0; i < per_filter; ++i) wf[o * per_filter + i] = w[o * per_filter + i] * k;
      const float b = g.bias ? w[g.weights + o] : 0.0f;
      bf[o] = (b - mean[o]) * k + beta[o];
    }
    fold_reorder.run(c);
  }

  void forward(Context& c, bool training) {
    if (!training) {
      conv.src.run(c);
      infer_step.run(c);
      return;
    }
    conv.forward(c);
    bn.forward(c, true);
    act.forward(c);  // nothing when the BN applied it, or there is none
  }
  void backward(Context& c, bool input_grad = true) {
    act.backward(c);
    bn.backward(c);
    conv.backward(c, input_grad);
  }
  void backward_weights_only(Context& c) { backward(c, false); }
};

template <class L, Shape In>
struct Kernel<op::ConvBnAct, L, In> : ConvBnActKernel {
  using Act = typename L::act;
  Kernel() : ConvBnActKernel(conv_geometry<typename L::conv, In>(), Act::fn, eltwise_spec<Act>()) {}
  memory::desc plan(Context& c, const memory::desc& src, bool src_needs_grad) {
    return ConvBnActKernel::plan(c, src, src_needs_grad, L::norm::epsilon(c.bn_eps));
  }
};

}  // namespace typenet::onednn
