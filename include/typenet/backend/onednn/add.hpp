#pragma once
// Elementwise binaries of two activation tensors on oneDNN: Add (residual sums, gradient sums)
// and the broadcasting product of a gate.
#include "typenet/backend/onednn/context.hpp"

namespace typenet::onednn {

// dst = a (op) b, b broadcast where its dims are 1. Built after the scratchpad is sized, so it
// keeps oneDNN's own scratchpad (a binary needs none).
inline Step binary_step(Context& c, dnnl::algorithm alg, const memory& a, const memory& b, const memory& dst,
                        const dnnl::primitive_attr& attr = {}) {
  dnnl::binary::primitive_desc pd({alg, a.get_desc(), b.get_desc(), dst.get_desc()}, attr, c.engine);
  return Step(dnnl::binary(pd), {{DNNL_ARG_SRC_0, &a}, {DNNL_ARG_SRC_1, &b}, {DNNL_ARG_DST, &dst}});
}

// Add: dst = a + b, with b reordered to a's layout when they differ; attr may carry post-ops.
struct Add {
  Relayout b_like_a;
  Step step;
  void bind(Context& c, const memory& a, const memory& b, const memory& dst, const dnnl::primitive_attr& attr = {}) {
    b_like_a.plan(c, b, a.get_desc());
    step = binary_step(c, dnnl::algorithm::binary_add, a, b_like_a.to, dst, attr);
  }
  void run(const Context& c) const {
    b_like_a.run(c);
    step.run(c);
  }
};

}  // namespace typenet::onednn
