#pragma once
// The number types other frameworks' files store tensors in, each read as a float from its
// little-endian bytes: the one decoder behind safetensors' dtypes and PyTorch's storages (each
// reader keeps its own names for them).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include "typenet/core/half.hpp"

namespace typenet::io {

enum class Element { unknown, f32, f16, bf16, f64, i32, i64 };

inline std::size_t element_size(Element e) {
  switch (e) {
    case Element::f32: case Element::i32: return 4;
    case Element::f16: case Element::bf16: return 2;
    case Element::f64: case Element::i64: return 8;
    default: return 0;
  }
}

template <class T> T load_element(const std::uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// One element at p (element_size(e) bytes) as float; e must be known.
inline float element_value(Element e, const std::uint8_t* p) {
  switch (e) {
    case Element::f32: return load_element<float>(p);
    case Element::f16: return f16_to_f32(load_element<std::uint16_t>(p));
    case Element::bf16: return bf16_to_f32(load_element<std::uint16_t>(p));
    case Element::f64: return float(load_element<double>(p));
    case Element::i32: return float(load_element<std::int32_t>(p));
    case Element::i64: return float(load_element<std::int64_t>(p));
    default: return 0.0f;
  }
}

}  // namespace typenet::io
