// typenet bench: throughput or latency of a zoo model, or of a transfer backbone (1000 classes)
// at one of the input sizes it is offered at here.
#include <type_traits>
#include <typenet/bench/throughput.hpp>
#include <typenet/zoo/backbones.hpp>
#include "cli.hpp"

namespace {

// f(std::type_identity<Net>{}) for a backbone at an offered size (0: its native size); false
// when the name is no backbone's. A backbone at another size is an Error listing the offered.
template <class F> bool visit_backbone(const std::string& name, int size, F&& f) {
  auto offer = [&]<class... Nets>(const char* backbone, std::type_identity<Nets>...) {
    if (name != backbone) return false;
    bool found = false;
    std::string sizes;
    ((sizes += (sizes.empty() ? "" : ", ") + std::to_string(Nets::input_shape.h),
      !found && (size == 0 || size == Nets::input_shape.h) ? (f(std::type_identity<Nets>{}), found = true) : false),
     ...);
    if (!found) throw tn::Error("typenet: bench offers " + name + " at input sizes " + sizes + ", not " + std::to_string(size));
    return true;
  };
  namespace zoo = tn::zoo;
  return offer("ResNet34", std::type_identity<zoo::ResNet34<1000, 224>>{}, std::type_identity<zoo::ResNet34<1000, 128>>{}) ||
         offer("EfficientNetB2", std::type_identity<zoo::EfficientNetB2<1000, 260>>{},
               std::type_identity<zoo::EfficientNetB2<1000, 288>>{}) ||
         offer("Xception", std::type_identity<zoo::Xception<1000, 299>>{}) ||
         offer("MobileNetV2", std::type_identity<zoo::MobileNetV2<1000, 224>>{},
               std::type_identity<zoo::MobileNetV2<1000, 128>>{});
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
