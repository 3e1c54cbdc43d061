// A translation unit that instantiates Model (oneDNN backend, forward and backward) for every
// zoo network and every transfer backbone at its native size: what compile time and memory
// grow with. Timed by benchmarks/compile_time.sh; not part of the build.
#include <typenet/typenet.hpp>
#include <typenet/zoo/backbones.hpp>

namespace tn = typenet;

template <class Net> void run() {
  tn::Model<Net> m({.batch = 2});
  m.forward(tn::Mode::train);
  m.backward();
  m.forward(tn::Mode::infer);
}

int main() {
  tn::zoo::for_each_model([](auto t, const char*) { run<typename decltype(t)::type>(); });
#ifndef ZOO_ONLY  // -DZOO_ONLY: the ten CIFAR networks alone, the figure before the backbones
  run<tn::zoo::ResNet34<>>();
  run<tn::zoo::EfficientNetB2<>>();
  run<tn::zoo::Xception<>>();
  run<tn::zoo::MobileNetV2<>>();
#endif
}
