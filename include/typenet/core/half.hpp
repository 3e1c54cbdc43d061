#pragma once
// 16-bit floats <-> f32, one value at a time: bf16 (the upper half of an f32) and IEEE half
// (f16). Narrowing rounds to nearest even (bf16: finite values only; writers refuse the others). The oneDNN backend's own loops and the weight-file
// readers and writers share these.
#include <cmath>
#include <cstdint>
#include <cstring>

namespace typenet {

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

inline float f16_to_f32(std::uint16_t h) {
  const std::uint32_t sign = std::uint32_t(h & 0x8000) << 16, exponent = (h >> 10) & 0x1F, mantissa = h & 0x3FF;
  float magnitude;
  if (exponent == 0) magnitude = std::ldexp(float(mantissa), -24);  // zero and subnormals
  else if (exponent == 31) magnitude = mantissa ? NAN : INFINITY;
  else magnitude = std::ldexp(float(mantissa | 0x400), int(exponent) - 25);
  std::uint32_t bits;
  std::memcpy(&bits, &magnitude, 4);
  bits |= sign;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}
inline std::uint16_t f32_to_f16(float f) {
  std::uint32_t bits;
  std::memcpy(&bits, &f, 4);
  const std::uint16_t sign = std::uint16_t((bits >> 16) & 0x8000);
  const float a = std::fabs(f);
  if (std::isnan(a)) return sign | 0x7E00;
  if (a >= 65520.0f) return sign | 0x7C00;  // rounds past the largest half: infinity
  if (a < 0x1p-14f) return sign | std::uint16_t(std::nearbyint(a * 0x1p24f));  // subnormal: a multiple of 2^-24
  int e;
  const float m = std::frexp(a, &e);  // a = m * 2^e, m in [0.5, 1)
  auto mantissa = std::uint32_t(std::nearbyint(m * 2048.0f));  // 11 significant bits, nearest even
  if (mantissa == 2048) mantissa = 1024, ++e;
  return sign | std::uint16_t(((e + 14) << 10) | (mantissa & 0x3FF));
}

}  // namespace typenet
