// The schema tree of a parquet file, built from the footer's flattened,
// depth-first SchemaElement list, with each node's definition and repetition
// levels and the mapping from leaves to column chunks. Also resolves column
// selections ("add.path", "add" meaning all of its leaves) to leaf indices.
//
// Levels: a node's max_def counts the non-REQUIRED nodes on the path from the
// root to it (itself included), its max_rep the REPEATED ones. A leaf's levels
// are the ones its column chunk's pages encode.
//
// Logical types: LogicalInfo folds the LogicalType union and the legacy
// ConvertedType (plus scale/precision) into one description, preferring the
// LogicalType when both are present.
//
// Building validates everything the reader relies on (child counts add up,
// leaves have a physical type, FIXED_LEN_BYTE_ARRAY has a sane length,
// nesting within a depth limit); problems are kCorruption. A Schema is
// immutable and thread-safe once built; moving it keeps node pointers valid.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "parquet/parquet_metadata.h"

namespace lakeshare::parquet {

struct LogicalInfo {
  enum class Kind {
    kNone,       // plain physical value
    kString,     // UTF8 / STRING (also ENUM and JSON, which are UTF-8 text)
    kInteger,    // INT(bit_width, is_signed) / INT_8 .. UINT_64
    kDecimal,    // unscaled integer (INT32, INT64, FIXED_LEN_BYTE_ARRAY or BYTE_ARRAY) + scale
    kDate,       // INT32 days since 1970-01-01
    kTime,       // time of day in `unit`
    kTimestamp,  // INT64 in `unit` since the epoch, or INT96 (unit kNanos)
    kUuid,       // FIXED_LEN_BYTE_ARRAY(16)
    kFloat16,    // FIXED_LEN_BYTE_ARRAY(2)
    kBson,
    kMap,   // a group annotated MAP / MAP_KEY_VALUE
    kList,  // a group annotated LIST
    kVariant,
    kUnknown,  // the always-null type
    kOther,    // an annotation this reader does not interpret (geometry, ...)
  };
  Kind kind = Kind::kNone;
  int bit_width = 0;  // kInteger
  bool is_signed = true;
  int32_t scale = 0;  // kDecimal
  int32_t precision = 0;
  TimeUnit unit = TimeUnit::kMillis;  // kTime, kTimestamp
  bool is_adjusted_to_utc = false;
  bool is_json = false;  // kString from JSON
};

struct SchemaNode {
  std::string name;
  int index = 0;                                  // position in FileMetaData::schema
  int parent = -1;                                // node index of the parent; -1 for the root
  std::vector<int> children;                      // node indices, in schema order
  Repetition repetition = Repetition::kRequired;  // the root is REQUIRED
  int16_t max_def = 0;
  int16_t max_rep = 0;
  int depth = 0;  // 0 for the root
  LogicalInfo logical;
  // Leaves only.
  bool is_leaf = false;
  Type physical_type = Type::kBoolean;
  int32_t type_length = 0;  // FIXED_LEN_BYTE_ARRAY
  int leaf_index = -1;      // column chunk index in every row group
};

class Schema {
 public:
  static constexpr int kDefaultMaxDepth = 64;

  // `elements` is FileMetaData::schema (the root first).
  static Result<Schema> Make(const std::vector<SchemaElement>& elements,
                             int max_depth = kDefaultMaxDepth);

  // Nodes are numbered in schema (depth-first) order; node 0 is the root.
  const SchemaNode& root() const { return nodes_[0]; }
  const SchemaNode& node(int i) const { return nodes_[static_cast<size_t>(i)]; }
  int num_nodes() const { return static_cast<int>(nodes_.size()); }
  int num_leaves() const { return static_cast<int>(leaves_.size()); }
  const SchemaNode& leaf(int leaf_index) const { return node(leaves_[leaf_index]); }

  // The child of `parent` called `name`, or nullptr.
  const SchemaNode* Child(const SchemaNode& parent, std::string_view name) const;
  // The node at `path` (names from the root's children down), or nullptr.
  const SchemaNode* FindPath(const std::vector<std::string>& path) const;
  // Names from the root's child down to `n` ("add", "path").
  std::vector<std::string> PathOf(const SchemaNode& n) const;
  std::string DottedPath(const SchemaNode& n) const;

  // The leaves under `n` (itself if a leaf), in leaf order.
  std::vector<int> LeavesUnder(const SchemaNode& n) const;

  // Resolves selections to sorted, de-duplicated leaf indices. A selection is
  // a dotted path ("add.partitionValues.key_value.key"); a path naming a
  // group selects every leaf under it. Names that themselves contain dots
  // are matched too (the longest name that fits is tried first).
  // kInvalidArgument when a selection names nothing.
  Result<std::vector<int>> Resolve(const std::vector<std::string>& dotted_paths) const;
  // Same, with each selection given as path components.
  Result<std::vector<int>> ResolvePaths(const std::vector<std::vector<std::string>>& paths) const;

 private:
  std::vector<SchemaNode> nodes_;
  std::vector<int> leaves_;  // node index of each leaf
};

}  // namespace lakeshare::parquet
