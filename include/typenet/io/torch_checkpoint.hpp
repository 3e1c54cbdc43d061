#pragma once
// PyTorch state_dicts as torch.save writes them (since PyTorch 1.6, and as torchvision ships
// its weights, e.g. resnet34-b627a593.pth): a zip archive holding PREFIX/data.pkl (the pickled
// dict, io/state_dict_pickle.hpp) and each storage's raw little-endian bytes in
// PREFIX/data/KEY. Read in C++, no Python; every view is checked to lie inside its storage.
// Needs libzip (io/zip_archive.hpp).
#include <cstdint>
#include <cstring>
#include <map>
#include <span>
#include <string>
#include <vector>
#include "typenet/io/state_dict_pickle.hpp"
#include "typenet/io/stored_element.hpp"
#include "typenet/io/tensor_file.hpp"
#include "typenet/io/zip_archive.hpp"

namespace typenet::io {

namespace detail {
inline Element storage_element(const std::string& type) {
  if (type == "FloatStorage") return Element::f32;
  if (type == "HalfStorage") return Element::f16;
  if (type == "BFloat16Storage") return Element::bf16;
  if (type == "DoubleStorage") return Element::f64;
  if (type == "IntStorage") return Element::i32;
  if (type == "LongStorage") return Element::i64;
  return Element::unknown;
}
}  // namespace detail

// The file's bytes, read; `name` is the file, for messages.
inline TensorFile read_torch_checkpoint(std::span<const std::uint8_t> b, const std::string& name) {
  const std::string where = "PyTorch file " + name;
  if (b.size() >= 2 && b[0] == 0x80 && b[1] == 0x02)
    throw Error("typenet: " + where + " is in torch.save's legacy format (PyTorch < 1.6); load and save it again "
                "with a newer PyTorch to get the zip format typenet reads");
  const ZipArchive zip(b, where);
  std::string prefix;
  for (const std::string& entry : zip.names())
    if (entry.ends_with("/data.pkl") && entry.find('/') == entry.size() - 9) prefix = entry.substr(0, entry.size() - 8);
  if (prefix.empty()) throw Error("typenet: " + where + " is a zip archive without a data.pkl: not a torch.save file");
  if (zip.contains(prefix + "byteorder")) {
    const auto order = zip.read(prefix + "byteorder", 16);
    if (std::string(order.begin(), order.end()) != "little")
      throw Error("typenet: " + where + " holds big-endian storages; typenet reads little-endian ones");
  }
  const auto pickle = zip.read(prefix + "data.pkl", std::uint64_t(1) << 28);
  TensorFile out{.file = name, .format = "PyTorch state_dict"};
  std::map<std::string, std::vector<std::uint8_t>> storages;  // each read once, however many views it has
  for (const PickledTensor& p : parse_state_dict_pickle(pickle, where)) {
    const std::string what = where + ": tensor '" + p.name + "'";
    const Element type = detail::storage_element(p.storage_type);
    const std::size_t element = element_size(type);
    if (element == 0) throw Error("typenet: " + what + " is a " + p.storage_type + "; typenet reads float, half, bfloat16, double, int and long");
    auto it = storages.find(p.storage_key);
    if (it == storages.end()) {
      it = storages.emplace(p.storage_key, zip.read(prefix + "data/" + p.storage_key, std::uint64_t(1) << 36)).first;
      if (it->second.size() < std::size_t(p.storage_numel) * element)
        throw Error("typenet: " + what + ": its storage holds " + std::to_string(it->second.size()) + " bytes, not the " +
                    std::to_string(std::size_t(p.storage_numel) * element) + " of " + std::to_string(p.storage_numel) + " values");
    }
    const long numel = long(it->second.size() / element);
    FileTensor t{.name = p.name, .dims = p.size, .dtype = p.storage_type};
    const long count = checked_count(p.size, numel, what);
    long last = p.offset;  // the view's last element must lie inside the storage
    for (std::size_t d = 0; d < p.size.size(); ++d)
      if (p.size[d] > 0) last += (p.size[d] - 1) * std::min(p.stride[d], numel);
    if (count > 0 && last >= numel)
      throw Error("typenet: " + what + " of shape " + dims_string(p.size) + " reaches past the end of its storage of " +
                  std::to_string(numel) + " values");
    t.values.resize(std::size_t(count));
    std::vector<long> index(p.size.size(), 0);
    for (long i = 0; i < count; ++i) {  // row-major over the view, whatever its strides
      long at = p.offset;
      for (std::size_t d = 0; d < index.size(); ++d) at += index[d] * p.stride[d];
      t.values[std::size_t(i)] = element_value(type, it->second.data() + std::size_t(at) * element);
      for (std::size_t d = index.size(); d-- > 0;) {
        if (++index[d] < p.size[d]) break;
        index[d] = 0;
      }
    }
    out.tensors.push_back(std::move(t));
  }
  return out;
}

}  // namespace typenet::io
