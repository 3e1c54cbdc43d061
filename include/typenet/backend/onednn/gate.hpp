#pragma once
// Gate (squeeze-and-excitation) on oneDNN: y = x * g with g = branch(x), one value per
// (example, channel) broadcast over the map by a binary multiply in x's layout.
//   backward: dg = sum over the map of dy * x (a product, then a reduction), which the branch
//             takes back to its weights and to its own part of dx; dx = dy * g + that part.
#include "typenet/backend/onednn/add.hpp"
#include "typenet/backend/onednn/chain.hpp"
#include "typenet/graph/gate.hpp"

namespace typenet::onednn {

template <class L, Shape In>
struct Kernel<op::Gate, L, In> {
  using B = typename Node<L, In>::bound;
  Chain<typename B::branch::nodes> branch;
  memory dst, diff_dst;
  memory gate_nc11, diff_gate_nc11;  // the branch's (N,C) output and its gradient, seen as (N,C,1,1)
  Relayout gate, diff_gate;          // ... in the activations' type
  memory product, diff_trunk, diff_branch_in;
  Step multiply, multiply_diff, multiply_product, reduce;
  Add add_grads;

  memory::desc plan(Context& c, const memory::desc& src, bool src_needs_grad) {
    branch.plan(c, src, src_needs_grad);
    return src;
  }
  void bind(Context& c, const Io& io, Slices s) {
    const memory::desc x = io.src.get_desc();
    if (io.diff_src) diff_branch_in = c.make(x);
    branch.bind(c, {io.src, diff_branch_in}, s);
    dst = c.make(x);
    diff_dst = c.make(x);
    const dims nc11{c.batch, In.c, 1, 1};
    auto as_nc11 = [&](const memory& m) {
      return c.wrap({nc11, m.get_desc().data_type(), tag::nchw}, m.get_data_handle());
    };
    const memory::desc gate_d{nc11, x.data_type(), tag::nchw};
    gate_nc11 = as_nc11(branch.dst());
    gate.plan(c, gate_nc11, gate_d);
    multiply = binary_step(c, dnnl::algorithm::binary_mul, io.src, gate.to, dst);

    product = c.make(x);
    multiply_product = binary_step(c, dnnl::algorithm::binary_mul, diff_dst, io.src, product);
    diff_gate_nc11 = as_nc11(branch.diff_dst());
    diff_gate.plan_out(c, gate_d, diff_gate_nc11);
    dnnl::reduction::primitive_desc sum({dnnl::algorithm::reduction_sum, x, gate_d, 0.0f, 0.0f}, c.engine);
    reduce = Step(dnnl::reduction(sum), {{DNNL_ARG_SRC, &product}, {DNNL_ARG_DST, &diff_gate.to}});
    if (io.diff_src) {
      diff_trunk = c.make(x);
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
    multiply_product.run(c);
    reduce.run(c);
    diff_gate.run(c);
    branch.backward(c);
    if (!multiply_diff) return;
    multiply_diff.run(c);
    add_grads.run(c);
  }
};

}  // namespace typenet::onednn
