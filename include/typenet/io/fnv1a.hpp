#pragma once
// FNV-1a, 64 bits: the checksum of weights and checkpoint files (catches truncation and
// corruption; not a defence against someone forging a file).
#include <cstddef>
#include <cstdint>

namespace typenet::io {

inline std::uint64_t fnv1a(const void* data, std::size_t n, std::uint64_t h = 1469598103934665603ull) {
  const auto* p = static_cast<const unsigned char*>(data);
  for (std::size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 1099511628211ull;
  return h;
}

}  // namespace typenet::io
