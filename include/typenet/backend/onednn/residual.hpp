#pragma once
// Residual on oneDNN: y = body(x) + shortcut(x); the gradient of x is the sum of both branches'.
#include <optional>
#include "typenet/backend/onednn/add.hpp"
#include "typenet/backend/onednn/chain.hpp"
#include "typenet/backend/onednn/eltwise.hpp"
#include "typenet/graph/residual.hpp"

namespace typenet::onednn {

template <class L, Shape In>
struct Kernel<op::Residual, L, In> {
  using B = typename L::template bind<In>;
  static constexpr bool identity = B::shortcut::nodes::size == 0;
  Chain<typename B::body::nodes> body;
  Chain<typename B::shortcut::nodes> shortcut;
  memory dst, diff_dst;
  memory diff_body_in, diff_shortcut_in;  // each branch's gradient of x
  Add add, add_grads;
  Relayout diff_to_shortcut;  // the shortcut's last layer reads diff_dst in its own layout
  std::optional<EltwiseSpec> activation;  // the next node's ReLU, joined by the chain: dst = f(sum)

  memory::desc plan(Context& c, const memory::desc& src, bool src_needs_grad) {
    const memory::desc d = body.plan(c, src, src_needs_grad);
    if constexpr (!identity) shortcut.plan(c, src, src_needs_grad);
    return d;
  }
  void bind(Context& c, const Io& io, Slices s) {
    if (io.diff_src) diff_body_in = c.make_grad(io.src.get_desc());
    body.bind(c, {io.src, diff_body_in}, s);
    dst = c.make(body.dst().get_desc());
    diff_dst = body.diff_dst();  // the next layer writes the body's output gradient directly
    const dnnl::primitive_attr sum_attr = activation ? with_post_op(*activation) : dnnl::primitive_attr();
    if constexpr (identity) {
      add.bind(c, body.dst(), io.src, dst, sum_attr);
      if (io.diff_src) add_grads.bind(c, diff_body_in, diff_dst, io.diff_src);
    } else {
      if (io.diff_src) diff_shortcut_in = c.make_grad(io.src.get_desc());
      shortcut.bind(c, {io.src, diff_shortcut_in},
                    {s.params + B::body_params, s.grads + B::body_params, s.state + B::body_state});
      add.bind(c, body.dst(), shortcut.dst(), dst, sum_attr);
      const memory& sd = shortcut.diff_dst();
      diff_to_shortcut.step = Step(dnnl::reorder(diff_dst, sd), {{DNNL_ARG_FROM, &diff_dst}, {DNNL_ARG_TO, &sd}});
      if (io.diff_src) add_grads.bind(c, diff_body_in, diff_shortcut_in, io.diff_src);
    }
  }
  void prepare_inference(Context& c) {
    body.prepare_inference(c);
    if constexpr (!identity) shortcut.prepare_inference(c);
  }
  void forward(Context& c, bool training) {
    body.forward(c, training);
    if constexpr (!identity) shortcut.forward(c, training);
    add.run(c);
  }
  void backward(Context& c) {
    if constexpr (!identity) {
      diff_to_shortcut.run(c);
      shortcut.backward(c);
    }
    body.backward(c);
    if (add_grads.step) add_grads.run(c);
  }
};

}  // namespace typenet::onednn
