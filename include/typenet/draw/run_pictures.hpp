#pragma once
// The pictures of one finished run, written next to its history:
//   training_curves.png, confusion_matrix.png (test set), predictions.png (first 32 test images).
#include <filesystem>
#include <span>
#include <string>
#include <vector>
#include "typenet/draw/charts.hpp"
#include "typenet/train/evaluate.hpp"

namespace typenet {

// Evaluates `model` on `test` once (normalised by `norm`, as in training) and returns that evaluation.
// `held_out` names what the history's val_* columns measured.
template <class M>
EvalResult write_run_pictures(const std::filesystem::path& dir, std::span<const EpochStats> history, M& model,
                              const ImageSet& test, const std::string& title, const Normalize& norm = Normalize::cifar(),
                              const std::string& held_out = "validation") {
  std::vector<int> predicted;
  const auto r = evaluate(model, test, {.normalize = norm, .predicted = &predicted});
  if (!history.empty()) plot::training_curves(dir / "training_curves.png", history, title, held_out);
  plot::confusion_matrix(dir / "confusion_matrix.png", plot::confusion(predicted, test.labels, test.classes()),
                         test.class_names, title);
  plot::prediction_grid(dir / "predictions.png", test, predicted);
  return r;
}

}  // namespace typenet
