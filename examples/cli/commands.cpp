// The CLI's commands: each picks the network type by name and calls that type's command,
// compiled in the model's own TU (models/*.cpp); nothing here instantiates a Model.
#include <sstream>
#include <type_traits>
#include <typenet/study/sweep_json.hpp>
#include <typenet/zoo/backbones.hpp>
#include "cli.hpp"

namespace {

// f(std::type_identity<Net>{}) for the zoo model `name`; its result, or UnknownModel.
template <class F> int with_model(const std::string& name, F&& f) {
  int rc = 2;
  if (!tn::zoo::visit_model(name, [&](auto t) { rc = f(t); })) throw unknown_model(name);
  return rc;
}

// f(std::type_identity<Net>{}) for the backbone `name` with `classes` outputs (10 or 1000) and
// input `size` (0: its native size), from zoo::for_each_backbone's table; false: no such
// backbone. `command` names the command for the message when the size is not offered.
template <int Classes, class F> bool visit_backbone(const std::string& name, int size, const char* command, F&& f) {
  bool named = false, found = false;
  int native = 0;
  std::string sizes;
  tn::zoo::for_each_backbone([&]<class Net>(std::type_identity<Net>, const char* backbone, const char*) {
    if (name == backbone && !native) native = Net::input_shape.h;  // the table lists it first, at 1000 classes
  });
  tn::zoo::for_each_backbone([&]<class Net>(std::type_identity<Net> t, const char* backbone, const char*) {
    if constexpr (Net::output_shape.c == Classes) {
      if (name != backbone) return;
      named = true;
      sizes += (sizes.empty() ? "" : ", ") + std::to_string(Net::input_shape.h);
      if (!found && (size ? size : native) == Net::input_shape.h) {
        f(t);
        found = true;
      }
    }
  });
  if (named && !found)
    throw tn::Error(std::string("typenet: ") + command + " offers " + name + " with " + std::to_string(Classes) +
                    " classes at input sizes " + sizes + ", not " + std::to_string(size ? size : native));
  return named;
}

// A model for eval and predict: a backbone at --size with --num-classes, or a zoo model.
template <class F> int with_model_or_backbone(const std::string& name, int size, int classes, const char* command, F&& f) {
  int rc = 2;
  const auto run = [&](auto t) { rc = f(t); };
  if (classes == 1000 ? visit_backbone<1000>(name, size, command, run) : visit_backbone<10>(name, size, command, run)) return rc;
  if (size) throw tn::Error("typenet: --size is for the transfer backbones; " + name + " has one input size");
  return with_model(name, f);
}

}  // namespace

int train_command(const TrainArgs& a, const tn::io::CheckpointReader* resume) {
  int rc = 2;
  if (!tn::zoo::visit_model(a.model, [&](auto t) { rc = train_model<typename decltype(t)::type>(a, resume); })) {
    if (resume) throw tn::Error("typenet: checkpoint " + a.resume + " is of an unknown model '" + a.model + "'");
    throw unknown_model(a.model);
  }
  return rc;
}
int finetune_command(const FineTuneArgs& a, const tn::io::CheckpointReader* resume) {
  int rc = 2;
  if (!visit_backbone<10>(a.run.model, a.size, "finetune", [&](auto t) { rc = finetune_model<typename decltype(t)::type>(a, resume); }))
    throw tn::Error("typenet: finetune takes a transfer backbone (ResNet34, EfficientNetB2, Xception, MobileNetV2), not '" +
                    a.run.model + "'");
  return rc;
}
int eval_command(const EvalArgs& a) {
  return with_model_or_backbone(a.model, a.size, a.num_classes, "eval",
                                [&](auto t) { return eval_model<typename decltype(t)::type>(a); });
}
int predict_command(const PredictArgs& a) {
  return with_model_or_backbone(a.model, a.size, a.num_classes, "predict",
                                [&](auto t) { return predict_model<typename decltype(t)::type>(a); });
}
int plot_command(const PlotArgs& a) {
  return with_model(a.model, [&](auto t) { return plot_model<typename decltype(t)::type>(a); });
}

// What study and sweep set alike from their options; the output folder is checked before the
// data are read.
template <class Args> tn::Dataset runs_setup(Args& a) {
  a.config.train.epochs = a.epochs;
  a.config.train.schedule.warmup = a.warmup;
  a.config.train.label_smoothing = a.smoothing;
  a.config.train.normalize = a.data.norm();
  a.config.precision = precision(a.dtype);
  a.config.out = a.out;
  a.config.progress = leader();
  a.config.train.collective = world();  // under mpirun each run is data-parallel
  a.config.train.gradient_bucket_bytes = gradient_bucket_bytes();
  a.config.sync_batch_norm = sync_batch_norm();
  if (leader()) tn::io::prepare_output_dir(a.config.out, "--out");
  return a.data.load();
}

int study_command(StudyArgs& sa) {
  sa.config.train.schedule.peak = sa.lr;
  const auto data = runs_setup(sa);
  std::vector<tn::StudyRow> rows;
  std::stringstream names(sa.models);
  for (std::string name; std::getline(names, name, ',');) {
    const bool found = tn::zoo::visit_model(name, [&](auto t) {
      std::printf("== %s\n", name.c_str());
      std::fflush(stdout);
      rows.push_back(study_model<typename decltype(t)::type>(name, data, sa.config));
      if (leader()) tn::write_study(sa.config.out, rows);  // after each model: a study stopped early keeps its rows
    });
    if (!found) throw unknown_model(name);
  }
  std::printf("\n%s\nresults in %s\n", tn::study_table(rows).c_str(), sa.config.out.string().c_str());
  return 0;
}

int sweep_command(SweepArgs& wa) {
  if (!wa.file.empty()) wa.space = tn::read_sweep_json(wa.file);
  const auto points = wa.random ? tn::random_points(wa.space, wa.random, wa.config.train.seed) : tn::grid_points(wa.space);
  const auto data = runs_setup(wa);
  std::vector<tn::SweepRow> rows;
  const bool found = tn::zoo::visit_model(wa.model, [&](auto t) {
    std::printf("sweep of %s: %zu runs of %d epochs\n", wa.model.c_str(), points.size(), wa.epochs);
    rows = sweep_model<typename decltype(t)::type>(data, wa.config, points, [](const tn::SweepRow& r) {
      std::printf("== %s: best val acc %.4f%s\n", r.point.label().c_str(), r.result.best_val_accuracy,
                  r.result.diverged ? " (diverged)" : "");
      std::fflush(stdout);
    });
  });
  if (!found) throw unknown_model(wa.model);
  std::printf("\n%s\nresults in %s\n", tn::sweep_table(rows).c_str(), wa.out.c_str());
  return 0;
}

int bench_command(const BenchArgs& a) {
  const tn::bench::Settings s{.label = a.model + (a.size ? "@" + std::to_string(a.size) : ""), .mode = a.mode,
                              .precision = precision(a.dtype), .batch = a.batch, .threads = a.threads,
                              .steps = a.steps, .repeats = a.repeats, .direct = a.direct};
  auto run = [&](auto t) { bench_model<typename decltype(t)::type>(s); };
  if (visit_backbone<1000>(a.model, a.size, "bench", run)) return 0;
  if (a.size) throw tn::Error("typenet: --size is for the transfer backbones; " + a.model + " has one input size");
  if (!tn::zoo::visit_model(a.model, run)) throw unknown_model(a.model);
  return 0;
}

// The zoo, then the transfer backbones (native size, then CIFAR-friendly sizes); with a name,
// only that model, and with `verbose` the first one's layer and parameter tables.
void models_command(const std::string& name, bool verbose) {
  std::printf("%-16s %-13s %12s %14s\n", "model", "input", "params", "MACs/image");
  bool any = false;
  auto list = [&](auto t, const char* model, const char* note) {
    if (!name.empty() && name != model) return;
    list_model<typename decltype(t)::type>(model, note, verbose && !any);
    any = true;
  };
  tn::zoo::for_each_model([&](auto t, const char* model) { list(t, model, ""); });
  tn::zoo::for_each_backbone(list);
  if (!any) throw unknown_model(name);
}
