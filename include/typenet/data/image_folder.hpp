#pragma once
// An image folder: root/<class name>/<image>.png|.jpg|.jpeg, the layout torchvision's
// ImageFolder and Keras's image_dataset_from_directory read. Classes are the sub-folders in
// sorted order; every image is decoded once (stb) into one uint8 buffer. All images must have
// one size, unless `resize` gives the size to bring each to (bilinear up, area down).
// Hidden files (".name") are skipped; any other file that is not a readable PNG or JPEG is an
// error naming it.
#include <algorithm>
#include <filesystem>
#include <span>
#include <string>
#include <vector>
#include "typenet/data/image_set.hpp"
#include "typenet/data/resize.hpp"
#include "typenet/io/image.hpp"

namespace typenet {

struct ImageFolderOptions {
  int channels = 3;      // 3: grey images replicated; 1: colour converted to grey
  int resize_h = 0, resize_w = 0;  // 0: keep the images' own (single) size
};

namespace detail {
inline bool hidden(const std::filesystem::path& p) { return p.filename().string().starts_with("."); }
inline std::vector<std::filesystem::path> sorted_entries(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> v;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    if (!hidden(it->path())) v.push_back(it->path());
  if (ec) throw Error("typenet: cannot list the folder " + dir.string() + ": " + ec.message());
  std::sort(v.begin(), v.end());
  return v;
}
}  // namespace detail

// The class names of an image folder: its sub-folders, sorted.
inline std::vector<std::string> image_folder_classes(const std::filesystem::path& root) {
  if (!std::filesystem::is_directory(root)) throw Error("typenet: image folder " + root.string() + " does not exist");
  std::vector<std::string> names;
  for (const auto& p : detail::sorted_entries(root))
    if (std::filesystem::is_directory(p)) names.push_back(p.filename().string());
  if (names.empty())
    throw Error("typenet: image folder " + root.string() + " has no class folders (expected root/<class>/<image>.png)");
  return names;
}

// Builds an image set from encoded images, one at a time: decodes each, brings it to the
// resize when there is one, and refuses one of another size, naming both files.
class ImageSetBuilder {
 public:
  ImageSetBuilder(std::vector<std::string> classes, const ImageFolderOptions& o) : o_(o) {
    if (o.channels != 1 && o.channels != 3) throw Error("typenet: image folder channels must be 1 or 3");
    if ((o.resize_h > 0) != (o.resize_w > 0) || o.resize_h < 0 || o.resize_w < 0)
      throw Error("typenet: image folder resize needs a positive height and width");
    set_.class_names = std::move(classes);
  }
  // `name`: the image's file; `label`: its class's index.
  void add(std::span<const std::uint8_t> encoded, const std::string& name, int label) {
    if (label < 0 || label >= int(set_.class_names.size()))
      throw Error("typenet: image " + name + " has class " + std::to_string(label) + " of " +
                  std::to_string(set_.class_names.size()));
    auto img = io::decode_image(encoded.data(), encoded.size(), name, o_.channels);
    if (o_.resize_h && (img.shape.h != o_.resize_h || img.shape.w != o_.resize_w)) {
      img.pixels = resize_image(img.pixels.data(), img.shape, o_.resize_h, o_.resize_w);
      img.shape = Shape(o_.channels, o_.resize_h, o_.resize_w);
    }
    if (set_.size() == 0) {
      set_.shape = img.shape;
      first_ = name;
    } else if (img.shape != set_.shape) {
      throw Error("typenet: image " + name + " is " + img.shape.to_string() + " but " + first_ + " is " +
                  set_.shape.to_string() + ": images of mixed sizes need a resize (--resize HxW)");
    }
    set_.push_back(img.pixels.data(), label);
  }
  const ImageSet& set() const { return set_; }
  ImageSet take() { return std::move(set_); }

 private:
  ImageFolderOptions o_;
  ImageSet set_;
  std::string first_;  // the file that set the size
};

// Reads root/<class>/* for the given classes (all of root's when empty).
inline ImageSet load_image_folder(const std::filesystem::path& root, const ImageFolderOptions& o = {},
                                  std::vector<std::string> classes = {}) {
  if (classes.empty()) classes = image_folder_classes(root);
  ImageSetBuilder builder(classes, o);
  for (int k = 0; k < int(classes.size()); ++k) {
    const auto dir = root / classes[std::size_t(k)];
    if (!std::filesystem::is_directory(dir))
      throw Error("typenet: image folder " + root.string() + " has no folder for class '" + classes[std::size_t(k)] + "'");
    for (const auto& file : detail::sorted_entries(dir)) {
      if (std::filesystem::is_directory(file))
        throw Error("typenet: " + file.string() + " is a folder inside a class folder (expected only images)");
      builder.add(io::read_file(file, "image", std::uintmax_t(1) << 30), file.string(), k);
    }
  }
  if (builder.set().size() == 0) throw Error("typenet: image folder " + root.string() + " holds no images");
  return builder.take();
}

// root/train/<class>/... and root/test/<class>/... (or root/val/): the same classes in both.
inline bool looks_like_image_folder_pair(const std::filesystem::path& root) {
  return std::filesystem::is_directory(root / "train") &&
         (std::filesystem::is_directory(root / "test") || std::filesystem::is_directory(root / "val"));
}

inline Dataset load_image_folder_pair(const std::filesystem::path& root, const ImageFolderOptions& o = {}) {
  const auto test_dir = std::filesystem::is_directory(root / "test") ? root / "test" : root / "val";
  const auto classes = image_folder_classes(root / "train");
  if (image_folder_classes(test_dir) != classes)
    throw Error("typenet: image folders " + (root / "train").string() + " and " + test_dir.string() +
                " have different class folders");
  Dataset d{load_image_folder(root / "train", o, classes), load_image_folder(test_dir, o, classes)};
  if (d.train.shape != d.test.shape)
    throw Error("typenet: the images of " + (root / "train").string() + " are " + d.train.shape.to_string() +
                " but those of " + test_dir.string() + " are " + d.test.shape.to_string() +
                ": give a resize (--resize HxW)");
  return d;
}

}  // namespace typenet
