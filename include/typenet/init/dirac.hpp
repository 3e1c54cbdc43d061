#pragma once
// Identity ("dirac") initialisation: the first min(F, C) filters of a conv pass their own input
// channel through unchanged (a 1 at the kernel's centre), the rest keep their random init.
// airbench applies it to every 3x3 conv after the whitening layer.
#include <algorithm>
#include <span>
#include <string>
#include "typenet/core/error.hpp"
#include "typenet/graph/for_each_node.hpp"
#include "typenet/layers/op.hpp"

namespace typenet {

// Every conv of `Net` (fused ones included) except the first `skip`, in the flat parameter buffer `params`.
template <class Net>
void dirac_init(std::span<float> params, int skip = 0) {
  int seen = 0;
  for_each_layer(typename Net::nodes{}, [&](auto node, long p, long) {
    using N = typename decltype(node)::type;
    if constexpr (is_op_v<N, op::Conv>) {
      if (seen++ < skip) return;
      constexpr int F = N::layer::filters, C = N::in.c, K = N::layer::kernel;
      if constexpr (K % 2 == 0) {
        throw Error("typenet: dirac init needs an odd kernel (a centre tap), not " + std::to_string(K));
      } else {
        float* w = params.data() + p;  // (F, C, K, K)
        for (int f = 0; f < std::min(F, C); ++f) {
          std::fill_n(w + std::size_t(f) * C * K * K, C * K * K, 0.0f);
          w[((std::size_t(f) * C + f) * K + K / 2) * K + K / 2] = 1.0f;
        }
      }
    }
  });
}

}  // namespace typenet
