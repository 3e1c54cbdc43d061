#pragma once
// A validation split carved from the training set, stratified by class and seeded, so that
// early stopping and model selection never look at the test set.
#include <array>
#include <utility>
#include "typenet/core/error.hpp"
#include "typenet/core/rng.hpp"
#include "typenet/data/cifar10.hpp"

namespace typenet {

// Returns {train, validation}: `val_count` images, the same number from every class
// (val_count / classes each), chosen by a seeded shuffle; the rest stay in train, in order.
inline std::pair<cifar10::Split, cifar10::Split> stratified_split(const cifar10::Split& all, std::size_t val_count,
                                                                   std::uint64_t seed, int classes = 10) {
  if (val_count % classes != 0) throw Error("typenet: the validation size must be a multiple of the class count");
  std::vector<std::vector<std::uint32_t>> by_class(classes);
  for (std::uint32_t i = 0; i < all.size(); ++i) by_class[all.labels[i]].push_back(i);
  Rng rng(seed);
  std::vector<std::uint8_t> in_val(all.size(), 0);
  for (auto& idx : by_class) {
    if (idx.size() < val_count / classes) throw Error("typenet: a class has too few images for the validation split");
    for (std::size_t i = idx.size(); i > 1; --i) std::swap(idx[i - 1], idx[rng.below(std::uint32_t(i))]);
    for (std::size_t k = 0; k < val_count / classes; ++k) in_val[idx[k]] = 1;
  }
  std::pair<cifar10::Split, cifar10::Split> out;
  for (std::uint32_t i = 0; i < all.size(); ++i) {
    auto& s = in_val[i] ? out.second : out.first;
    s.labels.push_back(all.labels[i]);
    s.images.insert(s.images.end(), all.image(i), all.image(i) + cifar10::image_bytes);
  }
  return out;
}

}  // namespace typenet
