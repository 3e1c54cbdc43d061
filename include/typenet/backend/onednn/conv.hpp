#pragma once
// Convolution on oneDNN. The primitive chooses its layouts (format_tag::any); master weights
// stay plain (F,C,K,K) in the flat parameter buffer and are reordered only when it wants another.
#include <algorithm>
#include <cstring>
#include <memory>
#include <string_view>
#include "typenet/backend/onednn/context.hpp"
#include "typenet/backend/onednn/depthwise_weight_grad.hpp"
#include "typenet/graph/node.hpp"
#include "typenet/layers/conv.hpp"

namespace typenet::onednn {

// A convolution's geometry, as numbers: the code below is compiled once, not once per layer
// and input shape (most of the zoo's compile time was ConvCore instantiated per shape).
struct ConvGeometry {
  Shape in, out;
  int kernel, stride, pad, pad_end, groups, filters, channels_per_group;
  bool bias;
  long weights, params;  // weight count; with the bias
  // A depthwise conv's own weight gradient, compiled for its kernel and stride; null otherwise.
  std::unique_ptr<DepthwiseWeightGradBase> (*make_depthwise_grad)();
};

template <int K, int S>
std::unique_ptr<DepthwiseWeightGradBase> make_depthwise_weight_grad() {
  return std::make_unique<DepthwiseWeightGrad<K, S>>();
}

template <class L, Shape In>
constexpr ConvGeometry conv_geometry() {
  using B = typename Node<L, In>::bound;
  constexpr bool depthwise = B::groups > 1 && B::groups == In.c && B::filters == In.c;
  std::unique_ptr<DepthwiseWeightGradBase> (*make)() = nullptr;
  if constexpr (depthwise) make = &make_depthwise_weight_grad<L::kernel, L::stride>;
  return {In, B::out, L::kernel, L::stride, L::pad, L::pad_end, B::groups, B::filters, B::channels_per_group,
          L::bias, B::weights, B::params, make};
}

// ConvCore: the convolution part shared by Conv and ConvBnAct.
// (N,C,H,W) => (N,F,H',W'); backward: dW, db and (when asked) dX.
struct ConvCore {
  using fwd_pd_t = dnnl::convolution_forward::primitive_desc;
  const ConvGeometry g;

  fwd_pd_t fwd;
  dnnl::convolution_backward_data::primitive_desc bwd_data;
  dnnl::convolution_backward_weights::primitive_desc bwd_weights;
  memory w_plain, dw_plain, bias, dbias;
  Relayout src, w, w_bwd, dw, diff_src;
  Step fwd_step, bwd_data_step, bwd_weights_step;

  // A trimmed conv (graph/trim.hpp: `cut` rows and columns less padding at the far end) on
  // Winograd: oneDNN 2.6's Winograd backward-data is wrong with asymmetric padding, and direct
  // is slower than a copy, so it runs as the untrimmed conv's backward-data on the gradient
  // padded back with zero rows and columns.
  const int cut = g.pad - g.pad_end;
  bool untrimmed_bwd_data = false;
  memory diff_dst_full, diff_dst_view;  // the padded gradient; its top-left (trimmed) part
  Step pad_diff_dst;

  // bf16 backward-weights of a deep 3x3 conv on a 4x4 or 8x8 map (a multiple of Winograd's 4x4
  // output tile) runs as f32 Winograd on f32 copies of x and dy: oneDNN 2.6's bf16 kernel is
  // slow there (batch 256, 512->512 at 4x4: 54 ms vs 22; 256->256 at 8x8: 28 vs 21; it wins
  // at 16x16 and above, and with fewer channels). The gradient is f32 either way.
  const bool small_deep_map = g.groups == 1 && g.kernel == 3 && g.stride == 1 && cut == 0 && !g.bias && g.in.c >= 256 &&
                              g.out.h == g.out.w && (g.out.h == 4 || g.out.h == 8);
  bool f32_bwd_weights = false;

  // bf16 backward-weights of a wide 1x1 conv runs as one matmul, dW = dy^T x over the (n,h,w)
  // rows of channels-last copies of x and dy: oneDNN 2.6's jit_bf16_1x1 kernel runs at half its
  // forward's speed there. Batch 32 on Zen 5 (benchmarks/bench_pointwise_grad.cpp): 728->728 at 19x19
  // 29.3 ms against 20.5 with both reorders, 256->728 at 37x37 43.5 against 35.1, 512->512 at
  // 19x19 14.6 against 12.5; it loses under 16x16 (1024->1536 at 10x10: 15.6 against 16.4) and
  // when neither side has 512 channels (256->256 at 74x74: 50.6 against 53.5).
  const bool wide_pointwise = g.groups == 1 && g.kernel == 1 && g.stride == 1 && g.pad == 0 && g.pad_end == 0 &&
                              !g.bias && std::min(g.in.c, g.out.c) >= 256 && std::max(g.in.c, g.out.c) >= 512 &&
                              g.out.h >= 16 && g.out.w >= 16;
  bool matmul_bwd_weights = false;
  dnnl::matmul::primitive_desc bwd_weights_matmul;
  memory dy_columns, x_rows, dw_matrix;  // the matmul's views of its operands

  // x and dy as the weight gradient reads them: f32 copies (Winograd above), channels-last
  // copies (matmul), or x and dy themselves.
  Relayout src_for_weights, diff_dst_for_weights;

  // A depthwise conv's weight gradient is ours where oneDNN has no depthwise kernel for it
  // (backend/onednn/depthwise_weight_grad.hpp).
  bool own_dw_grad = false;
  std::unique_ptr<DepthwiseWeightGradBase> dw_grad;

  explicit ConvCore(const ConvGeometry& geometry) : g(geometry) {}

  // Grouped weights are (G, F/G, C/G, K, K) to oneDNN: in goihw the same bytes as (F, C/G, K, K).
  dims weight_dims() const {
    if (g.groups == 1) return {g.filters, g.in.c, g.kernel, g.kernel};
    return {g.groups, g.filters / g.groups, g.channels_per_group, g.kernel, g.kernel};
  }
  memory::desc weights_plain() const { return {weight_dims(), dt::f32, g.groups == 1 ? tag::oihw : tag::goihw}; }
  memory::desc bias_desc() const { return {dims{g.filters}, dt::f32, tag::x}; }
  dims strides() const { return {g.stride, g.stride}; }
  dims padding_l() const { return {g.pad, g.pad}; }
  dims padding_r() const { return {g.pad_end, g.pad_end}; }
  memory::desc weights_any(dt type) const { return {weight_dims(), type, tag::any}; }
  dnnl::convolution_forward::desc desc(dnnl::prop_kind prop, const memory::desc& src_d, const memory::desc& dst_d,
                                       bool with_bias, dnnl::algorithm alg = dnnl::algorithm::convolution_direct) const {
    const memory::desc w_any = weights_any(src_d.data_type());
    if (with_bias) return {prop, alg, src_d, w_any, bias_desc(), dst_d, strides(), padding_l(), padding_r()};
    return {prop, alg, src_d, w_any, dst_d, strides(), padding_l(), padding_r()};
  }
  // Winograd where asked for and possible: f32, 3x3, stride 1, not grouped.
  bool wants_winograd(const Context& c, dt type) const {
    return c.winograd && type == dt::f32 && g.kernel == 3 && g.stride == 1 && g.groups == 1;
  }
  // The primitive descriptor made by make(alg): Winograd if wanted and oneDNN has it, else direct.
  template <class MakePd>
  auto with_algorithm(const Context& c, dt type, MakePd&& make) const {
    if (wants_winograd(c, type)) try {
        return make(dnnl::algorithm::convolution_winograd);
      } catch (const dnnl::error&) {  // no Winograd kernel for this shape here: direct
      }
    return make(dnnl::algorithm::convolution_direct);
  }

  memory::desc plan(Context& c, const memory::desc& src_d, bool src_needs_grad) {
    plan_as(c, src_d, src_needs_grad, c.act);
    // A bf16 conv that oneDNN only has a reference kernel for (seen: airbench's 2x2 whitening
    // conv, backward weights) runs in f32 instead; the reorders around it convert.
    if (c.act == dt::bf16 && uses_reference_kernel(src_needs_grad)) plan_as(c, src_d, src_needs_grad, dt::f32);
    return fwd.dst_desc();
  }
  bool uses_reference_kernel(bool with_bwd_data) const {
    auto ref = [](const char* impl) { return std::string_view(impl).starts_with("ref"); };
    return ref(fwd.impl_info_str()) || ref(bwd_weights.impl_info_str()) ||
           (with_bwd_data && ref(bwd_data.impl_info_str()));
  }
  void plan_as(Context& c, const memory::desc& src_d, bool src_needs_grad, dt type) {
    memory::desc any_src{dims{c.batch, g.in.c, g.in.h, g.in.w}, type, tag::any};
    memory::desc any_dst{dims{c.batch, g.out.c, g.out.h, g.out.w}, type, tag::any};
    // The input image (3 channels) stays plain: oneDNN's first-layer kernels read it directly.
    const memory::desc s = g.in.c < 8 ? memory::desc(src_d.dims(), type, tag::nchw) : any_src;
    fwd = c.note(with_algorithm(c, type, [&](dnnl::algorithm alg) {
      return fwd_pd_t(desc(dnnl::prop_kind::forward_training, s, any_dst, g.bias, alg), c.attr, c.engine);
    }));
    const memory::desc w_any = weights_any(type), dw_any = weights_any(dt::f32);  // f32 gradients
    // Built only when the layer before wants its gradient (never for the input image).
    untrimmed_bwd_data = false;
    if (src_needs_grad && cut > 0 && wants_winograd(c, type)) try {
        const auto wino = dnnl::algorithm::convolution_winograd;
        const memory::desc full_dst{dims{c.batch, g.out.c, g.out.h + cut, g.out.w + cut}, type, tag::any};
        const fwd_pd_t hint({dnnl::prop_kind::forward_training, wino, s, w_any, full_dst, strides(), padding_l(),
                             padding_l()},
                            c.attr, c.engine);
        bwd_data = c.note(dnnl::convolution_backward_data::primitive_desc(
            {wino, any_src, w_any, hint.dst_desc(), strides(), padding_l(), padding_l()}, c.attr, c.engine, hint));
        untrimmed_bwd_data = true;
      } catch (const dnnl::error&) {  // no Winograd kernel: direct, with the trimmed shape
      }
    if (src_needs_grad && !untrimmed_bwd_data) {
      auto make = [&](dnnl::algorithm alg) {
        return dnnl::convolution_backward_data::primitive_desc(
            {alg, any_src, w_any, fwd.dst_desc(), strides(), padding_l(), padding_r()}, c.attr, c.engine, fwd);
      };
      bwd_data = c.note(cut > 0 ? make(dnnl::algorithm::convolution_direct) : with_algorithm(c, type, make));
    }
    f32_bwd_weights = false;
    if (type == dt::bf16 && small_deep_map && c.winograd) try {
        const auto wino = dnnl::algorithm::convolution_winograd;
        const memory::desc src32{dims{c.batch, g.in.c, g.in.h, g.in.w}, dt::f32, tag::any};
        const memory::desc dst32{dims{c.batch, g.out.c, g.out.h, g.out.w}, dt::f32, tag::any};
        const fwd_pd_t hint({dnnl::prop_kind::forward_training, wino, src32, dw_any, dst32, strides(), padding_l(),
                             padding_r()},
                            c.attr, c.engine);
        bwd_weights = c.note(dnnl::convolution_backward_weights::primitive_desc(
            {wino, hint.src_desc(), dw_any, hint.dst_desc(), strides(), padding_l(), padding_r()}, c.attr, c.engine,
            hint));
        f32_bwd_weights = true;
      } catch (const dnnl::error&) {  // no Winograd kernel: bf16 direct
      }
    if (!f32_bwd_weights) {
      bwd_weights = with_algorithm(c, type, [&](dnnl::algorithm alg) {
        return dnnl::convolution_backward_weights::primitive_desc(
            g.bias ? dnnl::convolution_backward_weights::desc(alg, fwd.src_desc(), dw_any, bias_desc(), fwd.dst_desc(),
                                                               strides(), padding_l(), padding_r())
                    : dnnl::convolution_backward_weights::desc(alg, fwd.src_desc(), dw_any, fwd.dst_desc(), strides(),
                                                               padding_l(), padding_r()),
            c.attr, c.engine, fwd);
      });
      own_dw_grad = g.make_depthwise_grad && !std::string_view(bwd_weights.impl_info_str()).starts_with("jit_dw");
      if (!own_dw_grad) c.note(bwd_weights);
    }
    matmul_bwd_weights = type == dt::bf16 && wide_pointwise &&
                         std::string_view(bwd_weights.impl_info_str()) == "jit_bf16_1x1:avx512_core_bf16";
    if (matmul_bwd_weights)
      bwd_weights_matmul = c.note(dnnl::matmul::primitive_desc(
          {dy_columns_desc(c), x_rows_desc(c), dw_matrix_desc()}, c.attr, c.engine));
  }
  // The matmul's operands: rows are the (n,h,w) positions of channels-last x and dy.
  memory::dim positions(const Context& c) const { return memory::dim(c.batch) * g.out.h * g.out.w; }
  memory::desc dy_columns_desc(const Context& c) const {  // dy^T: (F, positions)
    return {dims{g.filters, positions(c)}, dt::bf16, dims{1, g.filters}};
  }
  memory::desc x_rows_desc(const Context& c) const {  // x: (positions, C)
    return {dims{positions(c), g.in.c}, dt::bf16, dims{g.in.c, 1}};
  }
  memory::desc dw_matrix_desc() const { return {dims{g.filters, g.in.c}, dt::f32, tag::ab}; }  // = oihw, 1x1

  // dst and diff_dst belong to the caller; they have the layout plan() returned.
  void bind(Context& c, const Io& io, Slices s, const memory& dst, const memory& diff_dst) {
    w_plain = c.wrap(weights_plain(), s.params);
    dw_plain = c.wrap(weights_plain(), s.grads);
    if (g.bias) {
      bias = c.wrap(bias_desc(), s.params + g.weights);
      dbias = c.wrap(bias_desc(), s.grads + g.weights);
    }
    src.plan(c, io.src, fwd.src_desc());
    w.plan(c, w_plain, fwd.weights_desc());
    fwd_step = Step(dnnl::convolution_forward(fwd), {{DNNL_ARG_SRC, &src.to}, {DNNL_ARG_WEIGHTS, &w.to},
                                                     {DNNL_ARG_BIAS, &bias}, {DNNL_ARG_DST, &dst},
                                                     {DNNL_ARG_SCRATCHPAD, &c.scratchpad}});
    if (own_dw_grad) {
      if (!dw_grad) dw_grad = g.make_depthwise_grad();
      dw_grad->plan(src.to.get_desc(), diff_dst.get_desc(), g.pad);
      dw.plan_out(c, weights_plain(), dw_plain);  // written in place
    } else if (matmul_bwd_weights) {
      dw.plan_out(c, weights_plain(), dw_plain);  // written in place
    } else {
      dw.plan_out(c, bwd_weights.diff_weights_desc(), dw_plain);
    }
    if (f32_bwd_weights) {
      src_for_weights.plan_grad(c, src.to, bwd_weights.src_desc());
      diff_dst_for_weights.plan_grad(c, diff_dst, bwd_weights.diff_dst_desc());
    } else if (matmul_bwd_weights) {
      src_for_weights.plan_grad(c, src.to, channels_last(src.to.get_desc()));
      diff_dst_for_weights.plan_grad(c, diff_dst, channels_last(diff_dst.get_desc()));
    } else {
      src_for_weights.to = src.to;
      diff_dst_for_weights.to = diff_dst;
    }
    if (matmul_bwd_weights) {
      dy_columns = c.view(dy_columns_desc(c), diff_dst_for_weights.to);
      x_rows = c.view(x_rows_desc(c), src_for_weights.to);
      dw_matrix = c.wrap(dw_matrix_desc(), dw_plain.get_data_handle());
      bwd_weights_step = Step(dnnl::matmul(bwd_weights_matmul), {{DNNL_ARG_SRC, &dy_columns}, {DNNL_ARG_WEIGHTS, &x_rows},
                                                                {DNNL_ARG_DST, &dw_matrix},
                                                                {DNNL_ARG_SCRATCHPAD, &c.scratchpad}});
    } else if (!own_dw_grad) {
      bwd_weights_step = Step(dnnl::convolution_backward_weights(bwd_weights),
                              {{DNNL_ARG_SRC, &src_for_weights.to}, {DNNL_ARG_DIFF_DST, &diff_dst_for_weights.to},
                               {DNNL_ARG_DIFF_WEIGHTS, &dw.to}, {DNNL_ARG_DIFF_BIAS, &dbias},
                               {DNNL_ARG_SCRATCHPAD, &c.scratchpad}});
    }
    if (io.diff_src) {
      diff_src.plan_out(c, bwd_data.diff_src_desc(), io.diff_src);
      w_bwd.plan(c, w_plain, bwd_data.weights_desc());
      const memory* bwd_diff_dst = &diff_dst;
      if (untrimmed_bwd_data) {
        const memory::desc full = bwd_data.diff_dst_desc();
        diff_dst_full = c.make(full);
        std::memset(diff_dst_full.get_data_handle(), 0, full.get_size());  // the cut rows stay zero
        diff_dst_view = c.wrap(full.submemory_desc(dims{c.batch, g.out.c, g.out.h, g.out.w}, dims{0, 0, 0, 0}),
                               diff_dst_full.get_data_handle());
        pad_diff_dst = Step(dnnl::reorder(diff_dst, diff_dst_view),
                            {{DNNL_ARG_FROM, &diff_dst}, {DNNL_ARG_TO, &diff_dst_view}});
        bwd_diff_dst = &diff_dst_full;
      }
      bwd_data_step = Step(dnnl::convolution_backward_data(bwd_data),
                           {{DNNL_ARG_DIFF_DST, bwd_diff_dst}, {DNNL_ARG_WEIGHTS, &w_bwd.to},
                            {DNNL_ARG_DIFF_SRC, &diff_src.to}, {DNNL_ARG_SCRATCHPAD, &c.scratchpad}});
    }
  }

  void forward(const Context& c) const {
    src.run(c);
    w.run(c);
    fwd_step.run(c);
  }
  void backward(const Context& c, bool input_grad = true) {
    src_for_weights.run(c);
    diff_dst_for_weights.run(c);
    if (own_dw_grad)
      dw_grad->run(src_for_weights.to, diff_dst_for_weights.to, static_cast<float*>(dw_plain.get_data_handle()),
                   g.bias ? static_cast<float*>(dbias.get_data_handle()) : nullptr);
    bwd_weights_step.run(c);
    dw.run(c);
    if (bwd_data_step && input_grad) {
      pad_diff_dst.run(c);
      w_bwd.run(c);
      bwd_data_step.run(c);
      diff_src.run(c);
    }
  }
};


// Conv alone: the template only names the geometry; the code is ConvKernel's, compiled once.
struct ConvKernel {
  ConvCore conv;
  memory dst, diff_dst;
  // Inference: oneDNN's forward_inference kernel (at batch 1 it has its own Winograd), on
  // weights laid out once per prepare_inference instead of once per call.
  dnnl::convolution_forward::primitive_desc infer;
  Relayout w_infer;
  Step infer_step;

  explicit ConvKernel(const ConvGeometry& g) : conv(g) {}
  memory::desc plan(Context& c, const memory::desc& src, bool src_needs_grad) {
    const memory::desc d = conv.plan(c, src, src_needs_grad);
    infer = c.note(conv.with_algorithm(c, d.data_type(), [&](dnnl::algorithm alg) {
      return dnnl::convolution_forward::primitive_desc(
          conv.desc(dnnl::prop_kind::forward_inference, conv.fwd.src_desc(), d, conv.g.bias, alg), c.attr, c.engine);
    }));
    return d;
  }
  void bind(Context& c, const Io& io, Slices s) {
    dst = c.make(conv.fwd.dst_desc());
    diff_dst = c.make_grad(conv.fwd.dst_desc());
    conv.bind(c, io, s, dst, diff_dst);
    w_infer.plan(c, conv.w_plain, infer.weights_desc());
    infer_step = Step(dnnl::convolution_forward(infer), {{DNNL_ARG_SRC, &conv.src.to}, {DNNL_ARG_WEIGHTS, &w_infer.to},
                                                         {DNNL_ARG_BIAS, &conv.bias}, {DNNL_ARG_DST, &dst},
                                                         {DNNL_ARG_SCRATCHPAD, &c.scratchpad}});
  }
  void prepare_inference(Context& c) { w_infer.run(c); }
  void forward(Context& c, bool training) {
    if (training) return conv.forward(c);
    conv.src.run(c);
    infer_step.run(c);
  }
  void backward(Context& c) { conv.backward(c); }
  void backward_weights_only(Context& c) { conv.backward(c, false); }
};

template <class L, Shape In>
struct Kernel<op::Conv, L, In> : ConvKernel {
  Kernel() : ConvKernel(conv_geometry<L, In>()) {}
};

}  // namespace typenet::onednn
