#pragma once
// Max and average pooling on oneDNN (average excludes padding). Max pooling keeps a workspace (where each maximum was)
// from the training forward to the backward; inference runs a primitive that writes none.
#include "typenet/backend/onednn/context.hpp"
#include "typenet/graph/node.hpp"
#include "typenet/layers/pool.hpp"

namespace typenet::onednn {

// (N,C,H,W) => (N,C,H',W'); GlobalAvgPool publishes its (N,C,1,1) output as plain (N,C).
template <class L, Shape In>
struct Kernel<op::Pool, L, In> {
  using bound = typename Node<L, In>::bound;
  static constexpr Shape Out = Node<L, In>::out;
  static constexpr auto algo = L::kind == PoolKind::max ? dnnl::algorithm::pooling_max
                                                        : dnnl::algorithm::pooling_avg_exclude_padding;
  dnnl::pooling_forward::primitive_desc fwd, infer;
  dnnl::pooling_backward::primitive_desc bwd;
  memory dst, diff_dst;              // what neighbours see
  memory out, diff_out, workspace;   // owned buffers (4-D, the primitive's layout)
  memory flat4, diff_flat4;          // GlobalAvgPool: (N,C,1,1) plain, seen by neighbours as (N,C)
  Step fwd_step, infer_step, bwd_step, to_flat, from_flat;

  memory::desc plan(Context& c, const memory::desc& src, bool) {
    const dims out4{c.batch, Out.c, L::global ? 1 : Out.h, L::global ? 1 : Out.w};
    // The primitive picks its output layout (a plain one would send oneDNN 2.6 to its
    // reference kernel); GlobalAvgPool's small (N,C,1,1) output is then reordered to plain.
    memory::desc dst_d{out4, src.data_type(), tag::any};
    const dims stride{bound::stride, bound::stride}, kernel{bound::window_h, bound::window_w},
        pad{bound::pad, bound::pad}, pad_end{bound::pad_end, bound::pad_end};
    fwd = c.note(dnnl::pooling_forward::primitive_desc(
        {dnnl::prop_kind::forward_training, algo, src, dst_d, stride, kernel, pad, pad_end}, c.attr, c.engine));
    infer = c.note(dnnl::pooling_forward::primitive_desc(
        {dnnl::prop_kind::forward_inference, algo, src, fwd.dst_desc(), stride, kernel, pad, pad_end}, c.attr, c.engine));
    bwd = c.note(dnnl::pooling_backward::primitive_desc({algo, src, fwd.dst_desc(), stride, kernel, pad, pad_end},
                                                        c.attr, c.engine, fwd));
    if constexpr (L::global) return plain_desc(c.batch, Out, src.data_type());
    return fwd.dst_desc();
  }
  void bind(Context& c, const Io& io, Slices) {
    dst = out = c.make(fwd.dst_desc());
    diff_dst = diff_out = c.make_grad(fwd.dst_desc());
    if (L::kind == PoolKind::max) workspace = c.make(fwd.workspace_desc());
    fwd_step = Step(dnnl::pooling_forward(fwd), {{DNNL_ARG_SRC, &io.src}, {DNNL_ARG_DST, &out},
                                                 {DNNL_ARG_WORKSPACE, &workspace},
                                                 {DNNL_ARG_SCRATCHPAD, &c.scratchpad}});
    infer_step = Step(dnnl::pooling_forward(infer), {{DNNL_ARG_SRC, &io.src}, {DNNL_ARG_DST, &out},
                                                     {DNNL_ARG_SCRATCHPAD, &c.scratchpad}});
    if (io.diff_src)
      bwd_step = Step(dnnl::pooling_backward(bwd), {{DNNL_ARG_DIFF_DST, &diff_out}, {DNNL_ARG_DIFF_SRC, &io.diff_src},
                                                    {DNNL_ARG_WORKSPACE, &workspace},
                                                    {DNNL_ARG_SCRATCHPAD, &c.scratchpad}});
    if constexpr (L::global) {
      const dt type = io.src.get_desc().data_type();
      flat4 = c.make({dims{c.batch, Out.c, 1, 1}, type, tag::nchw});
      diff_flat4 = c.make_grad(flat4.get_desc());
      to_flat = Step(dnnl::reorder(out, flat4), {{DNNL_ARG_FROM, &out}, {DNNL_ARG_TO, &flat4}});
      from_flat = Step(dnnl::reorder(diff_flat4, diff_out), {{DNNL_ARG_FROM, &diff_flat4}, {DNNL_ARG_TO, &diff_out}});
      dst = c.wrap(plain_desc(c.batch, Out, type), flat4.get_data_handle());  // same bytes, seen as (N,C)
      diff_dst = c.view(plain_desc(c.batch, Out, type), diff_flat4);
    }
  }
  void prepare_inference(Context&) {}
  void forward(Context& c, bool training) {
    (training ? fwd_step : infer_step).run(c);
    to_flat.run(c);
  }
  void backward(Context& c) {
    from_flat.run(c);
    bwd_step.run(c);
  }
};

}  // namespace typenet::onednn
