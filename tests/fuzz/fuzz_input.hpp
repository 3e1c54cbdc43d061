#pragma once
// What every harness shares: the input as a byte stream to take fields from, and the one rule
// of all of them — a typenet::Error is the parser doing its job; anything else escaping (a
// standard-library exception, a crash, a sanitizer report) is a bug libFuzzer reports.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>
#include <typenet/core/error.hpp>

namespace fuzz {

class Input {
 public:
  Input(const std::uint8_t* data, std::size_t size) : b_(data, size) {}
  bool empty() const { return at_ == b_.size(); }
  std::uint8_t byte() { return empty() ? 0 : b_[at_++]; }
  std::uint16_t u16() {  // little-endian; two statements, since the order of operands is unspecified
    const std::uint16_t low = byte();
    return std::uint16_t(low | (byte() << 8));
  }
  std::span<const std::uint8_t> take(std::size_t n) {
    n = std::min(n, b_.size() - at_);
    const auto s = b_.subspan(at_, n);
    at_ += n;
    return s;
  }
  std::span<const std::uint8_t> rest() { return take(b_.size() - at_); }

 private:
  std::span<const std::uint8_t> b_;
  std::size_t at_ = 0;
};

template <class F> void expect_only_typenet_errors(F&& parse) {
  try {
    parse();
  } catch (const typenet::Error&) {
  }
}

}  // namespace fuzz
