#pragma once
// The oneDNN executor of a network: primitives planned once for a batch size, memories bound
// once; a step is a fixed list of primitive executions. Inputs and outputs are plain NCHW / NC.
#include <omp.h>
#include <span>
#include <vector>
#include "typenet/backend/onednn/batch_norm.hpp"
#include "typenet/backend/onednn/chain.hpp"
#include "typenet/backend/onednn/conv.hpp"
#include "typenet/backend/onednn/conv_bn_act.hpp"
#include "typenet/backend/onednn/dense.hpp"
#include "typenet/backend/onednn/dropout.hpp"
#include "typenet/backend/onednn/eltwise.hpp"
#include "typenet/backend/onednn/flatten.hpp"
#include "typenet/backend/onednn/gate.hpp"
#include "typenet/backend/onednn/pool.hpp"
#include "typenet/backend/onednn/residual.hpp"
#include "typenet/model_options.hpp"

namespace typenet::onednn {

template <class Net>
class Executor {
 public:
  explicit Executor(const ModelOptions& o)
      : params_(Net::param_count), grads_(Net::param_count), state_(Net::state_count) {
    const int batch = o.batch;
    ctx_.batch = batch;
    ctx_.rng = Rng(o.seed ^ 0xD5A8u);
    ctx_.bn_momentum = o.bn_momentum;
    ctx_.bn_eps = o.bn_eps;
    ctx_.batch_norm_sum = o.batch_norm_sum;
    ctx_.act = o.precision == Precision::bf16 ? dt::bf16 : dt::f32;
    ctx_.winograd = o.winograd;
    input_ = ctx_.make(plain_desc(batch, Net::input_shape));
    if (o.input_grad) input_grad_ = ctx_.make(plain_desc(batch, Net::input_shape));
    chain_.plan(ctx_, plain_desc(batch, Net::input_shape), o.input_grad);
    ctx_.allocate_scratchpad();
    chain_.bind(ctx_, {input_, input_grad_}, {params_.data(), grads_.data(), state_.data()});
    ctx_.grads.place(ctx_.engine);
    output_ = ctx_.make(plain_desc(batch, Net::output_shape));
    diff_output_ = ctx_.make(plain_desc(batch, Net::output_shape));
    to_output_ = Step(dnnl::reorder(chain_.dst(), output_), {{DNNL_ARG_FROM, &chain_.dst()}, {DNNL_ARG_TO, &output_}});
    from_diff_output_ = Step(dnnl::reorder(diff_output_, chain_.diff_dst()),
                             {{DNNL_ARG_FROM, &diff_output_}, {DNNL_ARG_TO, &chain_.diff_dst()}});
  }
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  // The flat buffers (model.hpp), owned here: the kernels' weight memories wrap them.
  std::span<float> params() { return params_; }
  std::span<float> grads() { return grads_; }
  std::span<float> state() { return state_; }
  std::span<const float> params() const { return params_; }
  std::span<const float> state() const { return state_; }
  float* input() { return static_cast<float*>(input_.get_data_handle()); }
  const float* output() const { return static_cast<const float*>(output_.get_data_handle()); }
  float* diff_output() { return static_cast<float*>(diff_output_.get_data_handle()); }
  const float* input_grad() const {
    return input_grad_ ? static_cast<const float*>(input_grad_.get_data_handle()) : nullptr;
  }
  void prepare_inference(std::size_t upto_node = std::size_t(-1)) { chain_.prepare_inference(ctx_, upto_node); }
  // What this executor allocated, by kind (typenet bench prints it).
  struct BufferBytes {
    std::size_t flat, kept, gradients, gradients_unshared, scratchpad;
  };
  BufferBytes buffer_bytes() const {
    return {(params_.size() + grads_.size() + state_.size()) * sizeof(float), ctx_.kept_bytes, ctx_.grads.bytes(),
            ctx_.grads.unshared_bytes(), ctx_.scratchpad_bytes};
  }
  Rng& rng() { return ctx_.rng; }  // dropout masks
  void forward(bool training, std::size_t first_trained = 0) {
    chain_.forward(ctx_, training, first_trained);
    to_output_.run(ctx_);
    ctx_.stream.wait();
  }
  void backward(std::size_t first_node = 0) { backward(first_node, [](std::size_t) {}); }
  template <class F> void backward(std::size_t first_node, F&& node_done) {
    from_diff_output_.run(ctx_);
    chain_.backward(ctx_, first_node, [&](std::size_t i) {
      ctx_.stream.wait();  // node i's gradients are in grads() now
      node_done(i);
    });
    ctx_.stream.wait();
  }

 private:
  std::vector<float> params_, grads_, state_;  // first: the kernels bound below point into them
  Context ctx_;
  Chain<typename Net::nodes> chain_;
  memory input_, input_grad_, output_, diff_output_;
  Step to_output_, from_diff_output_;
};

inline void set_threads(int n) {
  if (n > 0) omp_set_num_threads(n);
}
inline int threads() { return omp_get_max_threads(); }

// The instruction set oneDNN's kernels use on this machine. Results are bit-identical only
// between runs on the same one (benchmarks print it; checkpoints record it).
inline const char* isa_name() {
  switch (dnnl::get_effective_cpu_isa()) {
    case dnnl::cpu_isa::avx512_core_amx: return "avx512_core_amx";
    case dnnl::cpu_isa::avx512_core_bf16: return "avx512_core_bf16";
    case dnnl::cpu_isa::avx512_core_vnni: return "avx512_core_vnni";
    case dnnl::cpu_isa::avx512_core: return "avx512_core";
    case dnnl::cpu_isa::avx2_vnni: return "avx2_vnni";
    case dnnl::cpu_isa::avx2: return "avx2";
    case dnnl::cpu_isa::avx: return "avx";
    case dnnl::cpu_isa::sse41: return "sse41";
    default: return "other";
  }
}

// oneDNN 2.6 has bf16 kernels, native or emulated, only from AVX-512 up (on AVX2 it cannot
// build a bf16 convolution at all).
inline bool has_bf16() {
  switch (dnnl::get_effective_cpu_isa()) {
    case dnnl::cpu_isa::avx512_core: case dnnl::cpu_isa::avx512_core_vnni:
    case dnnl::cpu_isa::avx512_core_bf16: case dnnl::cpu_isa::avx512_core_amx: return true;
    default: return false;
  }
}

// bf16 is fast only where the CPU has native bf16 dot products (AVX512-BF16 or AMX).
inline bool has_fast_bf16() {
  const auto isa = dnnl::get_effective_cpu_isa();
  return isa == dnnl::cpu_isa::avx512_core_bf16 || isa == dnnl::cpu_isa::avx512_core_amx;
}

}  // namespace typenet::onednn
