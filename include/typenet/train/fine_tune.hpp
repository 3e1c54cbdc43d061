#pragma once
// Fine-tuning a pretrained backbone: one training loop (train/loop.hpp) in two phases.
//   phase 1 (freeze_epochs): only the head trains. The frozen stages run no backward pass and,
//            as Keras advises, their batch norms run on their running statistics
//            (train_frozen_bn: fastai's choice instead, BN layers keep training everywhere).
//   phase 2 (epochs):        the stages from `unfreeze_from` on train too, each at its own rate.
// Two presets:
//   fastai  fine_tune: phase 1 one-cycle to lr (pct_start 0.99); phase 2 one-cycle to lr/2
//           (pct_start 0.3, div 5), the rates spread geometrically over the stages as fastai's
//           slice(lr/2/lr_mult, lr/2): the first unfrozen stage lr/2/lr_mult, the head lr/2.
//           Cosine annealing both ways (start lr/div, div 25; end lr/1e5).
//   keras   phase 1 at a constant lr, phase 2 at a constant low rate (keras_unfrozen_lr), one
//           rate for all: "train the head, then unfreeze at a low learning rate".
// Stages come from a NameMap (zoo/reference_names.hpp); the hook sets the frozen prefix and the
// optimiser's rate ranges at every step from the step alone, so a resumed run agrees.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>
#include "typenet/core/error.hpp"
#include "typenet/graph/walk.hpp"
#include "typenet/io/name_map.hpp"
#include "typenet/train/loop_state.hpp"
#include "typenet/train/optim.hpp"

namespace typenet {

// A stage of a network: its first top-level node and its range of the parameter buffer.
struct NetworkStage {
  std::string name;
  std::size_t first_node = 0;
  long param_begin = 0, param_end = 0;
};

// The map's stages placed in Net; an Error when a stage's first tensor is not among the names.
template <class Net>
std::vector<NetworkStage> network_stages(const io::NameMap& map) {
  const auto tensors = named_tensors<Net>();
  if (map.names.size() != tensors.size())
    throw Error("typenet: the name map of " + map.source + " does not fit this network (" + std::to_string(map.names.size()) +
                " names, " + std::to_string(tensors.size()) + " tensors)");
  if (map.stages.empty()) throw Error("typenet: the name map of " + map.source + " has no stages");
  std::vector<NetworkStage> out;
  for (const auto& s : map.stages) {
    const auto it = std::find(map.names.begin(), map.names.end(), s.first_tensor);
    if (it == map.names.end()) throw Error("typenet: stage " + s.name + " of " + map.source + " begins at an unknown tensor");
    const NamedTensor& t = tensors[std::size_t(it - map.names.begin())];
    if (t.state) throw Error("typenet: stage " + s.name + " of " + map.source + " begins at a statistic, not a parameter");
    out.push_back({s.name, std::stoul(t.name.substr(0, t.name.find('.'))), t.offset, Net::param_count});
  }
  for (std::size_t i = 0; i + 1 < out.size(); ++i) out[i].param_end = out[i + 1].param_begin;
  return out;
}

// The index of stage `name` ("" = the first), or an Error listing the stages there are.
inline std::size_t stage_index(const std::vector<NetworkStage>& stages, const std::string& name) {
  if (name.empty()) return 0;
  for (std::size_t i = 0; i < stages.size(); ++i)
    if (stages[i].name == name) return i;
  std::string names;
  for (const auto& s : stages) names += (names.empty() ? "" : ", ") + s.name;
  throw Error("typenet: no stage '" + name + "'; the stages are " + names);
}

struct FineTunePlan {
  enum class Preset { fastai, keras } preset = Preset::fastai;
  double freeze_epochs = 1, epochs = 4;  // phase 1 (head only), phase 2 (unfrozen)
  float lr = 2e-3f;                      // fastai's base_lr; keras: the head's rate in phase 1
  float lr_mult = 100.0f;                // fastai: slice(lr/2/lr_mult, lr/2)
  float keras_unfrozen_lr = 1e-5f;       // keras: the rate of phase 2
  std::string unfreeze_from;             // the first stage trained in phase 2 ("" = all)
  bool train_frozen_bn = false;          // fastai's train_bn: frozen stages' BN layers train too

  double total_epochs() const { return freeze_epochs + epochs; }
  // The first step of phase 2, of `total` steps.
  long phase2_start(long total) const { return std::lround(double(total) * freeze_epochs / total_epochs()); }
};

// The learning rate of step t of T, the head's (the largest).
struct FineTuneSchedule {
  FineTunePlan plan;

  // fastai's cosine one-cycle: from peak/div up to peak at pct of the steps, then down to peak/1e5.
  static float one_cycle(long t, long steps, float peak, double pct, double div) {
    const auto cos_anneal = [](double from, double to, double x) { return to + (from - to) / 2 * (1 + std::cos(M_PI * x)); };
    const double x = steps > 1 ? double(t) / double(steps - 1) : 1.0;
    if (x < pct) return float(cos_anneal(peak / div, peak, x / pct));
    return float(cos_anneal(peak, peak / 1e5, pct < 1 ? (x - pct) / (1 - pct) : 1.0));
  }
  float operator()(long t, long total) const {
    const long b = plan.phase2_start(total);
    if (plan.preset == FineTunePlan::Preset::keras) return t < b ? plan.lr : plan.keras_unfrozen_lr;
    if (t < b) return one_cycle(t, b, plan.lr, 0.99, 25);
    return one_cycle(t - b, total - b, plan.lr / 2, 0.3, 5);
  }
};

// The hook: before every step, which nodes are frozen and at which rate each stage trains.
template <class Net, class Optimizer>
struct FineTuneHooks {
  FineTunePlan plan;
  std::vector<NetworkStage> stages;
  Optimizer& opt;
  std::vector<RateRange> bn_params;  // the batch norms' scale and shift, for train_frozen_bn

  FineTuneHooks(const FineTunePlan& p, const io::NameMap& map, Optimizer& o)
      : plan(p), stages(network_stages<Net>(map)), opt(o) {
    stage_index(stages, plan.unfreeze_from);  // an unknown stage is an Error now, not mid-run
    walk<Net>([&](auto, const LayerInfo& l) {
      if (std::string(l.kind) == "BatchNorm") bn_params.push_back({l.param_offset, l.param_offset + l.params, 1.0f, 0});
    });
  }

  template <class M> void on_step_begin(LoopState& st, M&) {
    const long b = plan.phase2_start(st.total_steps);
    const bool phase1 = st.step < b;
    const std::size_t head = stages.size() - 1, first = phase1 ? head : stage_index(stages, plan.unfreeze_from);
    std::vector<RateRange> ranges;
    for (std::size_t i = first; i < stages.size(); ++i) {
      float rate = 1.0f;  // fastai: slice(lo, hi) spread geometrically, the head at hi
      if (!phase1 && plan.preset == FineTunePlan::Preset::fastai && head > first)
        rate = float(std::pow(1.0 / plan.lr_mult, double(head - i) / double(head - first)));
      ranges.push_back({stages[i].param_begin, stages[i].param_end, rate, i == head ? 0 : b});
    }
    if (plan.train_frozen_bn) {  // every node trains forward and backward; frozen stages keep only their BN
      for (const RateRange& r : bn_params)
        if (r.begin < stages[first].param_begin) ranges.push_back(r);
      st.frozen_nodes = st.inference_nodes = 0;
    } else {
      st.frozen_nodes = st.inference_nodes = stages[first].first_node;
    }
    std::sort(ranges.begin(), ranges.end(), [](const RateRange& x, const RateRange& y) { return x.begin < y.begin; });
    opt.ranges = std::move(ranges);
  }
};

}  // namespace typenet
