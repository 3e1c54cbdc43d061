// The gradient all-reduce of data-parallel training, timed alone: for each network, its f32
// gradient buffer averaged over the processes as the training loop does it (Collective::average,
// MPI_Allreduce), the median of --repeats calls after a warm-up. One line per network:
//   mpirun -np 2 build/bin/bench_allreduce [repeats]
// bus_gb_s is the ring all-reduce's bandwidth figure: 2 (N-1)/N x bytes / time.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>
#include <typenet/dist/mpi.hpp>
#include <typenet/zoo/airbench94.hpp>
#include <typenet/zoo/backbones.hpp>
#include <typenet/zoo/seed_model7.hpp>

namespace tn = typenet;

int main(int argc, char** argv) {
  tn::dist::MpiSession mpi(&argc, &argv);
  tn::dist::MpiCollective world;
  const int repeats = argc > 1 ? std::max(3, std::atoi(argv[1])) : 30;
  struct Net {
    const char* name;
    long params;
  };
  const Net nets[] = {{"SeedModel7", tn::zoo::SeedModel7::param_count},
                      {"Airbench94", tn::zoo::Airbench94::param_count},
                      {"MobileNetV2", tn::zoo::MobileNetV2<1000, 224>::param_count},
                      {"EfficientNetB2", tn::zoo::EfficientNetB2<1000, 260>::param_count},
                      {"ResNet34", tn::zoo::ResNet34<1000, 224>::param_count}};
  if (world.leader())
    std::printf("# %d processes, f32 gradients averaged with MPI_Allreduce, median of %d calls\n", world.ranks(), repeats);
  for (const Net& n : nets) {
    std::vector<float> grads(std::size_t(n.params), 1.0f);
    std::vector<double> ms;
    for (int i = 0; i < repeats + 3; ++i) {
      double line_up = 0;  // a one-value sum lines the processes up: each call then times the transfer alone
      world.sum(std::span<double>(&line_up, 1));
      const auto t0 = std::chrono::steady_clock::now();
      world.average(grads);
      const double t = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
      if (i >= 3) ms.push_back(t);
    }
    std::sort(ms.begin(), ms.end());
    const double median = ms[ms.size() / 2], bytes = 4.0 * double(n.params);
    const double bus = 2.0 * (world.ranks() - 1) / world.ranks() * bytes / (median * 1e-3) / 1e9;
    if (world.leader())
      std::printf("allreduce net=%s params=%ld mb=%.2f ms_median=%.3f ms_min=%.3f bus_gb_s=%.2f\n", n.name, n.params,
                  bytes / 1e6, median, ms.front(), bus);
  }
  return 0;
}
