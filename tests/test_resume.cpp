// The whole state of a run, saved and resumed: a run stopped at a checkpoint and resumed in a
// new model, optimiser and set of hooks ends with exactly the same weights (bytes) and history
// as the run left alone — mid-epoch and at epoch ends, SGD and AdamW, dropout, callbacks, the
// airbench94 recipe (lookahead, frozen prefix) — and damaged checkpoints are refused by name.
#include <filesystem>
#include <fstream>
#include <functional>
#include <typenet/recipes/airbench94.hpp>
#include "helpers.hpp"

using namespace typenet;
namespace fs = std::filesystem;
using test::synthetic_split;

using DropNet = Sequential<Input<3, 32, 32>, Conv<8, 3>, BatchNorm, ReLU, MaxPool<2>, Dropout<ratio<1, 4>>, Conv<16, 3>,
                           BatchNorm, ReLU, GlobalAvgPool, Dense<10>>;

struct Interrupted {};
// Stops the run (as a kill would) when step `at` begins.
struct StopAt {
  long at;
  template <class M> void on_step_begin(LoopState& s, M&) {
    if (s.step == at) throw Interrupted{};
  }
};

// Everything of a history but its timings.
static bool same_history(const std::vector<EpochStats>& a, const std::vector<EpochStats>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto same = [](double x, double y) { return x == y || (std::isnan(x) && std::isnan(y)); };
    if (a[i].epoch != b[i].epoch || a[i].steps != b[i].steps || !same(a[i].loss, b[i].loss) ||
        !same(a[i].accuracy, b[i].accuracy) || !same(a[i].val_loss, b[i].val_loss) ||
        !same(a[i].val_accuracy, b[i].val_accuracy) || a[i].lr != b[i].lr)
      return false;
  }
  return true;
}

template <class Opt>
void resume_equals_uninterrupted(Opt proto, long stop_at, long every, Precision precision = Precision::f32) {
  const auto train = synthetic_split(400, 1), val = synthetic_split(100, 2);
  const fs::path dir = test::temp_dir() / "typenet_resume";
  fs::create_directories(dir);
  const fs::path ck = dir / "run.tnc";
  fs::remove(ck);
  TrainConfig cfg{.epochs = 3, .augment = {.pad = 2, .flip = true}, .seed = 4, .checkpoint = {.file = ck, .every_steps = every}};
  const ModelOptions mo{.batch = 50, .seed = 9, .precision = precision};
  auto run = [&](const io::CheckpointReader* resume, long stop) {
    Model<DropNet> m(mo);
    Opt opt = proto;
    EarlyStopping early{.patience = 2};
    ReduceLROnPlateau plateau{.patience = 1};
    HistoryWriter rows{};
    TrainConfig c = cfg;
    c.resume = resume;
    std::vector<EpochStats> h;
    try {
      h = fit(m, opt, train, &val, c, early, plateau, rows, StopAt{stop});
    } catch (const Interrupted&) {
    }
    const auto& cm = std::as_const(m);
    std::vector<float> w(cm.params().begin(), cm.params().end());
    w.insert(w.end(), cm.state().begin(), cm.state().end());
    return std::tuple{w, h, rows.rows};
  };
  const auto [whole, history, rows] = run(nullptr, -1);
  REQUIRE(history.size() == 3);
  run(nullptr, stop_at);  // stopped: its last checkpoint stays on disk
  REQUIRE(fs::exists(ck));
  const io::CheckpointReader r(ck);
  const auto [resumed, resumed_history, resumed_rows] = run(&r, -1);
  CHECK(resumed == whole);  // every parameter, bit for bit
  CHECK(same_history(resumed_history, history));
  CHECK(same_history(resumed_rows, rows));  // the callbacks' state came back too
}

TEST_CASE("resume from a checkpoint inside an epoch: the same weights, bytes, as the uninterrupted run", "[resume]") {
  resume_equals_uninterrupted(SGD{.momentum = 0.9f, .weight_decay = 5e-4f}, 13, 3);  // last checkpoint after step 12
}

TEST_CASE("resume from an epoch-end checkpoint, AdamW", "[resume]") {
  resume_equals_uninterrupted(AdamW{.weight_decay = 0.01f}, 17, 0);  // epochs of 8 steps: the end of epoch 2
}

// On a machine without AVX-512 oneDNN 2.6 has no bf16 kernels: the case says NOT RUN there.
TEST_CASE("resume in bf16", "[resume][bf16]") {
  if (!onednn::has_bf16()) {
    WARN("NOT RUN: this CPU has no AVX-512, and oneDNN 2.6 has no bf16 kernels without it");
    return;
  }
  resume_equals_uninterrupted(SGD{}, 11, 2, Precision::bf16);
}

using Tiny = Sequential<Input<3, 32, 32>, Conv<24, 2, 1, 0, true>, GELU, Conv<32, 3>, MaxPool<2>, BatchNorm, GELU,
                        Conv<32, 3>, BatchNorm, GELU, MaxPool<15>, Flatten, Dense<10, false>, Scale<ratio<1, 9>>>;

TEST_CASE("the airbench94 recipe resumes exactly: lookahead, frozen whitening bias, backward from node k", "[resume][recipe]") {
  Dataset data{synthetic_split(640, 41), synthetic_split(128, 42)};
  const fs::path ck = test::temp_dir() / "typenet_resume_airbench.tnc";
  fs::remove(ck);
  auto run = [&](const io::CheckpointReader* resume, bool stop) {
    Airbench94Recipe r{.batch = 64, .epochs = 4.5, .whiten_bias_epochs = 2, .whiten_images = 300, .seed = 3,
                       .precision = Precision::f32, .checkpoint = {.file = ck, .every_steps = 4}, .resume = resume};
    Model<Tiny> m(r.model_options());
    if (stop) {  // a run killed in its fourth epoch, after the whitening bias froze
      try {
        run_airbench94(m, data, r, [](const EpochStats& s) { if (s.epoch == 3) throw Interrupted{}; });
      } catch (const Interrupted&) {
      }
    } else {
      run_airbench94(m, data, r, [](const EpochStats&) {});
    }
    return std::vector<float>(std::as_const(m).params().begin(), std::as_const(m).params().end());
  };
  const auto whole = run(nullptr, false);
  run(nullptr, true);
  const io::CheckpointReader r(ck);
  CHECK(run(&r, false) == whole);
}

TEST_CASE("damaged or foreign checkpoints are refused, naming the file and the section", "[resume]") {
  const auto train = synthetic_split(200, 5);
  const fs::path ck = test::temp_dir() / "typenet_resume_bad.tnc";
  Model<DropNet> m({.batch = 50});
  SGD opt{};
  fit(m, opt, train, nullptr, {.epochs = 1, .checkpoint = {.file = ck}});
  std::vector<char> bytes(fs::file_size(ck));
  std::ifstream(ck, std::ios::binary).read(bytes.data(), std::streamsize(bytes.size()));
  const auto write = [&](const std::vector<char>& b) { std::ofstream(ck, std::ios::binary).write(b.data(), std::streamsize(b.size())); };
  SECTION("truncated") {
    write({bytes.begin(), bytes.begin() + std::ptrdiff_t(bytes.size() / 2)});
    CHECK_THAT(test::error_of([&] { io::CheckpointReader r(ck); }), Catch::Contains(ck.string()) && Catch::Contains("corrupted or truncated"));
  }
  SECTION("one flipped byte: the section is named") {
    auto b = bytes;
    // Past the header and the sections "run" (empty) and "architecture", into the values of "params".
    const std::size_t at = 16 + (4 + 3 + 16 + 8) + (4 + 12 + 16 + 8 + architecture<DropNet>().size()) + (4 + 6 + 16) + 8 + 100;
    b[at] ^= 0x40;
    const std::uint64_t sum = io::fnv1a(b.data(), b.size() - 8);  // the file's own checksum made right again
    std::memcpy(b.data() + b.size() - 8, &sum, 8);
    write(b);
    CHECK_THAT(test::error_of([&] { io::CheckpointReader r(ck); }), Catch::Contains("section 'params' is corrupted"));
  }
  SECTION("not a checkpoint") {
    write({'h', 'e', 'l', 'l', 'o'});
    CHECK_THAT(test::error_of([&] { io::CheckpointReader r(ck); }), Catch::Contains("not a typenet checkpoint"));
  }
  SECTION("well-formed sections holding impossible values: the section and the value are named") {
    const io::CheckpointReader good(ck);
    // The same file with one section's bytes changed (every checksum right again).
    const auto with_section = [&](const std::string& changed, const std::function<void(std::vector<std::uint8_t>&)>& edit) {
      io::CheckpointWriter w;
      for (const auto& [name, size] : good.sections()) {
        std::vector<std::uint8_t> content(size);
        good.section(name).get_raw(std::span<std::uint8_t>(content));
        if (name == changed) edit(content);
        io::Bytes b;
        b.put_raw(std::span<const std::uint8_t>(content));
        w.add(name, b);
      }
      const auto bytes = w.bytes();
      return std::vector<std::uint8_t>(bytes.begin(), bytes.end());
    };
    const auto resume_error = [&](const std::vector<std::uint8_t>& file) {
      const io::CheckpointReader r(file, "edited.tnc");
      Model<DropNet> again({.batch = 50});
      SGD o{};
      TrainConfig cfg{.epochs = 1};
      cfg.resume = &r;
      return test::error_of([&] { fit(again, o, train, nullptr, cfg); });
    };
    constexpr std::size_t stop_flag = 4 + 8 + 8 + 8 + 8, frozen = 4 + 8 + 8 + 8;  // offsets in "loop"
    CHECK_THAT(resume_error(with_section("loop", [](auto& b) { b[stop_flag] = 2; })),
               Catch::Contains("edited.tnc section 'loop' holds 2 where a flag (0 or 1) belongs"));
    CHECK_THAT(resume_error(with_section("loop", [](auto& b) { b[frozen] = 200; })),
               Catch::Contains("section 'loop' freezes 200 nodes of a network of"));
    CHECK_THAT(resume_error(with_section("optimizer", [](auto& b) {
                 io::Bytes wrong;
                 wrong.put_values(std::vector<float>(3, 1.0f)).put_values(std::vector<float>{});
                 b.assign(wrong.data().begin(), wrong.data().end());
               })),
               Catch::Contains("section 'optimizer' holds momentum for another network"));
    // "batcher": generator (8 bytes), epoch (8), the order's count (8), then the order.
    CHECK_THAT(resume_error(with_section("batcher", [](auto& b) { std::memcpy(b.data() + 28, b.data() + 24, 4); })),
               Catch::Contains("section 'batcher' holds image") && Catch::Contains("twice in its order"));
  }
  SECTION("another network, another run") {
    const io::CheckpointReader r(ck);
    using Other = Sequential<Input<3, 32, 32>, Conv<4, 3>, BatchNorm, ReLU, GlobalAvgPool, Dense<10>>;
    Model<Other> o({.batch = 50});
    TrainConfig cfg{.epochs = 1};
    cfg.resume = &r;
    CHECK_THAT(test::error_of([&] { fit(o, opt, train, nullptr, cfg); }), Catch::Contains("holds another network"));
    Model<DropNet> b25({.batch = 25});
    CHECK_THAT(test::error_of([&] { fit(b25, opt, train, nullptr, cfg); }), Catch::Contains("another batch size"));
  }
}
