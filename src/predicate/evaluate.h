// Data skipping: may a file hold rows that match a predicate?
//
// Evaluate() abstracts the predicate over all rows of one file as two flags:
// may_be_true (some row may satisfy it) and may_be_false (some row may fail
// it, or be NULL). Each leaf over-approximates both; NOT swaps them, AND/OR
// combine them, so the result stays an over-approximation at every level:
// that is what keeps NOT over a [min, max] range safe (negating a range
// test, as the reference server does, would skip files holding matching
// rows). A file may be skipped only when may_be_true is false.
//
// Per operand:
//  - a partition column (name matched case-insensitively against the file's
//    partition values) is its exact value; null or "" is SQL NULL;
//  - any other column is [minValues, maxValues] with nullCount/numRecords;
//    missing or unreadable stats, or a value of the wrong JSON kind, is unknown;
//  - a literal is its value.
// A comparison with a NULL operand is never true. It counts as "may be
// false": SQL calls it unknown (so NOT keeps it out), but a reader that
// treats NULL != v as true must not lose the file either.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "predicate/file_stats.h"
#include "predicate/predicate.h"
#include "table/table_format.h"

namespace lakeshare {

struct Truth {
  bool may_be_true = true;
  bool may_be_false = true;
  bool operator==(const Truth&) const = default;
};

// What the evaluator knows about one file. Both pointers are optional (null:
// no partition values / no stats) and must outlive the call.
struct FileView {
  const PartitionValues* partition_values = nullptr;
  const FileStats* stats = nullptr;
};

Truth Evaluate(const Predicate& predicate, const FileView& file);

// Keep the file? (Evaluate(...).may_be_true)
inline bool MayMatch(const Predicate& predicate, const FileView& file) {
  return Evaluate(predicate, file).may_be_true;
}

// Keep a table file? Parses its stats (only the columns `predicate` uses) on
// each call; keep a FileStats per file instead when evaluating repeatedly.
bool MayMatch(const Predicate& predicate, const DataFile& file,
              int string_prefix_length = kDefaultStringStatsPrefixLength);

// Evaluating a predicate over a table costs about nodes × files steps (a
// step is ~5-15 ns). A predicate small enough to cost about as much as
// answering each file's line (kAffordableNodesPerFile) is always worth it;
// a bigger one only while the product stays within kMaxFilterSteps (~1 s).
// Hints are best effort, so a caller skips a predicate it cannot afford.
inline constexpr int64_t kAffordableNodesPerFile = 64;
inline constexpr int64_t kMaxFilterSteps = 50'000'000;
bool AffordableFilter(const Predicate& predicate, int64_t files);

}  // namespace lakeshare
