#pragma once
// WatchedSpan<T>: a writable view of a buffer that a backend keeps a derived copy of (the
// oneDNN backend folds batch norm into conv weights for inference). Every way to an element
// — operator[], begin/end, data, a conversion to std::span — raises the owner's stale flag,
// so a write through a view taken before an inference call still reaches the next inference.
// (A raw pointer or std::span taken from it and kept is the caller's to re-announce.)
#include <cstddef>
#include <span>

namespace typenet {

template <class T>
class WatchedSpan {
 public:
  WatchedSpan(std::span<T> s, bool* stale) : s_(s), stale_(stale) {}
  T& operator[](std::size_t i) const { return mark().s_[i]; }
  T* data() const { return mark().s_.data(); }
  T* begin() const { return mark().s_.data(); }
  T* end() const { return mark().s_.data() + s_.size(); }
  std::size_t size() const { return s_.size(); }
  bool empty() const { return s_.empty(); }
  operator std::span<T>() const { return mark().s_; }
  operator std::span<const T>() const { return s_; }

 private:
  const WatchedSpan& mark() const {
    *stale_ = true;
    return *this;
  }
  std::span<T> s_;
  bool* stale_;
};

}  // namespace typenet
