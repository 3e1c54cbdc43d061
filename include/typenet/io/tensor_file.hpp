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

}  // namespace typenet::io
