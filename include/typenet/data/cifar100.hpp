#pragma once
// CIFAR-100 in the official binary layout (cifar-100-binary/): train.bin (50,000 records) and
// test.bin (10,000), each record 1 coarse label byte (0..19), 1 fine label byte (0..99) and
// 3,072 pixel bytes (C,H,W = 3,32,32); class names from fine_label_names.txt and
// coarse_label_names.txt when they are there (one per line), else the label numbers.
#include <filesystem>
#include <span>
#include <sstream>
#include <string>
#include "typenet/data/cifar_records.hpp"
#include "typenet/data/image_set.hpp"
#include "typenet/io/read_file.hpp"

namespace typenet::cifar100 {

inline constexpr Shape shape = cifar_records::shape;
inline constexpr int image_bytes = cifar_records::image_bytes;
inline constexpr cifar_records::Layout layout{"CIFAR-100 file", 2, {19, 99}, "coarse 0..19, fine 0..99"};
inline constexpr int record_bytes = int(layout.record_bytes());
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
  ImageSet s{shape, {}, {}, std::move(names)};
  cifar_records::parse(raw, name, layout, expected, keep, which == Labels::fine ? 1 : 0, s);
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
