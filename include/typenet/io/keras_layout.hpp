#pragma once
// Keras's weight layouts to PyTorch's, for the readers of Keras files (.h5, TensorFlow.js): the
// tensor's last name part says what it is.
//   kernel (KH,KW,I,O)              -> (O,I,KH,KW)       Conv2D
//   kernel (I,O)                    -> (O,I)             Dense
//   depthwise_kernel (KH,KW,C,M)    -> (C*M,1,KH,KW)     DepthwiseConv2D, SeparableConv2D; output c*M+m
//   pointwise_kernel (1,1,I,O)      -> (O,I,1,1)         SeparableConv2D
//   bias, gamma, beta, moving_mean, moving_variance: vectors, unchanged
#include <string>
#include <vector>
#include "typenet/io/tensor_file.hpp"

namespace typenet::io {

// "block_1_expand/kernel:0" -> "kernel"
inline std::string keras_leaf(const std::string& name) {
  std::string leaf = name.substr(name.rfind('/') == std::string::npos ? 0 : name.rfind('/') + 1);
  if (const auto colon = leaf.find(':'); colon != std::string::npos) leaf.resize(colon);
  return leaf;
}

// Rearranges t's values and dims from Keras's layout to PyTorch's, in place.
inline void keras_to_torch_layout(FileTensor& t) {
  const std::string leaf = keras_leaf(t.name);
  const auto& d = t.dims;
  const bool kernel4 = (leaf == "kernel" || leaf == "depthwise_kernel" || leaf == "pointwise_kernel") && d.size() == 4;
  if (kernel4) {
    const long kh = d[0], kw = d[1], i = d[2], o = d[3];  // (KH,KW,I,O): O is the multiplier for depthwise
    std::vector<float> v(t.values.size());
    for (long y = 0; y < kh; ++y)
      for (long x = 0; x < kw; ++x)
        for (long c = 0; c < i; ++c)
          for (long f = 0; f < o; ++f) {
            const float value = t.values[std::size_t(((y * kw + x) * i + c) * o + f)];
            // (O,I,KH,KW), or for depthwise (I*M,1,KH,KW): output channel c*M+f
            const long at = leaf == "depthwise_kernel" ? ((c * o + f) * kh + y) * kw + x : ((f * i + c) * kh + y) * kw + x;
            v[std::size_t(at)] = value;
          }
    t.values = std::move(v);
    t.dims = leaf == "depthwise_kernel" ? std::vector<long>{i * o, 1, kh, kw} : std::vector<long>{o, i, kh, kw};
  } else if (leaf == "kernel" && d.size() == 2) {
    const long i = d[0], o = d[1];
    std::vector<float> v(t.values.size());
    for (long c = 0; c < i; ++c)
      for (long f = 0; f < o; ++f) v[std::size_t(f * i + c)] = t.values[std::size_t(c * o + f)];
    t.values = std::move(v);
    t.dims = {o, i};
  }
}

}  // namespace typenet::io
