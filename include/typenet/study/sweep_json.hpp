#pragma once
// A sweep's space from a JSON file (needs nlohmann-json):
//   {"batch": [128, 256], "lr": [0.05, 0.1, 0.2], "wd": [5e-4, 1e-3]}
// Keys left out keep SweepSpace's defaults. Every value is checked as it is read: batch sizes
// are whole numbers in 1..65536, rates positive and finite, decays non-negative; anything
// else (a fraction, a boolean, a string, an unknown key) is an error naming the file and the value.
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include "typenet/io/read_file.hpp"
#include "typenet/study/sweep.hpp"

namespace typenet {

// `name` is the file the text came from, for messages.
inline SweepSpace parse_sweep_json(const std::string& text, const std::string& name) {
  const auto fail = [&](const std::string& why) -> void { throw Error("typenet: sweep file " + name + ": " + why); };
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    fail(std::string("not valid JSON: ") + e.what());
  }
  if (!j.is_object()) fail("expected an object with batch, lr, wd");
  SweepSpace s;
  const auto list = [&](const std::string& key, const nlohmann::json& v) {
    if (!v.is_array() || v.empty()) fail("'" + key + "' must be a non-empty list");
    return v;
  };
  const auto where = [](const std::string& key, std::size_t i, const nlohmann::json& v) {
    return key + "[" + std::to_string(i) + "] = " + v.dump();
  };
  for (const auto& [key, value] : j.items()) {
    if (key == "batch") {
      s.batch.clear();
      const auto v = list(key, value);
      for (std::size_t i = 0; i < v.size(); ++i) {
        if (!v[i].is_number_integer()) fail(where(key, i, v[i]) + ": a batch size is a whole number");
        const auto b = v[i].get<long long>();
        if (b < 1 || b > 65536) fail(where(key, i, v[i]) + ": a batch size is in 1..65536");
        s.batch.push_back(int(b));
      }
    } else if (key == "lr" || key == "wd") {
      auto& out = key == "lr" ? s.lr : s.wd;
      out.clear();
      const auto v = list(key, value);
      for (std::size_t i = 0; i < v.size(); ++i) {
        if (!v[i].is_number()) fail(where(key, i, v[i]) + ": expected a number");
        const double x = v[i].get<double>();
        if (!std::isfinite(x) || x > 1e30) fail(where(key, i, v[i]) + ": not a finite number");
        if (key == "lr" ? !(x > 0) : !(x >= 0))
          fail(where(key, i, v[i]) + (key == "lr" ? ": learning rates are positive" : ": weight decays are non-negative"));
        out.push_back(float(x));
      }
    } else {
      fail("unknown key '" + key + "' (batch, lr, wd)");
    }
  }
  check_space(s);
  return s;
}

inline SweepSpace read_sweep_json(const std::filesystem::path& file) {
  return parse_sweep_json(io::read_text_file(file, "sweep file", 1 << 20), file.string());
}

}  // namespace typenet
