// Writes a starting corpus for every harness into DIR/<harness>/: well-formed inputs made by
// typenet's own writers (a checkpoint of a real run, a weights file, a history, images), from
// which the fuzzer mutates its way into every branch of the parsers.
//   make_seeds DIR
#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STB_IMAGE_WRITE_STATIC
#include <stb/stb_image_write.h>
#include <cstdio>
#include <fstream>
#include <typenet/data/cifar10.hpp>
#include <typenet/data/cifar100.hpp>
#include <typenet/io/keras_h5.hpp>
#include <typenet/io/zip_archive.hpp>
#include "fuzz_run.hpp"

namespace fs = std::filesystem;
using Bytes = std::vector<std::uint8_t>;

static void write(const fs::path& file, const Bytes& b) {
  fs::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary).write(reinterpret_cast<const char*>(b.data()), std::streamsize(b.size()));
}
static Bytes read(const fs::path& file) { return typenet::io::read_file(file, "seed"); }
static Bytes with_first(std::uint8_t first, const Bytes& rest) {
  Bytes b{first};
  b.insert(b.end(), rest.begin(), rest.end());
  return b;
}
static Bytes text(const std::string& s) { return {s.begin(), s.end()}; }
// Appends `field` after its size as a little-endian u16 (fuzz::Input::u16 reads it back).
static void append_u16_sized(Bytes& out, const Bytes& field) {
  out.push_back(std::uint8_t(field.size() & 0xff));
  out.push_back(std::uint8_t(field.size() >> 8));
  out.insert(out.end(), field.begin(), field.end());
}

static Bytes encoded_image(int w, int h, int channels, bool png) {
  Bytes px(std::size_t(w * h * channels));
  for (std::size_t i = 0; i < px.size(); ++i) px[i] = std::uint8_t(i * 37 % 251);
  Bytes out;
  const auto sink = [](void* ctx, void* data, int n) {
    auto* o = static_cast<Bytes*>(ctx);
    o->insert(o->end(), static_cast<std::uint8_t*>(data), static_cast<std::uint8_t*>(data) + n);
  };
  if (png) stbi_write_png_to_func(sink, &out, w, h, channels, px.data(), w * channels);
  else stbi_write_jpg_to_func(sink, &out, w, h, channels, px.data(), 80);
  return out;
}

template <class Optimizer> static void checkpoint_seeds(const fs::path& dir, std::uint8_t optimizer_bit, const char* name) {
  const fs::path file = fs::temp_directory_path() / ("typenet_fuzz_seed_" + std::string(name) + ".tnc");
  fuzz::Run<Optimizer> run;
  run.train_with_checkpoints(file);
  const Bytes raw = read(file);
  fs::remove(file);
  write(dir / (std::string(name) + "_file"), with_first(optimizer_bit, raw));
  Bytes sections{std::uint8_t(optimizer_bit | 1)};  // the same sections in the harness's own framing
  const typenet::io::CheckpointReader r(Bytes(raw), "seed");
  for (const auto& [section, size] : r.sections()) {
    if (size > 0xffff) continue;
    auto content = r.section(section);
    Bytes b(size);
    content.get_raw(std::span<std::uint8_t>(b));
    sections.push_back(std::uint8_t(section.size()));
    sections.insert(sections.end(), section.begin(), section.end());
    append_u16_sized(sections, b);
  }
  write(dir / (std::string(name) + "_sections"), sections);
}

int main(int argc, char** argv) {
  if (argc != 2) return std::fprintf(stderr, "usage: %s DIR\n", argv[0]), 2;
  const fs::path dir = argv[1];

  Bytes batch;  // two CIFAR records, labels 3 and 7
  for (int label : {3, 7}) {
    batch.push_back(std::uint8_t(label));
    for (int i = 0; i < typenet::cifar10::image_bytes; ++i) batch.push_back(std::uint8_t(i * 7 + label));
  }
  write(dir / "cifar10/two_records", with_first(2, batch));
  Bytes batch100;
  for (int r = 0; r < 2; ++r) {
    batch100.push_back(std::uint8_t(4 + r));
    batch100.push_back(std::uint8_t(40 + r));
    for (int i = 0; i < typenet::cifar100::image_bytes; ++i) batch100.push_back(std::uint8_t(i * 3 + r));
  }
  write(dir / "cifar100/two_records", with_first(0, batch100));
  std::string names;
  for (int i = 0; i < 20; ++i) names += "superclass_" + std::to_string(i) + (i % 2 ? "\r\n" : "\n");
  write(dir / "cifar100/coarse_names", with_first(3, text(names)));

  const Bytes png = encoded_image(6, 5, 3, true), grey = encoded_image(4, 4, 1, true), jpg = encoded_image(9, 7, 3, false);
  write(dir / "image/png", with_first(0, png));
  write(dir / "image/grey_png", with_first(1, grey));
  write(dir / "image/jpg", with_first(0, jpg));
  Bytes folder{2, 8, 8};  // resize to 8x8, then three images of three sizes
  for (const auto& [label, img] : {std::pair{0, &png}, std::pair{1, &grey}, std::pair{2, &jpg}}) {
    folder.push_back(std::uint8_t(label));
    append_u16_sized(folder, *img);
  }
  write(dir / "image_folder/three_sizes", folder);

  const fs::path weights = fs::temp_directory_path() / "typenet_fuzz_seed.tnw";
  const std::vector<float> params{1, 2, 3, 4, 5, 6}, state{0.5f, 2};
  typenet::io::save_raw(weights, fuzz::weights_arch, params, state);
  write(dir / "weights/valid", with_first(0, read(weights)));
  fs::remove(weights);

  checkpoint_seeds<typenet::SGD>(dir / "checkpoint", 0, "sgd");
  checkpoint_seeds<typenet::AdamW>(dir / "checkpoint", 2, "adamw");

  write(dir / "sweep_json/space", text(R"({"batch": [64, 128], "lr": [0.05, 0.1], "wd": [5e-4, 0]})"));
  typenet::HistoryWriter h{fs::temp_directory_path() / "typenet_fuzz_seed_history"};
  h.rows = {{.epoch = 1, .loss = 1.5, .accuracy = 0.4, .lr = 0.1f}, {.epoch = 2, .loss = 1.25, .accuracy = 0.5,
             .val_loss = 1.3, .val_accuracy = 0.45, .images_per_s = 800, .seconds = 61.5, .lr = 0.05f}};
  h.write();
  write(dir / "history_csv/two_epochs", read(h.dir / "history.csv"));
  fs::remove_all(h.dir);
  // Other frameworks' weight files: the small fixtures of tests/make_format_fixtures.py.
  const fs::path formats = fs::path(TYPENET_FIXTURE_DIR) / "formats";
  write(dir / "safetensors/tiny", read(formats / "tiny.safetensors"));
  write(dir / "torch_checkpoint/tiny", read(formats / "tiny.pth"));
  write(dir / "keras_h5/tiny", read(formats / "tiny.h5"));
  {  // what the .h5 reader's child process answers for it
    const auto answer = typenet::io::to_bytes(typenet::io::read_keras_h5(read(formats / "tiny.h5"), "tiny.h5"));
    write(dir / "tensor_file/tiny_h5", Bytes(answer.begin(), answer.end()));
  }
  Bytes tfjs;
  append_u16_sized(tfjs, read(formats / "tiny_tfjs/model.json"));
  const Bytes shard = read(formats / "tiny_tfjs/group1-shard1of1.bin");
  tfjs.insert(tfjs.end(), shard.begin(), shard.end());
  write(dir / "tfjs/tiny", tfjs);
  {  // the pickle inside tiny.pth, for the unpickler alone
    const Bytes pth = read(formats / "tiny.pth");
    const typenet::io::ZipArchive zip(pth, "tiny.pth");
    for (const auto& entry : zip.names())
      if (entry.ends_with("/data.pkl")) write(dir / "state_dict_pickle/tiny", zip.read(entry, 1 << 20));
  }
  std::printf("seeds in %s\n", dir.c_str());
  return 0;
}
