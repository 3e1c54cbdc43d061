#pragma once
// `--data PATH`: which layout PATH holds, and its reader.
//   cifar-10-batches-bin/   data_batch_1..5.bin + test_batch.bin     (CIFAR-10)
//   cifar-100-binary/       train.bin + test.bin                     (CIFAR-100, fine or coarse labels)
//   root/                   train/<class>/*.png|jpg + test/ (or val/) (an image folder)
#include <filesystem>
#include <string>
#include "typenet/data/cifar10.hpp"
#include "typenet/data/cifar100.hpp"
#include "typenet/data/image_folder.hpp"

namespace typenet {

enum class DataFormat { cifar10, cifar100, image_folder };

inline const char* format_name(DataFormat f) {
  return f == DataFormat::cifar10 ? "CIFAR-10" : f == DataFormat::cifar100 ? "CIFAR-100" : "image folder";
}

inline DataFormat detect_format(const std::filesystem::path& path) {
  if (!std::filesystem::exists(path))
    throw Error("typenet: data directory " + path.string() +
                " does not exist (for CIFAR-10 run scripts/fetch_cifar10.sh, or point --data at cifar-10-batches-bin)");
  if (!std::filesystem::is_directory(path))
    throw Error("typenet: --data " + path.string() + " is a file; it takes a directory (CIFAR-10 or CIFAR-100 "
                "binaries, or an image folder with train/ and test/)");
  if (cifar10::looks_like(path)) return DataFormat::cifar10;
  if (cifar100::looks_like(path)) return DataFormat::cifar100;
  if (looks_like_image_folder_pair(path)) return DataFormat::image_folder;
  throw Error("typenet: --data " + path.string() + " holds no dataset typenet reads: expected CIFAR-10's "
              "data_batch_1..5.bin and test_batch.bin, CIFAR-100's train.bin and test.bin, or an image folder "
              "with train/<class>/ and test/<class>/ (or val/<class>/)");
}

struct DataOptions {
  std::size_t limit = 0;                    // CIFAR: keep only the first N records of each file (0: all)
  cifar100::Labels cifar100_labels = cifar100::Labels::fine;
  ImageFolderOptions folder{};
};

inline Dataset load_dataset(const std::filesystem::path& path, const DataOptions& o = {}) {
  switch (detect_format(path)) {
    case DataFormat::cifar10: return cifar10::load(path, o.limit ? o.limit : cifar10::records_per_file);
    case DataFormat::cifar100: return cifar100::load(path, o.cifar100_labels, o.limit ? o.limit : cifar100::train_records);
    case DataFormat::image_folder: return load_image_folder_pair(path, o.folder);
  }
  return {};
}

}  // namespace typenet
