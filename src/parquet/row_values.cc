#include "parquet/row_values.h"

#include <algorithm>

#include "parquet/record_view.h"

namespace lakeshare::parquet {
namespace {

RowValue Scalar(const RecordNode& n, int64_t slot) {
  RowValue v;
  int64_t i = n.ValueIndex(slot);
  const ColumnBatch* b = n.batch();
  if (i < 0 || b == nullptr) return v;
  size_t k = static_cast<size_t>(i);
  switch (n.schema_node().physical_type) {
    case Type::kBoolean:
      v.kind = RowValue::Kind::kBool;
      v.i = k < b->bools.size() ? b->bools[k] : 0;
      break;
    case Type::kInt32:
      v.kind = RowValue::Kind::kInt;
      v.i = k < b->int32s.size() ? b->int32s[k] : 0;
      break;
    case Type::kInt64:
      v.kind = RowValue::Kind::kInt;
      v.i = k < b->int64s.size() ? b->int64s[k] : 0;
      break;
    case Type::kInt96:
      v.kind = RowValue::Kind::kInt;
      v.i = k < b->int96s.size() ? Int96ToNanos(b->int96s[k]) / 1000 : 0;
      break;
    case Type::kFloat:
      v.kind = RowValue::Kind::kDouble;
      v.d = k < b->floats.size() ? b->floats[k] : 0;
      break;
    case Type::kDouble:
      v.kind = RowValue::Kind::kDouble;
      v.d = k < b->doubles.size() ? b->doubles[k] : 0;
      break;
    case Type::kByteArray:
    case Type::kFixedLenByteArray:
      v.kind = RowValue::Kind::kBytes;
      if (k < b->binaries.size()) v.s = std::string(b->binaries[k]);
      break;
  }
  return v;
}

RowValue NodeValue(const RecordNode& n, int64_t slot);

RowValue GroupValue(const RecordNode& n, int64_t slot) {
  RowValue g;
  g.kind = RowValue::Kind::kGroup;
  g.children.reserve(n.children().size());
  for (const RecordNode& c : n.children()) {
    if (c.is_repeated()) {
      RowValue list;
      list.kind = RowValue::Kind::kList;
      for (int64_t e : c.Elements(slot)) {
        list.children.push_back(c.is_leaf() ? Scalar(c, e) : GroupValue(c, e));
      }
      g.children.push_back(std::move(list));
    } else {
      g.children.push_back(NodeValue(c, slot));
    }
  }
  return g;
}

RowValue NodeValue(const RecordNode& n, int64_t slot) {
  if (!n.IsValid(slot)) return RowValue();
  if (n.is_leaf()) return Scalar(n, slot);
  return GroupValue(n, slot);
}

// ------------------------------------------------------------- alignment

const SchemaNode* ChildByName(const Schema& s, const SchemaNode& parent, std::string_view name) {
  for (int c : parent.children) {
    if (s.node(c).name == name) return &s.node(c);
  }
  return nullptr;
}

Result<RowValue> Align(const RowValue& v, const Schema& fs, const SchemaNode& from,
                       const Schema& ts, const SchemaNode& to, int depth);

Result<RowValue> AlignPresent(const RowValue& v, const Schema& fs, const SchemaNode& from,
                              const Schema& ts, const SchemaNode& to, int depth) {
  if (from.is_leaf != to.is_leaf) {
    return Status::Unsupported("column '" + to.name + "' changes shape between files");
  }
  if (to.is_leaf) return v;
  RowValue g;
  g.kind = RowValue::Kind::kGroup;
  for (int tc : to.children) {
    const SchemaNode& tn = ts.node(tc);
    const SchemaNode* fn = ChildByName(fs, from, tn.name);
    if (fn == nullptr) {
      RowValue empty;
      if (tn.repetition == Repetition::kRepeated) empty.kind = RowValue::Kind::kList;
      g.children.push_back(std::move(empty));
      continue;
    }
    size_t index = 0;
    for (size_t k = 0; k < from.children.size(); ++k) {
      if (from.children[k] == fn->index) index = k;
    }
    // Nodes are numbered like elements, so a node's index is its position.
    const RowValue& fv = index < v.children.size() ? v.children[index] : RowValue();
    LS_ASSIGN_OR_RETURN(RowValue aligned, Align(fv, fs, *fn, ts, tn, depth + 1));
    g.children.push_back(std::move(aligned));
  }
  return g;
}

Result<RowValue> Align(const RowValue& v, const Schema& fs, const SchemaNode& from,
                       const Schema& ts, const SchemaNode& to, int depth) {
  if (depth > kMaxRowDepth) return Status::Unsupported("rows nested too deeply");
  if ((from.repetition == Repetition::kRepeated) != (to.repetition == Repetition::kRepeated)) {
    return Status::Unsupported("column '" + to.name + "' changes repetition between files");
  }
  if (to.repetition == Repetition::kRepeated) {
    RowValue list;
    list.kind = RowValue::Kind::kList;
    for (const RowValue& e : v.children) {
      LS_ASSIGN_OR_RETURN(RowValue a, AlignPresent(e, fs, from, ts, to, depth));
      list.children.push_back(std::move(a));
    }
    return list;
  }
  if (v.IsNull()) return RowValue();
  return AlignPresent(v, fs, from, ts, to, depth);
}

}  // namespace

Result<std::vector<RowValue>> ReadRowGroupRows(const ParquetReader& reader, int row_group,
                                               int64_t max_rows) {
  std::vector<int> leaves(static_cast<size_t>(reader.schema().num_leaves()));
  for (size_t i = 0; i < leaves.size(); ++i) leaves[i] = static_cast<int>(i);
  LS_ASSIGN_OR_RETURN(RowGroupBatch batch, reader.ReadRowGroup(row_group, leaves));
  LS_ASSIGN_OR_RETURN(RecordTree tree, RecordTree::Make(std::move(batch)));
  std::vector<RowValue> rows;
  const int64_t n = std::min(tree.num_rows(), std::max<int64_t>(max_rows, 0));
  rows.reserve(static_cast<size_t>(n));
  for (int64_t r = 0; r < n; ++r) rows.push_back(GroupValue(tree.root(), r));
  return rows;
}

Result<RowValue> AlignRow(const RowValue& row, const Schema& from, const Schema& to) {
  return AlignPresent(row, from, from.root(), to, to.root(), 0);
}

const RowValue* RowField(const RowValue& row, const Schema& schema, std::string_view name) {
  const SchemaNode& root = schema.root();
  for (size_t k = 0; k < root.children.size(); ++k) {
    if (schema.node(root.children[k]).name == name) {
      return k < row.children.size() ? &row.children[k] : nullptr;
    }
  }
  return nullptr;
}

}  // namespace lakeshare::parquet
