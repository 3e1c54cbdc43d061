#pragma once
// Gate (squeeze-and-excitation) on oneDNN: y = x * g with g = branch(x), one value per
// (example, channel) broadcast over the map by a binary multiply in x's layout.
//   backward: dg = sum over the map of dy * x (one pass of our own: oneDNN 2.6 reduces with its
//             reference kernel), which the branch takes back to its weights and to its own
//             part of dx; dx = dy * g + that part.
// g is kept blocked like x: with another layout oneDNN's broadcast multiply is its reference
// kernel too (50-100x slower).
#include "typenet/backend/onednn/add.hpp"
#include "typenet/backend/onednn/chain.hpp"
#include "typenet/backend/onednn/channel_sums.hpp"
#include "typenet/graph/gate.hpp"

namespace typenet::onednn {

template <class L, Shape In>
struct Kernel<op::Gate, L, In> {
  using B = typename Node<L, In>::bound;
  Chain<typename B::branch::nodes> branch;
  memory dst, diff_dst;
  memory src;                        // the trunk's input, for dg
  memory gate_nc11, diff_gate_nc11;  // the branch's (N,C) output and its gradient, seen as (N,C,1,1)
  Relayout gate;                     // ... the output in the activations' type and blocking
  Relayout diff_gate;                // ... the gradient, from f32 (N,C)
  ChannelDot dy_dot_x;
  memory diff_trunk, diff_branch_in;
  Step multiply, multiply_diff;
  Add add_grads;

  memory::desc plan(Context& c, const memory::desc& src, bool src_needs_grad) {
    branch.plan(c, src, src_needs_grad);
    return src;
  }
  void bind(Context& c, const Io& io, Slices s) {
    src = io.src;
    const memory::desc x = src.get_desc();
    if (io.diff_src) diff_branch_in = c.make_grad(x);
    branch.bind(c, {io.src, diff_branch_in}, s);
    dst = c.make(x);
    diff_dst = c.make_grad(x);
    const dims nc11{c.batch, In.c, 1, 1};
    auto as_nc11 = [&](const memory& m) {
      return c.view({nc11, m.get_desc().data_type(), tag::nchw}, m);
    };
    gate_nc11 = as_nc11(branch.dst());
    gate.plan(c, gate_nc11, channel_vector_desc(x, x.data_type()));
    multiply = binary_step(c, dnnl::algorithm::binary_mul, io.src, gate.to, dst);

    diff_gate_nc11 = as_nc11(branch.diff_dst());
    diff_gate.plan_out(c, {nc11, dt::f32, tag::nchw}, diff_gate_nc11);
    dy_dot_x.plan(x);
    if (io.diff_src) {
      diff_trunk = c.make_grad(x);
      multiply_diff = binary_step(c, dnnl::algorithm::binary_mul, diff_dst, gate.to, diff_trunk);
      add_grads.bind(c, diff_trunk, diff_branch_in, io.diff_src);
    }
  }
  void prepare_inference(Context& c) { branch.prepare_inference(c); }
  void forward(Context& c, bool training) {
    branch.forward(c, training);
    gate.run(c);
    multiply.run(c);
  }
  void backward(Context& c) {
    dy_dot_x.run(diff_dst, src, static_cast<float*>(diff_gate.to.get_data_handle()));
    diff_gate.run(c);
    branch.backward(c);
    if (!multiply_diff) return;
    multiply_diff.run(c);
    add_grads.run(c);
  }
};

}  // namespace typenet::onednn
