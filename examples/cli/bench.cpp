// typenet bench: throughput or latency of a zoo model, or of a transfer backbone (1000 classes)
// at one of the input sizes it is offered at here.
#include <type_traits>
#include <typenet/bench/throughput.hpp>
#include <typenet/zoo/backbones.hpp>
#include "cli.hpp"

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
