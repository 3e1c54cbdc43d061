#pragma once
// The reference backend: plain loops over plain NCHW / NC arrays, in any scalar type T
// (double for finite-difference checks). Slow and obvious on purpose: it is the tests' oracle.
// This file: what every kernel shares, and the kernel contract; one file per op beside it.
// Every kernel:  forward(ctx, x, y, params, state, training)  (x => y)
//                backward(ctx, x, y, dy, dx, params, dparams)  (dy => dx, dparams; dx may be null)
#include "typenet/core/list.hpp"
#include "typenet/core/process_sum.hpp"
#include "typenet/core/rng.hpp"
#include "typenet/core/shape.hpp"
#include "typenet/graph/node.hpp"

namespace typenet::reference {

// Sums of many terms (a convolution's, a dense layer's, batch-norm statistics) are taken in
// double whatever T is: in float, a plain sequential sum of hundreds of terms rounds an order of
// magnitude worse than oneDNN's or PyTorch's blocked sums, and a pre-activation that lands on
// the other side of a ReLU's kink then moves a whole gradient entry.
using Sum = double;

struct Context {
  int batch = 1;
  float bn_momentum = 0.1f, bn_eps = 1e-5f;
  Rng rng{0};
  ProcessSum batch_norm_sum;  // synchronised batch norm (ModelOptions); empty: this process's batch only
};

// The kernel contract, one specialisation of Kernel per op: setup(batch), then
// forward(ctx, x, y, params, state, training) and backward(ctx, x, y, dy, dx, params, dparams).
template <class K, class T>
concept NodeKernel = requires(K k, Context& c, const T* in, T* out, bool b) {
  k.setup(1);
  k.forward(c, in, out, in, out, b);
  k.backward(c, in, in, in, out, in, out);
};

// A layer with none fails with one typenet: line; "required from Kernel<T, op, Layer, Shape>"
// names the layer.
template <class T, class Op, class L, Shape In>
struct Kernel {
  static_assert(always_false<L>,
                "typenet: this layer has no kernel on the reference backend (specialise reference::Kernel<T, op, Layer, In>)");
  void setup(int) {}
  void forward(Context&, const T*, T*, const T*, T*, bool) {}
  void backward(Context&, const T*, const T*, const T*, T*, const T*, T*) {}
};

}  // namespace typenet::reference
