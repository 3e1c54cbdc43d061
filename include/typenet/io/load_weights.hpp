#pragma once
// load_weights: a model's weights from any file typenet reads, told apart by content — its own
// .tnw (io/weights.hpp: the architecture must match exactly), or another framework's file
// (io/weight_file.hpp) taken in by the names of `map` (io/import_weights.hpp). Returns what the
// file was and the input its weights expect. Needs libzip and libhdf5 (typenet::formats).
#include <cstdlib>
#include <filesystem>
#include <string>
#include "typenet/io/import_weights.hpp"
#include "typenet/io/read_file.hpp"
#include "typenet/io/weight_file.hpp"
#include "typenet/io/weights.hpp"

namespace typenet::io {

struct LoadedWeights {
  std::string what;       // the file, described for messages
  bool imported = false;  // by name from another framework's file (else typenet's own, whole)
  ImportReport import;    // an imported file's: tensors taken, and the file's left unused
  std::string input;      // the --normalize preset the weights expect: the file's own statement
                          // (a TensorFlow.js inputRange of [0, 1] or [-1, 1]), else the map's
};

// The input a file's weights expect: its stated input range when it has one typenet has a
// preset for, else the map's (what its framework's weights expect).
inline std::string expected_input(const TensorFile& file, const NameMap& map) {
  const auto range = file.metadata.find("input_range");  // "low,high" (io/tfjs.hpp)
  if (range == file.metadata.end()) return map.input;
  const auto comma = range->second.find(',');
  const double low = std::atof(range->second.substr(0, comma).c_str()), high = std::atof(range->second.substr(comma + 1).c_str());
  if (low == 0 && high == 1) return "unit";
  if (low == -1 && high == 1) return "pm1";
  return "";  // a range without a preset: the caller asks for --normalize
}

template <class M>
LoadedWeights load_weights(const std::filesystem::path& file, M& model, const NameMap& map, ImportOptions options = {}) {
  const auto bytes = read_file(file, "weights file");
  if (detect_weight_format(bytes) == WeightFormat::typenet) {
    parse_weights(bytes, file.string(), architecture<typename M::network>(), model.params(), model.state());
    return {.what = "typenet weights " + file.string(), .input = map.input};
  }
  const TensorFile tensors = read_weight_file(file, bytes);
  LoadedWeights out{.imported = true, .import = import_weights(model, tensors, map, options), .input = expected_input(tensors, map)};
  out.what = tensors.describe() + ": " + std::to_string(out.import.tensors) + " tensors (" +
             std::to_string(out.import.values) + " values) by " + map.source + " names";
  if (!out.import.skipped.empty()) out.what += ", " + std::to_string(out.import.skipped.size()) + " of the file's left unused";
  return out;
}

}  // namespace typenet::io
