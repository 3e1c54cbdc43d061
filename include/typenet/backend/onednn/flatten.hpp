#pragma once
// Flatten on oneDNN: reorder to plain NCHW (a no-op when it already is), then view as (N, C*H*W).
#include "typenet/backend/onednn/context.hpp"
#include "typenet/layers/flatten.hpp"

namespace typenet::onednn {

template <class L, Shape In>
struct Kernel<op::Flatten, L, In> {
  memory dst, diff_dst;
  Relayout to_plain;
  Step back;
  memory plain, diff_plain;

  memory::desc plan(Context& c, const memory::desc& src, bool) {
    return plain_desc(c.batch, Shape(int(In.size())), src.data_type());
  }
  void bind(Context& c, const Io& io, Slices) {
    const dt type = io.src.get_desc().data_type();
    to_plain.plan(c, io.src, plain_desc(c.batch, In, type));
    plain = to_plain.to;
    dst = c.wrap(plain_desc(c.batch, Shape(int(In.size())), type), plain.get_data_handle());
    diff_plain = c.make_grad(plain_desc(c.batch, In, type));
    diff_dst = c.view(plain_desc(c.batch, Shape(int(In.size())), type), diff_plain);
    if (io.diff_src)  // a copy even when both are plain: the caller owns diff_src
      back = Step(dnnl::reorder(diff_plain, io.diff_src), {{DNNL_ARG_FROM, &diff_plain}, {DNNL_ARG_TO, &io.diff_src}});
  }
  void prepare_inference(Context&) {}
  void forward(Context& c, bool) { to_plain.run(c); }
  void backward(Context& c) { back.run(c); }
};

}  // namespace typenet::onednn
