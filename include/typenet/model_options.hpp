#pragma once
#include <cmath>
#include <cstdint>
#include <string>
#include "typenet/core/error.hpp"
#include "typenet/core/process_sum.hpp"

namespace typenet {

// How a Model is built. The batch size is fixed at construction: primitives and buffers are
// planned for it once, so a step allocates nothing.
// Activation and weight precision of the fast backend. bf16 keeps f32 master weights,
// gradients, BN statistics and the loss; it needs AVX512-BF16 to be fast (bench picks it).
enum class Precision { f32, bf16 };

struct ModelOptions {
  int batch = 256;
  std::uint64_t seed = 1;     // initial weights and dropout masks
  bool input_grad = false;    // also compute d(loss)/d(input) (tests, saliency)
  float bn_momentum = 0.1f;   // weight of a new batch in BN running statistics (PyTorch's convention)
  float bn_eps = 1e-5f;
  Precision precision = Precision::f32;  // oneDNN backend only
  // f32 3x3 stride-1 convolutions use oneDNN's Winograd F(4x4,3x3) kernels where it has them:
  // 1.5-2.3x faster here than direct, outputs within about 1e-6 relative of direct's
  // (benchmarks/bench_winograd.cpp). false: direct only. oneDNN backend only.
  bool winograd = true;
  // Synchronised batch norm in a data-parallel run: training normalises by the statistics of
  // the whole global batch, these sums over the processes taking part (a Collective's sum),
  // and its backward sums the gradient's per-channel terms the same way. Empty: each process
  // normalises by its own share of the batch, as PyTorch's DistributedDataParallel does.
  ProcessSum batch_norm_sum;
};

// The options, or an Error naming the one that cannot build a model.
inline const ModelOptions& checked(const ModelOptions& o) {
  if (o.batch < 1 || o.batch > (1 << 20))
    throw Error("typenet: the batch size must be in 1..1048576, not " + std::to_string(o.batch));
  if (!(o.bn_momentum >= 0.0f && o.bn_momentum <= 1.0f))
    throw Error("typenet: the batch-norm momentum must be in [0, 1], not " + std::to_string(o.bn_momentum));
  if (!(o.bn_eps > 0.0f) || !std::isfinite(o.bn_eps))
    throw Error("typenet: the batch-norm epsilon must be positive and finite, not " + std::to_string(o.bn_eps));
  return o;
}

}  // namespace typenet
