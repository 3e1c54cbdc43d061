// Pictures and progress output: the PNGs decode to what was drawn, the history round-trips
// through its CSV, and the progress bar prints plain lines when not on a terminal.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <typenet/draw/charts.hpp>
#include <typenet/io/image.hpp>
#include "helpers.hpp"

using namespace typenet;
namespace fs = std::filesystem;

TEST_CASE("canvas: rectangles, lines and text land where drawn; the PNG decodes", "[pictures]") {
  plot::Canvas c(64, 40);
  c.rect(2, 3, 6, 8, plot::red);
  CHECK(c.at(2, 3).r == 214);
  CHECK(c.at(6, 3).r == 255);  // exclusive right edge: still white
  c.line(10, 20, 50, 20, plot::blue, 2);
  CHECK(c.at(30, 20).b == 180);
  c.text(5, 28, "ab", plot::black, 1);
  int dark = 0;
  for (int y = 28; y < 40; ++y)
    for (int x = 5; x < 20; ++x) dark += c.at(x, y).r == 0;
  CHECK(dark > 5);
  CHECK(plot::Canvas::text_width("abcd", 2) > plot::Canvas::text_width("ab", 2));
  const fs::path file = test::temp_dir() / "typenet_canvas.png";
  c.save_png(file);
  const auto px = io::decode_image_file(file);
  CHECK(px.shape == Shape(3, 40, 64));
  CHECK(px.pixels[(0 * 40 + 3) * 64 + 2] == 214);  // the red rectangle, read back from the PNG
  CHECK_THROWS_AS(c.save_png("/proc/no/such/dir/x.png"), std::exception);
}

TEST_CASE("history CSV round trip, and a foreign file is an error naming it", "[pictures][history]") {
  const fs::path dir = test::temp_dir() / "typenet_history_rt";
  fs::remove_all(dir);
  HistoryWriter w{dir};
  w.rows = {{.epoch = 1, .loss = 2.0, .accuracy = 0.3, .images_per_s = 100, .seconds = 5, .lr = 0.1f},
            {.epoch = 2, .loss = 1.5, .accuracy = 0.5, .val_loss = 1.2, .val_accuracy = 0.55, .images_per_s = 110,
             .seconds = 4.5, .lr = 0.05f}};
  w.write();
  const auto h = read_history_csv(dir / "history.csv");
  REQUIRE(h.size() == 2);
  CHECK(h[0].epoch == 1);
  CHECK(std::isnan(h[0].val_accuracy));
  CHECK(h[1].val_accuracy == Approx(0.55));
  CHECK(h[1].lr == Approx(0.05));
  CHECK(h[1].seconds == Approx(4.5));
  std::ofstream(dir / "other.csv") << "a,b\n1,2\n";
  CHECK_THAT(test::error_of([&] { read_history_csv(dir / "other.csv"); }), Catch::Contains("other.csv"));

  plot::training_curves(dir / "curves.png", h, "test");
  plot::Confusion m(10, std::vector<int>(10, 0));
  m[3][3] = 7, m[3][5] = 2;
  CHECK(plot::confusion(std::vector<int>{1, 2, 2}, std::vector<int>{1, 2, 0}, 3)[0][2] == 1);
  plot::confusion_matrix(dir / "confusion.png", m, {}, "test");
  plot::Confusion big(100, std::vector<int>(100, 1));  // CIFAR-100's: cells shrink, no numbers
  plot::confusion_matrix(dir / "confusion100.png", big, {}, "100 classes");
  CHECK(io::decode_image_file(dir / "confusion100.png").shape.w > 600);
  const auto split = test::synthetic_split(10, 3);
  plot::prediction_grid(dir / "grid.png", split, std::vector<int>(10, 4), 10, 5);
  for (const char* f : {"curves.png", "confusion.png", "grid.png"}) {
    INFO(f);
    CHECK(load_image(dir / f, Shape(3, 32, 32)).pixels.size() == 3 * 32 * 32);
  }
}

TEST_CASE("progress: one plain line per epoch when the output is not a terminal", "[pictures][progress]") {
  const fs::path file = test::temp_dir() / "typenet_progress.txt";
  std::FILE* f = std::fopen(file.c_str(), "w");
  REQUIRE(f);
  ProgressBar bar{.epochs = 2, .held_out = "val", .terminal = false, .out = f};
  Control control;
  int model = 0;
  for (int e = 1; e <= 2; ++e) {
    for (long s = 1; s <= 5; ++s) bar.on_batch_end({.epoch = e, .epochs = 2, .step = s, .steps = 5, .seconds = 0.5 * s});
    bar.on_epoch_end(EpochStats{.epoch = e, .loss = 1.0, .accuracy = 0.5, .val_accuracy = 0.6}, model, control);
  }
  std::fclose(f);
  std::ifstream in(file);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].rfind("epoch   1/2  loss 1.0000  acc 0.5000", 0) == 0);
  CHECK(lines[1].find("val_acc 0.6000") != std::string::npos);
  CHECK(lines[0].find('\r') == std::string::npos);
}
