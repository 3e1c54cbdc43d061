#pragma once
// ImageSet: a labelled image dataset held in memory once, as uint8 — every image of one
// (C,H,W), its label in [0, classes), and the class names. The readers (CIFAR-10, CIFAR-100,
// an image folder) produce it; batch assembly (data/batcher.hpp) converts it to whatever
// input shape a network's type asks for.
#include <cstdint>
#include <string>
#include <vector>
#include "typenet/core/error.hpp"
#include "typenet/core/shape.hpp"

namespace typenet {

struct ImageSet {
  Shape shape;                          // (C,H,W) of every image
  std::vector<std::uint8_t> images;     // (N,C,H,W)
  std::vector<int> labels;              // (N)
  std::vector<std::string> class_names;

  std::size_t size() const { return labels.size(); }
  int classes() const { return int(class_names.size()); }
  std::size_t image_bytes() const { return std::size_t(shape.size()); }
  const std::uint8_t* image(std::size_t i) const { return images.data() + i * image_bytes(); }

  // An empty set of the same shape and classes (for splits and subsets).
  ImageSet like() const { return {shape, {}, {}, class_names}; }
  void push_back(const std::uint8_t* image, int label) {
    images.insert(images.end(), image, image + image_bytes());
    labels.push_back(label);
  }
};

// A run's data: images to train on and images to test on, of one shape and one class list.
struct Dataset {
  ImageSet train, test;
};

// Every label in range and the buffers consistent; `what` names the source in the error.
inline void check_image_set(const ImageSet& s, const std::string& what) {
  if (s.shape.rank != 3 || s.shape.c <= 0 || s.shape.h <= 0 || s.shape.w <= 0)
    throw Error("typenet: " + what + ": images need a (C,H,W) shape, not " + s.shape.to_string());
  if (s.images.size() != s.size() * s.image_bytes())
    throw Error("typenet: " + what + ": " + std::to_string(s.images.size()) + " pixel bytes for " +
                std::to_string(s.size()) + " images of " + s.shape.to_string());
  for (std::size_t i = 0; i < s.size(); ++i)
    if (s.labels[i] < 0 || s.labels[i] >= s.classes())
      throw Error("typenet: " + what + ": image " + std::to_string(i) + " has label " + std::to_string(s.labels[i]) +
                  ", outside 0.." + std::to_string(s.classes() - 1));
}

}  // namespace typenet
