#pragma once
// Collective: what data-parallel training needs from the processes it runs on, whatever carries
// their messages (dist/mpi.hpp: MPI's). Every rank calls the same operations in the same order.
// The training loop (train/loop.hpp) takes one through LoopConfig::collective; without one a
// run is a single process and nothing here is called.
#include <cstdint>
#include <span>
#include <string>
#include "typenet/core/process_sum.hpp"

namespace typenet {

class Collective {
 public:
  virtual ~Collective() = default;
  virtual int rank() const = 0;   // this process, from 0
  virtual int ranks() const = 0;  // how many take part
  // Element-wise sums over the ranks, in place, on every rank.
  virtual void sum(std::span<float> values) = 0;
  virtual void sum(std::span<double> values) = 0;
  // Rank `root`'s bytes to every rank (the same size everywhere).
  virtual void broadcast(std::span<std::uint8_t> bytes, int root) = 0;
  // Sums that run while this process computes (train/gradient_sync.hpp): start_sum begins one,
  // whose values stay untouched until finish_sums has waited for every one started; progress
  // lets them advance meanwhile. A Collective without them sums at once.
  virtual void start_sum(std::span<float> values) { sum(values); }
  virtual void start_sum(std::span<double> values) { sum(values); }
  virtual void progress() {}
  virtual void finish_sums() {}

  bool leader() const { return rank() == 0; }  // writes files and prints
  void average(std::span<float> values) { average_of(values); }
  void average(std::span<double> values) { average_of(values); }

 private:
  template <class T> void average_of(std::span<T> values) {
    sum(values);
    const T inv = T(1) / T(ranks());
    for (T& v : values) v *= inv;
  }
};

// ModelOptions::batch_norm_sum for a run over `c` (null: one process): its sums when the batch
// norm is to be synchronised, else none.
inline ProcessSum batch_norm_sum(Collective* c, bool synchronise) {
  if (!c || !synchronise) return {};
  return [c](std::span<double> values) { c->sum(values); };
}

}  // namespace typenet
