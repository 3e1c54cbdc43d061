// Weight files: round trip, and every kind of bad file is a clear error naming the file.
#include <filesystem>
#include <fstream>
#include "helpers.hpp"

using namespace typenet;
namespace fs = std::filesystem;
using Small = Sequential<Input<3, 8, 8>, Conv<8, 3>, BatchNorm, ReLU, GlobalAvgPool, Dense<10>>;
using Other = Sequential<Input<3, 8, 8>, Conv<16, 3>, BatchNorm, ReLU, GlobalAvgPool, Dense<10>>;

static fs::path temp_file(const char* name) { return test::temp_dir() / (std::string("typenet_") + name); }

TEST_CASE("weights round-trip exactly, state included", "[weights]") {
  const auto file = temp_file("roundtrip.tnw");
  Model<Small> a({.batch = 2, .seed = 3});
  test::fill_random(a.state(), 4);
  io::save(file, a);
  CHECK_FALSE(fs::exists(file.string() + ".tmp"));  // renamed into place
  Model<Small> b({.batch = 5, .seed = 99});  // another batch size, other initial weights
  io::load(file, b);
  CHECK(std::equal(a.params().begin(), a.params().end(), b.params().begin()));
  CHECK(std::equal(a.state().begin(), a.state().end(), b.state().begin()));
}

TEST_CASE("bad weight files are rejected with a message naming the file", "[weights]") {
  const auto file = temp_file("bad.tnw");
  Model<Small> a({.batch = 2});
  io::save(file, a);
  std::vector<char> bytes(fs::file_size(file));
  std::ifstream(file, std::ios::binary).read(bytes.data(), std::streamsize(bytes.size()));
  auto write = [&](const std::vector<char>& b) {
    std::ofstream(file, std::ios::binary | std::ios::trunc).write(b.data(), std::streamsize(b.size()));
  };
  Model<Small> b({.batch = 2});

  SECTION("another architecture") {
    write(bytes);
    Model<Other> other({.batch = 2});
    const auto msg = test::error_of([&] { io::load(file, other); });
    CHECK_THAT(msg, Catch::Contains("another architecture") && Catch::Contains(file.string()));
  }
  SECTION("a flipped byte in the values") {
    auto c = bytes;
    c[c.size() / 2] ^= 0x40;
    write(c);
    CHECK_THAT(test::error_of([&] { io::load(file, b); }), Catch::Contains("checksum mismatch"));
  }
  SECTION("truncated") {
    write(std::vector<char>(bytes.begin(), bytes.begin() + std::ptrdiff_t(bytes.size() - 100)));
    CHECK_THAT(test::error_of([&] { io::load(file, b); }), Catch::Contains(file.string()));
    write(std::vector<char>(bytes.begin(), bytes.begin() + 5));
    CHECK_THAT(test::error_of([&] { io::load(file, b); }), Catch::Contains("truncated"));
  }
  SECTION("not a weights file") {
    write(std::vector<char>(200, 'x'));
    CHECK_THAT(test::error_of([&] { io::load(file, b); }), Catch::Contains("bad magic"));
  }
  SECTION("missing") {
    CHECK_THAT(test::error_of([&] { io::load(temp_file("does_not_exist.tnw"), b); }), Catch::Contains("cannot open"));
  }
}

// A file written by typenet before the core rework (commit 7195b60, weights format 1) loads into
// the same type today, values intact (tests/fixtures/tiny_v1.tnw; the program that wrote it set
// params[i] = (i % 256) / 256 - 0.5 and state[i] = i / 64 + 0.5, values exact in binary).
using TinyV1 = Sequential<Input<3, 8, 8>, Conv<4, 3>, BatchNorm, ReLU, MaxPool<2>, Residual<Sequential<Conv<4, 3>, BatchNorm>>,
                          GlobalAvgPool, Dense<10>>;

TEST_CASE("weights files written before the core rework still load", "[weights]") {
  Model<TinyV1> m({.batch = 1, .seed = 99});
  io::load(fs::path(TYPENET_FIXTURE_DIR) / "tiny_v1.tnw", m);
  const auto& c = std::as_const(m);
  for (std::size_t i = 0; i < c.params().size(); ++i) REQUIRE(c.params()[i] == float(i % 256) / 256.0f - 0.5f);
  for (std::size_t i = 0; i < c.state().size(); ++i) REQUIRE(c.state()[i] == float(i) / 64.0f + 0.5f);
}
