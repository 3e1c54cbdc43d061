#pragma once
// bf16 <-> f32 for the few loops typenet runs itself on oneDNN's buffers (core/half.hpp).
#include <cstdint>
#include "typenet/core/half.hpp"

namespace typenet::onednn {

using typenet::bf16_to_f32;
using typenet::f32_to_bf16;

// One element of a buffer of float or bf16 bits, as float.
inline float as_f32(float v) { return v; }
inline float as_f32(std::uint16_t v) { return bf16_to_f32(v); }

}  // namespace typenet::onednn
