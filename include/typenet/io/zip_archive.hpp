#pragma once
// ZipArchive: a zip archive's entries, read from bytes in memory through libzip (link with
// -lzip). Each entry is read whole, no larger than its declared size or a caller's limit, and
// every libzip failure is an Error naming the file and the entry.
#include <zip.h>
#include <algorithm>
#include <cstdint>
#include <span>
#include <string>
#include <vector>
#include "typenet/core/error.hpp"

namespace typenet::io {

class ZipArchive {
 public:
  // `bytes` must outlive the archive; `name` is the file, for messages.
  ZipArchive(std::span<const std::uint8_t> bytes, std::string name) : name_(std::move(name)), archive_bytes_(bytes.size()) {
    zip_error_t error;
    zip_error_init(&error);
    zip_source_t* source = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error);
    if (source) archive_ = zip_open_from_source(source, ZIP_RDONLY | ZIP_CHECKCONS, &error);
    if (!archive_) {
      if (source) zip_source_free(source);
      const std::string why = zip_error_strerror(&error);
      zip_error_fini(&error);
      throw Error("typenet: " + name_ + " is not a readable zip archive (" + why + ")");
    }
    zip_error_fini(&error);
  }
  ~ZipArchive() { zip_discard(archive_); }
  ZipArchive(const ZipArchive&) = delete;
  ZipArchive& operator=(const ZipArchive&) = delete;

  std::vector<std::string> names() const {
    std::vector<std::string> out;
    const zip_int64_t n = zip_get_num_entries(archive_, 0);
    for (zip_int64_t i = 0; i < n; ++i)
      if (const char* entry = zip_get_name(archive_, zip_uint64_t(i), 0)) out.emplace_back(entry);
    return out;
  }
  bool contains(const std::string& entry) const { return zip_name_locate(archive_, entry.c_str(), 0) >= 0; }

  // The entry's bytes; an Error if it is missing, larger than max_bytes, or does not inflate to
  // its declared size. A declared size is believed only as far as the archive can hold it (a
  // stored entry no larger than the archive, a deflated one at most 1032 times its compressed
  // bytes, deflate's limit), so a forged size cannot make it allocate.
  std::vector<std::uint8_t> read(const std::string& entry, std::uint64_t max_bytes) const {
    const auto fail = [&](const std::string& why) { throw Error("typenet: " + name_ + ": entry " + entry + " " + why); };
    const zip_int64_t index = zip_name_locate(archive_, entry.c_str(), 0);
    if (index < 0) fail("is missing");
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(archive_, zip_uint64_t(index), 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE)) fail("has no readable size");
    if (st.size > max_bytes) fail("declares " + std::to_string(st.size) + " bytes, more than the " + std::to_string(max_bytes) + " it may have");
    const bool compressed_size = (st.valid & ZIP_STAT_COMP_SIZE) && (st.valid & ZIP_STAT_COMP_METHOD);
    const std::uint64_t possible = !compressed_size ? archive_bytes_
                                   : st.comp_method == ZIP_CM_STORE ? std::min<std::uint64_t>(st.comp_size, archive_bytes_)
                                                                    : 1032 * std::min<std::uint64_t>(st.comp_size, archive_bytes_);
    if (st.size > possible)
      fail("declares " + std::to_string(st.size) + " bytes, more than its " + std::to_string(st.comp_size) +
           " compressed bytes can hold (a corrupt or forged archive)");
    zip_file_t* file = zip_fopen_index(archive_, zip_uint64_t(index), 0);
    if (!file) fail(std::string("cannot be opened (") + zip_strerror(archive_) + ")");
    std::vector<std::uint8_t> out(st.size);
    const zip_int64_t got = st.size ? zip_fread(file, out.data(), st.size) : 0;
    const std::string why = got < 0 ? zip_file_strerror(file) : "";
    zip_fclose(file);
    if (got < 0) fail("cannot be read (" + why + ")");
    if (zip_uint64_t(got) != st.size) fail("holds " + std::to_string(got) + " of its " + std::to_string(st.size) + " bytes (truncated?)");
    return out;
  }

 private:
  std::string name_;
  std::uint64_t archive_bytes_;
  zip_t* archive_ = nullptr;
};

}  // namespace typenet::io
