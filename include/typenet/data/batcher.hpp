#pragma once
// Batcher: turns an ImageSet into normalised float batches (N,C,H,W) of a network's input
// shape, with seeded shuffling and augmentation. The random draws are made in order (results
// do not depend on the thread count); the images are then written in parallel.
// Data-parallel training gives each process a Shard: every process shuffles and draws for the
// whole global batch, the same on all, and writes only its own slice of it, so the processes
// together see exactly the batches of a single-process run.
#include <algorithm>
#include <numeric>
#include <span>
#include <string>
#include <vector>
#include "typenet/core/rng.hpp"
#include "typenet/data/augment.hpp"
#include "typenet/data/image_set.hpp"
#include "typenet/data/transform.hpp"
#include "typenet/io/bytes.hpp"

namespace typenet {

// This process's slice of every global batch: images [rank * local, (rank + 1) * local) of it,
// local = batch / ranks.
struct Shard {
  int rank = 0, ranks = 1;
};

class Batcher {
 public:
  // `input`: the network's input shape (Net::input_shape); the set's images are converted to it.
  // `batch`: the global batch, of which fill() writes this shard's batch / ranks images.
  Batcher(const ImageSet& set, Shape input, int batch, std::uint64_t seed, Normalize norm = Normalize::cifar(),
          Shard shard = {})
      : set_(set), input_(input), batch_(batch), norm_(norm), rng_(seed), shard_(shard) {
    if (batch < 1) throw Error("typenet: the batch size must be at least 1, not " + std::to_string(batch));
    if (shard.ranks < 1 || shard.rank < 0 || shard.rank >= shard.ranks || batch % shard.ranks != 0)
      throw Error("typenet: a global batch of " + std::to_string(batch) + " does not split evenly over " +
                  std::to_string(shard.ranks) + " processes");
    check_feeds(set.shape, input, "the dataset");
    order_.resize(set.size());
    std::iota(order_.begin(), order_.end(), 0u);
    Rng flips(seed ^ 0xf11bf11bf11bf11bull);  // its own stream: shuffles stay as without it
    base_flip_.resize(set.size());
    for (auto& f : base_flip_) f = std::uint8_t(flips.next() & 1);
  }
  // Full batches per epoch (the last partial batch is dropped in training).
  std::size_t batches() const { return set_.size() / std::size_t(batch_); }
  // Starts an epoch: a new order (and, for alternating flips, the other orientation).
  void shuffle() {
    ++epoch_;
    for (std::size_t i = order_.size(); i > 1; --i) std::swap(order_[i - 1], order_[rng_.below(std::uint32_t(i))]);
  }
  // What a resumed run needs: the generator, the epoch count and the current order.
  void save_state(io::Bytes& b) const { b.put(rng_.state()).put(epoch_).put_values(order_); }
  void load_state(io::BytesReader r) {
    rng_ = Rng::from_state(r.get<std::uint64_t>());
    epoch_ = r.get<long>();
    order_ = r.get_values<std::uint32_t>(order_.size());
    std::vector<bool> seen(order_.size());  // the order must be a permutation: each image once
    for (auto i : order_) {
      if (i >= order_.size()) r.fail("holds an image index outside the training set");
      if (seen[i]) r.fail("holds image " + std::to_string(i) + " twice in its order");
      seen[i] = true;
    }
    r.expect_end();
  }
  int local_batch() const { return batch_ / shard_.ranks; }
  // Write this shard's slice of batch b (in the current order) to `input` (local_batch() images,
  // N,C,H,W) and their labels to `labels`.
  void fill(std::size_t b, std::span<float> input, std::span<int> labels, const Augment& aug) {
    views_.resize(std::size_t(batch_));
    for (int i = 0; i < batch_; ++i) {  // every draw of the global batch, as one process makes them
      const std::uint32_t idx = order_[b * batch_ + i];
      views_[std::size_t(i)] = draw_view(rng_, aug, set_.shape, bool(base_flip_[idx] ^ (epoch_ & 1)));
    }
    const int local = local_batch(), first = shard_.rank * local;
    const std::size_t per_image = std::size_t(input_.size());
    for (int i = 0; i < local; ++i) labels[std::size_t(i)] = set_.labels[order_[b * batch_ + std::size_t(first + i)]];
#pragma omp parallel for schedule(static)
    for (int i = 0; i < local; ++i)
      write_image(set_.image(order_[b * batch_ + std::size_t(first + i)]), set_.shape,
                  input.data() + std::size_t(i) * per_image, input_, views_[std::size_t(first + i)], aug.reflect, norm_);
  }

 private:
  const ImageSet& set_;
  Shape input_;
  int batch_;
  Normalize norm_;
  Rng rng_;
  Shard shard_;
  std::vector<std::uint32_t> order_;
  std::vector<std::uint8_t> base_flip_;  // alternating flips: orientation in even epochs
  std::vector<ImageView> views_;         // this global batch's draws, one per image
  long epoch_ = -1;                      // counts shuffles: the first epoch is 0
};

}  // namespace typenet
