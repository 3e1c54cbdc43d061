// typenet study and sweep: many runs of `fit`, one row each.
#include <sstream>
#include <typenet/study/sweep_json.hpp>
#include "cli.hpp"

int study_command(StudyArgs& sa) {
  sa.config.train.epochs = sa.epochs;
  sa.config.train.schedule = {.peak = sa.lr, .warmup = sa.warmup};
  sa.config.train.label_smoothing = sa.smoothing;
  sa.config.train.normalize = sa.data.norm();
  sa.config.precision = precision(sa.dtype);
  sa.config.out = sa.out;
  sa.config.progress = true;
  tn::io::prepare_output_dir(sa.config.out, "--out");
  const auto data = sa.data.load();
  std::vector<tn::StudyRow> rows;
  std::stringstream names(sa.models);
  for (std::string name; std::getline(names, name, ',');) {
    const bool found = tn::zoo::visit_model(name, [&](auto t) {
      using Net = typename decltype(t)::type;
      std::printf("== %s\n", name.c_str());
      std::fflush(stdout);
      rows.push_back(tn::run_experiment<Net>(name, data, sa.config));
      tn::write_study(sa.config.out, rows);  // after each model: a long study stopped early keeps its rows
    });
    if (!found) throw unknown_model(name);
  }
  std::printf("\n%s\nresults in %s\n", tn::study_table(rows).c_str(), sa.config.out.string().c_str());
  return 0;
}

int sweep_command(SweepArgs& wa) {
  if (!wa.file.empty()) wa.space = tn::read_sweep_json(wa.file);
  const auto points = wa.random ? tn::random_points(wa.space, wa.random, wa.config.train.seed) : tn::grid_points(wa.space);
  wa.config.train.epochs = wa.epochs;
  wa.config.train.schedule.warmup = wa.warmup;
  wa.config.train.label_smoothing = wa.smoothing;
  wa.config.train.normalize = wa.data.norm();
  wa.config.precision = precision(wa.dtype);
  wa.config.out = wa.out;
  wa.config.progress = true;
  tn::io::prepare_output_dir(wa.config.out, "--out");
  const auto data = wa.data.load();
  std::vector<tn::SweepRow> rows;
  const bool found = tn::zoo::visit_model(wa.model, [&](auto t) {
    using Net = typename decltype(t)::type;
    std::printf("sweep of %s: %zu runs of %d epochs\n", wa.model.c_str(), points.size(), wa.epochs);
    rows = tn::run_sweep<Net>(data, wa.config, points, [](const tn::SweepRow& r) {
      std::printf("== %s: best val acc %.4f%s\n", r.point.label().c_str(), r.result.best_val_accuracy,
                  r.result.diverged ? " (diverged)" : "");
      std::fflush(stdout);
    });
  });
  if (!found) throw unknown_model(wa.model);
  std::printf("\n%s\nresults in %s\n", tn::sweep_table(rows).c_str(), wa.out.c_str());
  return 0;
}
