#pragma once
#include "typenet/layers/layer.hpp"

namespace typenet {

// Flatten: (C,H,W) => (C*H*W), in C-major order as PyTorch's flatten of NCHW.
struct Flatten {
  using op = op::Flatten;
  static constexpr const char* name = "Flatten";
  template <Shape In> struct bind : NoParams { static constexpr Shape out{int(In.size())}; };
};

}  // namespace typenet
