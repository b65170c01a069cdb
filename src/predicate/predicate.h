// The predicate tree of Delta Sharing filtering (PROTOCOL.md, "SQL Expressions
// for Filtering" and "JSON predicates for Filtering":
// https://github.com/delta-io/delta-sharing/blob/main/PROTOCOL.md), shared
// by the JSON (`jsonPredicateHints`) and SQL (`predicateHints`) front ends.
//
// A Predicate is an immutable, cheaply copyable handle to a validated tree:
// every builder checks arity, operand kinds, matching value types, literal
// syntax and the depth and size limits, and returns InvalidArgument otherwise. So any
// Predicate that exists can be evaluated (see evaluate.h) without further
// checks. Thread-safe to share.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "predicate/typed_value.h"

namespace lakeshare {

enum class PredicateOp : uint8_t {
  kColumn,
  kLiteral,
  kIsNull,
  kEqual,
  kLessThan,
  kLessThanOrEqual,
  kGreaterThan,
  kGreaterThanOrEqual,
  kAnd,
  kOr,
  kNot,
};

// "column", "equal", ... as in the protocol.
std::string_view PredicateOpName(PredicateOp op);
// Case-insensitive inverse of PredicateOpName.
std::optional<PredicateOp> PredicateOpFromName(std::string_view name);
bool IsComparison(PredicateOp op);

// The longest root-to-leaf path may hold this many nodes.
inline constexpr int kMaxPredicateDepth = 100;
// A whole tree may hold this many nodes: evaluating it costs about that many
// steps per file (an `or` of 3 333 comparisons; a 1 MB hint holds more).
inline constexpr int kMaxPredicateNodes = 10000;

struct PredicateNode;

class Predicate {
 public:
  // Leaves. A column's type may be absent only under isNull.
  static Result<Predicate> Column(std::string name, std::optional<ValueType> type);
  static Result<Predicate> Literal(std::string value, ValueType type);
  // Inner nodes.
  static Result<Predicate> IsNull(Predicate column);
  // `op` is one of the five comparisons; both operands are leaves of one type.
  static Result<Predicate> Compare(PredicateOp op, Predicate left, Predicate right);
  static Result<Predicate> And(std::vector<Predicate> children);  // at least 2
  static Result<Predicate> Or(std::vector<Predicate> children);   // at least 2
  static Result<Predicate> Not(Predicate child);

  const PredicateNode& root() const { return *root_; }
  // OK unless the root is a bare column or literal (which is not a filter).
  Status CheckIsCondition() const;
  // Nodes on the longest root-to-leaf path (a leaf alone is 1).
  int depth() const;
  // Nodes in the whole tree (a leaf alone is 1).
  int node_count() const;

  // A readable, SQL-like rendering for logs and errors.
  std::string ToString() const;
  // The distinct column names used, lowercased, in first-use order.
  std::vector<std::string> ColumnNames() const;
  // True when every column used is one of `columns` (case-insensitive), e.g.
  // the partition columns for legacy SQL hints.
  bool ReferencesOnly(const std::vector<std::string>& columns) const;
  // The same tree with every column renamed to rename(its lowercased name)
  // (e.g. logical to physical names under Delta column mapping); nullopt
  // keeps a name. Types and structure are unchanged, so it stays valid.
  Predicate RenameColumns(
      const std::function<std::optional<std::string>(std::string_view key)>& rename) const;

 private:
  explicit Predicate(std::shared_ptr<const PredicateNode> root) : root_(std::move(root)) {}
  static Result<Predicate> Junction(PredicateOp op, std::vector<Predicate> children);
  std::shared_ptr<const PredicateNode> root_;
};

struct PredicateNode {
  PredicateOp op = PredicateOp::kLiteral;
  // Leaves: their type. Comparisons: their operands' type. Absent for
  // and/or/not/isNull and for a column under isNull written without one.
  std::optional<ValueType> value_type;
  std::string name;   // kColumn: as written
  std::string key;    // kColumn: lowercased name, for matching
  std::string value;  // kLiteral: as written
  // kLiteral: the parsed value. Its string views are left empty and the
  // evaluator points them at `value`, so copies of a node never dangle.
  ValueRange literal;
  std::vector<Predicate> children;
  int depth = 1;
  int nodes = 1;  // in this subtree
};

}  // namespace lakeshare
