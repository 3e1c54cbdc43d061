#pragma once
// Table: rows of named columns written as CSV (a header line, then one line per row) and as a
// JSON array of objects — the one writer behind history.{csv,json} and the study and sweep
// results. Numbers that are not finite are written as null; strings are escaped for JSON.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>
#include "typenet/io/atomic_write.hpp"

namespace typenet::io {

struct Cell {
  std::string text;     // as it appears in the CSV
  bool string = false;  // quoted in JSON

  Cell(double v) : text(std::isfinite(v) ? std::to_string(v) : "null") {}
  Cell(float v) : Cell(double(v)) {}
  Cell(int v) : text(std::to_string(v)) {}
  Cell(long v) : text(std::to_string(v)) {}
  Cell(bool v) : text(v ? "true" : "false") {}
  Cell(std::string v) : text(std::move(v)), string(true) {}
  Cell(const char* v) : Cell(std::string(v)) {}
};

class Table {
 public:
  explicit Table(std::vector<std::string> columns) : columns_(std::move(columns)) {}
  void add(std::vector<Cell> row) {
    if (row.size() != columns_.size()) throw Error("typenet: a table row has the wrong number of cells");
    rows_.push_back(std::move(row));
  }

  std::string csv() const {
    std::string s;
    for (std::size_t c = 0; c < columns_.size(); ++c) s += (c ? "," : "") + columns_[c];
    s += "\n";
    for (const auto& r : rows_) {
      for (std::size_t c = 0; c < r.size(); ++c)
        s += (c ? "," : "") + (r[c].text == "true" ? "1" : r[c].text == "false" ? "0" : r[c].text);
      s += "\n";
    }
    return s;
  }
  std::string json() const {
    std::string s = "[\n";
    for (std::size_t i = 0; i < rows_.size(); ++i) {
      s += "  {";
      for (std::size_t c = 0; c < columns_.size(); ++c)
        s += (c ? ", \"" : "\"") + columns_[c] + "\": " + (rows_[i][c].string ? quoted(rows_[i][c].text) : rows_[i][c].text);
      s += i + 1 < rows_.size() ? "},\n" : "}\n";
    }
    return s + "]\n";
  }
  // stem.csv and stem.json, each written atomically.
  void write(const std::filesystem::path& stem, const std::string& what) const {
    write_atomically(stem.string() + ".csv", csv(), what);
    write_atomically(stem.string() + ".json", json(), what);
  }

 private:
  static std::string quoted(const std::string& v) {
    std::string q = "\"";
    for (char ch : v) {
      if (ch == '"' || ch == '\\') q += '\\', q += ch;
      else if (static_cast<unsigned char>(ch) < 0x20) {
        char b[8];
        std::snprintf(b, sizeof b, "\\u%04x", ch);
        q += b;
      } else q += ch;
    }
    return q + "\"";
  }
  std::vector<std::string> columns_;
  std::vector<std::vector<Cell>> rows_;
};

}  // namespace typenet::io
