#pragma once
// MPI under typenet's Collective (train/collective.hpp): data-parallel training across
// processes and machines, started by mpirun. Needs an MPI library (CMake: TYPENET_WITH_MPI,
// target typenet::mpi). Every call's status is checked: a failed MPI call is an Error naming it,
// not an abort inside the library.
#include <mpi.h>
#include <cstdlib>
#include <cstdint>
#include <span>
#include <string>
#include <vector>
#include "typenet/core/error.hpp"
#include "typenet/train/collective.hpp"

namespace typenet::dist {

namespace detail {
inline void check(int status, const char* call) {
  if (status == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(status, text, &length);
  throw Error(std::string("typenet: ") + call + " failed: " + std::string(text, std::size_t(length)));
}
}  // namespace detail

// MPI_Init and MPI_Finalize around a program's life; a program started without mpirun is a
// world of one process. Threads: only the thread that made the session calls MPI.
class MpiSession {
 public:
  MpiSession(int* argc, char*** argv) {
    int provided = 0;
    detail::check(MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  }
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;
  ~MpiSession() { MPI_Finalize(); }
  // Ends every process of the job at once: for an error only this process met, which would
  // otherwise leave the others waiting in a collective for ever.
  [[noreturn]] static void abort_all(int code) {
    MPI_Abort(MPI_COMM_WORLD, code);
    std::abort();
  }
};

// The world's processes as a Collective.
class MpiCollective final : public Collective {
 public:
  explicit MpiCollective(MPI_Comm comm = MPI_COMM_WORLD) : comm_(comm) {
    detail::check(MPI_Comm_rank(comm_, &rank_), "MPI_Comm_rank");
    detail::check(MPI_Comm_size(comm_, &ranks_), "MPI_Comm_size");
  }
  int rank() const override { return rank_; }
  int ranks() const override { return ranks_; }
  void sum(std::span<float> v) override { all_sum(v.data(), v.size(), MPI_FLOAT, false); }
  void sum(std::span<double> v) override { all_sum(v.data(), v.size(), MPI_DOUBLE, false); }
  void start_sum(std::span<float> v) override { all_sum(v.data(), v.size(), MPI_FLOAT, true); }
  void start_sum(std::span<double> v) override { all_sum(v.data(), v.size(), MPI_DOUBLE, true); }
  // MPI moves a started sum on only inside MPI calls: MPI_Testall between nodes of backward.
  void progress() override {
    int done = 0;
    if (!pending_.empty())
      detail::check(MPI_Testall(int(pending_.size()), pending_.data(), &done, MPI_STATUSES_IGNORE), "MPI_Testall");
    if (done) pending_.clear();
  }
  void finish_sums() override {
    std::vector<MPI_Request> started;
    started.swap(pending_);
    if (!started.empty())
      detail::check(MPI_Waitall(int(started.size()), started.data(), MPI_STATUSES_IGNORE), "MPI_Waitall");
  }
  void broadcast(std::span<std::uint8_t> bytes, int root) override {
    for (std::size_t at = 0; at < bytes.size(); at += chunk)
      detail::check(MPI_Bcast(bytes.data() + at, count(bytes.size() - at), MPI_BYTE, root, comm_), "MPI_Bcast");
  }

 private:
  static constexpr std::size_t chunk = std::size_t(1) << 30;  // MPI counts are ints
  static int count(std::size_t left) { return int(left < chunk ? left : chunk); }
  // Blocking, or started (MPI_Iallreduce, its requests kept for finish_sums).
  void all_sum(void* data, std::size_t n, MPI_Datatype type, bool started) {
    const std::size_t size = type == MPI_FLOAT ? 4 : 8;
    for (std::size_t at = 0; at < n; at += chunk) {
      void* part = static_cast<char*>(data) + at * size;
      if (!started) {
        detail::check(MPI_Allreduce(MPI_IN_PLACE, part, count(n - at), type, MPI_SUM, comm_), "MPI_Allreduce");
      } else {
        MPI_Request request = MPI_REQUEST_NULL;
        detail::check(MPI_Iallreduce(MPI_IN_PLACE, part, count(n - at), type, MPI_SUM, comm_, &request), "MPI_Iallreduce");
        pending_.push_back(request);
      }
    }
  }

  MPI_Comm comm_;
  int rank_ = 0, ranks_ = 1;
  std::vector<MPI_Request> pending_;  // started sums not yet waited for
};

}  // namespace typenet::dist
