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
  out.put(std::uint64_t(arch.size())).put_raw(std::span<const char>(arch.data(), arch.size()));
  out.put(std::uint64_t(params.size())).put(std::uint64_t(state.size())).put_raw(params).put_raw(state);
  std::vector<char> b = out.data();
  const std::uint64_t sum = fnv1a(b.data(), b.size());
  b.insert(b.end(), reinterpret_cast<const char*>(&sum), reinterpret_cast<const char*>(&sum) + 8);
  write_atomically(file, std::span<const char>(b.data(), b.size()), "weights");
}

inline void load_raw(const std::filesystem::path& file, const std::string& arch, std::span<float> params,
                     std::span<float> state) {
  const auto b = read_file(file, "weights file");
  auto fail = [&](const std::string& why) { throw Error("typenet: weights file " + file.string() + ": " + why); };
  std::size_t at = 0;
  auto get = [&](void* dst, std::size_t n) {
    if (at + n > b.size()) fail("truncated (" + std::to_string(b.size()) + " bytes)");
    std::memcpy(dst, b.data() + at, n);
    at += n;
  };
  char m[8];
  get(m, 8);
  if (std::memcmp(m, magic, 8) != 0) fail("not a typenet weights file (bad magic)");
  std::uint32_t version;
  get(&version, 4);
  if (version != format_version) fail("format version " + std::to_string(version) + ", this build reads version 1");
  if (b.size() < at + 8) fail("truncated");
  std::uint64_t sum;
  std::memcpy(&sum, b.data() + b.size() - 8, 8);
  if (fnv1a(b.data(), b.size() - 8) != sum) fail("checksum mismatch: the file is corrupted or truncated");
  std::uint64_t fingerprint, arch_len, np, ns;
  get(&fingerprint, 8);
  get(&arch_len, 8);
  if (arch_len > b.size()) fail("corrupted header");
  std::string file_arch(arch_len, '\0');
  get(file_arch.data(), arch_len);
  if (fingerprint != fnv1a(arch.data(), arch.size()) || file_arch != arch)
    fail("it holds another architecture.\n  file:  " + file_arch + "\n  model: " + arch);
  get(&np, 8);
  get(&ns, 8);
  if (np != params.size() || ns != state.size())
    fail("holds " + std::to_string(np) + " parameters, the model has " + std::to_string(params.size()));
  if (b.size() != at + params.size_bytes() + state.size_bytes() + 8)
    fail("holds " + std::to_string(b.size()) + " bytes, expected " +
         std::to_string(at + params.size_bytes() + state.size_bytes() + 8));
  std::vector<float> p(params.size()), st(state.size());
  get(p.data(), params.size_bytes());
  get(st.data(), state.size_bytes());
  if (!all_finite(std::span<const float>(p)) || !all_finite(std::span<const float>(st)))
    fail("some values are NaN or infinite (saved from a diverged run?)");
  std::copy(p.begin(), p.end(), params.begin());  // the model changes only when the whole file is good
  std::copy(st.begin(), st.end(), state.begin());
}

template <class M> void save(const std::filesystem::path& file, const M& model) {
  save_raw(file, architecture<typename M::network>(), model.params(), model.state());
}
template <class M> void load(const std::filesystem::path& file, M& model) {
  load_raw(file, architecture<typename M::network>(), model.params(), model.state());
}

}  // namespace typenet::io
