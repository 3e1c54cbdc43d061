#pragma once
// load_weights: a model's weights from any file typenet reads, told apart by content — its own
// .tnw (io/weights.hpp: the architecture must match exactly), or another framework's file
// (io/weight_file.hpp) taken in by the names of `map` (io/import_weights.hpp). Returns what the
// file was, for messages. Needs libzip and libhdf5 (typenet::formats).
#include <filesystem>
#include <string>
#include "typenet/io/import_weights.hpp"
#include "typenet/io/read_file.hpp"
#include "typenet/io/weight_file.hpp"
#include "typenet/io/weights.hpp"

namespace typenet::io {

template <class M>
std::string load_weights(const std::filesystem::path& file, M& model, const NameMap& map, ImportOptions options = {}) {
  const auto bytes = read_file(file, "weights file");
  if (detect_weight_format(bytes) == WeightFormat::typenet) {
    parse_weights(bytes, file.string(), architecture<typename M::network>(), model.params(), model.state());
    return "typenet weights " + file.string();
  }
  const TensorFile tensors = read_weight_file(file, bytes);
  const ImportReport r = import_weights(model, tensors, map, options);
  std::string what = tensors.describe() + ": " + std::to_string(r.tensors) + " tensors by " + map.source + " names";
  if (!r.skipped.empty()) what += ", " + std::to_string(r.skipped.size()) + " of the file's left unused";
  return what;
}

}  // namespace typenet::io
