// Writes a synthetic dataset in CIFAR-10's binary layout (data_batch_1..5.bin, test_batch.bin,
// batches.meta.txt) for tests that run the CLI: each class its own colour and stripes, plus noise.
//   make_synthetic_cifar DIR RECORDS_PER_FILE   (10000 for files the CLI reads; --limit then takes fewer)
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <typenet/core/rng.hpp>
#include <typenet/data/cifar10.hpp>

int main(int argc, char** argv) {
  if (argc != 3) return std::fprintf(stderr, "usage: %s DIR RECORDS_PER_FILE\n", argv[0]), 2;
  const std::filesystem::path dir = argv[1];
  const long records = std::stol(argv[2]);
  std::filesystem::create_directories(dir);
  typenet::Rng r(1);
  for (const char* name : {"data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5", "test_batch"}) {
    std::ofstream out(dir / (std::string(name) + ".bin"), std::ios::binary);
    std::string rec(typenet::cifar10::record_bytes, '\0');
    for (long i = 0; i < records; ++i) {
      const int k = int(r.below(10));
      rec[0] = char(k);
      for (int c = 0; c < 3; ++c)
        for (int y = 0; y < 32; ++y)
          for (int x = 0; x < 32; ++x) {
            const bool stripe = ((k < 5 ? x : y) / (1 + k % 5)) % 2;
            const float v = 60.0f + 25.0f * float((k + c) % 3) + 50.0f * float(stripe) + r.uniform(-40.0f, 40.0f);
            rec[std::size_t(1 + (c * 32 + y) * 32 + x)] = char(std::uint8_t(std::clamp(v, 0.0f, 255.0f)));
          }
      out.write(rec.data(), std::streamsize(rec.size()));
    }
  }
  std::ofstream meta(dir / "batches.meta.txt");
  for (const char* n : typenet::cifar10::class_names) meta << n << "\n";
  return 0;
}
