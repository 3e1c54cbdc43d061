#pragma once
// Patch whitening (airbench): a first conv with 2*C*K*K filters of size KxK gets the
// eigenvectors of the covariance of the training images' KxK patches, each scaled by
// 1/sqrt(lambda + eps), and their negatives. Its output is then (nearly) decorrelated with unit
// variance per direction: the network starts from whitened input.
#include <Eigen/Dense>
#include <algorithm>
#include <vector>
#include "typenet/core/error.hpp"
#include "typenet/data/image_set.hpp"
#include "typenet/data/transform.hpp"

namespace typenet {

// Filters (2*C*K*K, C, K, K) in PyTorch's layout, from the first `count` images of `images`
// as the network sees them (input shape In, normalised as in training, no augmentation);
// every KxK patch at stride 1 counts. Order: largest eigenvalue first, then the same filters negated.
template <Shape In, int K>
std::vector<float> patch_whitening_filters(const ImageSet& images, std::size_t count, double eps = 5e-4,
                                           const Normalize& norm = Normalize::cifar()) {
  static_assert(In.rank == 3 && In.h >= K && In.w >= K, "typenet: patch whitening needs a (C,H,W) input of at least KxK");
  constexpr int C = In.c, H = In.h, W = In.w, D = C * K * K, PH = H - K + 1, PW = W - K + 1;  // D: patch length
  check_feeds(images.shape, In, "the whitening images");
  count = std::min(count, images.size());
  if (count == 0) throw Error("typenet: patch whitening needs at least one training image");
  Eigen::Matrix<double, D, D> cov = Eigen::Matrix<double, D, D>::Zero();
  Eigen::Matrix<float, Eigen::Dynamic, D, Eigen::RowMajor> patches(PH * PW, D);  // (PH*PW, D)
  std::vector<float> img(In.size());
  for (std::size_t i = 0; i < count; ++i) {
    write_image(images.image(i), images.shape, img.data(), In, {}, false, norm);
    for (int y = 0; y < PH; ++y)
      for (int x = 0; x < PW; ++x)
        for (int c = 0; c < C; ++c)
          for (int ky = 0; ky < K; ++ky)
            for (int kx = 0; kx < K; ++kx)
              patches(y * PW + x, (c * K + ky) * K + kx) = img[(c * H + y + ky) * W + x + kx];
    cov += (patches.transpose() * patches).template cast<double>();
  }
  cov /= double(count) * PH * PW;  // uncentred, as airbench: E[p p^T]
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
