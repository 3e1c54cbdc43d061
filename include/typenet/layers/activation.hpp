#pragma once
#include "typenet/layers/layer.hpp"

namespace typenet {

// Elementwise layers: (shape) => (same shape). `fn` names the function for the backends.
enum class EltwiseFn { relu, gelu, scale };

struct ReLU {
  using op = op::Eltwise;
  static constexpr const char* name = "ReLU";
  static constexpr EltwiseFn fn = EltwiseFn::relu;
  static constexpr double factor = 1.0;
  template <Shape In> struct bind : NoParams { static constexpr Shape out = In; };
};

// GELU, the exact (erf) form, as PyTorch's nn.GELU().
struct GELU {
  using op = op::Eltwise;
  static constexpr const char* name = "GELU";
  static constexpr EltwiseFn fn = EltwiseFn::gelu;
  static constexpr double factor = 1.0;
  template <Shape In> struct bind : NoParams { static constexpr Shape out = In; };
};

// Scale<ratio<N,D>>: multiply by a constant (airbench's 1/9 on the logits).
template <class Ratio>
struct Scale {
  using op = op::Eltwise;
  static constexpr const char* name = "Scale";
  static constexpr EltwiseFn fn = EltwiseFn::scale;
  static constexpr double factor = Ratio::value;
  template <Shape In> struct bind : NoParams { static constexpr Shape out = In; };
};

}  // namespace typenet
