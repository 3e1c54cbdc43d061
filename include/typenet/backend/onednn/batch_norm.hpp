#pragma once
// Batch normalisation on oneDNN, in the layout of its input. oneDNN computes batch
// statistics; the running statistics (PyTorch's convention: unbiased variance, momentum
// = weight of the new batch) are ours, updated after each training forward.
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
    return d;
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
  }

  void forward(Context& c, bool training) {
    if (!training) return infer_step.run(c);
    train_step.run(c);
    const float m = c.bn_momentum, unbias = count > 1 ? count / (count - 1) : 1.0f;
    auto* rm = static_cast<float*>(running_mean.get_data_handle());
    auto* rv = static_cast<float*>(running_var.get_data_handle());
    const auto* bm = static_cast<const float*>(mean.get_data_handle());
    const auto* bv = static_cast<const float*>(var.get_data_handle());
    for (int i = 0; i < channels; ++i) {
      rm[i] = (1 - m) * rm[i] + m * bm[i];
      rv[i] = (1 - m) * rv[i] + m * bv[i] * unbias;
    }
  }
  void backward(const Context& c) const { bwd_step.run(c); }
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
