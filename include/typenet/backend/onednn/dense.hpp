#pragma once
// Dense (inner product) on oneDNN. (N,F) => (N,U); weights (U,F) plain in the flat buffer.
// It runs in f32 whatever the activations are: its input is converted on the way in (tiny).
#include "typenet/backend/onednn/context.hpp"
#include "typenet/layers/dense.hpp"

namespace typenet::onednn {

template <class L, Shape In>
struct Kernel<op::Dense, L, In> {
  static constexpr int F = In.c, U = L::units;
  dnnl::inner_product_forward::primitive_desc fwd;
  dnnl::inner_product_backward_data::primitive_desc bwd_data;
  dnnl::inner_product_backward_weights::primitive_desc bwd_weights;
  memory dst, diff_dst, w_plain, dw_plain, bias, dbias;
  Relayout src32, w, dw, diff_src32;
  Step fwd_step, bwd_data_step, bwd_weights_step;

  static memory::desc w_desc(tag t) { return {dims{U, F}, dt::f32, t}; }
  static memory::desc b_desc() { return {dims{U}, dt::f32, tag::x}; }

  memory::desc plan(Context& c, const memory::desc&, bool) {
    const memory::desc src = plain_desc(c.batch, In);
    const memory::desc dst_d = plain_desc(c.batch, Shape(U));
    fwd = c.note(dnnl::inner_product_forward::primitive_desc(
        L::bias ? dnnl::inner_product_forward::desc(dnnl::prop_kind::forward_training, src, w_desc(tag::any), b_desc(), dst_d)
                : dnnl::inner_product_forward::desc(dnnl::prop_kind::forward_training, src, w_desc(tag::any), dst_d),
        c.attr, c.engine));
    bwd_data = c.note(dnnl::inner_product_backward_data::primitive_desc({src, fwd.weights_desc(), dst_d}, c.attr,
                                                                        c.engine, fwd));
    bwd_weights = c.note(dnnl::inner_product_backward_weights::primitive_desc(
        L::bias ? dnnl::inner_product_backward_weights::desc(src, w_desc(tag::any), b_desc(), dst_d)
                : dnnl::inner_product_backward_weights::desc(src, w_desc(tag::any), dst_d),
        c.attr, c.engine, fwd));
    return dst_d;
  }
  void bind(Context& c, const Io& io, Slices s) {
    dst = c.make(fwd.dst_desc());
    diff_dst = c.make_grad(fwd.dst_desc());
    w_plain = c.wrap(w_desc(tag::ab), s.params);
    dw_plain = c.wrap(w_desc(tag::ab), s.grads);
    if constexpr (L::bias) {
      bias = c.wrap(b_desc(), s.params + long(U) * F);
      dbias = c.wrap(b_desc(), s.grads + long(U) * F);
    }
    src32.plan(c, io.src, fwd.src_desc());
    w.plan(c, w_plain, fwd.weights_desc());
    dw.plan_out(c, bwd_weights.diff_weights_desc(), dw_plain);
    fwd_step = Step(dnnl::inner_product_forward(fwd), {{DNNL_ARG_SRC, &src32.to}, {DNNL_ARG_WEIGHTS, &w.to},
                                                       {DNNL_ARG_BIAS, &bias}, {DNNL_ARG_DST, &dst},
                                                       {DNNL_ARG_SCRATCHPAD, &c.scratchpad}});
    bwd_weights_step = Step(dnnl::inner_product_backward_weights(bwd_weights),
                            {{DNNL_ARG_SRC, &src32.to}, {DNNL_ARG_DIFF_DST, &diff_dst},
                             {DNNL_ARG_DIFF_WEIGHTS, &dw.to}, {DNNL_ARG_DIFF_BIAS, &dbias},
                             {DNNL_ARG_SCRATCHPAD, &c.scratchpad}});
    if (io.diff_src) {
      diff_src32.plan_out(c, bwd_data.diff_src_desc(), io.diff_src);
      bwd_data_step = Step(dnnl::inner_product_backward_data(bwd_data),
                           {{DNNL_ARG_DIFF_DST, &diff_dst}, {DNNL_ARG_WEIGHTS, &w.to},
                            {DNNL_ARG_DIFF_SRC, &diff_src32.to}, {DNNL_ARG_SCRATCHPAD, &c.scratchpad}});
    }
  }
  void prepare_inference(Context& c) { w.run(c); }  // weights stay put until the next training step
  void forward(Context& c, bool training) {
    src32.run(c);
    if (training) w.run(c);
    fwd_step.run(c);
  }
  void backward(Context& c) {
    bwd_weights_step.run(c);
    dw.run(c);
    bwd_data_step.run(c);
    diff_src32.run(c);
  }
};

}  // namespace typenet::onednn
