#pragma once
// Weights in and out by name. A NameMap gives the reference implementation's name of each of
// a network's named tensors (graph/walk.hpp), in walk order: torchvision's state_dict keys,
// Keras's "layer/weight" names. import_weights zips it with the walk and takes each tensor from
// a TensorFile (io/weight_file.hpp) by that name, checking every shape against the type; the
// model changes only when the whole file fits. export_safetensors writes a model under the
// map's names, in PyTorch's layout.
#include <algorithm>
#include <filesystem>
#include <span>
#include <string>
#include <vector>
#include "typenet/core/finite.hpp"
#include "typenet/graph/walk.hpp"
#include "typenet/io/keras_layout.hpp"
#include "typenet/io/name_map.hpp"
#include "typenet/io/safetensors.hpp"
#include "typenet/io/tensor_file.hpp"

namespace typenet::io {

struct ImportOptions {
  bool head = true;                // false: leave the classifier as initialised (a new head)
  bool allow_unexpected = false;   // true: tensors of the file that the model lacks are skipped, not an Error
};

struct ImportReport {
  long tensors = 0, values = 0;       // taken from the file
  std::vector<std::string> skipped;   // the file's tensors left unused (its old head, num_batches_tracked, ...)
};

namespace detail {
// What a tensor is, by its name's last part, in PyTorch's words: Keras's kernel is a weight,
// gamma a BN weight, moving_variance a running_var. A map that pairs a conv's weight with a
// BN's running_mean is wrong, and this catches it.
inline std::string tensor_role(const std::string& name) {
  const std::size_t cut = name.find_last_of("./");
  std::string leaf = cut == std::string::npos ? name : name.substr(cut + 1);
  if (name.find('/') != std::string::npos) leaf = keras_leaf(name);
  if (leaf == "kernel" || leaf == "depthwise_kernel" || leaf == "pointwise_kernel" || leaf == "gamma") return "weight";
  if (leaf == "beta") return "bias";
  if (leaf == "moving_mean") return "running_mean";
  if (leaf == "moving_variance") return "running_var";
  return leaf;
}
inline std::vector<long> without_trailing_ones(std::vector<long> d) {  // a 1x1 conv's (F,C,1,1) is a Dense's (F,C)
  while (d.size() > 1 && d.back() == 1) d.pop_back();
  return d;
}
inline void check_fits(const NameMap& map, std::size_t tensors, const std::string& net) {
  if (map.names.size() != tensors)
    throw Error("typenet: the name map of " + map.source + " has " + std::to_string(map.names.size()) +
                " names, and the network " + net + " has " + std::to_string(tensors) + " named tensors: it is another network");
}
}  // namespace detail

// Takes every named tensor of Net from `file` into params and state (both whole, or neither).
template <class Net>
ImportReport import_tensors(const TensorFile& file, const NameMap& map, std::span<float> params, std::span<float> state,
                            ImportOptions options = {}) {
  const auto ours = named_tensors<Net>();
  const std::string net = map.source + " " + Net::input_shape.to_string() + " -> " + Net::output_shape.to_string();
  detail::check_fits(map, ours.size(), net);
  std::vector<float> new_params(params.begin(), params.end()), new_state(state.begin(), state.end());
  std::vector<std::string> missing, wrong_shape, not_finite, used;
  ImportReport report;
  for (std::size_t i = 0; i < ours.size(); ++i) {
    const std::string& name = map.names[i];
    if (detail::tensor_role(name) != detail::tensor_role(ours[i].name))
      throw Error("typenet: the name map of " + map.source + " pairs " + name + " with " + ours[i].name + ", a " +
                  detail::tensor_role(ours[i].name) + ": it is another network");
    if (!options.head && !map.head.empty() && name.rfind(map.head, 0) == 0) continue;
    const FileTensor* t = file.find(name);
    if (!t) {
      missing.push_back(name + " " + dims_string(ours[i].dims));
      continue;
    }
    used.push_back(name);
    if (detail::without_trailing_ones(t->dims) != detail::without_trailing_ones(ours[i].dims)) {
      wrong_shape.push_back(name + ": the file's " + dims_string(t->dims) + ", the model's " + dims_string(ours[i].dims));
      continue;
    }
    if (!all_finite(std::span<const float>(t->values))) {
      not_finite.push_back(name);
      continue;
    }
    std::copy(t->values.begin(), t->values.end(), (ours[i].state ? new_state : new_params).begin() + ours[i].offset);
    ++report.tensors, report.values += long(t->values.size());
  }
  std::vector<std::string> unexpected;
  for (const FileTensor& t : file.tensors) {
    if (std::find(used.begin(), used.end(), t.name) != used.end()) continue;
    const bool old_head = !options.head && !map.head.empty() && t.name.rfind(map.head, 0) == 0;
    if (old_head || t.name.ends_with("num_batches_tracked") || options.allow_unexpected) report.skipped.push_back(t.name);
    else unexpected.push_back(t.name + " " + dims_string(t.dims));
  }
  std::string problems;
  const auto list = [&](const char* what, const std::vector<std::string>& names) {
    if (names.empty()) return;
    problems += std::string("\n  ") + what + " (" + std::to_string(names.size()) + "):";
    for (std::size_t i = 0; i < names.size() && i < 8; ++i) problems += "\n    " + names[i];
    if (names.size() > 8) problems += "\n    ... and " + std::to_string(names.size() - 8) + " more";
  };
  list("missing from the file", missing);
  list("with another shape", wrong_shape);
  list("holding NaN or infinite values", not_finite);
  list("in the file but not in the model", unexpected);
  if (!problems.empty()) throw Error("typenet: " + file.describe() + " does not fit " + net + ":" + problems);
  std::copy(new_params.begin(), new_params.end(), params.begin());
  std::copy(new_state.begin(), new_state.end(), state.begin());
  return report;
}

// Any network's tensors under typenet's own walk names ("4.body.0.0.weight"): what
// export_safetensors writes for a model without reference names, and reads back.
template <class Net>
NameMap typenet_names() {
  NameMap map{.source = "typenet's names", .input = "cifar"};
  for (const NamedTensor& t : named_tensors<Net>()) map.names.push_back(t.name);
  return map;
}

template <class M>
ImportReport import_weights(M& model, const TensorFile& file, const NameMap& map, ImportOptions options = {}) {
  return import_tensors<typename M::network>(file, map, model.params(), model.state(), options);
}

// Every named tensor of the model under the map's names, in PyTorch's layout, atomically.
template <class M>
void export_safetensors(const std::filesystem::path& file, const M& model, const NameMap& map,
                        StoredType type = StoredType::f32) {
  using Net = typename M::network;
  const auto ours = named_tensors<Net>();
  detail::check_fits(map, ours.size(), map.source);
  std::vector<TensorToWrite> tensors;
  for (std::size_t i = 0; i < ours.size(); ++i) {
    long n = 1;
    for (long d : ours[i].dims) n *= d;
    const auto values = ours[i].state ? model.state() : model.params();
    tensors.push_back({map.names[i], ours[i].dims, std::span<const float>(values.data() + ours[i].offset, std::size_t(n))});
  }
  write_safetensors(file, tensors, type, {{"format", "pt"}, {"typenet_names", map.source}});
}

}  // namespace typenet::io
