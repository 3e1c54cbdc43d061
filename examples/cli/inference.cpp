// typenet eval, predict and plot: saved weights run in inference.
#include <filesystem>
#include <sstream>
#include <typenet/draw/run_pictures.hpp>
#include <typenet/predict.hpp>
#include "cli.hpp"

namespace {

template <class Net>
int eval(const std::string& name, const std::string& weights, const DataArgs& d, int batch, int threads) {
  tn::onednn::set_threads(threads);
  tn::Model<Net> model({.batch = batch});
  tn::io::load(weights, model);  // first: a wrong file should not wait for the dataset
  const auto data = d.load();
  const auto r = tn::evaluate(model, data.test, {.normalize = d.norm()});
  std::printf("model %s, weights %s: test_loss %.4f\n", name.c_str(), weights.c_str(), r.loss);
  std::printf("test_accuracy=%.4f\n", r.accuracy);
  return 0;
}

// Pictures of a finished run from its weights and (when the folder has one) its history.csv.
template <class Net>
int plot(const std::string& name, const std::string& weights, const std::string& dir, const DataArgs& d) {
  const auto csv = std::filesystem::path(dir) / "history.csv";
  const auto history = std::filesystem::exists(csv) ? tn::read_history_csv(csv) : std::vector<tn::EpochStats>{};
  if (weights.empty()) {  // the curves alone
    if (history.empty()) throw tn::Error("typenet: plot: no " + csv.string() + " and no --weights: nothing to draw");
    tn::plot::training_curves(std::filesystem::path(dir) / "training_curves.png", history, name);
    std::printf("training curves in %s\n", dir.c_str());
    return 0;
  }
  tn::Model<Net> model({.batch = 250});
  tn::io::load(weights, model);
  const auto data = d.load();
  const auto r = tn::write_run_pictures(dir, history, model, data.test, name, d.norm());
  std::printf("model %s, weights %s: test_accuracy=%.4f; pictures in %s\n", name.c_str(), weights.c_str(), r.accuracy,
              dir.c_str());
  return 0;
}

// Top-3 classes of each image (PNG or JPEG, centre-cropped and resized to the network's input).
// Class names are CIFAR-10's unless --classes names a file with one per line.
template <class Net>
int predict(const std::string& weights, const std::vector<std::string>& images, const std::string& normalize,
            const std::string& classes_file) {
  tn::Model<Net> model({.batch = 1});
  tn::io::load(weights, model);
  std::vector<std::string> names(tn::cifar10::class_names.begin(), tn::cifar10::class_names.end());
  if (!classes_file.empty()) {
    names.clear();
    std::istringstream in(tn::io::read_text_file(classes_file, "class names file", 1 << 20));
    for (std::string line; std::getline(in, line);)
      if (!line.empty()) names.push_back(line);
  }
  if (int(names.size()) < Net::output_shape.c)
    throw tn::Error("typenet: " + std::to_string(names.size()) + " class names for a network with " +
                    std::to_string(Net::output_shape.c) + " outputs (give --classes FILE)");
  for (const auto& file : images) {
    const auto top = tn::predict(model, tn::load_image(file, Net::input_shape), 3, tn::Normalize::preset(normalize));
    std::printf("%s:", file.c_str());
    for (auto [label, p] : top) std::printf("  %s %.3f", names[std::size_t(label)].c_str(), p);
    std::printf("\n");
  }
  return 0;
}

template <class F> int with_model(const std::string& name, F&& f) {
  int rc = 2;
  if (!tn::zoo::visit_model(name, [&](auto t) { rc = f(t); })) throw unknown_model(name);
  return rc;
}

}  // namespace

int eval_command(const EvalArgs& a) {
  return with_model(a.model, [&](auto t) {
    return eval<typename decltype(t)::type>(a.model, a.weights, a.data, a.batch, a.threads);
  });
}
int predict_command(const PredictArgs& a) {
  return with_model(a.model, [&](auto t) {
    return predict<typename decltype(t)::type>(a.weights, a.images, a.normalize, a.classes);
  });
}
int plot_command(const PlotArgs& a) {
  return with_model(a.model, [&](auto t) { return plot<typename decltype(t)::type>(a.model, a.weights, a.dir, a.data); });
}
