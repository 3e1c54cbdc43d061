// Reading images for predict: a committed PNG and JPEG (CIFAR-10 test image 0, a cat), and errors.
#include <filesystem>
#include <fstream>
#include "helpers.hpp"
#include <typenet/io/image.hpp>
#include <typenet/predict.hpp>

using namespace typenet;
static const std::filesystem::path fixtures = TYPENET_FIXTURE_DIR;

TEST_CASE("a 32x32 PNG and a 64x48 JPEG of the same picture read alike", "[image]") {
  const auto png = load_image(fixtures / "cifar_test0_cat.png", cifar10::shape).pixels;
  const auto jpg = load_image(fixtures / "cifar_test0_cat_64x48.jpg", cifar10::shape).pixels;  // centre-cropped, resized
  REQUIRE(png.size() == 3072);
  REQUIRE(jpg.size() == 3072);
  double diff = 0;
  for (std::size_t i = 0; i < png.size(); ++i) diff += std::abs(int(png[i]) - int(jpg[i]));
  CHECK(diff / 3072 < 25);  // same picture up to JPEG loss and the crop of the sides
  CHECK(std::any_of(png.begin(), png.end(), [](auto v) { return v > 100; }));
}

TEST_CASE("a file that is not an image is a clear error naming it", "[image]") {
  const auto bad = test::temp_dir() / "typenet_not_an_image.png";
  std::ofstream(bad) << "hello";
  CHECK_THAT(test::error_of([&] { load_image(bad, cifar10::shape); }),
             Catch::Contains("cannot read image") && Catch::Contains(bad.string()));
  CHECK_THAT(test::error_of([&] { load_image(fixtures / "missing.png", cifar10::shape); }), Catch::Contains("missing.png"));
  CHECK_THAT(test::error_of([&] { load_image(fixtures, cifar10::shape); }), Catch::Contains("is a directory"));
  CHECK_THAT(test::error_of([&] { load_image("/dev/zero", cifar10::shape); }), Catch::Contains("not a regular file"));
}

TEST_CASE("predict returns the top classes, best first, as probabilities", "[image]") {
  Model<zoo::SeedModel7> m({.batch = 1, .seed = 4});
  const auto top = predict(m, load_image(fixtures / "cifar_test0_cat.png", cifar10::shape), 3);
  REQUIRE(top.size() == 3);
  CHECK(top[0].probability >= top[1].probability);
  CHECK(top[1].probability >= top[2].probability);
  CHECK(top[0].probability + top[1].probability + top[2].probability <= 1.0f + 1e-6f);
  CHECK(top[0].label != top[1].label);
}

// stb alone would write past its tables here (found by tests/fuzz/fuzz_image.cpp): a JPEG whose
// Huffman table claims more than 256 symbols, also behind fill bytes before the start marker.
TEST_CASE("a JPEG with an oversized Huffman table is refused before stb reads it", "[image]") {
  const auto good = io::read_file(fixtures / "cifar_test0_cat_64x48.jpg", "image");
  CHECK(io::decode_image(good.data(), good.size(), "good.jpg").shape == Shape(3, 48, 64));
  auto bad = good;
  std::size_t dht = 2;
  while (dht + 1 < bad.size() && !(bad[dht] == 0xFF && bad[dht + 1] == 0xC4)) ++dht;
  REQUIRE(dht + 21 < bad.size());
  bad[dht + 5 + 8] = 200, bad[dht + 5 + 9] = 100;  // two of the 16 counts: 300 symbols and more
  CHECK_THAT(test::error_of([&] { io::decode_image(bad.data(), bad.size(), "bad.jpg"); }),
             Catch::Contains("bad.jpg") && Catch::Contains("a Huffman table of") && Catch::Contains("a corrupt JPEG"));
  bad.insert(bad.begin(), 5, std::uint8_t(0xFF));
  CHECK_THAT(test::error_of([&] { io::read_image_size(bad.data(), bad.size(), "filled.jpg"); }),
             Catch::Contains("a Huffman table of"));
}

// stb would allocate whatever a PNG chunk claims (found by tests/fuzz/fuzz_image.cpp): a chunk
// longer than the file is refused before that.
TEST_CASE("a PNG whose chunk runs past the end of the file is refused before stb allocates for it", "[image]") {
  auto png = io::read_file(fixtures / "cifar_test0_cat.png", "image");
  std::size_t idat = 8;
  while (idat + 8 <= png.size() && !std::equal(png.begin() + std::ptrdiff_t(idat + 4), png.begin() + std::ptrdiff_t(idat + 8), "IDAT"))
    idat += 12 + (std::size_t(png[idat]) << 24 | std::size_t(png[idat + 1]) << 16 | std::size_t(png[idat + 2]) << 8 | png[idat + 3]);
  REQUIRE(idat + 8 <= png.size());
  png[idat] = 0x7F;  // about 2 GB
  CHECK_THAT(test::error_of([&] { io::decode_image(png.data(), png.size(), "long_chunk.png"); }),
             Catch::Contains("long_chunk.png") && Catch::Contains("runs past the end of the file"));
}
