#pragma once
#include "typenet/layers/layer.hpp"

namespace typenet {

// Elementwise layers: (shape) => (same shape). `fn` names the function for the backends and
// alpha, beta are its parameters (oneDNN's convention: eltwise_linear is alpha * x + beta), so
// that a rewrite rule moves an activation into a fused node with everything it needs.
enum class EltwiseFn { identity, relu, gelu, scale, silu, sigmoid, clip };

struct ReLU {
  using op = op::Eltwise;
  static constexpr const char* name = "ReLU";
  static constexpr EltwiseFn fn = EltwiseFn::relu;
  static constexpr float alpha = 0.0f, beta = 0.0f;  // negative slope 0
  template <Shape In> struct bind : NoParams { static constexpr Shape out = In; };
};

// GELU, the exact (erf) form, as PyTorch's nn.GELU().
struct GELU {
  using op = op::Eltwise;
  static constexpr const char* name = "GELU";
  static constexpr EltwiseFn fn = EltwiseFn::gelu;
  static constexpr float alpha = 0.0f, beta = 0.0f;
  template <Shape In> struct bind : NoParams { static constexpr Shape out = In; };
};

// SiLU (swish): x * sigmoid(x), as PyTorch's nn.SiLU and Keras's 'swish' (oneDNN's swish, alpha 1).
struct SiLU {
  using op = op::Eltwise;
  static constexpr const char* name = "SiLU";
  static constexpr EltwiseFn fn = EltwiseFn::silu;
  static constexpr float alpha = 1.0f, beta = 0.0f;  // x * sigmoid(alpha * x)
  template <Shape In> struct bind : NoParams { static constexpr Shape out = In; };
};

// Sigmoid: 1 / (1 + exp(-x)); the gate of squeeze-and-excitation.
struct Sigmoid {
  using op = op::Eltwise;
  static constexpr const char* name = "Sigmoid";
  static constexpr EltwiseFn fn = EltwiseFn::sigmoid;
  static constexpr float alpha = 0.0f, beta = 0.0f;
  template <Shape In> struct bind : NoParams { static constexpr Shape out = In; };
};

// ReLU6: min(max(x, 0), 6), MobileNetV2's activation (oneDNN's clip from alpha to beta).
struct ReLU6 {
  using op = op::Eltwise;
  static constexpr const char* name = "ReLU6";
  static constexpr EltwiseFn fn = EltwiseFn::clip;
  static constexpr float alpha = 0.0f, beta = 6.0f;
  template <Shape In> struct bind : NoParams { static constexpr Shape out = In; };
};

// Scale<ratio<N,D>>: multiply by a constant (airbench's 1/9 on the logits).
template <class Ratio>
struct Scale {
  using op = op::Eltwise;
  static constexpr const char* name = "Scale";
  static constexpr EltwiseFn fn = EltwiseFn::scale;
  static constexpr float alpha = float(Ratio::value), beta = 0.0f;  // alpha * x
  template <Shape In> struct bind : NoParams { static constexpr Shape out = In; };
};

// Identity: no activation. Only the fusion pass makes it (Conv -> BatchNorm with nothing after
// it becomes ConvBnAct<Conv, Identity>, "ConvBn"); y = x.
struct Identity {
  using op = op::Eltwise;
  static constexpr const char* name = "Identity";
  static constexpr EltwiseFn fn = EltwiseFn::identity;
  static constexpr float alpha = 1.0f, beta = 0.0f;
  template <Shape In> struct bind : NoParams { static constexpr Shape out = In; };
};

}  // namespace typenet
