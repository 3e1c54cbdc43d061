#pragma once
// Any other framework's weights file, read by its content, not its name: safetensors, a
// PyTorch state_dict (.pth, a zip), a Keras .h5 (HDF5) or a TensorFlow.js model.json. typenet's
// own .tnw files are told apart too, for callers that take both (io/weights.hpp reads them).
// Needs libzip and libhdf5 (the readers of .pth and .h5).
#include <cctype>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include "typenet/io/keras_h5.hpp"
#include "typenet/io/read_file.hpp"
#include "typenet/io/safetensors.hpp"
#include "typenet/io/tfjs.hpp"
#include "typenet/io/torch_checkpoint.hpp"
#include "typenet/io/weights.hpp"

namespace typenet::io {

enum class WeightFormat { typenet, safetensors, torch, keras_h5, tfjs, unknown };

inline WeightFormat detect_weight_format(std::span<const std::uint8_t> b) {
  const auto starts = [&](const char* magic, std::size_t n) { return b.size() >= n && std::memcmp(b.data(), magic, n) == 0; };
  if (starts(magic, 8)) return WeightFormat::typenet;
  if (starts("PK\x03\x04", 4)) return WeightFormat::torch;
  if (starts("\x89HDF\r\n\x1a\n", 8)) return WeightFormat::keras_h5;
  if (b.size() >= 9) {
    std::uint64_t header;
    std::memcpy(&header, b.data(), 8);
    if (header <= b.size() - 8 && b[8] == '{') return WeightFormat::safetensors;
  }
  std::size_t i = 0;
  while (i < b.size() && std::isspace(b[i])) ++i;
  if (i < b.size() && b[i] == '{') {
    const std::string_view text(reinterpret_cast<const char*>(b.data()), b.size());
    if (text.find("\"weightsManifest\"") != std::string_view::npos) return WeightFormat::tfjs;
  }
  return WeightFormat::unknown;
}

// A foreign weights file (not a .tnw), whatever its format; an Error says what the file is when
// it is none of them.
// `bytes` are the file's, already read.
inline TensorFile read_weight_file(const std::filesystem::path& file, std::span<const std::uint8_t> bytes) {
  switch (detect_weight_format(bytes)) {
    case WeightFormat::safetensors: return read_safetensors(bytes, file.string());
    case WeightFormat::torch: return read_torch_checkpoint(bytes, file.string());
    case WeightFormat::keras_h5: return read_keras_h5(bytes, file.string());
    case WeightFormat::tfjs: return read_tfjs(file);
    case WeightFormat::typenet:
      throw Error("typenet: weights file " + file.string() + " is typenet's own format (.tnw), read by io::load");
    case WeightFormat::unknown: break;
  }
  throw Error("typenet: weights file " + file.string() + " is none of the formats typenet reads (typenet .tnw, "
              "safetensors, PyTorch .pth, Keras .h5, TensorFlow.js model.json)");
}
inline TensorFile read_weight_file(const std::filesystem::path& file) {
  return read_weight_file(file, read_file(file, "weights file"));
}

}  // namespace typenet::io
