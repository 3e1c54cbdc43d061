// The CIFAR-10 reader on small synthetic files in the official layout, its errors, and the batcher.
#include <filesystem>
#include <fstream>
#include "helpers.hpp"

using namespace typenet;
namespace fs = std::filesystem;

// Write a directory of batch files with `records` records each: label r % 10, pixels = label.
static fs::path synthetic_dir(const char* name, std::size_t records) {
  const auto dir = fs::temp_directory_path() / (std::string("typenet_cifar_") + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  for (const char* f : {"data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5", "test_batch"}) {
    std::ofstream out(dir / (std::string(f) + ".bin"), std::ios::binary);
    for (std::size_t r = 0; r < records; ++r) {
      std::vector<char> rec(cifar10::record_bytes, char(r % 10));
      out.write(rec.data(), std::streamsize(rec.size()));
    }
  }
  return dir;
}

TEST_CASE("reader loads the official layout", "[data]") {
  const auto dir = synthetic_dir("ok", 20);
  const auto d = cifar10::load(dir, 20, 20);
  REQUIRE(d.train.size() == 100);
  REQUIRE(d.test.size() == 20);
  CHECK(d.train.labels[13] == 3);
  CHECK(d.train.image(13)[3071] == 3);
  const auto first = cifar10::load(dir, 5, 20);  // keep only the first records of each file
  CHECK(first.train.size() == 25);
  CHECK(first.train.labels[7] == 2);  // file 2, record 2
}

TEST_CASE("reader errors name the file and the defect", "[data]") {
  const auto dir = synthetic_dir("bad", 20);
  SECTION("missing directory") {
    CHECK_THAT(test::error_of([&] { cifar10::load(dir / "nope", 20, 20); }), Catch::Contains("does not exist"));
  }
  SECTION("missing file") {
    fs::remove(dir / "data_batch_3.bin");
    CHECK_THAT(test::error_of([&] { cifar10::load(dir, 20, 20); }), Catch::Contains("data_batch_3.bin"));
  }
  SECTION("truncated file") {
    fs::resize_file(dir / "test_batch.bin", 20 * cifar10::record_bytes - 7);
    CHECK_THAT(test::error_of([&] { cifar10::load(dir, 20, 20); }),
               Catch::Contains("test_batch.bin") && Catch::Contains("truncated"));
  }
  SECTION("foreign file: a label byte out of range") {
    std::fstream f(dir / "data_batch_1.bin", std::ios::binary | std::ios::in | std::ios::out);
    f.seekp(cifar10::record_bytes * 4);
    f.put(char(77));
    f.close();
    CHECK_THAT(test::error_of([&] { cifar10::load(dir, 20, 20); }),
               Catch::Contains("data_batch_1.bin") && Catch::Contains("label 77"));
  }
}

TEST_CASE("batcher normalises, flips and shifts as specified", "[data]") {
  std::vector<std::uint8_t> img(cifar10::image_bytes);
  for (int c = 0; c < 3; ++c)
    for (int y = 0; y < 32; ++y)
      for (int x = 0; x < 32; ++x) img[(c * 32 + y) * 32 + x] = std::uint8_t(x + 2 * y);
  std::vector<float> out(cifar10::image_bytes);
  auto px = [&](int c, int y, int x) { return out[(c * 32 + y) * 32 + x]; };
  auto norm = [&](int c, int v) { return (v / 255.0f - cifar10::mean[c]) / cifar10::stddev[c]; };
  Batcher::write_image(img.data(), out.data(), 0, 0, false);
  CHECK(px(1, 3, 5) == Approx(norm(1, 5 + 6)));
  Batcher::write_image(img.data(), out.data(), 0, 0, true);
  CHECK(px(0, 3, 5) == Approx(norm(0, 26 + 6)));  // mirrored: x -> 31 - x
  Batcher::write_image(img.data(), out.data(), 2, -3, false);
  CHECK(px(2, 10, 10) == Approx(norm(2, 7 + 24)));  // reads (12, 7)
  CHECK(px(2, 31, 10) == 0.0f);                     // below the image: zero padding
  CHECK(px(2, 10, 1) == 0.0f);                      // left of the image
}

TEST_CASE("shuffling is a seeded permutation", "[data]") {
  const auto dir = synthetic_dir("shuffle", 20);
  const auto d = cifar10::load(dir, 20, 20);
  auto labels_of = [&](std::uint64_t seed) {
    Batcher b(d.train, 100, seed);
    b.shuffle();
    std::vector<float> in(100 * cifar10::image_bytes);
    std::vector<int> labels(100);
    b.fill(0, in, labels, {.pad = 0, .flip = false});
    return labels;
  };
  const auto a = labels_of(1), b = labels_of(1), c = labels_of(2);
  CHECK(a == b);
  CHECK(a != c);
  std::vector<int> counts(10);
  for (int l : a) ++counts[l];
  CHECK(counts == std::vector<int>(10, 10));  // every record exactly once
}
