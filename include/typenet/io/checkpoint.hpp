#pragma once
// Checkpoint files (.tnc): the whole state of a run, in named sections.
//   "TYPENETC" | version u32 | section count u32
//   per section: name length u32 | name | byte size u64 | FNV-1a of the bytes u64 | bytes
//   FNV-1a of everything before it u64
// Each section is checked on its own (a damaged file names the damaged section) and the file as
// a whole; written atomically (io/atomic_write.hpp), so a kill at any moment leaves the previous
// checkpoint or the new one. Section contents are built with Bytes and read with BytesReader
// (io/bytes.hpp).
#include <concepts>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <vector>
#include "typenet/core/error.hpp"
#include "typenet/io/atomic_write.hpp"
#include "typenet/io/bytes.hpp"
#include "typenet/io/fnv1a.hpp"
#include "typenet/io/read_file.hpp"

namespace typenet::io {

inline constexpr char checkpoint_magic[8] = {'T', 'Y', 'P', 'E', 'N', 'E', 'T', 'C'};
inline constexpr std::uint32_t checkpoint_version = 1;

class CheckpointWriter {
 public:
  void add(const std::string& name, const Bytes& b) { sections_.emplace_back(name, b.data()); }
  template <class F>
    requires std::invocable<F&, Bytes&>
  void add(const std::string& name, F&& fill) {  // fill(Bytes&)
    Bytes b;
    fill(b);
    add(name, b);
  }
  void write(const std::filesystem::path& file) const {
    const std::vector<char> all = bytes();
    write_atomically(file, std::span<const char>(all.data(), all.size()), "checkpoint");
  }
  // The file's bytes, as write() stores them.
  std::vector<char> bytes() const {
    Bytes out;
    out.put_raw(std::span<const char>(checkpoint_magic, 8)).put(checkpoint_version).put(std::uint32_t(sections_.size()));
    for (const auto& [name, content] : sections_)
      out.put(std::uint32_t(name.size()))
          .put_raw(std::span<const char>(name.data(), name.size()))
          .put(std::uint64_t(content.size()))
          .put(std::uint64_t(fnv1a(content.data(), content.size())))
          .put_raw(std::span<const char>(content));
    out.put(std::uint64_t(fnv1a(out.data().data(), out.data().size())));
    return out.data();
  }

 private:
  std::vector<std::pair<std::string, std::vector<char>>> sections_;
};

class CheckpointReader {
 public:
  explicit CheckpointReader(const std::filesystem::path& file)
      : CheckpointReader(read_file(file, "checkpoint"), file.string()) {}
  // A checkpoint already in memory; `name` stands for its file in messages.
  CheckpointReader(std::vector<std::uint8_t> raw, std::string name) : name_(std::move(name)), raw_(std::move(raw)) {
    const auto fail = [&](const std::string& why) { throw Error("typenet: checkpoint " + name_ + ": " + why); };
    if (raw_.size() < 24 || std::memcmp(raw_.data(), checkpoint_magic, 8) != 0)
      fail("not a typenet checkpoint (bad magic or too short)");
    std::uint64_t total;
    std::memcpy(&total, raw_.data() + raw_.size() - 8, 8);
    if (fnv1a(raw_.data(), raw_.size() - 8) != total) fail("checksum mismatch: the file is corrupted or truncated");
    BytesReader r(std::span<const std::uint8_t>(raw_.data() + 8, raw_.size() - 16), "checkpoint " + name_ + " header");
    if (const auto v = r.get<std::uint32_t>(); v != checkpoint_version)
      fail("format version " + std::to_string(v) + ", this build reads version " + std::to_string(checkpoint_version));
    const auto count = r.get<std::uint32_t>();
    std::size_t at = 16;
    for (std::uint32_t i = 0; i < count; ++i) {
      BytesReader h(std::span<const std::uint8_t>(raw_.data() + at, raw_.size() - 8 - at),
                    "checkpoint " + name_ + " section table");
      const auto len = h.get<std::uint32_t>();
      if (len > 256) fail("a section name of " + std::to_string(len) + " bytes");
      std::string name(len, '\0');
      h.get_raw(std::span<char>(name.data(), name.size()));
      const auto size = h.get<std::uint64_t>(), sum = h.get<std::uint64_t>();
      at += 4 + len + 16;
      if (size > raw_.size() - 8 - at) fail("section '" + name + "' runs past the end of the file");
      if (fnv1a(raw_.data() + at, size) != sum) fail("section '" + name + "' is corrupted (checksum mismatch)");
      if (!sections_.emplace(name, std::pair{at, std::size_t(size)}).second) fail("holds section '" + name + "' twice");
      at += size;
    }
    if (at != raw_.size() - 8) fail("has bytes after its last section");
  }

  bool has(const std::string& name) const { return sections_.count(name) > 0; }
  BytesReader section(const std::string& name) const {
    const auto it = sections_.find(name);
    if (it == sections_.end()) throw Error("typenet: checkpoint " + name_ + " has no section '" + name + "'");
    return BytesReader(std::span<const std::uint8_t>(raw_.data() + it->second.first, it->second.second),
                       "checkpoint " + name_ + " section '" + name + "'");
  }
  const std::string& name() const { return name_; }  // its file
  std::vector<std::pair<std::string, std::size_t>> sections() const {  // name, bytes
    std::vector<std::pair<std::string, std::size_t>> v;
    for (const auto& [name, at] : sections_) v.emplace_back(name, at.second);
    return v;
  }

 private:
  std::string name_;
  std::vector<std::uint8_t> raw_;
  std::map<std::string, std::pair<std::size_t, std::size_t>> sections_;
};

}  // namespace typenet::io
