#pragma once
// CIFAR-100 in the official binary layout (cifar-100-binary/): train.bin (50,000 records) and
// test.bin (10,000), each record 1 coarse label byte (0..19), 1 fine label byte (0..99) and
// 3,072 pixel bytes (C,H,W = 3,32,32); class names from fine_label_names.txt and
// coarse_label_names.txt when they are there (one per line), else the label numbers.
#include <filesystem>
#include <span>
#include <sstream>
#include <string>
#include "typenet/data/image_set.hpp"
#include "typenet/io/read_file.hpp"

namespace typenet::cifar100 {

inline constexpr Shape shape{3, 32, 32};
inline constexpr int image_bytes = 3 * 32 * 32;
inline constexpr int record_bytes = 2 + image_bytes;
inline constexpr int train_records = 50000, test_records = 10000;

enum class Labels { fine, coarse };  // 100 classes, or their 20 superclasses

// The class names of a label-names file's text (one per line; `count` of them).
inline std::vector<std::string> parse_class_names(const std::string& text, const std::string& name, int count) {
  std::vector<std::string> names;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty() && line != "\r") names.push_back(line.back() == '\r' ? line.substr(0, line.size() - 1) : line);
  if (int(names.size()) != count)
    throw Error("typenet: CIFAR-100 file " + name + " names " + std::to_string(names.size()) + " classes, expected " +
                std::to_string(count));
  return names;
}

inline std::vector<std::string> class_names(const std::filesystem::path& dir, Labels which) {
  const int count = which == Labels::fine ? 100 : 20;
  const auto file = dir / (which == Labels::fine ? "fine_label_names.txt" : "coarse_label_names.txt");
  if (std::filesystem::exists(file))
    return parse_class_names(io::read_text_file(file, "CIFAR-100 label names", 1 << 20), file.string(), count);
  std::vector<std::string> names;
  for (int i = 0; i < count; ++i) names.push_back(std::to_string(i));
  return names;
}

// The first `keep` records of a file's bytes (`expected` records), with the chosen labels;
// `name` is the file, for messages.
inline ImageSet parse_file(std::span<const std::uint8_t> raw, const std::string& name, std::size_t expected,
                           std::size_t keep, Labels which, std::vector<std::string> names) {
  keep = std::min(keep, expected);
  if (raw.size() != expected * record_bytes)
    throw Error("typenet: CIFAR-100 file " + name + " has " + std::to_string(raw.size()) + " bytes, expected " +
                std::to_string(expected * record_bytes) + " (" + std::to_string(expected) + " records of " +
                std::to_string(record_bytes) + " bytes): truncated or not a CIFAR-100 file");
  ImageSet s{shape, {}, {}, std::move(names)};
  s.images.reserve(keep * image_bytes);
  for (std::size_t r = 0; r < keep; ++r) {
    const std::uint8_t* rec = raw.data() + r * record_bytes;
    if (rec[0] > 19 || rec[1] > 99)
      throw Error("typenet: CIFAR-100 file " + name + " record " + std::to_string(r) + " has labels " +
                  std::to_string(rec[0]) + "/" + std::to_string(rec[1]) +
                  " (expected coarse 0..19, fine 0..99): not a CIFAR-100 file");
    s.push_back(rec + 2, which == Labels::fine ? rec[1] : rec[0]);
  }
  return s;
}

inline ImageSet read_file(const std::filesystem::path& file, std::size_t expected, std::size_t keep, Labels which,
                          std::vector<std::string> names) {
  return parse_file(io::read_file(file, "CIFAR-100 file", std::uintmax_t(expected) * record_bytes + 1), file.string(),
                    expected, keep, which, std::move(names));
}

inline bool looks_like(const std::filesystem::path& dir) {
  return std::filesystem::is_regular_file(dir / "train.bin") && std::filesystem::is_regular_file(dir / "test.bin");
}

// `records`: train and test records per file (smaller for synthetic test files).
inline Dataset load(const std::filesystem::path& dir, Labels which = Labels::fine, std::size_t keep = train_records,
                    std::size_t train_count = train_records, std::size_t test_count = test_records) {
  if (!std::filesystem::is_directory(dir)) throw Error("typenet: CIFAR-100 directory " + dir.string() + " does not exist");
  const auto names = class_names(dir, which);
  return {read_file(dir / "train.bin", train_count, keep, which, names),
          read_file(dir / "test.bin", test_count, keep, which, names)};
}

}  // namespace typenet::cifar100
