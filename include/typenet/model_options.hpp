#pragma once
#include <cstdint>

namespace typenet {

// How a Model is built. The batch size is fixed at construction: primitives and buffers are
// planned for it once, so a step allocates nothing.
struct ModelOptions {
  int batch = 256;
  std::uint64_t seed = 1;     // initial weights and dropout masks
  bool input_grad = false;    // also compute d(loss)/d(input) (tests, saliency)
  float bn_momentum = 0.1f;   // weight of a new batch in BN running statistics (PyTorch's convention)
  float bn_eps = 1e-5f;
};

}  // namespace typenet
