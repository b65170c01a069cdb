// The per-file statistics of a Delta `add` action (`stats`, JSON text), parsed
// once into a compact, immutable form for predicate evaluation.
//
// {"numRecords": 3, "minValues": {"a": 1, "s": {"x": "p"}}, "maxValues": {...},
//  "nullCount": {...}} becomes one entry per column path ("a", "s.x"; ASCII
// lowercased, segments joined by '.') holding the raw min/max texts and the
// null count. Values stay untyped text until a predicate says which type to
// read them as (see typed_value.h). Unreadable stats are not an error: they
// give an object with no stats (every lookup unknown), so the file is kept.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "predicate/typed_value.h"

namespace lakeshare {

struct StatsParseOptions {
  // The table's `delta.dataSkippingStringPrefixLength`: longer max strings
  // may have been truncated by the writer.
  int string_prefix_length = kDefaultStringStatsPrefixLength;
  // When set, keep only these column paths (lowercased, e.g. from
  // Predicate::ColumnNames()): less memory and time for wide tables.
  const std::vector<std::string>* columns = nullptr;
};

class FileStats {
 public:
  enum class Kind : uint8_t { kAbsent, kNumber, kString, kBool };
  struct Value {
    Kind kind = Kind::kAbsent;  // JSON null, objects, arrays and duplicates read as absent
    std::string_view text;      // the number as written, the unescaped string, "true"/"false"
  };
  struct Column {
    std::string_view path;
    Value min, max;
    std::optional<int64_t> null_count;
  };

  FileStats() = default;  // a file without stats
  static FileStats Parse(std::string_view json, const StatsParseOptions& options = {});

  // False when the file had no stats or they could not be read.
  bool valid() const { return valid_; }
  std::optional<int64_t> num_records() const { return num_records_; }
  // The stats of a column path, already lowercased ("a.b").
  std::optional<Column> Find(std::string_view lowercase_path) const;
  size_t column_count() const { return entries_.size(); }
  int string_prefix_length() const { return string_prefix_length_; }
  // Approximate heap bytes held, for cache accounting.
  size_t MemoryUsage() const;

 private:
  friend class StatsBuilder;
  struct Slot {
    uint32_t offset = 0;
    uint32_t length = 0;
    Kind kind = Kind::kAbsent;
  };
  struct Entry {
    Slot path, min, max;
    int64_t null_count = -1;  // -1: unknown
  };
  std::string_view View(const Slot& s) const { return {text_.data() + s.offset, s.length}; }

  bool valid_ = false;
  int string_prefix_length_ = kDefaultStringStatsPrefixLength;
  std::optional<int64_t> num_records_;
  std::string text_;            // all paths and values, back to back
  std::vector<Entry> entries_;  // sorted by path
};

}  // namespace lakeshare
