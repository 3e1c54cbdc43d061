#pragma once
// ParserChild: a third-party parser run in a forked child process that answers one request at
// a time, for parsers that can crash or loop on a corrupt file (fuzzing found libhdf5 1.10.8
// dereferencing wild pointers inside H5Fopen). A crash, a silence longer than `timeout_s` or an
// exit without an answer becomes an Error naming the file, this process goes on, and the next
// request starts a fresh child. An Error that the parser throws comes back with its message.
// The child lives until it crashes or this object goes: forking once, not per file, is what
// lets a fuzzer put a million inputs through it.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <functional>
#include <mutex>
#include <span>
#include <string>
#include <vector>
#include "typenet/core/error.hpp"

// Set only in a sanitizer build (weak: null otherwise); see ParserChild::serve_for_ever.
extern "C" [[gnu::weak]] void __sanitizer_set_death_callback(void (*callback)());

namespace typenet::io {

namespace detail {
// Whole-buffer transfers over a stream socket, each chunk waited for at most timeout_ms
// (-1: for ever). send's MSG_NOSIGNAL: a peer that died is an error here, not a SIGPIPE.
enum class Transfer { done, closed, silent };

inline Transfer wait_for(int fd, short events, int timeout_ms) {
  while (true) {
    pollfd p{fd, events, 0};
    const int ready = ::poll(&p, 1, timeout_ms);
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) return Transfer::closed;
    return ready == 0 ? Transfer::silent : Transfer::done;
  }
}
inline Transfer send_all(int fd, const void* data, std::size_t n, int timeout_ms = -1) {
  auto p = static_cast<const char*>(data);
  while (n > 0) {
    if (const Transfer t = wait_for(fd, POLLOUT, timeout_ms); t != Transfer::done) return t;
    const ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
    if (w < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (w <= 0) return Transfer::closed;
    p += w, n -= std::size_t(w);
  }
  return Transfer::done;
}
inline Transfer receive_all(int fd, void* data, std::size_t n, int timeout_ms = -1) {
  auto p = static_cast<char*>(data);
  while (n > 0) {
    if (const Transfer t = wait_for(fd, POLLIN, timeout_ms); t != Transfer::done) return t;
    const ssize_t r = ::recv(fd, p, n, 0);
    if (r < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (r <= 0) return Transfer::closed;
    p += r, n -= std::size_t(r);
  }
  return Transfer::done;
}
}  // namespace detail

class ParserChild {
 public:
  // serve(name, bytes): the parser, run in the child; its answer goes back as bytes.
  using Serve = std::function<std::vector<char>(const std::string& name, std::span<const std::uint8_t> bytes)>;

  explicit ParserChild(Serve serve, int timeout_s = 300) : serve_(std::move(serve)), timeout_s_(timeout_s) {}
  ~ParserChild() { stop(); }
  ParserChild(const ParserChild&) = delete;
  ParserChild& operator=(const ParserChild&) = delete;

  // The child's answer to the file `name` (its `bytes`); `what` names it in errors.
  std::vector<std::uint8_t> ask(const std::string& name, std::span<const std::uint8_t> bytes, const std::string& what) {
    const std::lock_guard lock(mutex_);
    if (pid_ > 0 && ::waitpid(pid_, nullptr, WNOHANG) == pid_) pid_ = -1, stop();  // it went since: no fault of this file
    if (pid_ < 0) start(what);
    const int timeout_ms = timeout_s_ * 1000;
    const std::uint64_t header[2] = {name.size(), bytes.size()};
    detail::Transfer t = detail::send_all(fd_, header, sizeof header, timeout_ms);
    if (t == detail::Transfer::done) t = detail::send_all(fd_, name.data(), name.size(), timeout_ms);
    if (t == detail::Transfer::done) t = detail::send_all(fd_, bytes.data(), bytes.size(), timeout_ms);
    char status = 0;
    std::uint64_t size = 0;
    if (t == detail::Transfer::done) t = detail::receive_all(fd_, &status, 1, timeout_ms);
    if (t == detail::Transfer::done) t = detail::receive_all(fd_, &size, sizeof size, timeout_ms);
    if (t == detail::Transfer::done && size > (std::uint64_t(1) << 36)) t = detail::Transfer::closed;
    std::vector<std::uint8_t> answer;
    if (t == detail::Transfer::done) {
      answer.resize(std::size_t(size));
      t = detail::receive_all(fd_, answer.data(), answer.size(), timeout_ms);
    }
    if (t == detail::Transfer::silent) {
      stop();
      throw Error("typenet: reading " + what + " gave no answer within " + std::to_string(timeout_s_) +
                  " s (the parser looping on a corrupt file?)");
    }
    if (t == detail::Transfer::closed) throw Error("typenet: reading " + what + " crashed its parser (" + reap() + "): the file is corrupt");
    if (status == 1) throw Error(std::string(answer.begin(), answer.end()));
    return answer;
  }

  pid_t pid() const { return pid_; }  // the child now serving, -1 if none (for tests)

 private:
  void start(const std::string& what) {
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
      throw Error("typenet: cannot read " + what + ": socketpair failed (" + std::strerror(errno) + ")");
    std::fflush(nullptr);  // nothing buffered is written twice
    const pid_t pid = ::fork();
    if (pid < 0) {
      ::close(fds[0]), ::close(fds[1]);
      throw Error("typenet: cannot read " + what + ": fork failed (" + std::strerror(errno) + ")");
    }
    if (pid == 0) ::close(fds[0]), serve_for_ever(fds[1]);
    ::close(fds[1]);
    pid_ = pid, fd_ = fds[0];
  }

  // The child: requests in until the parent closes its end, an answer out for each.
  [[noreturn]] void serve_for_ever(int fd) {
    // The child dies of its faults as a plain process would: no crash handler of the parent's
    // runs in it (a fuzzer's would save the file as its own crash), nor a sanitizer's death
    // callback. The parent hears of the death, and says which file caused it.
    for (const int s : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) ::signal(s, SIG_DFL);
    if (__sanitizer_set_death_callback) __sanitizer_set_death_callback(nullptr);
    const int quiet = ::open("/dev/null", O_WRONLY);  // a dying parser's (or sanitizer's) last words stay out of our output
    if (quiet >= 0) ::dup2(quiet, 1), ::dup2(quiet, 2);
    while (true) {
      std::uint64_t header[2];
      if (detail::receive_all(fd, header, sizeof header) != detail::Transfer::done) ::_exit(0);
      std::string name(static_cast<std::size_t>(header[0]), '\0');
      std::vector<std::uint8_t> bytes(static_cast<std::size_t>(header[1]));
      if (detail::receive_all(fd, name.data(), name.size()) != detail::Transfer::done ||
          detail::receive_all(fd, bytes.data(), bytes.size()) != detail::Transfer::done)
        ::_exit(0);
      char status = 0;
      std::vector<char> out;
      try {
        out = serve_(name, bytes);
      } catch (const std::exception& e) {
        status = 1;
        const std::string m = e.what();
        out.assign(m.begin(), m.end());
      }
      const std::uint64_t size = out.size();
      if (detail::send_all(fd, &status, 1) != detail::Transfer::done || detail::send_all(fd, &size, sizeof size) != detail::Transfer::done ||
          detail::send_all(fd, out.data(), out.size()) != detail::Transfer::done)
        ::_exit(3);
    }
  }

  // How the child ended, once it has: "signal 11", "exit status 4".
  std::string reap() {
    int status = 0;
    while (pid_ > 0 && ::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    ::close(fd_);
    pid_ = -1, fd_ = -1;
    return WIFSIGNALED(status) ? "signal " + std::to_string(WTERMSIG(status)) : "exit status " + std::to_string(WEXITSTATUS(status));
  }

  void stop() {
    if (pid_ > 0) ::kill(pid_, SIGKILL);
    if (fd_ >= 0) reap();
  }

  Serve serve_;
  int timeout_s_;
  std::mutex mutex_;
  pid_t pid_ = -1;
  int fd_ = -1;
};

}  // namespace typenet::io
