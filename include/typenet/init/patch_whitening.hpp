#pragma once
// Patch whitening (airbench): a first conv with 2*C*K*K filters of size KxK gets the
// eigenvectors of the covariance of the training images' KxK patches, each scaled by
// 1/sqrt(lambda + eps), and their negatives. Its output is then (nearly) decorrelated with unit
// variance per direction: the network starts from whitened input.
#include <Eigen/Dense>
#include <algorithm>
#include <vector>
#include "typenet/core/error.hpp"
#include "typenet/data/batcher.hpp"
#include "typenet/data/cifar10.hpp"

namespace typenet {

// Filters (2*C*K*K, C, K, K) in PyTorch's layout, from the first `count` images of `images`
// (normalised as in training, no augmentation); every KxK patch at stride 1 counts.
// Order: largest eigenvalue first, then the same filters negated.
template <int K>
std::vector<float> patch_whitening_filters(const cifar10::Split& images, std::size_t count, double eps = 5e-4) {
  constexpr int C = 3, S = 32, D = C * K * K, P = S - K + 1;  // D: patch length, P*P patches per image
  count = std::min(count, images.size());
  if (count == 0) throw Error("typenet: patch whitening needs at least one training image");
  Eigen::Matrix<double, D, D> cov = Eigen::Matrix<double, D, D>::Zero();
  Eigen::Matrix<float, Eigen::Dynamic, D, Eigen::RowMajor> patches(P * P, D);  // (P*P, D)
  std::vector<float> img(cifar10::image_bytes);
  for (std::size_t i = 0; i < count; ++i) {
    Batcher::write_image(images.image(i), img.data(), 0, 0, false);
    for (int y = 0; y < P; ++y)
      for (int x = 0; x < P; ++x)
        for (int c = 0; c < C; ++c)
          for (int ky = 0; ky < K; ++ky)
            for (int kx = 0; kx < K; ++kx)
              patches(y * P + x, (c * K + ky) * K + kx) = img[(c * S + y + ky) * S + x + kx];
    cov += (patches.transpose() * patches).template cast<double>();
  }
  cov /= double(count) * P * P;  // uncentred, as airbench: E[p p^T]
  Eigen::SelfAdjointEigenSolver<Eigen::Matrix<double, D, D>> eig(cov);
  if (eig.info() != Eigen::Success) throw Error("typenet: patch whitening: the eigendecomposition failed");
  std::vector<float> w(std::size_t(2) * D * D);
  for (int f = 0; f < D; ++f) {
    const int e = D - 1 - f;  // Eigen sorts eigenvalues ascending
    const double s = 1.0 / std::sqrt(std::max(eig.eigenvalues()(e), 0.0) + eps);
    for (int j = 0; j < D; ++j) {
      w[std::size_t(f) * D + j] = float(eig.eigenvectors()(j, e) * s);
      w[std::size_t(f + D) * D + j] = -float(eig.eigenvectors()(j, e) * s);
    }
  }
  return w;
}

}  // namespace typenet
