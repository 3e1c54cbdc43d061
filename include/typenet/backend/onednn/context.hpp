#pragma once
// Context: what every oneDNN kernel of one Model shares — engine, stream, one scratchpad
// arena (scratchpad_mode::user, so primitives never allocate their own), the batch-norm
// hyperparameters and the random generator of dropout.
#include <dnnl.hpp>
#include <algorithm>
#include <concepts>
#include <stdexcept>
#include <string>
#include <vector>
#include "typenet/backend/onednn/grad_arena.hpp"
#include "typenet/core/error.hpp"
#include "typenet/core/list.hpp"
#include "typenet/core/process_sum.hpp"
#include "typenet/core/rng.hpp"
#include "typenet/core/shape.hpp"

namespace typenet::onednn {

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;
using dims = memory::dims;

struct Context {
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
  dnnl::primitive_attr attr = [] {
    dnnl::primitive_attr a;
    a.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    return a;
  }();
  memory scratchpad;        // one arena, sized for the hungriest primitive
  std::size_t scratchpad_bytes = 0;
  int batch = 1;
  float bn_momentum = 0.1f;  // weight of the new batch in the running statistics
  float bn_eps = 1e-5f;
  dt act = dt::f32;  // activations and conv weights (bf16: f32 master copies stay in the flat buffers)
  bool winograd = true;  // f32 3x3 stride-1 convolutions: Winograd where oneDNN has it
  Rng rng{0};
  ProcessSum batch_norm_sum;  // synchronised batch norm (ModelOptions); empty: this process's batch only

  template <class PD> PD note(PD pd) {  // record a primitive's scratchpad need
    scratchpad_bytes = std::max(scratchpad_bytes, pd.scratchpad_desc().get_size());
    return pd;
  }
  void allocate_scratchpad() {
    scratchpad = memory({{dims{dnnl_dim_t(std::max<std::size_t>(scratchpad_bytes, 64))}}, dt::u8, tag::x}, engine);
  }
  memory make(const memory::desc& d) {
    kept_bytes += d.get_size();
    return memory(d, engine);
  }
  std::size_t kept_bytes = 0;  // what make() allocated: activations, workspaces, weight copies
  memory wrap(const memory::desc& d, void* p) const { return memory(d, engine, p); }

  // Buffers only the backward pass uses (grad_arena.hpp): kernels make them here while they bind.
  GradArena grads;
  memory make_grad(const memory::desc& d) { return grads.make(d, engine); }
  memory view(const memory::desc& d, const memory& of) { return grads.view(d, of, engine); }
};

// A tensor of the activation flow: (N,C,H,W) or (N,F) in plain layout.
inline memory::desc plain_desc(int n, Shape s, dt type = dt::f32) {
  if (s.rank == 1) return {dims{n, s.c}, type, tag::nc};
  return {dims{n, s.c, s.h, s.w}, type, tag::nchw};
}
// The same (N,C,H,W) tensor with channels last.
inline memory::desc channels_last(const memory::desc& d) { return {d.dims(), d.data_type(), tag::nhwc}; }
inline std::size_t elements(const memory::desc& d) { return d.get_size() / memory::data_type_size(d.data_type()); }

// What a failing oneDNN call reports: the chain running it adds the node (backend/onednn/chain.hpp).
struct PrimitiveFailed : Error {
  using Error::Error;
};

// Step: one primitive with arguments fixed at construction. It calls the C API with a
// prebuilt argument array, so executing it builds no map and allocates nothing of ours.
struct Step {
  dnnl::primitive prim;
  std::vector<dnnl_exec_arg_t> args;

  Step() = default;
  Step(dnnl::primitive p, std::initializer_list<std::pair<int, const memory*>> a) : prim(std::move(p)) {
    for (auto& [k, m] : a)
      if (m && *m) args.push_back({k, m->get()});
  }
  explicit operator bool() const { return bool(prim); }
  void run(const Context& c) const {
    if (!prim) return;
    auto st = dnnl_primitive_execute(prim.get(), c.stream.get(), int(args.size()), args.data());
    if (st != dnnl_success) throw PrimitiveFailed("a oneDNN primitive failed with status " + std::to_string(int(st)));
  }
};

// Relayout: the same tensor in the layout a primitive wants. When `from` already has
// that layout, `to` is `from` and nothing runs.
struct Relayout {
  memory to;
  Step step;
  void plan(Context& c, const memory& from, const memory::desc& want) { plan(c, from, want, false); }
  // For a relayout that only the backward pass runs: its buffer is a gradient one.
  void plan_grad(Context& c, const memory& from, const memory::desc& want) { plan(c, from, want, true); }
  // The reverse direction: a primitive writes `from` in its own layout, `dest` must receive it.
  void plan_out(Context& c, const memory::desc& produced, const memory& dest) {
    if (produced == dest.get_desc()) { to = dest; step = {}; return; }
    to = c.make(produced);
    step = Step(dnnl::reorder(to, dest), {{DNNL_ARG_FROM, &to}, {DNNL_ARG_TO, &dest}});
  }
  void run(const Context& c) const { step.run(c); }

 private:
  void plan(Context& c, const memory& from, const memory::desc& want, bool grad) {
    if (from.get_desc() == want) { to = from; step = {}; return; }
    to = grad ? c.make_grad(want) : c.make(want);
    step = Step(dnnl::reorder(from, to), {{DNNL_ARG_FROM, &from}, {DNNL_ARG_TO, &to}});
  }
};

// Input/output memories of one kernel, decided by its neighbours.
struct Io {
  memory src;       // what the previous layer wrote
  memory diff_src;  // where this layer's input gradient goes; empty: not needed
};

// This node's slices of the flat parameter, gradient and state buffers.
struct Slices {
  float* params;
  float* grads;
  float* state;
};

// The kernel contract, one specialisation of Kernel per op in this folder (conv.hpp, pool.hpp, ...):
//   memory dst, diff_dst                                   what the next kernel reads and writes
//   plan(Context&, const memory::desc& src, bool src_needs_grad) -> dst's desc   primitives, once
//   bind(Context&, const Io&, Slices)                      memories and argument lists, once;
//       buffers only the backward pass uses come from c.make_grad (no pointer until the whole
//       chain is bound: see them in another shape with c.view) and keep nothing between steps
//   prepare_inference(Context&)                            after the parameters changed
//   forward(Context&, bool training), backward(Context&)
// and optionally backward_weights_only(Context&), for the first trained node after a frozen prefix.
template <class K>
concept NodeKernel = requires(K k, Context& c, const memory::desc& d, const Io& io, Slices s, bool b) {
  { k.dst } -> std::same_as<memory&>;
  { k.diff_dst } -> std::same_as<memory&>;
  { k.plan(c, d, b) } -> std::convertible_to<memory::desc>;
  k.bind(c, io, s);
  k.prepare_inference(c);
  k.forward(c, b);
  k.backward(c);
};

// A layer with no specialisation fails with one typenet: line; the compiler's "required from
// Kernel<op, Layer, Shape>" names the layer. The stubs keep the rest of the build quiet.
template <class Op, class L, Shape In>
struct Kernel {
  static_assert(always_false<L>,
                "typenet: this layer has no kernel on the oneDNN backend (specialise onednn::Kernel<op, Layer, In>)");
  memory dst, diff_dst;
  memory::desc plan(Context&, const memory::desc& d, bool) { return d; }
  void bind(Context&, const Io&, Slices) {}
  void prepare_inference(Context&) {}
  void forward(Context&, bool) {}
  void backward(Context&) {}
};

}  // namespace typenet::onednn
