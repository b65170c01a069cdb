// A share's partition filter: which partitions of a shared table the share
// exposes. Stored with the shared table (written through CatalogAdmin, which
// validates it) and applied to every /query, /changes and streaming answer;
// a client's own predicate hints can only narrow the answer further.
//
// Two spellings, both turned into the predicate tree of predicate/:
//  - a simple list: `region = 'EU' AND year IN (2023, 2024) AND day IS NOT
//    NULL` — clauses `col = literal`, `col IN (literal, ...)`, `col IS
//    [NOT] NULL`, joined by AND (keywords case-insensitive). A quoted
//    literal ('it''s') compares as a string, 12 / -3 as a long, 1.5 as a
//    double, TRUE/FALSE as a boolean. Columns are bare (a, a_b) or
//    backquoted (`my col`).
//  - the protocol's JSON predicate tree (text starting with '{'), the form
//    of jsonPredicateHints (Delta Sharing's PROTOCOL.md, "JSON predicates for Filtering"),
//    for anything else (or, not, <, >=, ...).
// Every column must be a partition column of the table: checked when the
// table is served (CheckColumns), as the table need not exist when the
// filter is written.
//
// Semantics: SQL three-valued logic over the file's partition values, and a
// file is served only when the filter is TRUE for it. NULL compared with
// anything is unknown and NOT unknown is unknown, so a NULL partition passes
// only an explicit IS NULL; a value that does not parse as the literal's
// type is unknown too. Whatever cannot be decided is left out: fail closed.
//
// Immutable after Parse; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "predicate/predicate.h"
#include "table/table_format.h"

namespace lakeshare {

inline constexpr size_t kMaxPartitionFilterBytes = 64 * 1024;

class PartitionFilter {
 public:
  // kInvalidArgument with a message fit for a 400 ("partition filter: ...").
  static Result<PartitionFilter> Parse(std::string_view text);

  const Predicate& predicate() const { return predicate_; }
  // The distinct columns used, lowercased.
  const std::vector<std::string>& columns() const { return columns_; }

  // kFailedPrecondition unless every column is one of `partition_columns`
  // (case-insensitive). The message names the table, not the filter.
  Status CheckColumns(const std::vector<std::string>& partition_columns,
                      std::string_view table_name) const;

  // True when the filter is TRUE on the file's partition values.
  bool Admits(const DataFile& file) const;

 private:
  explicit PartitionFilter(Predicate p)
      : predicate_(std::move(p)), columns_(predicate_.ColumnNames()) {}
  Predicate predicate_;
  std::vector<std::string> columns_;
};

}  // namespace lakeshare
