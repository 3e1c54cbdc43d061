#pragma once
// Averaging a data-parallel step's gradients over the processes while backward still runs.
// The flat gradient buffer holds node after node (model.hpp) and backward runs from the last
// node to the first, so when node i's backward ends, the buffer from node i's offset to the
// end is final. GradientSync starts a sum of that final, not yet sent tail as soon as it holds
// bucket_bytes (PyTorch DDP's buckets: 25 MiB by default), and the sums run on while the
// earlier nodes compute; after backward it sends the rest, waits for all and divides by the
// number of processes. Every process cuts the same buckets, as its collective calls must match.
// bucket_bytes 0: one sum after backward. Without a Collective it does nothing.
//
//   sync.begin(model.grads(), first_trained_node);
//   model.backward(first_trained_node, [&](std::size_t node) { sync.node_done(node); });
//   sync.finish();
#include <cstddef>
#include <span>
#include <vector>
#include "typenet/graph/for_each_node.hpp"
#include "typenet/train/collective.hpp"

namespace typenet {

template <class T>
class GradientSync {
 public:
  // node_offsets: where each node's gradients start in the flat buffer, then its size.
  GradientSync(Collective* comm, std::vector<long> node_offsets, std::size_t bucket_bytes)
      : comm_(comm), offsets_(std::move(node_offsets)), bucket_(bucket_bytes / sizeof(T)) {}
  template <class Net>
  static GradientSync for_network(Collective* comm, std::size_t bucket_bytes) {
    std::vector<long> offsets;
    for_each_node(typename Net::nodes{}, [&](auto, long p, long) { offsets.push_back(p); });
    offsets.push_back(Net::param_count);
    return GradientSync(comm, std::move(offsets), bucket_bytes);
  }

  // A step's backward begins; nodes before first_node compute no gradients and are not summed.
  void begin(std::span<T> grads, std::size_t first_node) {
    grads_ = grads, first_ = first_node;
    unsent_from_ = grads.size();
  }
  void node_done(std::size_t node) {
    if (!comm_ || node < first_) return;
    const std::size_t from = std::size_t(offsets_[node]);
    if (bucket_ > 0 && unsent_from_ - from >= bucket_) send_from(from);
    else comm_->progress();
  }
  void finish() {
    if (!comm_) return;
    const std::size_t from = std::size_t(offsets_[first_]);
    if (unsent_from_ > from) send_from(from);
    comm_->finish_sums();
    const T inv = T(1) / T(comm_->ranks());
    for (T& g : grads_.subspan(from)) g *= inv;
  }

 private:
  void send_from(std::size_t from) {
    comm_->start_sum(grads_.subspan(from, unsent_from_ - from));
    unsent_from_ = from;
  }

  Collective* comm_;
  std::vector<long> offsets_;
  std::size_t bucket_;  // in elements
  std::span<T> grads_;
  std::size_t first_ = 0, unsent_from_ = 0;
};

}  // namespace typenet
