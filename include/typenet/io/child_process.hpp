#pragma once
// run_in_child: f() in a forked child process, its bytes brought back through a pipe. For
// third-party parsers that can crash or loop on a corrupt file (fuzzing found libhdf5 1.10.8
// dereferencing wild pointers inside H5Fopen): a crash, a silence longer than `timeout_s` or an
// exit without an answer becomes an Error naming `what`, and this process goes on. An Error
// that f throws comes back with its message.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <functional>
#include <string>
#include <vector>
#include "typenet/core/error.hpp"

namespace typenet::io {

namespace detail {
inline bool write_all(int fd, const char* p, std::size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w, n -= std::size_t(w);
  }
  return true;
}
}  // namespace detail

inline std::vector<std::uint8_t> run_in_child(const std::function<std::vector<char>()>& f, const std::string& what,
                                              int timeout_s = 300) {
  int fds[2];
  if (::pipe(fds) != 0) throw Error("typenet: cannot read " + what + ": pipe failed (" + std::strerror(errno) + ")");
  std::fflush(nullptr);  // nothing buffered is written twice
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]), ::close(fds[1]);
    throw Error("typenet: cannot read " + what + ": fork failed (" + std::strerror(errno) + ")");
  }
  if (pid == 0) {  // the child: answer with a status byte (0 bytes follow, 1 an error message), then _exit
    ::close(fds[0]);
    const int quiet = ::open("/dev/null", O_WRONLY);  // a dying parser's (or sanitizer's) last words stay out of our output
    if (quiet >= 0) ::dup2(quiet, 1), ::dup2(quiet, 2);
    char status = 0;
    std::vector<char> out;
    try {
      out = f();
    } catch (const std::exception& e) {
      status = 1;
      const std::string m = e.what();
      out.assign(m.begin(), m.end());
    }
    const bool ok = detail::write_all(fds[1], &status, 1) && detail::write_all(fds[1], out.data(), out.size());
    ::_exit(ok ? 0 : 3);
  }
  ::close(fds[1]);
  std::vector<std::uint8_t> got;
  std::vector<char> chunk(1 << 16);
  std::string failure;
  while (true) {
    pollfd p{fds[0], POLLIN, 0};
    const int ready = ::poll(&p, 1, timeout_s * 1000);
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) {
      ::kill(pid, SIGKILL);
      failure = "gave no answer within " + std::to_string(timeout_s) + " s (the parser looping on a corrupt file?)";
      break;
    }
    const ssize_t n = ::read(fds[0], chunk.data(), chunk.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got.insert(got.end(), chunk.begin(), chunk.begin() + n);
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!failure.empty()) throw Error("typenet: reading " + what + " " + failure);
  const bool signalled = WIFSIGNALED(status);
  if (signalled || !WIFEXITED(status) || WEXITSTATUS(status) != 0 || got.empty())
    throw Error("typenet: reading " + what + " crashed its parser (" +
                (signalled ? "signal " + std::to_string(WTERMSIG(status)) : "exit status " + std::to_string(WEXITSTATUS(status))) +
                "): the file is corrupt");
  if (got[0] == 1) throw Error(std::string(got.begin() + 1, got.end()));
  got.erase(got.begin());
  return got;
}

}  // namespace typenet::io
