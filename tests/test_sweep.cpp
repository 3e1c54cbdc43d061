// Sweeps: the points (grid, seeded random, JSON file), a tiny sweep end to end with one
// diverging point, and the results' schema.
#include <filesystem>
#include <fstream>
#include <typenet/study/sweep_json.hpp>
#include "helpers.hpp"

using namespace typenet;
namespace fs = std::filesystem;

TEST_CASE("sweep points: the full grid, and a seeded random search inside the ranges", "[sweep]") {
  const SweepSpace s{.batch = {32, 64}, .lr = {0.01f, 0.1f}, .wd = {1e-4f, 1e-3f, 0.0f}};
  const auto g = grid_points(s);
  REQUIRE(g.size() == 12);
  CHECK(g.front().batch == 32);
  CHECK(g.back().batch == 64);
  CHECK(g[1].wd == 1e-3f);
  const auto r1 = random_points({.batch = {32, 64}, .lr = {0.01f, 1.0f}, .wd = {1e-5f, 1e-3f}}, 50, 7);
  const auto r2 = random_points({.batch = {32, 64}, .lr = {0.01f, 1.0f}, .wd = {1e-5f, 1e-3f}}, 50, 7);
  REQUIRE(r1.size() == 50);
  int small_lr = 0;
  for (std::size_t i = 0; i < r1.size(); ++i) {
    CHECK((r1[i].batch == 32 || r1[i].batch == 64));
    CHECK(r1[i].lr >= 0.01f);
    CHECK(r1[i].lr <= 1.0f);
    CHECK(r1[i].wd >= 1e-5f);
    CHECK(r1[i].wd <= 1e-3f);
    CHECK(r1[i].label() == r2[i].label());
    small_lr += r1[i].lr < 0.1f;  // log-uniform: about half below the geometric middle
  }
  CHECK(small_lr > 12);
  CHECK(small_lr < 38);
  CHECK(random_points({.lr = {0.01f, 1.0f}}, 5, 8)[0].label() != r1[0].label());
  CHECK_THROWS_AS(grid_points({.lr = {}}), Error);
  CHECK_THROWS_AS(grid_points({.lr = {-1.0f}}), Error);
}

TEST_CASE("sweep space from a JSON file; bad files are errors naming them", "[sweep]") {
  const fs::path dir = test::temp_dir() / "typenet_sweep_json";
  fs::create_directories(dir);
  std::ofstream(dir / "ok.json") << R"({"batch": [64, 128], "lr": [0.05, 0.2]})";
  const auto s = read_sweep_json(dir / "ok.json");
  CHECK(s.batch == std::vector<int>{64, 128});
  CHECK(s.lr == std::vector<float>{0.05f, 0.2f});
  CHECK(s.wd == std::vector<float>{5e-4f});  // default kept
  std::ofstream(dir / "typo.json") << R"({"lrs": [0.1]})";
  CHECK_THAT(test::error_of([&] { read_sweep_json(dir / "typo.json"); }), Catch::Contains("unknown key 'lrs'"));
  std::ofstream(dir / "broken.json") << R"({"lr": [0.1,)";
  CHECK_THAT(test::error_of([&] { read_sweep_json(dir / "broken.json"); }), Catch::Contains("broken.json"));
  CHECK_THAT(test::error_of([&] { read_sweep_json(dir / "missing.json"); }), Catch::Contains("missing.json"));
}

using SweepNet = Sequential<Input<3, 32, 32>, Conv<8, 3>, BatchNorm, ReLU, MaxPool<4>, Conv<16, 3>, BatchNorm, ReLU,
                            GlobalAvgPool, Dense<10>>;

TEST_CASE("a tiny sweep end to end: sorted rows, a diverging point recorded, files written", "[sweep]") {
  const Dataset data{test::synthetic_split(600, 51), test::synthetic_split(200, 52)};
  const fs::path out = test::temp_dir() / "typenet_sweep_run";
  fs::remove_all(out);
  StudyConfig base;
  base.train.epochs = 2;
  base.train.schedule.warmup = 0.0f;  // the 1e9 learning rate hits at once
  base.val = 100;
  base.out = out;
  const std::vector<SweepPoint> points = {{50, 0.05f, 5e-4f}, {50, 1e9f, 5e-4f}, {100, 0.1f, 5e-4f}};
  int seen = 0;
  const auto rows = run_sweep<SweepNet>(data, base, points, [&](const SweepRow&) { ++seen; });
  CHECK(seen == 3);
  REQUIRE(rows.size() == 3);
  CHECK(rows.back().result.diverged);
  CHECK(rows.back().point.lr == 1e9f);
  CHECK(std::isnan(rows.back().result.test_accuracy));
  CHECK(!rows[0].result.diverged);
  CHECK(rows[0].result.best_val_accuracy >= rows[1].result.best_val_accuracy);
  CHECK(rows[0].result.epochs_run == 2);
  CHECK(rows[0].result.test_accuracy > 0.0);

  std::ifstream csv(out / "results.csv");
  std::string header, line;
  std::getline(csv, header);
  CHECK(header == "batch,lr,wd,epochs_run,best_val_accuracy,test_accuracy,seconds,images_per_s,diverged");
  int lines = 0;
  for (std::string l; std::getline(csv, l); line = l) ++lines;
  CHECK(lines == 3);
  CHECK(line.substr(line.size() - 2) == ",1");  // the diverged run, last
  const auto json = nlohmann::json::parse(std::ifstream(out / "results.json"));
  REQUIRE(json.size() == 3);
  CHECK(json[2]["diverged"] == true);
  CHECK(json[2]["test_accuracy"].is_null());
  CHECK(json[0]["batch"].get<int>() == rows[0].point.batch);
  // Each finished point has its history and pictures; the diverged one its history so far.
  CHECK(fs::exists(out / rows[0].point.label() / "history.csv"));
  CHECK(fs::exists(out / rows[0].point.label() / "confusion_matrix.png"));
  CHECK(read_history_csv(out / rows[0].point.label() / "history.csv").size() == 2);
  CHECK(sweep_table(rows).find("diverged") != std::string::npos);
}
