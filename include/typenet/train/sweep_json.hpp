#pragma once
// A sweep's space from a JSON file (needs nlohmann-json):
//   {"batch": [128, 256], "lr": [0.05, 0.1, 0.2], "wd": [5e-4, 1e-3]}
// Keys left out keep SweepSpace's defaults; anything else is an error naming the file.
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include "typenet/train/sweep.hpp"

namespace typenet {

inline SweepSpace read_sweep_json(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw Error("typenet: cannot read the sweep file " + file.string());
  SweepSpace s;
  try {
    const auto j = nlohmann::json::parse(in);
    if (!j.is_object()) throw Error("typenet: " + file.string() + ": expected an object with batch, lr, wd");
    for (const auto& [key, value] : j.items()) {
      if (key == "batch") s.batch = value.get<std::vector<int>>();
      else if (key == "lr") s.lr = value.get<std::vector<float>>();
      else if (key == "wd") s.wd = value.get<std::vector<float>>();
      else throw Error("typenet: " + file.string() + ": unknown key '" + key + "' (batch, lr, wd)");
    }
  } catch (const nlohmann::json::exception& e) {
    throw Error("typenet: " + file.string() + ": " + e.what());
  }
  check_space(s);
  return s;
}

}  // namespace typenet
