// Data-parallel training steps three ways: the gradient sums started in buckets while backward
// runs (train/gradient_sync.hpp, 25 MiB as the training loop does by default), one sum after
// backward, and no sum (the step of one process alone, for the sums' cost). Each network
// trains on this process's share of its global batch; the ways take turns step by step, each
// first in turn, so the machine's drift falls on all alike; medians over the measured steps,
// after 2 warm-up rounds.
//   mpirun -np 2 build/bin/bench_gradient_sync [steps] [threads per process]
// backward_ms runs from a line-up of the processes (as the step's loss sum lines them up in
// training) to averaged gradients; step_ms adds the forward pass. From backward_ms:
//   the sums' cost = single - none, their share of a step = (single - none) / single's step_ms,
//   and what the buckets hide = (single - bucketed) / (single - none).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>
#include <typenet/dist/mpi.hpp>
#include <typenet/typenet.hpp>
#include <typenet/zoo/airbench94.hpp>
#include <typenet/zoo/backbones.hpp>
#include <typenet/zoo/seed_model7.hpp>

namespace tn = typenet;
using clock_type = std::chrono::steady_clock;

namespace {

// Passes every call on to MPI, counting the sums started (the buckets of a step).
class CountingCollective final : public tn::Collective {
 public:
  explicit CountingCollective(tn::Collective& inner) : inner_(inner) {}
  int started = 0;
  int rank() const override { return inner_.rank(); }
  int ranks() const override { return inner_.ranks(); }
  void sum(std::span<float> v) override { inner_.sum(v); }
  void sum(std::span<double> v) override { inner_.sum(v); }
  void broadcast(std::span<std::uint8_t> b, int root) override { inner_.broadcast(b, root); }
  void start_sum(std::span<float> v) override { ++started, inner_.start_sum(v); }
  void start_sum(std::span<double> v) override { ++started, inner_.start_sum(v); }
  void progress() override { inner_.progress(); }
  void finish_sums() override { inner_.finish_sums(); }

 private:
  tn::Collective& inner_;
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  return "unknown CPU";
}

template <class Net>
void run(tn::dist::MpiCollective& world, const char* name, int global_batch, int steps, tn::Precision precision) {
  const int batch = global_batch / world.ranks();
  tn::Model<Net> m({.batch = batch, .seed = 1, .precision = precision});
  tn::Rng rng(7);
  for (float& x : m.input()) x = rng.uniform(-1.0f, 1.0f);
  for (float& x : m.diff_output()) x = rng.uniform(-1e-3f, 1e-3f);
  struct Way {
    const char* name;
    bool sums;
    std::size_t bucket_bytes;
    std::vector<double> backward_ms, step_ms;
    int buckets = 0;
  } ways[] = {{"bucketed_25MiB", true, std::size_t(25) << 20}, {"single", true, 0}, {"none", false, 0}};
  const auto ms = [](clock_type::duration d) { return std::chrono::duration<double, std::milli>(d).count(); };
  for (int s = 0; s < steps + 2; ++s) {
    for (int k = 0; k < 3; ++k) {
      Way& w = ways[(s + k) % 3];  // each way first in turn: none gains from its place in the round
      CountingCollective counted(world);
      auto sync = tn::GradientSync<float>::template for_network<Net>(w.sums ? &counted : nullptr, w.bucket_bytes);
      const auto t0 = clock_type::now();
      m.forward(tn::Mode::train);
      double line_up = 0;
      world.sum(std::span<double>(&line_up, 1));
      const auto t1 = clock_type::now();
      sync.begin(m.grads(), 0);
      m.backward(0, [&](std::size_t node) { sync.node_done(node); });
      sync.finish();
      const auto t2 = clock_type::now();
      if (s < 2) continue;
      w.backward_ms.push_back(ms(t2 - t1)), w.step_ms.push_back(ms(t2 - t0));
      w.buckets = counted.started;
    }
  }
  // Every process's medians, the slowest of them: a step ends when the last process's does.
  double medians[6];
  for (int i = 0; i < 3; ++i) medians[2 * i] = median(ways[i].backward_ms), medians[2 * i + 1] = median(ways[i].step_ms);
  std::vector<double> all(6 * std::size_t(world.ranks()), 0.0);
  std::copy(medians, medians + 6, all.begin() + 6 * world.rank());
  world.sum(std::span<double>(all));
  for (int r = 1; r < world.ranks(); ++r)
    for (int i = 0; i < 6; ++i) medians[i] = std::max(medians[i], all[std::size_t(6 * r + i)]);
  if (!world.leader()) return;
  for (int i = 0; i < 3; ++i)
    std::printf("gradient_sync net=%s global_batch=%d gradient_mb=%.1f way=%s buckets=%d backward_ms=%.1f step_ms=%.1f\n",
                name, global_batch, 4e-6 * double(Net::param_count), ways[i].name, ways[i].buckets, medians[2 * i],
                medians[2 * i + 1]);
  // From backward_ms, the part of a step the sums change (forward's own spread would drown them).
  const double bucketed = medians[0], single = medians[2], none = medians[4];
  std::printf("gradient_sync net=%s sums_ms=%.1f sums_share_of_step=%.1f%% hidden_by_buckets=%.0f%%\n", name,
              single - none, 100 * (single - none) / medians[3],
              single > none ? 100 * (single - bucketed) / (single - none) : 0.0);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  tn::dist::MpiSession mpi(&argc, &argv);
  tn::dist::MpiCollective world;
  const int steps = argc > 1 ? std::max(3, std::atoi(argv[1])) : 5;
  tn::onednn::set_threads(argc > 2 ? std::atoi(argv[2]) : 1);
  const auto precision = tn::onednn::has_fast_bf16() ? tn::Precision::bf16 : tn::Precision::f32;
  if (world.leader())
    std::printf("# %s, oneDNN %s, %d processes x %d threads, %s, median of %d steps per way (the slowest process's)\n",
                cpu_model().c_str(), tn::onednn::isa_name(), world.ranks(), tn::onednn::threads(),
                precision == tn::Precision::bf16 ? "bf16" : "f32", steps);
  try {
    run<tn::zoo::SeedModel7>(world, "SeedModel7", 256, steps, precision);
    run<tn::zoo::Airbench94>(world, "Airbench94", 1024, steps, precision);
    run<tn::zoo::MobileNetV2<1000, 224>>(world, "MobileNetV2@224", 64, steps, precision);
    run<tn::zoo::EfficientNetB2<1000, 260>>(world, "EfficientNetB2@260", 32, steps, precision);
    run<tn::zoo::ResNet34<1000, 224>>(world, "ResNet34@224", 32, steps, precision);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_gradient_sync: %s\n", e.what());
    tn::dist::MpiSession::abort_all(1);
  }
  return 0;
}
