#pragma once
// CIFAR-10 in the official binary layout (cifar-10-batches-bin/): data_batch_1..5.bin and
// test_batch.bin, each 10,000 records of 1 label byte + 3,072 pixel bytes (C,H,W = 3,32,32).
#include <algorithm>
#include <array>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>
#include "typenet/core/error.hpp"

namespace typenet::cifar10 {

inline constexpr int image_bytes = 3 * 32 * 32;
inline constexpr int record_bytes = 1 + image_bytes;
inline constexpr int records_per_file = 10000;
inline constexpr std::array<const char*, 10> class_names = {"airplane", "automobile", "bird", "cat", "deer",
                                                            "dog",      "frog",       "horse", "ship", "truck"};
// Per-channel statistics of the training set (pixels scaled to [0,1]).
inline constexpr std::array<float, 3> mean = {0.4914f, 0.4822f, 0.4465f};
inline constexpr std::array<float, 3> stddev = {0.2470f, 0.2435f, 0.2616f};

struct Split {
  std::vector<std::uint8_t> images;  // (N, 3, 32, 32) uint8
  std::vector<std::uint8_t> labels;  // (N) in 0..9
  std::size_t size() const { return labels.size(); }
  const std::uint8_t* image(std::size_t i) const { return images.data() + i * image_bytes; }
};

struct Dataset {
  Split train, test;
};

// Append the first `keep` records of a batch file of `expected_records` records to `out`;
// any defect is an Error naming the file.
inline void read_batch_file(const std::filesystem::path& file, Split& out, std::size_t expected_records,
                            std::size_t keep) {
  keep = std::min(keep, expected_records);
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error("typenet: cannot open CIFAR-10 file " + file.string() + " (missing or unreadable)");
  in.seekg(0, std::ios::end);
  const auto bytes = std::size_t(in.tellg());
  in.seekg(0);
  if (bytes != expected_records * record_bytes)
    throw Error("typenet: CIFAR-10 file " + file.string() + " has " + std::to_string(bytes) + " bytes, expected " +
                std::to_string(expected_records * record_bytes) + " (" + std::to_string(expected_records) +
                " records of " + std::to_string(record_bytes) + " bytes): truncated or not a CIFAR-10 batch");
  std::vector<std::uint8_t> raw(bytes);
  in.read(reinterpret_cast<char*>(raw.data()), std::streamsize(bytes));
  if (!in) throw Error("typenet: read error in " + file.string());
  const std::size_t first = out.size();
  out.labels.resize(first + keep);
  out.images.resize((first + keep) * image_bytes);
  for (std::size_t r = 0; r < keep; ++r) {
    const std::uint8_t* rec = raw.data() + r * record_bytes;
    if (rec[0] > 9)
      throw Error("typenet: CIFAR-10 file " + file.string() + " record " + std::to_string(r) + " has label " +
                  std::to_string(rec[0]) + " (expected 0..9): not a CIFAR-10 batch");
    out.labels[first + r] = rec[0];
    std::copy(rec + 1, rec + record_bytes, out.images.begin() + std::ptrdiff_t((first + r) * image_bytes));
  }
}

// Load dir/data_batch_{1..5}.bin and dir/test_batch.bin, keeping the first `keep` records of
// each (quick runs); `records` is the records per file (10000; smaller for synthetic test files).
inline Dataset load(const std::filesystem::path& dir, std::size_t keep = records_per_file,
                    std::size_t records = records_per_file) {
  if (!std::filesystem::is_directory(dir))
    throw Error("typenet: CIFAR-10 directory " + dir.string() +
                " does not exist (run scripts/fetch_cifar10.sh, or point --data at cifar-10-batches-bin)");
  Dataset d;
  for (int b = 1; b <= 5; ++b) read_batch_file(dir / ("data_batch_" + std::to_string(b) + ".bin"), d.train, records, keep);
  read_batch_file(dir / "test_batch.bin", d.test, records, keep);
  return d;
}

}  // namespace typenet::cifar10
