#pragma once
// CIFAR-10 in the official binary layout (cifar-10-batches-bin/): data_batch_1..5.bin and
// test_batch.bin, each 10,000 records of 1 label byte + 3,072 pixel bytes (C,H,W = 3,32,32).
#include <array>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include "typenet/data/cifar_records.hpp"
#include "typenet/data/image_set.hpp"
#include "typenet/io/read_file.hpp"

namespace typenet::cifar10 {

inline constexpr Shape shape = cifar_records::shape;
inline constexpr int image_bytes = cifar_records::image_bytes;
inline constexpr cifar_records::Layout layout{"CIFAR-10 batch", 1, {9, 0}, "0..9"};
inline constexpr int record_bytes = int(layout.record_bytes());
inline constexpr int records_per_file = 10000;
inline constexpr std::array<const char*, 10> class_names = {"airplane", "automobile", "bird", "cat", "deer",
                                                            "dog",      "frog",       "horse", "ship", "truck"};

inline ImageSet empty_set() { return {shape, {}, {}, {class_names.begin(), class_names.end()}}; }

// Append the first `keep` records of a batch file's bytes (`expected_records` records) to
// `out`; any defect is an Error naming the file (`name`).
inline void parse_batch(std::span<const std::uint8_t> raw, const std::string& name, ImageSet& out,
                        std::size_t expected_records, std::size_t keep) {
  cifar_records::parse(raw, name, layout, expected_records, keep, 0, out);
}

inline void read_batch_file(const std::filesystem::path& file, ImageSet& out, std::size_t expected_records,
                            std::size_t keep) {
  parse_batch(io::read_file(file, "CIFAR-10 file", std::uintmax_t(expected_records) * record_bytes + 1), file.string(),
              out, expected_records, keep);
}

// The layout's signature: what `--data` detection looks for.
inline bool looks_like(const std::filesystem::path& dir) {
  return std::filesystem::is_regular_file(dir / "data_batch_1.bin") && std::filesystem::is_regular_file(dir / "test_batch.bin");
}

// Load dir/data_batch_{1..5}.bin and dir/test_batch.bin, keeping the first `keep` records of
// each (quick runs); `records` is the records per file (10000; smaller for synthetic test files).
inline Dataset load(const std::filesystem::path& dir, std::size_t keep = records_per_file,
                    std::size_t records = records_per_file) {
  if (!std::filesystem::is_directory(dir))
    throw Error("typenet: CIFAR-10 directory " + dir.string() +
                " does not exist (run scripts/fetch_cifar10.sh, or point --data at cifar-10-batches-bin)");
  Dataset d{empty_set(), empty_set()};
  for (int b = 1; b <= 5; ++b) read_batch_file(dir / ("data_batch_" + std::to_string(b) + ".bin"), d.train, records, keep);
  read_batch_file(dir / "test_batch.bin", d.test, records, keep);
  return d;
}

}  // namespace typenet::cifar10
