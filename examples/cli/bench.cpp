// typenet bench: throughput or latency of a zoo model, or of a transfer backbone (1000 classes)
// at one of the input sizes it is offered at here.
#include <type_traits>
#include <typenet/bench/throughput.hpp>
#include <typenet/zoo/backbones.hpp>
#include "cli.hpp"

// The backbones' benchmarks are each compiled in a TU of their own (bench_<backbone>.cpp), so
// that a parallel build spreads them; here they are only declared. A configuration added to
// zoo::for_each_backbone without a line here is instantiated in this TU instead: slower to
// build, no less right.
#define TYPENET_BENCH_ELSEWHERE(...) extern template void tn::bench::throughput<__VA_ARGS__>(const tn::bench::Settings&)
TYPENET_BENCH_ELSEWHERE(tn::zoo::ResNet34<1000, 224>);
TYPENET_BENCH_ELSEWHERE(tn::zoo::ResNet34<1000, 128>);
TYPENET_BENCH_ELSEWHERE(tn::zoo::EfficientNetB2<1000, 288>);
TYPENET_BENCH_ELSEWHERE(tn::zoo::EfficientNetB2<1000, 260>);
TYPENET_BENCH_ELSEWHERE(tn::zoo::Xception<1000, 299>);
TYPENET_BENCH_ELSEWHERE(tn::zoo::MobileNetV2<1000, 224>);
TYPENET_BENCH_ELSEWHERE(tn::zoo::MobileNetV2<1000, 128>);
#undef TYPENET_BENCH_ELSEWHERE

namespace {

// f(std::type_identity<Net>{}) for the backbone `name` at 1000 classes and input `size` (0: its
// native size, the first listed), from zoo::for_each_backbone's table; false: no such backbone.
template <class F> bool visit_backbone(const std::string& name, int size, F&& f) {
  bool named = false, found = false;
  std::string sizes;
  tn::zoo::for_each_backbone([&]<class Net>(std::type_identity<Net> t, const char* backbone, const char*) {
    if constexpr (Net::output_shape.c == 1000) {
      if (name != backbone) return;
      named = true;
      sizes += (sizes.empty() ? "" : ", ") + std::to_string(Net::input_shape.h);
      if (!found && (size == 0 || size == Net::input_shape.h)) {
        f(t);
        found = true;
      }
    }
  });
  if (named && !found) throw tn::Error("typenet: bench offers " + name + " at input sizes " + sizes + ", not " + std::to_string(size));
  return named;
}

}  // namespace

int bench_command(const BenchArgs& a) {
  const tn::bench::Settings s{.label = a.model + (a.size ? "@" + std::to_string(a.size) : ""), .mode = a.mode,
                              .precision = precision(a.dtype), .batch = a.batch, .threads = a.threads,
                              .steps = a.steps, .repeats = a.repeats, .direct = a.direct};
  auto run = [&](auto t) { tn::bench::throughput<typename decltype(t)::type>(s); };
  if (visit_backbone(a.model, a.size, run)) return 0;
  if (a.size) throw tn::Error("typenet: --size is for the transfer backbones; " + a.model + " has one input size");
  if (!tn::zoo::visit_model(a.model, run)) throw unknown_model(a.model);
  return 0;
}
