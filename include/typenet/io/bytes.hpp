#pragma once
// Bytes and BytesReader: binary files (weights, io/weights.hpp) and checkpoint sections
// (io/checkpoint.hpp), built and read field by field — little-endian PODs and
// length-prefixed vectors, every read bounds-checked, every error naming the file (and the
// section). The state of each part of a run (optimiser, batcher, callbacks) is written with
// these, next to the part itself.
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <type_traits>
#include <vector>
#include "typenet/core/error.hpp"

namespace typenet::io {

// A section's bytes, built field by field.
class Bytes {
 public:
  template <class T> Bytes& put(const T& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    const char* p = reinterpret_cast<const char*>(&v);
    b_.insert(b_.end(), p, p + sizeof(T));
    return *this;
  }
  template <class T> Bytes& put_raw(std::span<const T> v) {  // the elements alone, no count
    static_assert(std::is_trivially_copyable_v<T>);
    const char* p = reinterpret_cast<const char*>(v.data());
    b_.insert(b_.end(), p, p + v.size_bytes());
    return *this;
  }
  template <class T> Bytes& put_values(std::span<const T> v) {
    static_assert(std::is_trivially_copyable_v<T>);
    return put(std::uint64_t(v.size())).put_raw(v);
  }
  template <class T> Bytes& put_values(const std::vector<T>& v) { return put_values(std::span<const T>(v)); }
  Bytes& put_text(const std::string& s) { return put_values(std::span<const char>(s.data(), s.size())); }
  const std::vector<char>& data() const { return b_; }

 private:
  std::vector<char> b_;
};

// Reads bytes back; running past their end, a count they cannot hold, or a bool that is
// neither 0 nor 1 is an Error that begins with `where` ("checkpoint FILE section 'loop'").
class BytesReader {
 public:
  BytesReader(std::span<const std::uint8_t> b, std::string where) : b_(b), where_(std::move(where)) {}
  template <class T> T get() {
    static_assert(std::is_trivially_copyable_v<T>);
    if constexpr (std::is_same_v<T, bool>) {  // any other byte would be an invalid bool
      const auto byte = get<std::uint8_t>();
      if (byte > 1) fail("holds " + std::to_string(byte) + " where a flag (0 or 1) belongs");
      return byte == 1;
    } else {
      T v;
      take(&v, sizeof(T));
      return v;
    }
  }
  template <class T> void get_raw(std::span<T> out) {  // the elements alone, no count
    static_assert(std::is_trivially_copyable_v<T> && !std::is_same_v<T, bool>);
    take(out.data(), out.size_bytes());
  }
  template <class T> std::vector<T> get_values(std::size_t expected = std::size_t(-1)) {
    const auto n = get<std::uint64_t>();
    if (n > (b_.size() - at_) / sizeof(T)) fail("holds a count of " + std::to_string(n) + " it has no room for");
    if (expected != std::size_t(-1) && n != expected)
      fail("holds " + std::to_string(n) + " values where this run has " + std::to_string(expected));
    std::vector<T> v(n);
    get_raw(std::span<T>(v));
    return v;
  }
  std::string get_text() {
    const auto v = get_values<char>();
    return {v.begin(), v.end()};
  }
  std::size_t left() const { return b_.size() - at_; }
  void expect_end() const {
    if (at_ != b_.size()) fail("has " + std::to_string(b_.size() - at_) + " bytes more than expected");
  }
  [[noreturn]] void fail(const std::string& why) const { throw Error("typenet: " + where_ + " " + why); }

 private:
  void take(void* dst, std::size_t n) {
    if (n > b_.size() - at_) fail("is truncated");
    if (n == 0) return;  // an empty vector's data() may be null, which memcpy must not see
    std::memcpy(dst, b_.data() + at_, n);
    at_ += n;
  }
  std::span<const std::uint8_t> b_;
  std::size_t at_ = 0;
  std::string where_;
};

}  // namespace typenet::io
