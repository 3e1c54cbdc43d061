#pragma once
// safetensors (Hugging Face's format), read and written: an 8-byte little-endian header length,
// a JSON header {"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {..}},
// then the tensors' raw little-endian bytes, offsets counted from the end of the header. Read:
// F32, F16, BF16, F64 and I64 (num_batches_tracked), every offset and size checked against
// the shape before a value is touched, the data fully covered and never overlapping (as the
// specification asks). Written: F32, F16 or BF16, atomically, in PyTorch's layout.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <vector>
#include <nlohmann/json.hpp>
#include "typenet/core/finite.hpp"
#include "typenet/core/half.hpp"
#include "typenet/io/atomic_write.hpp"
#include "typenet/io/stored_element.hpp"
#include "typenet/io/tensor_file.hpp"

namespace typenet::io {

enum class StoredType { f32, f16, bf16 };

namespace detail {
inline Element safetensors_element(const std::string& dtype) {
  if (dtype == "F32") return Element::f32;
  if (dtype == "F16") return Element::f16;
  if (dtype == "BF16") return Element::bf16;
  if (dtype == "F64") return Element::f64;
  if (dtype == "I64") return Element::i64;
  return Element::unknown;
}
}  // namespace detail

// The file's bytes, read; `name` is the file, for messages.
inline TensorFile read_safetensors(std::span<const std::uint8_t> b, const std::string& name) {
  TensorFile out{.file = name, .format = "safetensors"};
  const auto fail = [&](const std::string& why) { throw Error("typenet: safetensors file " + name + ": " + why); };
  if (b.size() < 8) fail("truncated (" + std::to_string(b.size()) + " bytes, no header length)");
  std::uint64_t header_bytes;
  std::memcpy(&header_bytes, b.data(), 8);
  if (header_bytes > b.size() - 8) fail("its header length " + std::to_string(header_bytes) + " runs past the file's end (truncated?)");
  const auto data = b.subspan(8 + header_bytes);
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(b.begin() + 8, b.begin() + 8 + long(header_bytes));
  } catch (const nlohmann::json::exception& e) {
    fail(std::string("its header is not valid JSON (") + e.what() + ")");
  }
  if (!header.is_object()) fail("its header is not a JSON object");
  std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges;
  for (const auto& [key, entry] : header.items()) {
    if (key == "__metadata__") {
      if (!entry.is_object()) fail("its __metadata__ is not an object of strings");
      for (const auto& [k, v] : entry.items()) {
        if (!v.is_string()) fail("its __metadata__ entry '" + k + "' is not a string");
        out.metadata[k] = v.get<std::string>();
      }
      continue;
    }
    const std::string where = "tensor '" + key + "'";
    if (!entry.is_object() || !entry.contains("dtype") || !entry.contains("shape") || !entry.contains("data_offsets") ||
        !entry["dtype"].is_string() || !entry["shape"].is_array() || !entry["data_offsets"].is_array() ||
        entry["data_offsets"].size() != 2)
      fail(where + " lacks a dtype, a shape or two data_offsets");
    FileTensor t{.name = key, .dtype = entry["dtype"].get<std::string>()};
    const Element type = detail::safetensors_element(t.dtype);
    const std::size_t element = element_size(type);
    if (element == 0) fail(where + " has dtype " + t.dtype + "; typenet reads F32, F16, BF16, F64 and I64");
    for (const auto& d : entry["shape"]) {
      if (!d.is_number_unsigned()) fail(where + " has a shape entry that is not a non-negative integer");
      t.dims.push_back(long(std::min<std::uint64_t>(d.get<std::uint64_t>(), std::uint64_t(1) << 40)));
    }
    const auto& offsets = entry["data_offsets"];
    if (!offsets[0].is_number_unsigned() || !offsets[1].is_number_unsigned()) fail(where + " has a data offset that is not a non-negative integer");
    const auto begin = offsets[0].get<std::uint64_t>(), end = offsets[1].get<std::uint64_t>();
    const long count = checked_count(t.dims, long(data.size() / element) + 1, "safetensors file " + name + " " + where);
    if (begin > end || end > data.size())
      fail(where + " lies at bytes [" + std::to_string(begin) + ", " + std::to_string(end) + ") of " +
           std::to_string(data.size()) + " data bytes (truncated?)");
    if (end - begin != std::uint64_t(count) * element)
      fail(where + " has " + std::to_string(end - begin) + " bytes for a " + t.dtype + " shape " + dims_string(t.dims) +
           " of " + std::to_string(count * long(element)));
    t.values.resize(std::size_t(count));
    for (long i = 0; i < count; ++i) t.values[std::size_t(i)] = element_value(type, data.data() + begin + std::size_t(i) * element);
    ranges.emplace_back(begin, end);
    out.tensors.push_back(std::move(t));
  }
  std::sort(ranges.begin(), ranges.end());
  std::uint64_t covered = 0;
  for (const auto& [begin, end] : ranges) {
    if (begin != covered) fail(begin < covered ? "has tensors whose bytes overlap" : "has data bytes that no tensor covers");
    covered = end;
  }
  if (covered != data.size()) fail("has " + std::to_string(data.size() - covered) + " data bytes after its last tensor");
  // The header's JSON object is ordered by name; keep the tensors in data order, as written.
  std::stable_sort(out.tensors.begin(), out.tensors.end(), [&](const FileTensor& x, const FileTensor& y) {
    return header[x.name]["data_offsets"][0].get<std::uint64_t>() < header[y.name]["data_offsets"][0].get<std::uint64_t>();
  });
  return out;
}

// One tensor to write: its name, its dims and its f32 values in PyTorch's layout.
struct TensorToWrite {
  std::string name;
  std::vector<long> dims;
  std::span<const float> values;
};

// Writes the tensors in the given order as `type`, atomically; refuses NaN or infinite values
// (and, for F16, values past its range), leaving any previous file as it was.
inline void write_safetensors(const std::filesystem::path& file, const std::vector<TensorToWrite>& tensors,
                              StoredType type, const std::map<std::string, std::string>& metadata = {}) {
  const auto fail = [&](const std::string& why) {
    throw Error("typenet: refusing to write safetensors file " + file.string() + ": " + why + "; the previous file is kept");
  };
  const std::size_t element = type == StoredType::f32 ? 4 : 2;
  const char* dtype = type == StoredType::f32 ? "F32" : type == StoredType::f16 ? "F16" : "BF16";
  nlohmann::ordered_json header;
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::vector<char> data;
  for (const TensorToWrite& t : tensors) {
    if (header.contains(t.name)) fail("the name '" + t.name + "' is given twice");
    if (checked_count(t.dims, long(1) << 40, "tensor '" + t.name + "'") != long(t.values.size()))
      fail("tensor '" + t.name + "' has " + std::to_string(t.values.size()) + " values for its shape " + dims_string(t.dims));
    if (!all_finite(t.values)) fail("tensor '" + t.name + "' holds NaN or infinite values (a diverged run?)");
    header[t.name] = {{"dtype", dtype}, {"shape", t.dims}, {"data_offsets", {data.size(), data.size() + t.values.size() * element}}};
    for (float v : t.values) {
      if (type == StoredType::f32) {
        data.insert(data.end(), reinterpret_cast<const char*>(&v), reinterpret_cast<const char*>(&v) + 4);
        continue;
      }
      if (type == StoredType::f16 && std::fabs(v) >= 65520.0f) fail("tensor '" + t.name + "' holds " + std::to_string(v) + ", past F16's range");
      const std::uint16_t h = type == StoredType::f16 ? f32_to_f16(v) : f32_to_bf16(v);
      data.insert(data.end(), reinterpret_cast<const char*>(&h), reinterpret_cast<const char*>(&h) + 2);
    }
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');  // the data starts 8-byte aligned
  std::vector<char> bytes(8);
  const std::uint64_t n = text.size();
  std::memcpy(bytes.data(), &n, 8);
  bytes.insert(bytes.end(), text.begin(), text.end());
  bytes.insert(bytes.end(), data.begin(), data.end());
  write_atomically(file, std::span<const char>(bytes), "safetensors file");
}

}  // namespace typenet::io
