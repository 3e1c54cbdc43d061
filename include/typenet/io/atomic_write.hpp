#pragma once
// write_atomically: the one way typenet writes a file. The bytes go to FILE.tmp, are fsync'd,
// renamed over FILE, and FILE's directory is fsync'd: a crash at any moment leaves either the
// old file or the new one, never half of one. A failed write removes FILE.tmp (no debris) and
// leaves FILE as it was.
#include <fcntl.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <span>
#include <string>
#include "typenet/core/error.hpp"

namespace typenet::io {

inline void fsync_directory(const std::filesystem::path& dir) {
  const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return;  // not every file system lets a directory be opened; the rename stands
  ::fsync(fd);
  ::close(fd);
}

// `what` names the file's kind for messages ("weights", "checkpoint").
inline void write_atomically(const std::filesystem::path& file, std::span<const char> bytes, const std::string& what) {
  const std::filesystem::path tmp = file.string() + ".tmp";
  const auto fail = [&](const std::string& why) {
    const std::string err = std::strerror(errno);
    std::error_code ec;
    std::filesystem::remove(tmp, ec);
    throw Error("typenet: cannot write " + what + " " + file.string() + ": " + why + " (" + err + "); " +
                (std::filesystem::exists(file, ec) ? "the previous file is unchanged" : "nothing was written"));
  };
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail("cannot create " + tmp.string());
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      fail("writing failed (disk full?)");
    }
    done += std::size_t(n);
  }
  if (::fsync(fd) != 0) {
    ::close(fd);
    fail("fsync failed");
  }
  if (::close(fd) != 0) fail("close failed");
  if (std::rename(tmp.c_str(), file.c_str()) != 0) fail("cannot rename " + tmp.string() + " over it");
  fsync_directory(file.parent_path());
}

inline void write_atomically(const std::filesystem::path& file, const std::string& text, const std::string& what) {
  write_atomically(file, std::span<const char>(text.data(), text.size()), what);
}

}  // namespace typenet::io
