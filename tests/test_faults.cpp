// Bad input and numerical faults, one test per class: every number and file is checked where
// it enters, a non-finite loss, gradient or weight stops the run without overwriting a good
// file, output paths are checked before training, a failed write leaves no debris.
#include <filesystem>
#include <fstream>
#include <typenet/study/sweep_json.hpp>
#include "helpers.hpp"

using namespace typenet;
namespace fs = std::filesystem;
using test::synthetic_split;

using FaultNet = Sequential<Input<3, 32, 32>, Conv<8, 3>, BatchNorm, ReLU, MaxPool<4>, GlobalAvgPool, Dense<10>>;

// A hook that poisons the run at one step: after the backward (a gradient) or after the
// optimiser step (a weight, as an overflow in the last update would).
struct Poison {
  long at_step;
  bool gradient;
  template <class M> void after_backward(LoopState& s, M& m) {
    if (gradient && s.step == at_step) m.grads()[3] = NAN;
  }
  template <class M> void after_step(LoopState& s, M& m) {
    if (!gradient && s.step == at_step) m.params()[5] = INFINITY;
  }
};

static std::vector<char> bytes_of(const fs::path& f) {
  std::ifstream in(f, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST_CASE("a weight that turns infinite at the very last step stops the run; the good file stays", "[faults]") {
  const auto train = synthetic_split(200, 1);
  const fs::path file = test::temp_dir() / "typenet_faults_last.tnw";
  fs::remove(file);
  Model<FaultNet> m({.batch = 50});
  SGD opt{};
  ModelCheckpoint save{.path = file, .best_only = false};
  // 4 steps per epoch, 2 epochs: step 7 is the last one of the run.
  CHECK_THROWS_WITH(fit(m, opt, train, nullptr, {.epochs = 2}, Poison{.at_step = 7, .gradient = false}, save),
                    Catch::Contains("weight") && Catch::Contains("NaN or infinite") && Catch::Contains("epoch 2"));
  CHECK(save.saved_epoch == 1);
  Model<FaultNet> back({.batch = 50});
  CHECK_NOTHROW(io::load(file, back));  // epoch 1's weights, intact
  CHECK(std::isfinite(back.params()[5]));
}

TEST_CASE("a NaN gradient stops the run before the optimiser uses it", "[faults]") {
  const auto train = synthetic_split(200, 2);
  Model<FaultNet> m({.batch = 50});
  SGD opt{};
  CHECK_THROWS_AS(fit(m, opt, train, nullptr, {.epochs = 1}, Poison{.at_step = 2, .gradient = true}), Diverged);
  CHECK(all_finite(std::as_const(m).params()));
}

TEST_CASE("weights files: NaN is refused when saving and when loading", "[faults][weights]") {
  const fs::path file = test::temp_dir() / "typenet_faults_nan.tnw";
  Model<FaultNet> m({.batch = 2});
  io::save(file, m);
  const auto good = bytes_of(file);
  m.params()[0] = NAN;
  CHECK_THAT(test::error_of([&] { io::save(file, m); }), Catch::Contains("refusing") && Catch::Contains(file.string()));
  CHECK(bytes_of(file) == good);  // untouched
  CHECK_FALSE(fs::exists(file.string() + ".tmp"));
  // A file whose checksum is right but whose values are NaN (written by something else).
  auto bad = good;
  const std::size_t at = bad.size() - 8 - 4 * std::size_t(FaultNet::param_count + FaultNet::state_count);
  const float nan = NAN;
  std::memcpy(bad.data() + at, &nan, 4);
  const std::uint64_t sum = io::fnv1a(bad.data(), bad.size() - 8);
  std::memcpy(bad.data() + bad.size() - 8, &sum, 8);
  std::ofstream(file, std::ios::binary).write(bad.data(), std::streamsize(bad.size()));
  Model<FaultNet> into({.batch = 2});
  const std::vector<float> before(std::as_const(into).params().begin(), std::as_const(into).params().end());
  CHECK_THAT(test::error_of([&] { io::load(file, into); }), Catch::Contains("NaN or infinite"));
  CHECK(std::equal(before.begin(), before.end(), std::as_const(into).params().begin()));  // the model is unchanged
}

TEST_CASE("files that are directories or devices give messages naming them", "[faults]") {
  Model<FaultNet> m({.batch = 2});
  CHECK_THAT(test::error_of([&] { io::load(test::temp_dir(), m); }), Catch::Contains("is a directory"));
  CHECK_THAT(test::error_of([&] { io::load("/dev/zero", m); }), Catch::Contains("/dev/zero is not a regular file"));
  CHECK_THAT(test::error_of([&] { read_history_csv("/dev/zero"); }), Catch::Contains("/dev/zero"));
  CHECK_THAT(test::error_of([&] { read_sweep_json(test::temp_dir()); }), Catch::Contains("is a directory"));
}

TEST_CASE("a history CSV with missing, extra or malformed cells is refused by line", "[faults]") {
  const std::string header = std::string(HistoryWriter::columns) + "\n";
  const auto error = [&](const std::string& rows) { return test::error_of([&] { parse_history_csv(header + rows, "h.csv"); }); };
  CHECK(parse_history_csv(header + "1,0.5,0.25,null,null,0.1,800,61.5\r\n", "h.csv").size() == 1);
  CHECK_THAT(error("1,0.5\n"), Catch::Contains("h.csv line 2: 2 values, expected 8"));
  CHECK_THAT(error("1,0.5,0.25,null,null,0.1,800,61.5,9\n"), Catch::Contains("more than 8 values"));
  CHECK_THAT(error("1,0.5x,0.25,null,null,0.1,800,61.5\n"), Catch::Contains("bad value '0.5x'"));
  CHECK_THAT(error("1,,0.25,null,null,0.1,800,61.5\n"), Catch::Contains("bad value ''"));
  CHECK_THAT(error("1e300,0.5,0.25,null,null,0.1,800,61.5\n"), Catch::Contains("the epoch is not a whole number"));
}

TEST_CASE("a failed atomic write leaves no .tmp behind and the target as it was", "[faults]") {
  const fs::path dir = test::temp_dir() / "typenet_faults_atomic";
  fs::remove_all(dir);
  fs::create_directories(dir / "occupied");
  std::ofstream(dir / "occupied" / "keep") << "x";
  // Renaming a file over a non-empty directory fails after the temporary was written.
  CHECK_THAT(test::error_of([&] { io::write_atomically(dir / "occupied", std::string("data"), "test file"); }),
             Catch::Contains("cannot rename"));
  CHECK_FALSE(fs::exists(dir / "occupied.tmp"));
  CHECK(fs::exists(dir / "occupied" / "keep"));
  CHECK_THAT(test::error_of([&] { io::write_atomically("/proc/typenet_cannot_be_here", std::string("x"), "test file"); }),
             Catch::Contains("cannot create"));
}

TEST_CASE("output paths are checked before any work", "[faults]") {
  CHECK_THAT(test::error_of([] { io::check_output_file("/nonexistent/dir/m.tnw", "--save"); }),
             Catch::Contains("--save") && Catch::Contains("/nonexistent/dir does not exist"));
  CHECK_THAT(test::error_of([] { io::check_output_file(test::temp_dir(), "--save"); }),
             Catch::Contains("is a directory"));
  CHECK_NOTHROW(io::check_output_file(test::temp_dir() / "fine.tnw", "--save"));
  CHECK_THAT(test::error_of([] { io::prepare_output_dir("/dev/null/history", "--history"); }), Catch::Contains("--history"));
}

TEST_CASE("model options: batch 0 and non-finite batch-norm settings are refused", "[faults]") {
  CHECK_THAT(test::error_of([] { Model<FaultNet> m({.batch = 0}); }), Catch::Contains("batch size must be in 1.."));
  CHECK_THAT(test::error_of([] { Model<FaultNet> m({.batch = 2, .bn_momentum = NAN}); }), Catch::Contains("momentum"));
  CHECK_THAT(test::error_of([] { Model<FaultNet> m({.batch = 2, .bn_eps = 0.0f}); }), Catch::Contains("epsilon"));
  CHECK_THAT(test::error_of([] { Model<FaultNet, Reference<double>> m({.batch = -3}); }), Catch::Contains("batch size"));
}

TEST_CASE("a parameter written through a view taken before an inference reaches the next inference", "[faults]") {
  Model<FaultNet> m({.batch = 1, .seed = 3});
  test::fill_random(m.input(), 4);
  auto p = m.params();  // taken once, before any inference
  m.forward(Mode::infer);
  const std::vector<float> first(m.output().begin(), m.output().end());
  for (long i = 0; i < 8 * 27; ++i) p[std::size_t(i)] *= 2.0f;  // the conv's weights, through the old view
  m.forward(Mode::infer);
  const std::vector<float> second(m.output().begin(), m.output().end());
  CHECK(first != second);
  Model<FaultNet> fresh({.batch = 1});  // the same weights, never folded before
  std::copy(std::as_const(m).params().begin(), std::as_const(m).params().end(), fresh.params().begin());
  std::copy(std::as_const(m).state().begin(), std::as_const(m).state().end(), fresh.state().begin());
  std::copy(m.input().begin(), m.input().end(), fresh.input().begin());
  fresh.forward(Mode::infer);
  CHECK(test::mismatch(second, fresh.output(), 1e-6, 1e-5) <= 1);
}

TEST_CASE("sweep JSON: fractions, booleans and strings are errors naming the file and value", "[faults][sweep]") {
  const fs::path dir = test::temp_dir() / "typenet_faults_sweep";
  fs::create_directories(dir);
  const auto error_for = [&](const std::string& json) {
    std::ofstream(dir / "s.json") << json;
    return test::error_of([&] { read_sweep_json(dir / "s.json"); });
  };
  CHECK_THAT(error_for(R"({"batch": [64.5]})"), Catch::Contains("s.json") && Catch::Contains("batch[0] = 64.5"));
  CHECK_THAT(error_for(R"({"batch": [128, true]})"), Catch::Contains("batch[1] = true"));
  CHECK_THAT(error_for(R"({"batch": [0]})"), Catch::Contains("1..65536"));
  CHECK_THAT(error_for(R"({"lr": ["0.1"]})"), Catch::Contains("lr[0] = \"0.1\": expected a number"));
  CHECK_THAT(error_for(R"({"lr": [1e999]})"), Catch::Contains("s.json"));
  CHECK_THAT(error_for(R"({"wd": [-1]})"), Catch::Contains("non-negative"));
  CHECK_THAT(error_for(R"({"lr": []})"), Catch::Contains("non-empty list"));
  CHECK_THAT(error_for(R"({"batch": 64})"), Catch::Contains("non-empty list"));
}

TEST_CASE("a sweep point whose batch exceeds the split is refused before any point trains", "[faults][sweep]") {
  const Dataset data{synthetic_split(300, 5), synthetic_split(100, 6)};
  StudyConfig base;
  base.train.epochs = 1;
  base.val = 100;
  const std::vector<SweepPoint> points = {{50, 0.1f, 5e-4f}, {256, 0.1f, 5e-4f}};
  int trained = 0;
  CHECK_THAT(test::error_of([&] { run_sweep<FaultNet>(data, base, points, [&](const SweepRow&) { ++trained; }); }),
             Catch::Contains("batch 256") && Catch::Contains("200 training images"));
  CHECK(trained == 0);
}
