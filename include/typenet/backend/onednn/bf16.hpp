#pragma once
// bf16 <-> f32 for the few loops typenet runs itself on oneDNN's buffers: a bf16 value is the
// upper half of an f32; narrowing rounds to nearest even.
#include <cstdint>
#include <cstring>

namespace typenet::onednn {

inline float bf16_to_f32(std::uint16_t v) {
  const std::uint32_t bits = std::uint32_t(v) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}
inline std::uint16_t f32_to_bf16(float f) {
  std::uint32_t bits;
  std::memcpy(&bits, &f, 4);
  return std::uint16_t((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16);
}

// One element of a buffer of float or bf16 bits, as float.
inline float as_f32(float v) { return v; }
inline float as_f32(std::uint16_t v) { return bf16_to_f32(v); }

}  // namespace typenet::onednn
