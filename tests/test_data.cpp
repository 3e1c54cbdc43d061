// The dataset readers (CIFAR-10, CIFAR-100, image folders) on small synthetic files, their
// errors, --data detection, and batch assembly for any input shape.
#include <filesystem>
#include <fstream>
#include "helpers.hpp"

using namespace typenet;
namespace fs = std::filesystem;

// Write a directory of batch files with `records` records each: label r % 10, pixels = label.
static fs::path synthetic_dir(const char* name, std::size_t records) {
  const auto dir = test::temp_dir() / (std::string("typenet_cifar_") + name);
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
  SECTION("a directory or a device where a file should be") {
    fs::remove(dir / "data_batch_2.bin");
    fs::create_directories(dir / "data_batch_2.bin");
    CHECK_THAT(test::error_of([&] { cifar10::load(dir, 20, 20); }), Catch::Contains("data_batch_2.bin is a directory"));
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

TEST_CASE("batch assembly normalises, flips and shifts as specified", "[data]") {
  std::vector<std::uint8_t> img(cifar10::image_bytes);
  for (int c = 0; c < 3; ++c)
    for (int y = 0; y < 32; ++y)
      for (int x = 0; x < 32; ++x) img[(c * 32 + y) * 32 + x] = std::uint8_t(x + 2 * y);
  std::vector<float> out(cifar10::image_bytes);
  auto px = [&](int c, int y, int x) { return out[(c * 32 + y) * 32 + x]; };
  const Normalize cifar = Normalize::cifar();
  auto norm = [&](int c, int v) { return (v / 255.0f - cifar.mean[c]) / cifar.std[c]; };
  const Shape s = cifar10::shape;
  write_image(img.data(), s, out.data(), s, {}, false, cifar);
  CHECK(px(1, 3, 5) == Approx(norm(1, 5 + 6)));
  write_image(img.data(), s, out.data(), s, {.flip = true}, false, cifar);
  CHECK(px(0, 3, 5) == Approx(norm(0, 26 + 6)));  // mirrored: x -> 31 - x
  write_image(img.data(), s, out.data(), s, {.dy = 2, .dx = -3}, false, cifar);
  CHECK(px(2, 10, 10) == Approx(norm(2, 7 + 24)));  // reads (12, 7)
  CHECK(px(2, 31, 10) == 0.0f);                     // below the image: zero padding
  CHECK(px(2, 10, 1) == 0.0f);                      // left of the image
  write_image(img.data(), s, out.data(), s, {}, false, Normalize::minus_one_one());
  CHECK(px(0, 0, 0) == Approx(-1.0f));
  CHECK(px(0, 3, 5) == Approx(11 / 127.5f - 1.0f));
  write_image(img.data(), s, out.data(), s, {}, false, Normalize::unit());
  CHECK(px(2, 3, 5) == Approx(11 / 255.0f));
  write_image(img.data(), s, out.data(), s, {}, false, Normalize::imagenet());
  CHECK(px(1, 3, 5) == Approx((11 / 255.0f - 0.456f) / 0.224f));
  CHECK_THROWS_WITH(Normalize::preset("zscore"), Catch::Contains("unknown normalisation 'zscore'"));
}

TEST_CASE("batch assembly resizes to the network's input: bilinear up, area down, grey into three", "[data]") {
  // A (1,4,4) ramp: columns 0, 40, 80, 120 in every row.
  std::vector<std::uint8_t> ramp(16);
  for (int y = 0; y < 4; ++y)
    for (int x = 0; x < 4; ++x) ramp[std::size_t(y * 4 + x)] = std::uint8_t(40 * x);
  std::vector<float> down(3 * 2 * 2), up(3 * 8 * 8);
  write_image(ramp.data(), Shape(1, 4, 4), down.data(), Shape(3, 2, 2), {}, false, Normalize::unit());
  // Area: each output pixel averages a 2x2 block, (0+40)/2 and (80+120)/2; every channel the same grey.
  CHECK(down[0] * 255 == Approx(20).margin(1.01));
  CHECK(down[1] * 255 == Approx(100).margin(1.01));
  CHECK(down[4 + 1] == down[1]);
  CHECK(down[8 + 3] == down[3]);
  write_image(ramp.data(), Shape(1, 4, 4), up.data(), Shape(3, 8, 8), {}, false, Normalize::unit());
  for (int x = 1; x < 8; ++x) CHECK(up[std::size_t(3 * 8 + x)] >= up[std::size_t(3 * 8 + x - 1)]);  // monotone
  CHECK(up[3 * 8 + 3] * 255 == Approx(50).margin(2));  // between columns 1 and 2 of the source: 40..80
  CHECK_FALSE(can_feed(Shape(3, 32, 32), Shape(1, 32, 32)));
  CHECK(can_feed(Shape(1, 28, 28), Shape(3, 32, 32)));
  CHECK_THROWS_WITH(check_feeds(Shape(3, 32, 32), Shape(4, 32, 32), "the dataset"),
                    Catch::Contains("(3,32,32) images") && Catch::Contains("(4,32,32)"));
}

TEST_CASE("random resized crop: inside the image, area and ratio in range, seeded", "[data]") {
  Rng a(5), b(5);
  const Shape in(3, 40, 60);
  const RandomResizedCrop r{.enabled = true};
  for (int i = 0; i < 200; ++i) {
    const Crop c = random_resized_crop(a, in, r);
    CHECK(c.y0 >= 0);
    CHECK(c.x0 >= 0);
    CHECK(c.y0 + c.h <= in.h);
    CHECK(c.x0 + c.w <= in.w);
    const double area = double(c.h) * c.w / (40.0 * 60.0), ratio = double(c.w) / c.h;
    CHECK(area <= 1.0);
    CHECK(((area >= 0.06 && ratio >= 0.70 && ratio <= 1.40) || c.h == in.h || c.w == in.w));
    const Crop d = random_resized_crop(b, in, r);
    CHECK((c.y0 == d.y0 && c.x0 == d.x0 && c.h == d.h && c.w == d.w));
  }
}

TEST_CASE("shuffling is a seeded permutation", "[data]") {
  const auto dir = synthetic_dir("shuffle", 20);
  const auto d = cifar10::load(dir, 20, 20);
  auto labels_of = [&](std::uint64_t seed) {
    Batcher b(d.train, cifar10::shape, 100, seed);
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
  CHECK_THROWS_WITH(Batcher(d.train, cifar10::shape, 0, 1), Catch::Contains("batch size must be at least 1"));
}

TEST_CASE("shards of a global batch are its slices, augmentation draws included", "[data][shard]") {
  const auto dir = synthetic_dir("shard", 24);
  const auto d = cifar10::load(dir, 24, 24);
  const Augment aug{.pad = 4, .flip = true};
  const std::size_t per_image = cifar10::image_bytes;
  auto batch_of = [&](Shard shard) {  // the second batch of the second epoch, as this shard sees it
    Batcher b(d.train, cifar10::shape, 12, 5, Normalize::cifar(), shard);
    const int local = b.local_batch();
    std::vector<float> in(static_cast<std::size_t>(local) * per_image);
    std::vector<int> labels(static_cast<std::size_t>(local));
    for (int epoch = 0; epoch < 2; ++epoch) {
      b.shuffle();
      for (std::size_t batch = 0; batch < 2; ++batch) b.fill(batch, in, labels, aug);
    }
    return std::pair(in, labels);
  };
  const auto [whole, whole_labels] = batch_of({});
  for (int ranks : {2, 3}) {
    for (int rank = 0; rank < ranks; ++rank) {
      INFO(ranks << " shards, shard " << rank);
      const auto [in, labels] = batch_of({rank, ranks});
      const std::size_t local = labels.size(), first = std::size_t(rank) * local;
      REQUIRE(local == std::size_t(12 / ranks));
      CHECK(std::equal(labels.begin(), labels.end(), whole_labels.begin() + std::ptrdiff_t(first)));
      CHECK(std::equal(in.begin(), in.end(), whole.begin() + std::ptrdiff_t(first * per_image)));
    }
  }
  CHECK_THROWS_WITH(Batcher(d.train, cifar10::shape, 12, 1, Normalize::cifar(), {0, 5}),
                    Catch::Contains("a global batch of 12 does not split evenly over 5 processes"));
}

// Networks whose input is not CIFAR's 3x32x32 train and evaluate on 32x32 images: batch
// assembly brings every image to the type's input shape (the bug this replaced wrote 3,072
// floats per image into a 768-float slot).
using Small16 = Sequential<Input<3, 16, 16>, Conv<8, 3>, BatchNorm, ReLU, MaxPool<2>, GlobalAvgPool, Dense<10>>;
using Large48 = Sequential<Input<3, 48, 48>, Conv<8, 3, 2>, BatchNorm, ReLU, MaxPool<2>, GlobalAvgPool, Dense<10>>;
using Grey = Sequential<Input<1, 32, 32>, Conv<8, 3>, BatchNorm, ReLU, MaxPool<4>, GlobalAvgPool, Dense<10>>;

TEST_CASE("fit, evaluate, TTA and predict take the input shape from the network", "[data][train]") {
  const auto train = test::synthetic_split(300, 1), test_set = test::synthetic_split(100, 2);
  auto run = [&](auto tag) {
    using Net = typename decltype(tag)::type;
    Model<Net> m({.batch = 50, .seed = 2});
    SGD opt{};
    const auto h = fit(m, opt, train, &test_set, {.epochs = 2, .augment = {.pad = 2, .flip = true}});
    REQUIRE(h.size() == 2);
    CHECK(std::isfinite(h.back().val_loss));
    CHECK(evaluate(m, test_set, {.tta = 2}).plain_accuracy == Approx(h.back().val_accuracy));
    const auto top = predict(m, test_set.image(0), test_set.shape, 2);
    CHECK(top.size() == 2);
  };
  run(std::type_identity<Small16>{});
  run(std::type_identity<Large48>{});
  Model<Grey> grey({.batch = 50});
  SGD opt{};
  CHECK_THAT(test::error_of([&] { fit(grey, opt, train, nullptr, {.epochs = 1}); }),
             Catch::Contains("(3,32,32) images") && Catch::Contains("(1,32,32)"));
}

TEST_CASE("random resized crop trains a network at another size", "[data][train]") {
  const auto train = test::synthetic_split(200, 3);
  Model<Small16> m({.batch = 50});
  SGD opt{};
  TrainConfig cfg{.epochs = 1, .augment = {.pad = 0, .flip = true, .resized_crop = {.enabled = true}}};
  const auto h = fit(m, opt, train, nullptr, cfg);
  CHECK(std::isfinite(h[0].loss));
}

// A PNG written with stb (as draw/canvas.hpp does) of `h` x `w` pixels of one grey value.
static void write_png(const fs::path& file, int h, int w, std::uint8_t v, int channels = 3) {
  fs::create_directories(file.parent_path());
  std::vector<std::uint8_t> px(std::size_t(h) * w * channels, v);
  REQUIRE(stbi_write_png(file.c_str(), w, h, channels, px.data(), w * channels));
}

TEST_CASE("image folder: classes sorted, images decoded once, errors name the file", "[data][folder]") {
  const auto root = test::temp_dir() / "typenet_folder";
  fs::remove_all(root);
  write_png(root / "train" / "dog" / "a.png", 8, 8, 200);
  write_png(root / "train" / "cat" / "b.png", 8, 8, 100, 1);  // grey: replicated into RGB
  write_png(root / "train" / "cat" / "c.png", 8, 8, 110);
  write_png(root / "test" / "cat" / "d.png", 8, 8, 120);
  write_png(root / "test" / "dog" / "e.png", 8, 8, 210);
  std::ofstream(root / "train" / "dog" / ".hidden") << "skipped";
  CHECK(detect_format(root) == DataFormat::image_folder);
  const auto d = load_dataset(root);
  CHECK(d.train.class_names == std::vector<std::string>{"cat", "dog"});
  REQUIRE(d.train.size() == 3);
  CHECK(d.train.shape == Shape(3, 8, 8));
  CHECK(d.train.labels == std::vector<int>{0, 0, 1});
  CHECK(d.train.image(0)[64 * 2 + 5] == 100);  // the grey image's blue plane
  CHECK(d.test.labels == std::vector<int>{0, 1});

  SECTION("mixed sizes need a resize") {
    write_png(root / "train" / "dog" / "big.png", 16, 12, 50);
    CHECK_THAT(test::error_of([&] { load_dataset(root); }),
               Catch::Contains("big.png") && Catch::Contains("mixed sizes") && Catch::Contains("--resize"));
    const auto r = load_dataset(root, {.folder = {.resize_h = 10, .resize_w = 10}});
    CHECK(r.train.shape == Shape(3, 10, 10));
    CHECK(r.train.size() == 4);
  }
  SECTION("a file that is not an image") {
    std::ofstream(root / "train" / "cat" / "notes.txt") << "not a picture";
    CHECK_THAT(test::error_of([&] { load_dataset(root); }), Catch::Contains("notes.txt") && Catch::Contains("cannot read image"));
  }
  SECTION("a truncated PNG") {
    fs::resize_file(root / "train" / "cat" / "c.png", 30);
    CHECK_THAT(test::error_of([&] { load_dataset(root); }), Catch::Contains("c.png"));
  }
  SECTION("a class folder with no images, and a folder with no classes") {
    fs::create_directories(root / "empty" / "x");
    CHECK_THAT(test::error_of([&] { load_image_folder(root / "empty"); }), Catch::Contains("holds no images"));
    fs::create_directories(root / "none");
    CHECK_THAT(test::error_of([&] { load_image_folder(root / "none"); }), Catch::Contains("no class folders"));
  }
  SECTION("test classes differ from train") {
    write_png(root / "test" / "bird" / "f.png", 8, 8, 10);
    CHECK_THAT(test::error_of([&] { load_dataset(root); }), Catch::Contains("different class folders"));
  }
}

// CIFAR-100's layout: 2 label bytes (coarse, fine) then the pixels.
static fs::path cifar100_dir(std::size_t train, std::size_t test) {
  const auto dir = test::temp_dir() / "typenet_cifar100";
  fs::remove_all(dir);
  fs::create_directories(dir);
  for (auto [name, n] : {std::pair{"train.bin", train}, std::pair{"test.bin", test}}) {
    std::ofstream out(dir / name, std::ios::binary);
    for (std::size_t r = 0; r < n; ++r) {
      std::vector<char> rec(cifar100::record_bytes, char(r % 7));
      rec[0] = char(r % 20);
      rec[1] = char(r % 100);
      out.write(rec.data(), std::streamsize(rec.size()));
    }
  }
  return dir;
}

TEST_CASE("CIFAR-100 reader: fine and coarse labels, names, errors", "[data]") {
  const auto dir = cifar100_dir(30, 10);
  const auto fine = cifar100::load(dir, cifar100::Labels::fine, 30, 30, 10);
  CHECK(fine.train.size() == 30);
  CHECK(fine.train.classes() == 100);
  CHECK(fine.train.labels[27] == 27);
  CHECK(fine.train.image(27)[0] == 27 % 7);
  const auto coarse = cifar100::load(dir, cifar100::Labels::coarse, 30, 30, 10);
  CHECK(coarse.train.classes() == 20);
  CHECK(coarse.train.labels[27] == 7);
  std::ofstream names(dir / "coarse_label_names.txt");
  for (int i = 0; i < 20; ++i) names << "super" << i << "\n";
  names.close();
  CHECK(cifar100::load(dir, cifar100::Labels::coarse, 30, 30, 10).test.class_names[3] == "super3");
  fs::resize_file(dir / "test.bin", 10 * cifar100::record_bytes - 1);
  CHECK_THAT(test::error_of([&] { cifar100::load(dir, cifar100::Labels::fine, 30, 30, 10); }),
             Catch::Contains("test.bin") && Catch::Contains("truncated"));
  std::fstream f(dir / "train.bin", std::ios::binary | std::ios::in | std::ios::out);
  f.seekp(cifar100::record_bytes * 5 + 1);  // record 5's fine label
  f.put(char(100));
  f.close();
  CHECK_THAT(test::error_of([&] { cifar100::parse_file(io::read_file(dir / "train.bin", "t", 1 << 20), "train.bin", 30, 30,
                                                       cifar100::Labels::coarse, {}); }),
             Catch::Contains("train.bin record 5 has labels 5/100"));
}

TEST_CASE("data directory detection names what it expected", "[data]") {
  CHECK(detect_format(synthetic_dir("detect", 2)) == DataFormat::cifar10);
  CHECK(detect_format(cifar100_dir(1, 1)) == DataFormat::cifar100);
  const auto empty = test::temp_dir() / "typenet_empty_data";
  fs::create_directories(empty);
  CHECK_THAT(test::error_of([&] { detect_format(empty); }), Catch::Contains("holds no dataset typenet reads"));
  CHECK_THAT(test::error_of([&] { detect_format("/nonexistent/data"); }), Catch::Contains("does not exist"));
  CHECK_THAT(test::error_of([&] { detect_format("/dev/zero"); }), Catch::Contains("is a file"));
}
