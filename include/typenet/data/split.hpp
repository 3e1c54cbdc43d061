#pragma once
// A validation split carved from the training set, stratified by class and seeded, so that
// early stopping and model selection never look at the test set.
#include <utility>
#include <vector>
#include "typenet/core/error.hpp"
#include "typenet/core/rng.hpp"
#include "typenet/data/image_set.hpp"

namespace typenet {

// Returns {train, validation}: `val_count` images, the same number from every class
// (val_count / classes each), chosen by a seeded shuffle; the rest stay in train, in order.
inline std::pair<ImageSet, ImageSet> stratified_split(const ImageSet& all, std::size_t val_count, std::uint64_t seed) {
  const int classes = all.classes();
  if (classes < 1) throw Error("typenet: the dataset names no classes");
  if (val_count % classes != 0)
    throw Error("typenet: the validation size " + std::to_string(val_count) + " must be a multiple of the class count (" +
                std::to_string(classes) + ")");
  std::vector<std::vector<std::uint32_t>> by_class(static_cast<std::size_t>(classes));
  for (std::uint32_t i = 0; i < all.size(); ++i) by_class[std::size_t(all.labels[i])].push_back(i);
  Rng rng(seed);
  std::vector<std::uint8_t> in_val(all.size(), 0);
  for (std::size_t k = 0; k < by_class.size(); ++k) {
    auto& idx = by_class[k];
    if (idx.size() < val_count / classes)
      throw Error("typenet: class '" + all.class_names[k] + "' has " + std::to_string(idx.size()) + " images, fewer than the " +
                  std::to_string(val_count / classes) + " the validation split takes from each");
    for (std::size_t i = idx.size(); i > 1; --i) std::swap(idx[i - 1], idx[rng.below(std::uint32_t(i))]);
    for (std::size_t j = 0; j < val_count / classes; ++j) in_val[idx[j]] = 1;
  }
  std::pair<ImageSet, ImageSet> out{all.like(), all.like()};
  for (std::uint32_t i = 0; i < all.size(); ++i) (in_val[i] ? out.second : out.first).push_back(all.image(i), all.labels[i]);
  return out;
}

}  // namespace typenet
