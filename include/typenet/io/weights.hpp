#pragma once
// Weight files (.tnw): a versioned header, the architecture fingerprint and text, the
// parameter and state counts, the values (f32, little-endian, each parameter in PyTorch's
// layout), and a checksum of everything before it. Written atomically (io/atomic_write.hpp):
// a crash mid-save leaves the previous file intact. Non-finite values are refused both ways.
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <span>
#include <string>
#include <vector>
#include "typenet/core/error.hpp"
#include "typenet/core/finite.hpp"
#include "typenet/graph/summary.hpp"
#include "typenet/io/atomic_write.hpp"
#include "typenet/io/bytes.hpp"
#include "typenet/io/fnv1a.hpp"
#include "typenet/io/read_file.hpp"

namespace typenet::io {

inline constexpr char magic[8] = {'T', 'Y', 'P', 'E', 'N', 'E', 'T', 'W'};
inline constexpr std::uint32_t format_version = 1;

inline void save_raw(const std::filesystem::path& file, const std::string& arch, std::span<const float> params,
                     std::span<const float> state) {
  if (!all_finite(params) || !all_finite(state))
    throw Error("typenet: refusing to write weights to " + file.string() +
                ": some values are NaN or infinite (a diverged run); the previous file is kept");
  Bytes out;  // the same field writer as checkpoints (io/bytes.hpp)
  out.put_raw(std::span<const char>(magic, 8)).put(format_version).put(fnv1a(arch.data(), arch.size()));
  out.put_text(arch);
  out.put(std::uint64_t(params.size())).put(std::uint64_t(state.size())).put_raw(params).put_raw(state);
  out.put(std::uint64_t(fnv1a(out.data().data(), out.data().size())));
  write_atomically(file, std::span<const char>(out.data()), "weights");
}

// Checks a weights file's bytes against the model (architecture, counts, checksum, finite
// values) and only then copies them into params and state; `name` is the file, for messages.
inline void parse_weights(std::span<const std::uint8_t> b, const std::string& name, const std::string& arch,
                          std::span<float> params, std::span<float> state) {
  const auto fail = [&](const std::string& why) { throw Error("typenet: weights file " + name + ": " + why); };
  constexpr std::size_t header = 8 + 4, footer = 8;  // magic and version; checksum
  if (b.size() < header + footer) fail("truncated (" + std::to_string(b.size()) + " bytes)");
  BytesReader r(b.first(b.size() - footer), "weights file " + name);
  char file_magic[8];
  r.get_raw(std::span<char>(file_magic));
  if (std::memcmp(file_magic, magic, 8) != 0) fail("not a typenet weights file (bad magic)");
  const auto version = r.get<std::uint32_t>();
  if (version != format_version) fail("format version " + std::to_string(version) + ", this build reads version 1");
  if (fnv1a(b.data(), b.size() - footer) != BytesReader(b.last(footer), name).get<std::uint64_t>())
    fail("checksum mismatch: the file is corrupted or truncated");
  const auto fingerprint = r.get<std::uint64_t>();
  const std::string file_arch = r.get_text();
  if (fingerprint != fnv1a(arch.data(), arch.size()) || file_arch != arch)
    fail("it holds another architecture.\n  file:  " + file_arch + "\n  model: " + arch);
  const auto np = r.get<std::uint64_t>(), ns = r.get<std::uint64_t>();
  if (np != params.size() || ns != state.size())
    fail("holds " + std::to_string(np) + " parameters, the model has " + std::to_string(params.size()));
  if (r.left() != params.size_bytes() + state.size_bytes())
    fail("holds " + std::to_string(b.size()) + " bytes, expected " +
         std::to_string(b.size() - r.left() + params.size_bytes() + state.size_bytes()));
  std::vector<float> p(params.size()), st(state.size());
  r.get_raw(std::span<float>(p));
  r.get_raw(std::span<float>(st));
  if (!all_finite(std::span<const float>(p)) || !all_finite(std::span<const float>(st)))
    fail("some values are NaN or infinite (saved from a diverged run?)");
  std::copy(p.begin(), p.end(), params.begin());  // the model changes only when the whole file is good
  std::copy(st.begin(), st.end(), state.begin());
}

inline void load_raw(const std::filesystem::path& file, const std::string& arch, std::span<float> params,
                     std::span<float> state) {
  parse_weights(read_file(file, "weights file"), file.string(), arch, params, state);
}

template <class M> void save(const std::filesystem::path& file, const M& model) {
  save_raw(file, architecture<typename M::network>(), model.params(), model.state());
}
template <class M> void load(const std::filesystem::path& file, M& model) {
  load_raw(file, architecture<typename M::network>(), model.params(), model.state());
}

}  // namespace typenet::io
