#pragma once
// Keras weight files (.h5, through libhdf5: link with hdf5), read: the root's (or, in a whole
// saved model, model_weights') `layer_names` attribute lists the layers; each layer's group
// lists its `weight_names` ("Conv1/kernel:0") and holds each as a dataset at that path. Tensors
// are named without the ":0" and turned from Keras's layouts into PyTorch's
// (io/keras_layout.hpp). The file is opened from memory, read only, with libhdf5's error
// printing off, in a child process (libhdf5 can crash on a corrupt file); every failure is an
// Error naming the file and the layer or weight.
#include <hdf5.h>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <span>
#include <string>
#include <vector>
#include "typenet/io/child_process.hpp"
#include "typenet/io/keras_layout.hpp"
#include "typenet/io/read_file.hpp"
#include "typenet/io/tensor_file.hpp"

namespace typenet::io {

namespace detail {
// An HDF5 handle, closed by the function it was opened for.
class H5Handle {
 public:
  H5Handle(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  ~H5Handle() { if (id_ >= 0) close_(id_); }
  H5Handle(const H5Handle&) = delete;
  H5Handle& operator=(const H5Handle&) = delete;
  operator hid_t() const { return id_; }
  bool ok() const { return id_ >= 0; }

 private:
  hid_t id_;
  herr_t (*close_)(hid_t);
};

// libhdf5 prints its error stack to stderr unless told not to; typenet reports its own errors.
class H5QuietErrors {
 public:
  H5QuietErrors() { H5Eget_auto2(H5E_DEFAULT, &func_, &data_), H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }
  ~H5QuietErrors() { H5Eset_auto2(H5E_DEFAULT, func_, data_); }

 private:
  H5E_auto2_t func_ = nullptr;
  void* data_ = nullptr;
};

// An attribute holding strings (fixed-length or variable-length); `found` false if it is absent.
inline std::vector<std::string> h5_string_attribute(hid_t object, const char* name, const std::string& where, bool& found) {
  found = H5Aexists(object, name) > 0;
  if (!found) return {};
  const auto fail = [&](const std::string& why) { throw Error("typenet: " + where + ": attribute " + name + " " + why); };
  const H5Handle attr(H5Aopen(object, name, H5P_DEFAULT), H5Aclose);
  if (!attr.ok()) fail("cannot be opened");
  const H5Handle type(H5Aget_type(attr), H5Tclose), space(H5Aget_space(attr), H5Sclose);
  if (!type.ok() || !space.ok() || H5Tget_class(type) != H5T_STRING) fail("is not a list of strings");
  const hssize_t n = H5Sget_simple_extent_npoints(space);
  if (n < 0 || n > 1'000'000) fail("holds " + std::to_string(n) + " strings");
  std::vector<std::string> out;
  if (H5Tis_variable_str(type) > 0) {
    const H5Handle memory(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(memory, H5T_VARIABLE);
    std::vector<char*> strings(std::size_t(n), nullptr);
    if (H5Aread(attr, memory, strings.data()) < 0) fail("cannot be read");
    for (char* s : strings) out.emplace_back(s ? s : "");
    H5Dvlen_reclaim(memory, space, H5P_DEFAULT, strings.data());
  } else {
    const std::size_t size = H5Tget_size(type);
    if (size == 0 || size > 65536) fail("has strings of " + std::to_string(size) + " bytes");
    const H5Handle memory(H5Tcopy(H5T_C_S1), H5Tclose);  // null-terminated: one byte more than stored
    H5Tset_size(memory, size + 1);
    std::vector<char> buffer(std::size_t(n) * (size + 1));
    if (n > 0 && H5Aread(attr, memory, buffer.data()) < 0) fail("cannot be read");
    for (hssize_t i = 0; i < n; ++i) {
      const char* s = buffer.data() + std::size_t(i) * (size + 1);
      out.emplace_back(s, strnlen(s, size));
    }
  }
  return out;
}

// The dataset `weight` ("Conv1/kernel:0") of a layer's group, named "Conv1/kernel".
inline FileTensor h5_dataset(hid_t file, std::size_t file_bytes, const std::string& group_path, const std::string& weight,
                             const std::string& where) {
  const std::string path = group_path + "/" + weight;
  const auto fail = [&](const std::string& why) { throw Error("typenet: " + where + ": weight " + path + " " + why); };
  if (weight.empty() || weight.front() == '/' || H5Lexists(file, path.c_str(), H5P_DEFAULT) <= 0) fail("is missing");
  const H5Handle data(H5Dopen2(file, path.c_str(), H5P_DEFAULT), H5Dclose);
  if (!data.ok()) fail("is not a dataset");
  const H5Handle type(H5Dget_type(data), H5Tclose), space(H5Dget_space(data), H5Sclose);
  if (!type.ok() || !space.ok() || (H5Tget_class(type) != H5T_FLOAT && H5Tget_class(type) != H5T_INTEGER))
    fail("is not numbers");
  const int rank = H5Sget_simple_extent_ndims(space);
  if (rank < 0 || rank > 8) fail("has rank " + std::to_string(rank));
  hsize_t dims[8];
  H5Sget_simple_extent_dims(space, dims, nullptr);
  FileTensor t{.name = weight, .dtype = H5Tget_class(type) == H5T_FLOAT ? "float" : "integer"};
  if (const auto colon = t.name.rfind(':'); colon != std::string::npos) t.name.resize(colon);
  for (int d = 0; d < rank; ++d) t.dims.push_back(long(std::min<hsize_t>(dims[d], hsize_t(1) << 40)));
  t.values.resize(std::size_t(checked_count(t.dims, long(1) << 32, where + ": weight " + path)));
  // A corrupt header can declare far more values than the file holds, which libhdf5 then makes
  // up chunk by chunk (a fuzzed 20 KB file took 278 s): the values must be stored in bytes the
  // file has, compressed at most 1032:1 (deflate's limit) and not at all without a filter.
  if (!t.values.empty()) {
    const H5Handle creation(H5Dget_create_plist(data), H5Pclose);
    const double ratio = creation.ok() && H5Pget_nfilters(creation) > 0 ? 1032 : 1;
    const double stored = double(H5Dget_storage_size(data)), declared = double(t.values.size()) * double(H5Tget_size(type));
    if (stored <= 0 || stored > double(file_bytes) || declared > ratio * stored)
      fail("declares " + std::to_string(std::uint64_t(declared)) + " bytes but stores " + std::to_string(std::uint64_t(stored)) +
           " in a file of " + std::to_string(file_bytes) + " (truncated or corrupted)");
  }
  if (!t.values.empty() && H5Dread(data, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, t.values.data()) < 0)
    fail("cannot be read (truncated or corrupted file?)");
  keras_to_torch_layout(t);
  return t;
}
}  // namespace detail

// The file's bytes, read in this process: what the child process of read_keras_h5 runs.
inline TensorFile read_keras_h5_here(std::span<const std::uint8_t> b, const std::string& name) {
  using detail::H5Handle;
  const std::string where = "Keras weights file " + name;
  const detail::H5QuietErrors quiet;
  if (b.empty()) throw Error("typenet: " + where + " is empty");
  const H5Handle access(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
  // An in-memory file: libhdf5 copies the image and never writes it back. The core driver
  // refuses a name that exists on disk, so the image gets one that cannot.
  if (H5Pset_fapl_core(access, 1 << 20, 0) < 0 || H5Pset_file_image(access, const_cast<std::uint8_t*>(b.data()), b.size()) < 0)
    throw Error("typenet: " + where + ": libhdf5 cannot take it into memory");
  const H5Handle file(H5Fopen("/nonexistent/typenet-in-memory.h5", H5F_ACC_RDONLY, access), H5Fclose);
  if (!file.ok()) throw Error("typenet: " + where + " is not a readable HDF5 file (truncated or corrupted?)");
  std::string root;  // a whole saved model keeps its weights under model_weights
  bool found = false;
  auto layers = detail::h5_string_attribute(file, "layer_names", where, found);
  if (!found && H5Lexists(file, "model_weights", H5P_DEFAULT) > 0) {
    const H5Handle group(H5Gopen2(file, "model_weights", H5P_DEFAULT), H5Gclose);
    if (group.ok()) layers = detail::h5_string_attribute(group, "layer_names", where, found), root = "model_weights/";
  }
  if (!found) throw Error("typenet: " + where + " has no layer_names: not a Keras weights file");
  TensorFile out{.file = name, .format = "Keras .h5"};
  for (const std::string& layer : layers) {
    const std::string group_path = root + layer;
    if (layer.empty() || layer.find('/') != std::string::npos || H5Lexists(file, group_path.c_str(), H5P_DEFAULT) <= 0)
      throw Error("typenet: " + where + ": layer '" + layer + "' is listed but has no group");
    const H5Handle group(H5Gopen2(file, group_path.c_str(), H5P_DEFAULT), H5Gclose);
    if (!group.ok()) throw Error("typenet: " + where + ": layer '" + layer + "' is not a group");
    for (const std::string& weight : detail::h5_string_attribute(group, "weight_names", where + ": layer " + layer, found))
      out.tensors.push_back(detail::h5_dataset(file, b.size(), group_path, weight, where));
  }
  return out;
}

// The file's bytes, read in a child process: libhdf5 1.10.8 can crash on a corrupt file
// (tests/fixtures/formats/libhdf5_segv.h5, found by fuzzing), which then is an Error here. One
// child serves every .h5 file this process reads, and is replaced after a crash.
inline TensorFile read_keras_h5(std::span<const std::uint8_t> b, const std::string& name) {
  static ParserChild reader([](const std::string& file, std::span<const std::uint8_t> bytes) {
    return to_bytes(read_keras_h5_here(bytes, file));
  });
  return tensor_file_from_bytes(reader.ask(name, b, "Keras weights file " + name), name);
}

inline TensorFile read_keras_h5(const std::filesystem::path& file) {
  return read_keras_h5(read_file(file, "Keras weights file"), file.string());
}

}  // namespace typenet::io
