#pragma once
// Batch normalisation on oneDNN, in the layout of its input. oneDNN computes batch
// statistics; the running statistics (PyTorch's convention: unbiased variance, momentum
// = weight of the new batch) are ours, updated after each training forward.
//
// Synchronised (Context::batch_norm_sum set): the statistics are the whole global batch's.
// Forward: oneDNN gives this process's mean and variance; their sums over the processes give
// the global ones, and a second pass normalises by them (oneDNN's use_global_stats). Backward:
// with the statistics held fixed, oneDNN gives dx = gamma/sd * dy and this process's sums of
// dy and dy*xhat; the rest of the gradient, -gamma/sd * (sum dy + xhat * sum dy*xhat) / N over
// the global batch, is one per-channel a + b*x added to dx (a oneDNN binary with a sum post-op).
// Sums are taken in double, so combining the processes' moments loses nothing that matters.
#include <algorithm>
#include <cmath>
#include <vector>
#include "typenet/backend/onednn/context.hpp"
#include "typenet/layers/batch_norm.hpp"

namespace typenet::onednn {

// BnCore: (N,C,H,W) => (N,C,H,W). Params: scale (C), shift (C); state: mean (C), var (C).
// C comes from the planned layout, so the code is compiled once, not per channel count.
struct BnCore {
  using flags = dnnl::normalization_flags;
  dnnl::batch_normalization_forward::primitive_desc train, infer;
  dnnl::batch_normalization_backward::primitive_desc bwd;
  memory scale, shift, dscale, dshift, mean, var, running_mean, running_var;
  memory relu_mask;  // with a fused ReLU: which outputs were positive (oneDNN's workspace)
  Step train_step, infer_step, bwd_step;
  float count = 1;  // values per channel in a batch: N*H*W
  float eps = 1e-5f;
  int channels = 0;

  struct Synced {  // the synchronised batch norm's own primitives and buffers
    dnnl::batch_normalization_forward::primitive_desc train;  // normalises by the given (global) statistics
    dnnl::batch_normalization_backward::primitive_desc bwd;   // dx = gamma/sd * dy, and the local sums
    dnnl::binary::primitive_desc correct;                     // dx += a + b*x, per channel
    memory::desc coefficients;  // (1,C,1,1) in the activations' layout: oneDNN's binary has jit kernels only so
    memory mean, var, a, b, a_plain, b_plain, relu_mask;
    Step train_step, bwd_step, correct_step, a_to_layout, b_to_layout;
    std::vector<double> sums;
    double count = 0;  // values per channel in the global batch
  } synced;

  // relu: y = max(bn(x), 0) in the same pass (oneDNN's fuse_norm_relu), and its backward too.
  memory::desc plan(Context& c, const memory::desc& d, float epsilon, bool relu = false) {
    eps = epsilon;
    const auto f = flags::use_scale | flags::use_shift | (relu ? flags::fuse_norm_relu : flags::none);
    train = c.note(dnnl::batch_normalization_forward::primitive_desc(
        {dnnl::prop_kind::forward_training, d, eps, f}, c.attr, c.engine));
    infer = c.note(dnnl::batch_normalization_forward::primitive_desc(
        {dnnl::prop_kind::forward_inference, d, eps, f | flags::use_global_stats}, c.attr, c.engine));
    bwd = c.note(dnnl::batch_normalization_backward::primitive_desc(
        {dnnl::prop_kind::backward, d, d, eps, f}, c.attr, c.engine, train));
    count = float(d.dims()[0] * d.dims()[2] * d.dims()[3]);
    channels = int(d.dims()[1]);
    if (c.batch_norm_sum) {
      const auto g = f | flags::use_global_stats;
      synced.train = c.note(dnnl::batch_normalization_forward::primitive_desc(
          {dnnl::prop_kind::forward_training, d, eps, g}, c.attr, c.engine));
      synced.bwd = c.note(dnnl::batch_normalization_backward::primitive_desc(
          {dnnl::prop_kind::backward, d, d, eps, g}, c.attr, c.engine, synced.train));
      synced.coefficients = in_layout_of(d, dims{1, channels, 1, 1});
      dnnl::post_ops po;
      po.append_binary(dnnl::algorithm::binary_add, synced.coefficients);
      po.append_sum(1.0f);
      dnnl::primitive_attr a;  // not a copy of c.attr: copies share one handle
      a.set_scratchpad_mode(dnnl::scratchpad_mode::user);
      a.set_post_ops(po);
      synced.correct = c.note(
          dnnl::binary::primitive_desc({dnnl::algorithm::binary_mul, d, synced.coefficients, d}, a, c.engine));
    }
    return d;
  }

  // An f32 tensor of `shape` in the layout of d (which oneDNN chose), where that layout is one
  // of the usual activation layouts; plain otherwise.
  static memory::desc in_layout_of(const memory::desc& d, const dims& shape) {
    for (tag t : {tag::abcd, tag::acdb, tag::aBcd16b, tag::aBcd8b, tag::aBcd4b, tag::ABcd16a16b, tag::ABcd32a16b,
                  tag::ABcd8a8b, tag::ABcd16b16a})
      if (memory::desc(d.dims(), d.data_type(), t) == d) return {shape, dt::f32, t};
    return {shape, dt::f32, tag::abcd};
  }

  // src/dst/diff_dst/diff_src are the caller's; diff_src may be empty only if never needed.
  void bind(Context& c, const memory& src, const memory& dst, const memory& diff_dst, const memory& diff_src,
            Slices s) {
    const int C = channels;
    const memory::desc vec{dims{C}, dt::f32, tag::x};
    scale = c.wrap(vec, s.params);
    shift = c.wrap(vec, s.params + C);
    dscale = c.wrap(vec, s.grads);
    dshift = c.wrap(vec, s.grads + C);
    running_mean = c.wrap(vec, s.state);
    running_var = c.wrap(vec, s.state + C);
    mean = c.make(vec);
    var = c.make(vec);
    if (train.workspace_desc().get_size() > 0) relu_mask = c.make(train.workspace_desc());
    train_step = Step(dnnl::batch_normalization_forward(train),
                      {{DNNL_ARG_SRC, &src}, {DNNL_ARG_DST, &dst}, {DNNL_ARG_SCALE, &scale}, {DNNL_ARG_SHIFT, &shift},
                       {DNNL_ARG_MEAN, &mean}, {DNNL_ARG_VARIANCE, &var}, {DNNL_ARG_WORKSPACE, &relu_mask},
                       {DNNL_ARG_SCRATCHPAD, &c.scratchpad}});
    infer_step = Step(dnnl::batch_normalization_forward(infer),
                      {{DNNL_ARG_SRC, &src}, {DNNL_ARG_DST, &dst}, {DNNL_ARG_SCALE, &scale},
                       {DNNL_ARG_SHIFT, &shift}, {DNNL_ARG_MEAN, &running_mean},
                       {DNNL_ARG_VARIANCE, &running_var}, {DNNL_ARG_SCRATCHPAD, &c.scratchpad}});
    if (diff_src)
      bwd_step = Step(dnnl::batch_normalization_backward(bwd),
                      {{DNNL_ARG_SRC, &src}, {DNNL_ARG_DIFF_DST, &diff_dst}, {DNNL_ARG_SCALE, &scale}, {DNNL_ARG_SHIFT, &shift},
                       {DNNL_ARG_MEAN, &mean}, {DNNL_ARG_VARIANCE, &var}, {DNNL_ARG_DIFF_SRC, &diff_src},
                       {DNNL_ARG_DIFF_SCALE, &dscale}, {DNNL_ARG_DIFF_SHIFT, &dshift},
                       {DNNL_ARG_WORKSPACE, &relu_mask}, {DNNL_ARG_SCRATCHPAD, &c.scratchpad}});
    if (synced.train) bind_synced(c, src, dst, diff_dst, diff_src, vec);
  }
  void bind_synced(Context& c, const memory& src, const memory& dst, const memory& diff_dst, const memory& diff_src,
                   const memory::desc& vec) {
    Synced& y = synced;
    y.mean = c.make(vec);
    y.var = c.make(vec);
    const memory::desc plain{dims{1, channels, 1, 1}, dt::f32, tag::abcd};
    y.a_plain = c.make(plain);
    y.b_plain = c.make(plain);
    y.a = y.coefficients == plain ? y.a_plain : c.make(y.coefficients);
    y.b = y.coefficients == plain ? y.b_plain : c.make(y.coefficients);
    if (y.a != y.a_plain) {
      y.a_to_layout = Step(dnnl::reorder(y.a_plain, y.a), {{DNNL_ARG_FROM, &y.a_plain}, {DNNL_ARG_TO, &y.a}});
      y.b_to_layout = Step(dnnl::reorder(y.b_plain, y.b), {{DNNL_ARG_FROM, &y.b_plain}, {DNNL_ARG_TO, &y.b}});
    }
    const auto& mask = y.train.workspace_desc();
    if (mask.get_size() > 0) y.relu_mask = mask == train.workspace_desc() ? relu_mask : c.make(mask);
    y.train_step = Step(dnnl::batch_normalization_forward(y.train),
                        {{DNNL_ARG_SRC, &src}, {DNNL_ARG_DST, &dst}, {DNNL_ARG_SCALE, &scale}, {DNNL_ARG_SHIFT, &shift},
                         {DNNL_ARG_MEAN, &y.mean}, {DNNL_ARG_VARIANCE, &y.var}, {DNNL_ARG_WORKSPACE, &y.relu_mask},
                         {DNNL_ARG_SCRATCHPAD, &c.scratchpad}});
    if (!diff_src) return;
    y.bwd_step = Step(dnnl::batch_normalization_backward(y.bwd),
                      {{DNNL_ARG_SRC, &src}, {DNNL_ARG_DIFF_DST, &diff_dst}, {DNNL_ARG_SCALE, &scale},
                       {DNNL_ARG_SHIFT, &shift}, {DNNL_ARG_MEAN, &y.mean}, {DNNL_ARG_VARIANCE, &y.var},
                       {DNNL_ARG_DIFF_SRC, &diff_src}, {DNNL_ARG_DIFF_SCALE, &dscale}, {DNNL_ARG_DIFF_SHIFT, &dshift},
                       {DNNL_ARG_WORKSPACE, &y.relu_mask}, {DNNL_ARG_SCRATCHPAD, &c.scratchpad}});
    y.correct_step = Step(dnnl::binary(y.correct),
                          {{DNNL_ARG_SRC_0, &src}, {DNNL_ARG_SRC_1, &y.b},
                           {DNNL_ARG_ATTR_MULTIPLE_POST_OP(0) | DNNL_ARG_SRC_1, &y.a}, {DNNL_ARG_DST, &diff_src},
                           {DNNL_ARG_SCRATCHPAD, &c.scratchpad}});
  }

  void forward(Context& c, bool training) {
    if (!training) return infer_step.run(c);
    train_step.run(c);
    if (c.batch_norm_sum) return forward_synced(c);
    update_running(c, f32(mean), f32(var), count);
  }
  void backward(const Context& c) {
    if (c.batch_norm_sum) return backward_synced(c);
    bwd_step.run(c);
  }

 private:
  static float* f32(const memory& m) { return static_cast<float*>(m.get_data_handle()); }

  void update_running(const Context& c, const float* batch_mean, const float* batch_var, double n) {
    const float m = c.bn_momentum, unbias = n > 1 ? float(n) / float(n - 1) : 1.0f;
    float* rm = f32(running_mean);
    float* rv = f32(running_var);
    for (int i = 0; i < channels; ++i) {
      rm[i] = (1 - m) * rm[i] + m * batch_mean[i];
      rv[i] = (1 - m) * rv[i] + m * batch_var[i] * unbias;
    }
  }

  // This process's moments (train_step has just computed them) become the global batch's:
  // sums of n*mean, n*(var + mean^2) and n over the processes.
  void forward_synced(Context& c) {
    const int C = channels;
    const float *bm = f32(mean), *bv = f32(var);
    std::vector<double>& s = synced.sums;
    s.assign(2 * std::size_t(C) + 1, 0.0);
    for (int i = 0; i < C; ++i) {
      s[i] = double(count) * bm[i];
      s[C + i] = double(count) * (double(bv[i]) + double(bm[i]) * bm[i]);
    }
    s[2 * C] = count;
    c.batch_norm_sum(s);
    const double n = s[2 * C];
    float *gm = f32(synced.mean), *gv = f32(synced.var);
    for (int i = 0; i < C; ++i) {
      const double mu = s[i] / n;
      gm[i] = float(mu);
      gv[i] = float(std::max(s[C + i] / n - mu * mu, 0.0));
    }
    synced.count = n;
    synced.train_step.run(c);  // overwrites this process's normalisation with the global one
    update_running(c, gm, gv, n);
  }

  void backward_synced(const Context& c) {
    synced.bwd_step.run(c);  // dscale = sum dy*xhat, dshift = sum dy, over this process's batch
    const int C = channels;
    std::vector<double>& s = synced.sums;
    s.assign(2 * std::size_t(C), 0.0);
    const float *dg = f32(dscale), *db = f32(dshift);
    std::copy(dg, dg + C, s.begin());
    std::copy(db, db + C, s.begin() + C);
    c.batch_norm_sum(s);  // a copy: the gradients themselves are averaged with all the others
    const float *gamma = f32(scale), *gm = f32(synced.mean), *gv = f32(synced.var);
    float *a = f32(synced.a_plain), *b = f32(synced.b_plain);
    for (int i = 0; i < C; ++i) {
      const double inv_sd = 1.0 / std::sqrt(double(gv[i]) + eps), k = gamma[i] * inv_sd / synced.count;
      b[i] = float(-k * inv_sd * s[i]);
      a[i] = float(-k * s[C + i] + k * inv_sd * gm[i] * s[i]);
    }
    synced.a_to_layout.run(c);
    synced.b_to_layout.run(c);
    synced.correct_step.run(c);
  }
};

template <class L, Shape In>
struct Kernel<op::BatchNorm, L, In> {
  BnCore bn;
  memory dst, diff_dst;
  memory scratch_diff;  // BN's backward also gives dscale/dshift: it runs even for the first layer

  memory::desc plan(Context& c, const memory::desc& src, bool) { return bn.plan(c, src, L::epsilon(c.bn_eps)); }
  void bind(Context& c, const Io& io, Slices s) {
    dst = c.make(bn.train.dst_desc());
    diff_dst = c.make_grad(bn.train.dst_desc());
    if (!io.diff_src) scratch_diff = c.make_grad(bn.train.src_desc());
    bn.bind(c, io.src, dst, diff_dst, io.diff_src ? io.diff_src : scratch_diff, s);
  }
  void prepare_inference(Context&) {}
  void forward(Context& c, bool training) { bn.forward(c, training); }
  void backward(Context& c) { bn.backward(c); }
};

}  // namespace typenet::onednn
