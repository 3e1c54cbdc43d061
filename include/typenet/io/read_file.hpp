#pragma once
// read_file: the one way typenet reads a whole file. It refuses what is not a regular file (a
// directory, /dev/zero, a pipe) and anything larger than the caller allows, with an Error that
// names the file and what it was expected to be, instead of a standard-library message.
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>
#include "typenet/core/error.hpp"

namespace typenet::io {

// `what` says what the file should be ("weights file", "CIFAR-10 batch"), for the message.
inline std::vector<std::uint8_t> read_file(const std::filesystem::path& file, const std::string& what,
                                           std::uintmax_t max_bytes = std::uintmax_t(1) << 34) {
  std::error_code ec;
  const auto status = std::filesystem::status(file, ec);
  if (ec || !std::filesystem::exists(status))
    throw Error("typenet: cannot open " + what + " " + file.string() + " (missing)");
  if (std::filesystem::is_directory(status))
    throw Error("typenet: " + what + " " + file.string() + " is a directory, not a file");
  if (!std::filesystem::is_regular_file(status))
    throw Error("typenet: " + what + " " + file.string() + " is not a regular file (a device or a pipe?)");
  const auto bytes = std::filesystem::file_size(file, ec);
  if (ec) throw Error("typenet: cannot read the size of " + what + " " + file.string() + ": " + ec.message());
  if (bytes > max_bytes)
    throw Error("typenet: " + what + " " + file.string() + " has " + std::to_string(bytes) + " bytes, more than the " +
                std::to_string(max_bytes) + " such a file can have");
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error("typenet: cannot open " + what + " " + file.string() + ": " + std::strerror(errno));
  std::vector<std::uint8_t> b(bytes);
  in.read(reinterpret_cast<char*>(b.data()), std::streamsize(bytes));
  if (in.gcount() != std::streamsize(bytes))
    throw Error("typenet: read error in " + what + " " + file.string() + " (it changed while being read?)");
  return b;
}

inline std::string read_text_file(const std::filesystem::path& file, const std::string& what,
                                  std::uintmax_t max_bytes = std::uintmax_t(1) << 28) {
  const auto b = read_file(file, what, max_bytes);
  return std::string(b.begin(), b.end());
}

}  // namespace typenet::io
