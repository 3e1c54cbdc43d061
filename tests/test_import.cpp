// Weights in by name from other frameworks' files. tests/make_weight_files.py (run by ctest
// first) wrote the backbone fixtures' generated weights as torch.save'd state_dicts,
// safetensors (F32, F16, BF16), Keras .h5 files (through h5py, with Keras's names from Keras's
// own source) and TensorFlow.js models (float32 and uint8-quantised), each beside the logits
// that PyTorch computes from exactly the values the file holds. typenet reads each file, puts
// it into its backbone by the reference names, and must give those logits.
#include <unistd.h>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include "helpers.hpp"
#include <nlohmann/json.hpp>
#include <typenet/io/import_weights.hpp>
#include <typenet/io/load_weights.hpp>
#include <typenet/io/weight_file.hpp>
#include <typenet/zoo/backbones.hpp>
#include <typenet/zoo/reference_names.hpp>

using namespace typenet;
namespace {

const std::filesystem::path files = TYPENET_WEIGHT_FILES_DIR;

std::vector<float> read_floats(const std::filesystem::path& p) {
  const auto b = io::read_file(p, "fixture");
  std::vector<float> v(b.size() / 4);
  std::memcpy(v.data(), b.data(), v.size() * 4);
  return v;
}


using ResNet = zoo::ResNet34<10, 64>;
using EfficientNet = zoo::EfficientNetB2<10, 64, ratio<0>, ratio<0>>;
using Xception = zoo::Xception<10, 71>;
using MobileNet = zoo::MobileNetV2<10, 64>;

// Reads `file` (relative to the weight files) by its content, imports it with the backbone's
// reference names, and returns the eval-mode logits relative error against PyTorch's.
template <class Net>
double import_and_compare(const char* fixture, const std::string& file, const char* backbone) {
  const auto tf = io::read_weight_file(files / file);
  Model<Net> m({.batch = 2});
  const auto report = io::import_weights(m, tf, zoo::reference_names(backbone));
  CHECK(report.tensors == long(named_tensors<Net>().size()));
  CHECK(report.values == Net::param_count + Net::state_count);
  const auto input = read_floats(std::filesystem::path(TYPENET_FIXTURE_DIR) / "backbones" / fixture / "input.bin");
  REQUIRE(input.size() == m.input().size());
  std::copy(input.begin(), input.end(), m.input().begin());
  m.forward(Mode::infer);
  const auto expected = read_floats(files / (file + ".logits"));
  const double err = test::worst_relative(m.output(), expected);
  std::printf("%s: logits relative error %.2e\n", tf.describe().c_str(), err);
  CHECK(err <= 1e-4);
  return err;
}

}  // namespace

TEST_CASE("torchvision's ResNet34 from a torch.save'd state_dict and from safetensors", "[import][pytorch]") {
  import_and_compare<ResNet>("resnet34", "resnet34.pth", "ResNet34");
  import_and_compare<ResNet>("resnet34", "resnet34.safetensors", "ResNet34");
}

TEST_CASE("torchvision's EfficientNet-B2 from a state_dict and from F32, F16 and BF16 safetensors", "[import][pytorch]") {
  import_and_compare<EfficientNet>("efficientnet_b2", "efficientnet_b2.pth", "EfficientNetB2");
  for (const char* f : {"efficientnet_b2.f32.safetensors", "efficientnet_b2.f16.safetensors", "efficientnet_b2.bf16.safetensors"})
    import_and_compare<EfficientNet>("efficientnet_b2", f, "EfficientNetB2");
}

TEST_CASE("Keras's MobileNetV2 from a Keras .h5 and from TensorFlow.js, float32 and uint8", "[import][keras]") {
  import_and_compare<MobileNet>("mobilenet_v2", "mobilenet_v2.h5", "MobileNetV2");
  import_and_compare<MobileNet>("mobilenet_v2", "mobilenet_v2_tfjs_f32/model.json", "MobileNetV2");
  import_and_compare<MobileNet>("mobilenet_v2", "mobilenet_v2_tfjs_uint8/model.json", "MobileNetV2");
  const auto tf = io::read_weight_file(files / "mobilenet_v2_tfjs_uint8/model.json");
  CHECK(tf.metadata.at("input_range") == "-1.000000,1.000000");
  CHECK(tf.find("block_1_depthwise/depthwise_kernel")->dtype == "uint8-quantised");
}

TEST_CASE("Keras's Xception from a Keras .h5 and from a uint8 TensorFlow.js model", "[import][keras]") {
  import_and_compare<Xception>("xception", "xception.h5", "Xception");
  import_and_compare<Xception>("xception", "xception_tfjs_uint8/model.json", "Xception");
}

TEST_CASE("A file that does not fit is refused whole, naming the file and each tensor", "[import][faults]") {
  Model<EfficientNet> m({.batch = 2});
  test::fill_random(m.params(), 5);
  const std::vector<float> before(m.params().begin(), m.params().end());
  const auto resnet = io::read_weight_file(files / "resnet34.pth");
  const std::string wrong_net = test::error_of([&] { io::import_weights(m, resnet, zoo::reference_names("EfficientNetB2")); });
  INFO(wrong_net);
  CHECK(wrong_net.find("PyTorch state_dict " + (files / "resnet34.pth").string() + " does not fit torchvision efficientnet_b2") != std::string::npos);
  CHECK(wrong_net.find("missing from the file (") != std::string::npos);
  CHECK(wrong_net.find("features.0.0.weight (32,3,3,3)") != std::string::npos);
  CHECK(wrong_net.find("in the file but not in the model (") != std::string::npos);
  CHECK(wrong_net.find("layer1.0.conv1.weight (64,64,3,3)") != std::string::npos);
  CHECK(std::equal(before.begin(), before.end(), m.params().begin()));

  // The same file into the same backbone with 1000 classes: only the head differs.
  Model<zoo::ResNet34<1000, 64>> wide({.batch = 1});
  const std::string head = test::error_of([&] { io::import_weights(wide, resnet, zoo::reference_names("ResNet34")); });
  INFO(head);
  CHECK(head.find("with another shape (2):\n    fc.weight: the file's (10,512), the model's (1000,512)\n    fc.bias: the "
                  "file's (10), the model's (1000)") != std::string::npos);
  // A new head: everything but fc comes in, fc stays as initialised, the old fc is reported skipped.
  const std::vector<float> fc_before(wide.params().end() - 1000 * 512 - 1000, wide.params().end());
  const auto report = io::import_weights(wide, resnet, zoo::reference_names("ResNet34"), {.head = false});
  CHECK(report.tensors == long(named_tensors<zoo::ResNet34<1000, 64>>().size()) - 2);
  CHECK(std::find(report.skipped.begin(), report.skipped.end(), "fc.weight") != report.skipped.end());
  CHECK(std::equal(fc_before.begin(), fc_before.end(), wide.params().end() - 1000 * 512 - 1000));

  // A map of another network is caught before any value moves.
  CHECK_THAT(test::error_of([&] { io::import_weights(m, resnet, zoo::reference_names("ResNet34")); }),
             Catch::Contains("the name map of torchvision resnet34 has 182 names, and the network"));
}

TEST_CASE("Truncated files of every format give an Error naming the file", "[import][faults]") {
  for (const char* name : {"resnet34.pth", "efficientnet_b2.f16.safetensors", "mobilenet_v2.h5"}) {
    const auto bytes = io::read_file(files / name, "fixture");
    for (const double keep : {0.999, 0.5, 0.01}) {
      const auto cut = test::temp_dir() / (std::string("cut_") + name);
      {
        std::ofstream out(cut, std::ios::binary);
        out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(double(bytes.size()) * keep));
      }
      const std::string err = test::error_of([&] { io::read_weight_file(cut); });
      INFO(name << " cut to " << keep << ": " << err);
      CHECK(err.find(cut.string()) != std::string::npos);
    }
  }
  // A tfjs shard one byte short.
  const auto dir = test::temp_dir() / "tfjs_short";
  std::filesystem::copy(files / "mobilenet_v2_tfjs_f32", dir);
  std::filesystem::resize_file(dir / "group1-shard2of2.bin", std::filesystem::file_size(dir / "group1-shard2of2.bin") - 1);
  CHECK_THAT(test::error_of([&] { io::read_weight_file(dir / "model.json"); }),
             Catch::Contains("TensorFlow.js model " + (dir / "model.json").string() + ": weight 'Logits/bias' needs 40 bytes"));
  CHECK_THAT(test::error_of([&] { io::read_weight_file(TYPENET_FIXTURE_DIR "/cifar_test0_cat.png"); }),
             Catch::Contains("is none of the formats typenet reads"));
}

TEST_CASE("A model written as safetensors under the reference names reads back the same", "[import][export]") {
  Model<MobileNet> m({.batch = 1, .seed = 3});
  const auto path = test::temp_dir() / "mobilenet.safetensors";
  io::export_safetensors(path, m, zoo::reference_names("MobileNetV2"));
  Model<MobileNet> back({.batch = 1, .seed = 4});
  io::import_weights(back, io::read_weight_file(path), zoo::reference_names("MobileNetV2"));
  CHECK(std::equal(m.params().begin(), m.params().end(), back.params().begin()));
  CHECK(std::equal(m.state().begin(), m.state().end(), back.state().begin()));

  io::export_safetensors(path, m, zoo::reference_names("MobileNetV2"), io::StoredType::bf16);
  const auto bf16 = io::read_weight_file(path);
  CHECK(bf16.find("Conv1/kernel")->dtype == "BF16");
  CHECK(bf16.find("Conv1/kernel")->dims == std::vector<long>{32, 3, 3, 3});
  CHECK(bf16.metadata.at("typenet_names") == "Keras MobileNetV2");

  m.params()[7] = std::nanf("");
  CHECK_THAT(test::error_of([&] { io::export_safetensors(path, m, zoo::reference_names("MobileNetV2")); }),
             Catch::Contains("holds NaN or infinite values"));
  CHECK(io::read_weight_file(path).find("Conv1/kernel")->dtype == "BF16");  // the previous file is kept
}

TEST_CASE("load_weights takes any file by its content and says which input its weights expect", "[import][normalize]") {
  const auto names = zoo::reference_names("MobileNetV2");
  Model<MobileNet> m({.batch = 1, .seed = 3});
  const auto dir = test::temp_dir();
  io::export_safetensors(dir / "m.safetensors", m, names);
  io::save(dir / "m.tnw", m);
  Model<MobileNet> back({.batch = 1, .seed = 4});
  const auto foreign = io::load_weights(dir / "m.safetensors", back, names);
  CHECK(foreign.imported);
  CHECK(foreign.import.tensors == long(named_tensors<MobileNet>().size()));
  CHECK(foreign.input == "pm1");  // the file says nothing: Keras's MobileNetV2 expects [-1, 1]
  CHECK(std::equal(m.params().begin(), m.params().end(), back.params().begin()));
  const auto own = io::load_weights(dir / "m.tnw", back, names);
  CHECK_FALSE(own.imported);
  CHECK(own.input == "pm1");
  CHECK(zoo::reference_names("ResNet34").input == "imagenet");

  // A TensorFlow.js model's inputRange wins over the map's; a range without a preset is "".
  io::TensorFile stated;
  for (const auto& [range, preset] : std::vector<std::pair<std::string, std::string>>{
           {"0.000000,1.000000", "unit"}, {"-1.000000,1.000000", "pm1"}, {"0.000000,255.000000", ""}}) {
    stated.metadata["input_range"] = range;
    CHECK(io::expected_input(stated, names) == preset);
  }
  CHECK(io::expected_input(io::read_weight_file(std::filesystem::path(TYPENET_FIXTURE_DIR) / "formats/tiny_tfjs/model.json"),
                           names) == "unit");
}

TEST_CASE("16-bit floats convert as IEEE and bfloat16 define them", "[import]") {
  CHECK(f16_to_f32(0x3C00) == 1.0f);
  CHECK(f16_to_f32(0xC000) == -2.0f);
  CHECK(f16_to_f32(0x7BFF) == 65504.0f);
  CHECK(f16_to_f32(0x0001) == std::ldexp(1.0f, -24));
  CHECK(std::isinf(f16_to_f32(0x7C00)));
  CHECK(std::isnan(f16_to_f32(0x7E00)));
  for (const float v : {1.0f, -2.5f, 65504.0f, 6.1e-5f, 3.0e-7f, 0.0f, 0.3333f})
    CHECK(f16_to_f32(f32_to_f16(v)) == Approx(v).epsilon(1e-3).margin(1e-7));
  CHECK(f32_to_f16(1.0f + 1.0f / 4096) == 0x3C00);  // a tie rounds to even
  CHECK(bf16_to_f32(f32_to_bf16(3.0f)) == 3.0f);
}

TEST_CASE("Each format's small fixture reads back the values and shapes it was written with", "[import][formats]") {
  // tests/make_format_fixtures.py wrote them: strided and shared torch storages, f16/bf16/f64
  // and int64 storages, a Parameter; F32/F16/BF16 safetensors; Keras conv, depthwise, BN and
  // Dense layouts; tfjs float32, uint8, uint16 and float16.
  const std::filesystem::path dir = std::filesystem::path(TYPENET_FIXTURE_DIR) / "formats";
  const auto expected = nlohmann::json::parse(io::read_text_file(dir / "expected.json", "fixture"));
  for (const auto& [file, tensors] : expected.items()) {
    const auto tf = io::read_weight_file(dir / file);
    CHECK(tf.tensors.size() == tensors.size());
    for (const auto& [name, want] : tensors.items()) {
      INFO(file << ": " << name);
      const io::FileTensor* t = tf.find(name);
      REQUIRE(t);
      CHECK(t->dims == want["dims"].get<std::vector<long>>());
      CHECK(t->values == want["values"].get<std::vector<float>>());
    }
  }
  CHECK(io::read_weight_file(dir / "tiny.pth").find("half")->dtype == "HalfStorage");
  CHECK(io::read_weight_file(dir / "tiny_tfjs/model.json").metadata.at("input_range") == "0.000000,1.000000");
}

TEST_CASE("The unpickler runs nothing: any callable but a state_dict's is refused by name", "[import][faults]") {
  // pickle.dumps(os.system, ("ls",)) in spirit: GLOBAL 'os system', a string, TUPLE1, REDUCE.
  const std::string evil = "\x80\x02" "cos\nsystem\nq\x00X\x02\x00\x00\x00lsq\x01\x85q\x02Rq\x03.";
  const std::vector<std::uint8_t> bytes(evil.begin(), evil.end());
  CHECK_THAT(test::error_of([&] { io::parse_state_dict_pickle(bytes, "evil.pth"); }),
             Catch::Contains("evil.pth: its pickle at byte 2 calls os.system: typenet reads only what torch.save writes"));
  const std::string legacy = "\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19.";
  const auto file = test::temp_dir() / "legacy.pth";
  {
    std::ofstream out(file, std::ios::binary);
    out << legacy;
  }
  CHECK_THAT(test::error_of([&] { io::read_torch_checkpoint(io::read_file(file, "x"), file.string()); }),
             Catch::Contains("legacy format"));
}

TEST_CASE("A parser that crashes is an Error here: the .h5 reader runs in a child process", "[import][faults]") {
  // The child's parser, told by the file's name what to do: answer its pid, die of SIGSEGV,
  // exit without answering, throw, or go silent.
  io::ParserChild child(
      [](const std::string& name, std::span<const std::uint8_t> bytes) -> std::vector<char> {
        if (name == "segv") std::raise(SIGSEGV);
        if (name == "exit") ::_exit(4);
        if (name == "throw") throw Error("typenet: from the child");
        if (name == "silent") ::sleep(30);
        const std::string answer = std::to_string(::getpid()) + ":" + std::to_string(bytes.size());
        return {answer.begin(), answer.end()};
      },
      1);
  const std::vector<std::uint8_t> file(3 << 20, 7);  // more than a socket buffer holds, both ways
  const auto ask = [&](const std::string& name) {
    const auto a = child.ask(name, file, "file " + name);
    return std::string(a.begin(), a.end());
  };
  const std::string first = ask("good");
  CHECK(first == std::to_string(child.pid()) + ":" + std::to_string(file.size()));
  CHECK(ask("again") == first);  // the same child serves the next file
  CHECK_THAT(test::error_of([&] { ask("segv"); }), Catch::Equals("typenet: reading file segv crashed its parser (signal 11): the file is corrupt"));
  CHECK(child.pid() == -1);
  CHECK_THAT(test::error_of([&] { ask("exit"); }), Catch::Contains("crashed its parser (exit status 4)"));
  CHECK_THAT(test::error_of([&] { ask("throw"); }), Catch::Equals("typenet: from the child"));
  CHECK_THAT(test::error_of([&] { ask("silent"); }), Catch::Contains("file silent gave no answer within 1 s"));
  const std::string fresh = ask("good");  // a fresh child after each failure
  CHECK(fresh != first);
  CHECK(fresh == std::to_string(child.pid()) + ":" + std::to_string(file.size()));
  ::kill(child.pid(), SIGKILL);  // a child that went between requests is no fault of the next file
  ::usleep(100'000);
  CHECK(ask("good") != fresh);
  // Found by fuzzing the reader in-process under ASan: on the first, libhdf5 1.10.8 reads a
  // wild pointer inside H5Fopen; on the second, it reads past a heap block inside H5Aexists.
  // Whatever libhdf5 does with them, this process gets a TensorFile or an Error, and reads a
  // good file after each.
  for (const char* corrupt : {"libhdf5_segv.h5", "libhdf5_heap_overflow.h5"}) {
    const auto file = std::filesystem::path(TYPENET_FIXTURE_DIR) / "formats" / corrupt;
    try {
      io::read_weight_file(file);
    } catch (const Error& e) {
      CHECK_THAT(std::string(e.what()), Catch::Contains(file.string()));
    }
    CHECK(io::read_weight_file(std::filesystem::path(TYPENET_FIXTURE_DIR) / "formats" / "tiny.h5").tensors.size() == 9);
  }
}

TEST_CASE("A Keras dataset that declares more than its file stores is refused before libhdf5 reads it", "[import][faults]") {
  // Found by fuzzing: 20 KB whose one weight libhdf5 1.10.8 took 278 s (under ASan) to read.
  const auto file = std::filesystem::path(TYPENET_FIXTURE_DIR) / "formats" / "libhdf5_chunk_stall.h5";
  const std::string err = test::error_of([&] { io::read_weight_file(file); });
  CHECK_THAT(err, Catch::Contains(file.string()) && Catch::Contains("weight dw/dw/depthwise_kernel:0 declares 4 bytes but stores 0"));
}

TEST_CASE("A zip entry's forged size is refused before anything is allocated for it", "[import][faults]") {
  auto bytes = io::read_file(std::filesystem::path(TYPENET_FIXTURE_DIR) / "formats" / "tiny.pth", "fixture");
  const auto patch = [&](const char* signature, std::size_t size_at) {
    const std::string b(bytes.begin(), bytes.end());
    const std::size_t at = b.find(signature);
    REQUIRE(at != std::string::npos);
    const std::uint32_t huge = 0xF0000000u;  // 4 GB for data.pkl, in the local and the central header
    std::memcpy(bytes.data() + at + size_at, &huge, 4);
  };
  patch("PK\x03\x04", 22);
  patch("PK\x01\x02", 24);
  const std::string err = test::error_of([&] { io::read_torch_checkpoint(bytes, "forged.pth"); });
  INFO(err);
  CHECK(err.find("forged.pth") != std::string::npos);
}
