#pragma once
// TensorFlow.js layers models, read: model.json (the Keras topology and a weightsManifest) and
// its binary weight shards. Each manifest group's tensors lie one after another in the
// concatenation of its shards, in manifest order, as float32 (or int32) or quantised: uint8 or
// uint16 with w = min + scale * q per tensor, or float16. The weights carry Keras's layer names
// and layouts, turned into PyTorch's (io/keras_layout.hpp). userDefinedMetadata.inputRange, when
// the JSON states one ([0, 1] or [-1, 1]), is the input the model expects: metadata
// "input_range".
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <vector>
#include <nlohmann/json.hpp>
#include "typenet/core/half.hpp"
#include "typenet/io/keras_layout.hpp"
#include "typenet/io/read_file.hpp"
#include "typenet/io/tensor_file.hpp"

namespace typenet::io {

// A shard's bytes by its path as the manifest gives it (relative to model.json's folder).
using ShardReader = std::function<std::vector<std::uint8_t>(const std::string& path)>;

// model.json's text, read; `name` is the file, for messages.
inline TensorFile parse_tfjs(const std::string& json_text, const std::string& name, const ShardReader& read_shard) {
  TensorFile out{.file = name, .format = "TensorFlow.js model"};
  const auto fail = [&](const std::string& why) { throw Error("typenet: TensorFlow.js model " + name + ": " + why); };
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(json_text);
  } catch (const nlohmann::json::exception& e) {
    fail(std::string("not valid JSON (") + e.what() + ")");
  }
  if (!j.is_object() || !j.contains("weightsManifest") || !j["weightsManifest"].is_array())
    fail("no weightsManifest: not a TensorFlow.js model.json");
  if (j.contains("userDefinedMetadata") && j["userDefinedMetadata"].is_object() &&
      j["userDefinedMetadata"].contains("inputRange")) {
    const auto& r = j["userDefinedMetadata"]["inputRange"];
    if (!r.is_array() || r.size() != 2 || !r[0].is_number() || !r[1].is_number() || !(r[0].get<double>() < r[1].get<double>()))
      fail("userDefinedMetadata.inputRange is not [low, high]");
    out.metadata["input_range"] = std::to_string(r[0].get<double>()) + "," + std::to_string(r[1].get<double>());
  }
  for (const auto& group : j["weightsManifest"]) {
    if (!group.is_object() || !group.contains("paths") || !group["paths"].is_array() || !group.contains("weights") ||
        !group["weights"].is_array())
      fail("a weightsManifest group lacks its paths or weights");
    std::vector<std::uint8_t> bytes;  // the group's shards, one after another
    for (const auto& p : group["paths"]) {
      if (!p.is_string()) fail("a shard path is not a string");
      const std::string path = p.get<std::string>();
      if (path.empty() || path.front() == '/' || path.find("..") != std::string::npos)
        fail("shard path '" + path + "' leaves the model's folder");
      const auto shard = read_shard(path);
      bytes.insert(bytes.end(), shard.begin(), shard.end());
    }
    std::size_t at = 0;
    for (const auto& w : group["weights"]) {
      if (!w.is_object() || !w.contains("name") || !w["name"].is_string() || !w.contains("shape") || !w["shape"].is_array() ||
          !w.contains("dtype") || !w["dtype"].is_string())
        fail("a weight entry lacks its name, shape or dtype");
      FileTensor t{.name = w["name"].get<std::string>(), .dtype = w["dtype"].get<std::string>()};
      const std::string where = "weight '" + t.name + "'";
      if (t.dtype != "float32" && t.dtype != "int32") fail(where + " has dtype " + t.dtype + "; typenet reads float32 and int32");
      for (const auto& d : w["shape"]) {
        if (!d.is_number_unsigned()) fail(where + " has a shape entry that is not a non-negative integer");
        t.dims.push_back(long(std::min<std::uint64_t>(d.get<std::uint64_t>(), std::uint64_t(1) << 40)));
      }
      std::string stored = t.dtype;
      double min = 0, scale = 1;
      if (w.contains("quantization")) {
        const auto& q = w["quantization"];
        if (!q.is_object() || !q.contains("dtype") || !q["dtype"].is_string()) fail(where + " has a quantization without a dtype");
        stored = q["dtype"].get<std::string>();
        if (stored != "uint8" && stored != "uint16" && stored != "float16")
          fail(where + " is quantised as " + stored + "; typenet reads uint8, uint16 and float16");
        if (stored != "float16") {
          if (!q.contains("min") || !q["min"].is_number() || !q.contains("scale") || !q["scale"].is_number())
            fail(where + " is quantised without a numeric min and scale");
          min = q["min"].get<double>(), scale = q["scale"].get<double>();
        }
        t.dtype = stored + "-quantised";
      }
      const std::size_t element = stored == "uint8" ? 1 : stored == "uint16" || stored == "float16" ? 2 : 4;
      const long count = checked_count(t.dims, long(1) << 40, "TensorFlow.js model " + name + " " + where);
      if (std::size_t(count) * element > bytes.size() - at)
        fail(where + " needs " + std::to_string(std::size_t(count) * element) + " bytes where the shards have " +
             std::to_string(bytes.size() - at) + " left (truncated?)");
      t.values.resize(std::size_t(count));
      for (std::size_t i = 0; i < t.values.size(); ++i) {
        const std::uint8_t* p = bytes.data() + at + i * element;
        if (stored == "uint8") t.values[i] = float(min + scale * p[0]);
        else if (stored == "uint16" || stored == "float16") {
          std::uint16_t h;
          std::memcpy(&h, p, 2);
          t.values[i] = stored == "float16" ? f16_to_f32(h) : float(min + scale * h);
        } else if (stored == "int32") {
          std::int32_t v;
          std::memcpy(&v, p, 4);
          t.values[i] = float(v);
        } else {
          std::memcpy(&t.values[i], p, 4);
        }
      }
      at += std::size_t(count) * element;
      keras_to_torch_layout(t);
      out.tensors.push_back(std::move(t));
    }
    if (at != bytes.size()) fail("its shards hold " + std::to_string(bytes.size() - at) + " bytes more than the manifest's weights");
  }
  return out;
}

// model.json and the shards beside it.
inline TensorFile read_tfjs(const std::filesystem::path& model_json) {
  const auto folder = model_json.parent_path();
  return parse_tfjs(read_text_file(model_json, "TensorFlow.js model"), model_json.string(), [&](const std::string& path) {
    return read_file(folder / path, "TensorFlow.js weight shard");
  });
}

}  // namespace typenet::io
