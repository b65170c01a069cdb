// RecordTree: record-shaped access to the projected columns of one row group,
// without building a value per field. It turns the leaves' definition and
// repetition levels into, for every projected schema node, an array of
// "slots" (Arrow's layout):
//
//   * The root has one slot per row.
//   * A non-repeated node has exactly the slots of its parent, with the same
//     numbers: for `add.path`, slot r is row r. So a struct's fields are read
//     with the struct's own slot number, however deep the struct is.
//   * A repeated node (a list's or map's repeated group, or a legacy repeated
//     field) has one slot per element; Elements(parent_slot) gives the range
//     of its slots that belong to one slot of its parent.
//   * IsValid(slot) is false when the node is null there, or an ancestor is
//     (the slot still exists, so siblings keep aligned numbering).
//   * A leaf maps each valid slot to its value in the ColumnBatch; the typed
//     getters (String, Int64, ...) read it and return a zero value for a null
//     slot or a getter that does not fit the physical type.
//
// LIST and MAP helpers (AsList, AsMap) apply parquet's backward-compatibility
// rules for the element / key / value nodes, so callers need not know whether
// a writer used 3-level lists, legacy 2-level ones, "key_value" or "map".
//
// Example, add.partitionValues (a MAP) of row r:
//   MapView pv = tree.Find("add.partitionValues")->AsMap();
//   for (int64_t e : pv.entries->Elements(r)) use(pv.key->String(e), pv.value->String(e));
// A null map and an empty one both have no elements; tell them apart with
// tree.Find("add.partitionValues")->IsValid(r).
//
// Building costs one pass over the levels of one leaf per projected node and
// a few bytes per slot. A RecordTree owns its batches; RecordNode pointers
// stay valid while it lives (moving it is fine, copying is not allowed).
// Immutable after Make, so safe to read from several threads.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "parquet/column_batch.h"
#include "parquet/parquet_reader.h"
#include "parquet/parquet_schema.h"

namespace lakeshare::parquet {

class RecordNode;

// A half-open range of slot numbers, iterable as integers.
struct SlotRange {
  int64_t from = 0;
  int64_t to = 0;
  int64_t size() const { return to - from; }
  bool empty() const { return from == to; }
  struct Iterator {
    int64_t v;
    int64_t operator*() const { return v; }
    Iterator& operator++() {
      ++v;
      return *this;
    }
    bool operator!=(const Iterator& o) const { return v != o.v; }
  };
  Iterator begin() const { return {from}; }
  Iterator end() const { return {to}; }
};

// A list node's parts: `list` (the annotated or repeated node the caller
// holds), `elements` (the repeated node whose Elements(slot) enumerate the
// items) and `element` (the node holding each item's value; may equal
// `elements`). Null members: the node is not a list or the part is not
// projected.
struct ListView {
  const RecordNode* elements = nullptr;
  const RecordNode* element = nullptr;
};

// A map node's parts: `entries` (the repeated key_value group), `key` and
// `value` (nullptr when not projected).
struct MapView {
  const RecordNode* entries = nullptr;
  const RecordNode* key = nullptr;
  const RecordNode* value = nullptr;
};

class RecordNode {
 public:
  const SchemaNode& schema_node() const { return *node_; }
  const std::string& name() const { return node_->name; }
  bool is_leaf() const { return node_->is_leaf; }
  bool is_repeated() const { return node_->repetition == Repetition::kRepeated; }
  int64_t num_slots() const { return num_slots_; }

  // Present and not null at `slot` (false for slots out of range).
  bool IsValid(int64_t slot) const {
    return slot >= 0 && slot < num_slots_ && valid_[static_cast<size_t>(slot)] != 0;
  }
  // Repeated nodes: the slots that are elements of the parent's slot
  // `parent_slot` (empty for other nodes or out-of-range slots).
  SlotRange Elements(int64_t parent_slot) const;

  // Projected children in schema order; Child finds one by name (nullptr
  // when absent or not projected).
  const std::vector<RecordNode>& children() const { return children_; }
  const RecordNode* Child(std::string_view name) const;

  ListView AsList() const;
  MapView AsMap() const;

  // Leaves: the batch, and the index of a slot's value in it (-1 for null).
  const ColumnBatch* batch() const { return batch_; }
  int64_t ValueIndex(int64_t slot) const {
    return slot >= 0 && slot < num_slots_ && is_leaf() ? value_index_[static_cast<size_t>(slot)]
                                                       : -1;
  }

  // Typed getters (see the file comment for nulls and mismatched types).
  std::string_view String(int64_t slot) const;  // BYTE_ARRAY, FIXED_LEN_BYTE_ARRAY
  bool Bool(int64_t slot) const;
  // INT32 (sign- or, for unsigned annotations, zero-extended) or INT64.
  int64_t Int64(int64_t slot) const;
  int32_t Int32(int64_t slot) const { return static_cast<int32_t>(Int64(slot)); }
  double Double(int64_t slot) const;  // FLOAT or DOUBLE
  Int96 Int96At(int64_t slot) const;
  // Timestamps (INT64 in any unit, INT96) as microseconds since the epoch,
  // rounded down; DATE as days; other types as Int64.
  int64_t TimestampMicros(int64_t slot) const;
  // A decimal's unscaled value (INT32, INT64 or big-endian two's complement
  // bytes up to 16); nullopt for a null slot or a longer value. The scale is
  // schema_node().logical.scale.
  std::optional<__int128> DecimalUnscaled(int64_t slot) const;

 private:
  friend class RecordTree;
  const SchemaNode* node_ = nullptr;
  const Schema* schema_ = nullptr;
  int64_t num_slots_ = 0;
  std::vector<uint8_t> valid_;
  std::vector<int64_t> offsets_;      // repeated nodes: parent slots + 1
  std::vector<int64_t> value_index_;  // leaves
  const ColumnBatch* batch_ = nullptr;
  std::vector<RecordNode> children_;
};

class RecordTree {
 public:
  // Builds the nodes of every schema node above a batch's leaf. kCorruption
  // when the leaves' levels disagree about the shape they share.
  static Result<RecordTree> Make(RowGroupBatch batch);

  RecordTree(RecordTree&&) = default;
  RecordTree& operator=(RecordTree&&) = default;
  RecordTree(const RecordTree&) = delete;
  RecordTree& operator=(const RecordTree&) = delete;

  int64_t num_rows() const { return root_->num_slots(); }
  const RecordNode& root() const { return *root_; }
  // The node at a dotted path ("add.partitionValues"), or nullptr.
  const RecordNode* Find(std::string_view dotted_path) const;

 private:
  RecordTree() = default;
  std::unique_ptr<RowGroupBatch> batch_;  // stable addresses for RecordNode::batch_
  std::unique_ptr<RecordNode> root_;
};

// Renders an unscaled decimal with `scale` digits after the point
// ("-12.345"; a negative scale appends zeros).
std::string FormatDecimal(__int128 unscaled, int32_t scale);

}  // namespace lakeshare::parquet
