#pragma once
// The record layout CIFAR-10 and CIFAR-100 share: a file of fixed-size records, each some label
// bytes followed by the 3,072 pixel bytes of one 3x32x32 image (C,H,W). The one parser of it.
#include <algorithm>
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include "typenet/data/image_set.hpp"

namespace typenet::cifar_records {

inline constexpr Shape shape{3, 32, 32};
inline constexpr int image_bytes = 3 * 32 * 32;

struct Layout {
  const char* format;                  // for messages: "CIFAR-10 batch"
  int label_bytes;                     // label bytes before each image
  std::array<std::uint8_t, 2> label_max;  // the largest valid value of each label byte
  const char* label_ranges;            // for messages: "0..9"
  constexpr std::size_t record_bytes() const { return std::size_t(label_bytes) + image_bytes; }
};

// Appends the first `keep` of the `expected` records in a file's bytes to `out`, labelled by
// label byte `label`; any defect is an Error naming the file (`name`).
inline void parse(std::span<const std::uint8_t> raw, const std::string& name, const Layout& layout,
                  std::size_t expected, std::size_t keep, int label, ImageSet& out) {
  const std::size_t record = layout.record_bytes();
  keep = std::min(keep, expected);
  if (raw.size() != expected * record)
    throw Error("typenet: " + std::string(layout.format) + " " + name + " has " + std::to_string(raw.size()) +
                " bytes, expected " + std::to_string(expected * record) + " (" + std::to_string(expected) +
                " records of " + std::to_string(record) + " bytes): truncated or not a " + layout.format);
  out.images.reserve(out.images.size() + keep * image_bytes);
  for (std::size_t r = 0; r < keep; ++r) {
    const std::uint8_t* rec = raw.data() + r * record;
    bool valid = true;
    for (int l = 0; l < layout.label_bytes; ++l) valid = valid && rec[l] <= layout.label_max[std::size_t(l)];
    if (!valid) {
      std::string labels;  // "77", or "3/100" for two label bytes
      for (int l = 0; l < layout.label_bytes; ++l) labels += (l ? "/" : "") + std::to_string(rec[l]);
      throw Error("typenet: " + std::string(layout.format) + " " + name + " record " + std::to_string(r) + " has label" +
                  (layout.label_bytes > 1 ? "s " : " ") + labels + " (expected " + layout.label_ranges + "): not a " +
                  layout.format);
    }
    out.push_back(rec + layout.label_bytes, rec[label]);
  }
}

}  // namespace typenet::cifar_records
