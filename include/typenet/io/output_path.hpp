#pragma once
// Output paths are checked before any work starts: a run that would train for an hour and then
// fail to save says so at once, naming the option and the path.
#include <unistd.h>
#include <filesystem>
#include <string>
#include "typenet/core/error.hpp"

namespace typenet::io {

// FILE will be written (atomically, through FILE.tmp): its folder must exist and be writable,
// and FILE must not be a folder.
inline void check_output_file(const std::filesystem::path& file, const std::string& option) {
  if (file.empty()) throw Error("typenet: " + option + " needs a file name");
  std::error_code ec;
  if (std::filesystem::is_directory(file, ec))
    throw Error("typenet: " + option + " " + file.string() + " is a directory; give a file name inside it");
  const auto dir = file.parent_path().empty() ? std::filesystem::path(".") : file.parent_path();
  if (!std::filesystem::is_directory(dir, ec))
    throw Error("typenet: " + option + " " + file.string() + ": the directory " + dir.string() +
                " does not exist (create it first)");
  if (::access(dir.c_str(), W_OK | X_OK) != 0)
    throw Error("typenet: " + option + " " + file.string() + ": the directory " + dir.string() + " is not writable");
}

// DIR will receive files: it is created (with its parents) now, and must be writable.
inline void prepare_output_dir(const std::filesystem::path& dir, const std::string& option) {
  if (dir.empty()) return;
  std::error_code ec;
  if (std::filesystem::exists(dir, ec) && !std::filesystem::is_directory(dir, ec))
    throw Error("typenet: " + option + " " + dir.string() + " is a file, not a directory");
  std::filesystem::create_directories(dir, ec);
  if (ec) throw Error("typenet: " + option + " " + dir.string() + ": cannot create it: " + ec.message());
  if (::access(dir.c_str(), W_OK | X_OK) != 0) throw Error("typenet: " + option + " " + dir.string() + " is not writable");
}

}  // namespace typenet::io
