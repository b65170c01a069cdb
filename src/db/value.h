// Values crossing the database boundary: statement parameters (Param) and
// result rows (Row). Both backends read and write the same few types: NULL,
// 64-bit integers, booleans and UTF-8 text. Timestamps are integers
// (milliseconds since the epoch) so they compare the same everywhere.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace lakeshare::db {

// One bound statement parameter. Values are only ever bound, never spliced
// into SQL text.
class Param {
 public:
  enum class Kind { kNull, kInt, kBool, kText };

  Param(std::nullopt_t) {}                                           // NOLINT
  Param(int v) : kind_(Kind::kInt), int_(v) {}                       // NOLINT
  Param(int64_t v) : kind_(Kind::kInt), int_(v) {}                   // NOLINT
  Param(bool v) : kind_(Kind::kBool), int_(v ? 1 : 0) {}             // NOLINT
  Param(const char* v) : kind_(Kind::kText), text_(v) {}             // NOLINT
  Param(std::string v) : kind_(Kind::kText), text_(std::move(v)) {}  // NOLINT
  Param(std::string_view v) : kind_(Kind::kText), text_(v) {}        // NOLINT
  Param(const std::optional<std::string>& v) {                       // NOLINT
    if (v) kind_ = Kind::kText, text_ = *v;
  }
  Param(const std::optional<int64_t>& v) {  // NOLINT
    if (v) kind_ = Kind::kInt, int_ = *v;
  }

  Kind kind() const { return kind_; }
  int64_t int_value() const { return int_; }
  bool bool_value() const { return int_ != 0; }
  const std::string& text() const { return text_; }

 private:
  Kind kind_ = Kind::kNull;
  int64_t int_ = 0;
  std::string text_;
};

using Params = std::vector<Param>;

// Text parameters must be valid UTF-8 without NUL bytes: PostgreSQL rejects
// both, and checking up front makes SQLite behave the same.
Status ValidateParams(const Params& params);
bool IsValidUtf8(std::string_view text);

// One result row, materialized. Cells are kept as text (SQLite integers are
// formatted, PostgreSQL returns text anyway); the typed getters convert.
// Reading a column of the wrong type yields 0/false/"": the SQL is ours, so
// that would be a bug, not bad input.
class Row {
 public:
  explicit Row(std::vector<std::optional<std::string>> cells) : cells_(std::move(cells)) {}

  size_t size() const { return cells_.size(); }
  bool IsNull(size_t i) const { return !cells_.at(i).has_value(); }
  std::string Text(size_t i) const { return cells_.at(i).value_or(std::string()); }
  std::optional<std::string> OptText(size_t i) const { return cells_.at(i); }
  int64_t Int(size_t i) const;
  std::optional<int64_t> OptInt(size_t i) const;
  // Accepts 1/0 (SQLite) and t/f (PostgreSQL).
  bool Bool(size_t i) const;

 private:
  std::vector<std::optional<std::string>> cells_;
};

}  // namespace lakeshare::db
