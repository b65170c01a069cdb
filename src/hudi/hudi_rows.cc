#include "hudi/hudi_rows.h"

#include "parquet/record_view.h"

namespace lakeshare::hudi {
namespace {

using parquet::RecordNode;
using parquet::Repetition;
using parquet::SchemaNode;
using parquet::Type;

Value Scalar(const RecordNode& n, int64_t slot) {
  Value v;
  int64_t i = n.ValueIndex(slot);
  const parquet::ColumnBatch* b = n.batch();
  if (i < 0 || b == nullptr) return v;
  size_t k = static_cast<size_t>(i);
  switch (n.schema_node().physical_type) {
    case Type::kBoolean:
      v.kind = Value::Kind::kBool;
      v.i = k < b->bools.size() ? b->bools[k] : 0;
      break;
    case Type::kInt32:
      v.kind = Value::Kind::kInt;
      v.i = k < b->int32s.size() ? b->int32s[k] : 0;
      break;
    case Type::kInt64:
      v.kind = Value::Kind::kInt;
      v.i = k < b->int64s.size() ? b->int64s[k] : 0;
      break;
    case Type::kInt96:
      v.kind = Value::Kind::kInt;
      v.i = k < b->int96s.size() ? parquet::Int96ToNanos(b->int96s[k]) / 1000 : 0;
      break;
    case Type::kFloat:
      v.kind = Value::Kind::kDouble;
      v.d = k < b->floats.size() ? b->floats[k] : 0;
      break;
    case Type::kDouble:
      v.kind = Value::Kind::kDouble;
      v.d = k < b->doubles.size() ? b->doubles[k] : 0;
      break;
    case Type::kByteArray:
    case Type::kFixedLenByteArray:
      v.kind = Value::Kind::kBytes;
      if (k < b->binaries.size()) v.s = std::string(b->binaries[k]);
      break;
  }
  return v;
}

Value NodeValue(const RecordNode& n, int64_t slot);

Value GroupValue(const RecordNode& n, int64_t slot) {
  Value g;
  g.kind = Value::Kind::kGroup;
  g.children.reserve(n.children().size());
  for (const RecordNode& c : n.children()) {
    if (c.is_repeated()) {
      Value list;
      list.kind = Value::Kind::kList;
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

Value NodeValue(const RecordNode& n, int64_t slot) {
  if (!n.IsValid(slot)) return Value();
  if (n.is_leaf()) return Scalar(n, slot);
  return GroupValue(n, slot);
}

// ------------------------------------------------------------- alignment

const SchemaNode* ChildByName(const parquet::Schema& s, const SchemaNode& parent,
                              std::string_view name) {
  for (int c : parent.children) {
    if (s.node(c).name == name) return &s.node(c);
  }
  return nullptr;
}

Result<Value> Align(const Value& v, const parquet::Schema& fs, const SchemaNode& from,
                    const parquet::Schema& ts, const SchemaNode& to, int depth);

Result<Value> AlignPresent(const Value& v, const parquet::Schema& fs, const SchemaNode& from,
                           const parquet::Schema& ts, const SchemaNode& to, int depth) {
  if (from.is_leaf != to.is_leaf) {
    return Status::Unsupported("column '" + to.name + "' changes shape between files");
  }
  if (to.is_leaf) return v;
  Value g;
  g.kind = Value::Kind::kGroup;
  for (int tc : to.children) {
    const SchemaNode& tn = ts.node(tc);
    const SchemaNode* fn = ChildByName(fs, from, tn.name);
    if (fn == nullptr) {
      Value empty;
      if (tn.repetition == Repetition::kRepeated) empty.kind = Value::Kind::kList;
      g.children.push_back(std::move(empty));
      continue;
    }
    size_t index = 0;
    for (size_t k = 0; k < from.children.size(); ++k) {
      if (from.children[k] == fn->index) index = k;
    }
    // Nodes are numbered like elements, so a node's index is its position.
    const Value& fv = index < v.children.size() ? v.children[index] : Value();
    LS_ASSIGN_OR_RETURN(Value aligned, Align(fv, fs, *fn, ts, tn, depth + 1));
    g.children.push_back(std::move(aligned));
  }
  return g;
}

Result<Value> Align(const Value& v, const parquet::Schema& fs, const SchemaNode& from,
                    const parquet::Schema& ts, const SchemaNode& to, int depth) {
  if (depth > kMaxRowDepth) return Status::Unsupported("rows nested too deeply");
  if ((from.repetition == Repetition::kRepeated) != (to.repetition == Repetition::kRepeated)) {
    return Status::Unsupported("column '" + to.name + "' changes repetition between files");
  }
  if (to.repetition == Repetition::kRepeated) {
    Value list;
    list.kind = Value::Kind::kList;
    for (const Value& e : v.children) {
      LS_ASSIGN_OR_RETURN(Value a, AlignPresent(e, fs, from, ts, to, depth));
      list.children.push_back(std::move(a));
    }
    return list;
  }
  if (v.IsNull()) return Value();
  return AlignPresent(v, fs, from, ts, to, depth);
}

}  // namespace

Result<std::vector<Value>> ReadRowGroupRows(const parquet::ParquetReader& reader, int row_group) {
  std::vector<int> leaves(static_cast<size_t>(reader.schema().num_leaves()));
  for (size_t i = 0; i < leaves.size(); ++i) leaves[i] = static_cast<int>(i);
  LS_ASSIGN_OR_RETURN(parquet::RowGroupBatch batch, reader.ReadRowGroup(row_group, leaves));
  LS_ASSIGN_OR_RETURN(parquet::RecordTree tree, parquet::RecordTree::Make(std::move(batch)));
  std::vector<Value> rows;
  rows.reserve(static_cast<size_t>(tree.num_rows()));
  for (int64_t r = 0; r < tree.num_rows(); ++r) rows.push_back(GroupValue(tree.root(), r));
  return rows;
}

Result<Value> AlignRow(const Value& row, const parquet::Schema& from, const parquet::Schema& to) {
  return AlignPresent(row, from, from.root(), to, to.root(), 0);
}

const Value* RowField(const Value& row, const parquet::Schema& schema, std::string_view name) {
  const SchemaNode& root = schema.root();
  for (size_t k = 0; k < root.children.size(); ++k) {
    if (schema.node(root.children[k]).name == name) {
      return k < row.children.size() ? &row.children[k] : nullptr;
    }
  }
  return nullptr;
}

}  // namespace lakeshare::hudi
