#pragma once
// Softmax cross-entropy with optional label smoothing, mean over the batch, fused with its
// gradient: d(loss)/d(logits) = (softmax - target) / N, target = (1-s)*onehot + s/K.
#include <algorithm>
#include <cmath>
#include <span>

namespace typenet {

struct LossResult {
  double loss_sum = 0;  // summed over the batch
  int correct = 0;      // argmax == label
};

// logits, dlogits: (N,K). Returns the summed loss and the number of correct predictions.
inline LossResult softmax_cross_entropy(std::span<const float> logits, std::span<const int> labels, int classes,
                                        float smoothing, std::span<float> dlogits) {
  LossResult r;
  const int n = int(labels.size());
  for (int b = 0; b < n; ++b) {
    const float* z = logits.data() + std::size_t(b) * classes;
    float* g = dlogits.data() + std::size_t(b) * classes;
    const float zmax = *std::max_element(z, z + classes);
    double sum = 0;
    for (int k = 0; k < classes; ++k) sum += std::exp(double(z[k] - zmax));
    const double log_sum = std::log(sum);
    double loss = 0;
    for (int k = 0; k < classes; ++k) {
      const double logp = z[k] - zmax - log_sum;
      const double target = (k == labels[b] ? 1.0 - smoothing : 0.0) + smoothing / classes;
      loss -= target * logp;
      g[k] = float((std::exp(logp) - target) / n);
    }
    r.loss_sum += loss;
    r.correct += int(std::max_element(z, z + classes) - z == labels[b]);
  }
  return r;
}

}  // namespace typenet
