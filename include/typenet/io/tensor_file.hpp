#pragma once
// TensorFile: another framework's weights file, read — its tensors by name, each as f32 values
// in PyTorch's layout (a conv's weight (F,C,K,K), a linear layer's (out,in)), whatever the
// file's own dtype and layout were. Every reader (safetensors, PyTorch state_dicts, Keras .h5,
// TensorFlow.js) produces one; io/import_weights.hpp puts one into a model by name.
#include <algorithm>
#include <map>
#include <string>
#include <vector>
#include "typenet/core/error.hpp"
#include "typenet/io/bytes.hpp"

namespace typenet::io {

struct FileTensor {
  std::string name;
  std::vector<long> dims;
  std::vector<float> values;
  std::string dtype;  // as the file stored it: "F32", "BF16", "uint8-quantised", ...
};

struct TensorFile {
  std::string file;    // for messages
  std::string format;  // "safetensors", "PyTorch state_dict", "Keras .h5", "TensorFlow.js"
  std::vector<FileTensor> tensors;
  std::map<std::string, std::string> metadata;  // what the file says beside its tensors

  const FileTensor* find(const std::string& name) const {
    const auto it = std::find_if(tensors.begin(), tensors.end(), [&](const FileTensor& t) { return t.name == name; });
    return it == tensors.end() ? nullptr : &*it;
  }
  std::string describe() const { return format + " " + file; }
};

// "(64,3,7,7)"
inline std::string dims_string(const std::vector<long>& dims) {
  std::string s = "(";
  for (std::size_t i = 0; i < dims.size(); ++i) s += (i ? "," : "") + std::to_string(dims[i]);
  return s + ")";
}

// The number of values of dims, or an Error (naming `where`) for a negative extent or a product
// past `limit`: a file's shapes are checked before anything is sized from them.
inline long checked_count(const std::vector<long>& dims, long limit, const std::string& where) {
  long n = 1;
  for (long d : dims) {
    if (d < 0) throw Error("typenet: " + where + " has a negative extent in its shape " + dims_string(dims));
    if (d != 0 && n > limit / d) throw Error("typenet: " + where + " has a shape " + dims_string(dims) + " too large for the file");
    n *= d;
  }
  return n;
}

// A TensorFile as bytes and back: how a reader run in a child process (io/child_process.hpp)
// hands its result over.
inline std::vector<char> to_bytes(const TensorFile& f) {
  Bytes b;
  b.put_text(f.format).put(std::uint64_t(f.metadata.size()));
  for (const auto& [k, v] : f.metadata) b.put_text(k).put_text(v);
  b.put(std::uint64_t(f.tensors.size()));
  for (const FileTensor& t : f.tensors) b.put_text(t.name).put_text(t.dtype).put_values(t.dims).put_values(t.values);
  return b.data();
}
inline TensorFile tensor_file_from_bytes(std::span<const std::uint8_t> bytes, const std::string& file) {
  BytesReader r(bytes, "the reader's answer for " + file);
  TensorFile f{.file = file, .format = r.get_text()};
  for (auto n = r.get<std::uint64_t>(); n > 0; --n) {
    std::string k = r.get_text();
    f.metadata[k] = r.get_text();
  }
  for (auto n = r.get<std::uint64_t>(); n > 0; --n) {
    FileTensor t;
    t.name = r.get_text(), t.dtype = r.get_text(), t.dims = r.get_values<long>(), t.values = r.get_values<float>();
    f.tensors.push_back(std::move(t));
  }
  r.expect_end();
  return f;
}

}  // namespace typenet::io
