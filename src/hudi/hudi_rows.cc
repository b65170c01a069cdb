#include "hudi/hudi_rows.h"

#include <cstring>

#include "parquet/record_view.h"

namespace lakeshare::hudi {
namespace {

using parquet::ConvertedType;
using parquet::LogicalType;
using parquet::NestedField;
using parquet::RecordNode;
using parquet::Repetition;
using parquet::SchemaNode;
using parquet::Type;

constexpr int kMaxDepth = 64;

// Opened lazily: a missing base file shows as the reader's kNotFound, which
// callers turn into their own message. Reads go through the storage's
// ranged read, as Storage::OpenRandomAccess's default does.
class StorageFile final : public RandomAccessFile {
 public:
  StorageFile(std::shared_ptr<Storage> storage, std::string path, uint64_t size, std::string name)
      : storage_(std::move(storage)), path_(std::move(path)), size_(size), name_(std::move(name)) {}
  uint64_t Size() const override { return size_; }
  Status ReadAt(uint64_t offset, size_t length, char* out) const override {
    if (offset > size_ || length > size_ - offset) {
      return Status::Corruption(name_ + ": read beyond the end of the file");
    }
    auto bytes =
        storage_->ReadRange(path_, static_cast<int64_t>(offset), static_cast<int64_t>(length));
    if (!bytes.ok()) return bytes.status().WithContext(name_);
    if (bytes->size() != length) {
      return Status::Corruption(name_ + ": the file is shorter than its commit says");
    }
    std::memcpy(out, bytes->data(), length);
    return Status::OK();
  }

 private:
  std::shared_ptr<Storage> storage_;
  std::string path_;
  uint64_t size_;
  std::string name_;
};

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
  if (depth > kMaxDepth) return Status::Unsupported("rows nested too deeply");
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

// ------------------------------------------------------------------ Avro

int64_t BigEndianToInt(std::string_view b) {
  int64_t v = (!b.empty() && (static_cast<uint8_t>(b[0]) & 0x80)) ? -1 : 0;
  for (char c : b)
    v = static_cast<int64_t>((static_cast<uint64_t>(v) << 8) | static_cast<uint8_t>(c));
  return v;
}

Result<Value> AvroLeaf(const AvroValue& v, const AvroType& t, const SchemaNode& node) {
  Value out;
  const AvroType& u = t.NonNull();
  switch (node.physical_type) {
    case Type::kBoolean: {
      LS_ASSIGN_OR_RETURN(bool b, v.AsBool());
      out.kind = Value::Kind::kBool;
      out.i = b;
      return out;
    }
    case Type::kInt32:
    case Type::kInt64:
    case Type::kInt96: {
      out.kind = Value::Kind::kInt;
      if (v.type() == AVRO_BYTES || v.type() == AVRO_FIXED) {
        LS_ASSIGN_OR_RETURN(std::string_view b, v.AsBytes());
        if (b.size() > 8) return Status::Unsupported("decimal '" + node.name + "' does not fit");
        out.i = BigEndianToInt(b);
        return out;
      }
      LS_ASSIGN_OR_RETURN(out.i, v.AsInt64());
      if (node.logical.kind == parquet::LogicalInfo::Kind::kTimestamp ||
          node.physical_type == Type::kInt96) {
        parquet::TimeUnit unit =
            node.physical_type == Type::kInt96 ? parquet::TimeUnit::kMicros : node.logical.unit;
        bool avro_millis = u.logical.find("millis") != std::string::npos;
        bool avro_nanos = u.logical.find("nanos") != std::string::npos;
        int64_t micros = avro_millis ? out.i * 1000 : avro_nanos ? out.i / 1000 : out.i;
        out.i = unit == parquet::TimeUnit::kMillis  ? micros / 1000
                : unit == parquet::TimeUnit::kNanos ? micros * 1000
                                                    : micros;
      }
      return out;
    }
    case Type::kFloat:
    case Type::kDouble: {
      out.kind = Value::Kind::kDouble;
      if (v.type() == AVRO_INT32 || v.type() == AVRO_INT64) {
        LS_ASSIGN_OR_RETURN(int64_t i, v.AsInt64());
        out.d = static_cast<double>(i);
      } else {
        LS_ASSIGN_OR_RETURN(out.d, v.AsDouble());
      }
      return out;
    }
    case Type::kByteArray:
    case Type::kFixedLenByteArray: {
      if (v.type() == AVRO_ENUM) {
        return Status::Unsupported("Avro enum values (column '" + node.name +
                                   "') are not supported in merged file slices");
      }
      out.kind = Value::Kind::kBytes;
      LS_ASSIGN_OR_RETURN(std::string_view b, v.AsBytes());
      out.s = std::string(b);
      return out;
    }
  }
  return Status::Unsupported("unsupported parquet type of column '" + node.name + "'");
}

Result<Value> AvroNode(const AvroValue& v, const AvroType& t, const parquet::Schema& s,
                       const SchemaNode& node, int depth);

// An element of a repeated node (the node itself is the element, or its
// only child is: the 3-level list form).
Result<Value> AvroElement(const AvroValue& item, const AvroType& item_type,
                          const parquet::Schema& s, const SchemaNode& repeated, int depth) {
  bool node_is_element = repeated.is_leaf || repeated.children.size() != 1 ||
                         repeated.name == "array" ||
                         (repeated.name.size() > 6 &&
                          repeated.name.compare(repeated.name.size() - 6, 6, "_tuple") == 0);
  if (repeated.is_leaf) return AvroLeaf(item, item_type, repeated);
  if (node_is_element) {
    // A record element whose fields are the repeated group's children.
    Value g;
    g.kind = Value::Kind::kGroup;
    const AvroType& rt = item_type.NonNull();
    for (int c : repeated.children) {
      const SchemaNode& cn = s.node(c);
      const AvroType::Field* f = rt.FindField(cn.name);
      auto fv = item.Field(cn.name);
      if (f == nullptr || !fv) {
        g.children.emplace_back();
        continue;
      }
      LS_ASSIGN_OR_RETURN(Value cv, AvroNode(*fv, *f->type, s, cn, depth + 1));
      g.children.push_back(std::move(cv));
    }
    return g;
  }
  Value g;
  g.kind = Value::Kind::kGroup;
  LS_ASSIGN_OR_RETURN(Value e,
                      AvroNode(item, item_type, s, s.node(repeated.children[0]), depth + 1));
  g.children.push_back(std::move(e));
  return g;
}

Result<Value> AvroNode(const AvroValue& v, const AvroType& t, const parquet::Schema& s,
                       const SchemaNode& node, int depth) {
  if (depth > kMaxDepth) return Status::Unsupported("records nested too deeply");
  if (v.IsNull()) return Value();
  if (node.is_leaf) return AvroLeaf(v, t, node);
  const AvroType& u = t.NonNull();
  Value g;
  g.kind = Value::Kind::kGroup;
  if (u.kind == AvroType::Kind::kArray || u.kind == AvroType::Kind::kMap) {
    if (node.children.size() != 1 || s.node(node.children[0]).repetition != Repetition::kRepeated) {
      return Status::Unsupported("column '" + node.name + "' is not a parquet list or map");
    }
    const SchemaNode& r = s.node(node.children[0]);
    Value list;
    list.kind = Value::Kind::kList;
    LS_ASSIGN_OR_RETURN(size_t n, v.Size());
    for (size_t i = 0; i < n; ++i) {
      if (u.kind == AvroType::Kind::kArray) {
        LS_ASSIGN_OR_RETURN(AvroValue item, v.Element(i));
        LS_ASSIGN_OR_RETURN(Value e, AvroElement(item, *u.branches[0], s, r, depth + 1));
        list.children.push_back(std::move(e));
      } else {
        LS_ASSIGN_OR_RETURN(auto entry, v.MapEntry(i));
        if (r.is_leaf || r.children.size() != 2) {
          return Status::Unsupported("column '" + node.name + "' is not a parquet map");
        }
        Value kv;
        kv.kind = Value::Kind::kGroup;
        Value key;
        key.kind = Value::Kind::kBytes;
        key.s = entry.first;
        kv.children.push_back(std::move(key));
        LS_ASSIGN_OR_RETURN(Value value, AvroNode(entry.second, *u.branches[0], s,
                                                  s.node(r.children[1]), depth + 1));
        kv.children.push_back(std::move(value));
        list.children.push_back(std::move(kv));
      }
    }
    g.children.push_back(std::move(list));
    return g;
  }
  if (u.kind != AvroType::Kind::kRecord) {
    return Status::Unsupported("column '" + node.name + "' has an Avro type that does not fit it");
  }
  for (int c : node.children) {
    const SchemaNode& cn = s.node(c);
    const AvroType::Field* f = u.FindField(cn.name);
    auto fv = v.Field(cn.name);
    if (f == nullptr || !fv) {
      Value empty;
      if (cn.repetition == Repetition::kRepeated) empty.kind = Value::Kind::kList;
      g.children.push_back(std::move(empty));
      continue;
    }
    if (cn.repetition == Repetition::kRepeated) {
      // A legacy repeated field: the Avro array's items are its elements.
      Value list;
      list.kind = Value::Kind::kList;
      if (!fv->IsNull()) {
        LS_ASSIGN_OR_RETURN(size_t n, fv->Size());
        for (size_t i = 0; i < n; ++i) {
          LS_ASSIGN_OR_RETURN(AvroValue item, fv->Element(i));
          const AvroType& at = f->type->NonNull();
          if (at.kind != AvroType::Kind::kArray) {
            return Status::Unsupported("column '" + cn.name + "' is repeated but not an array");
          }
          LS_ASSIGN_OR_RETURN(Value e, AvroNode(item, *at.branches[0], s, cn, depth + 1));
          list.children.push_back(std::move(e));
        }
      }
      g.children.push_back(std::move(list));
      continue;
    }
    LS_ASSIGN_OR_RETURN(Value cv, AvroNode(*fv, *f->type, s, cn, depth + 1));
    g.children.push_back(std::move(cv));
  }
  return g;
}

// --------------------------------------------------------------- writing

struct LeafBuffers {
  std::vector<int16_t> def, rep;
  std::vector<bool> bools;
  std::vector<int32_t> int32s;
  std::vector<int64_t> int64s;
  std::vector<float> floats;
  std::vector<double> doubles;
  std::vector<std::string> strings;
};

class Shredder {
 public:
  Shredder(const parquet::Schema& schema)
      : schema_(schema), leaves_(static_cast<size_t>(schema.num_leaves())) {}

  Status Row(const Value& row) {
    const SchemaNode& root = schema_.root();
    if (row.kind != Value::Kind::kGroup || row.children.size() != root.children.size()) {
      return Status::Internal("a row does not have the writer's columns");
    }
    for (size_t k = 0; k < root.children.size(); ++k) {
      LS_RETURN_IF_ERROR(Emit(schema_.node(root.children[k]), &row.children[k], 0, 0));
    }
    return Status::OK();
  }

  std::vector<parquet::LeafChunk> Take() {
    std::vector<parquet::LeafChunk> out;
    for (int l = 0; l < schema_.num_leaves(); ++l) {
      LeafBuffers& b = leaves_[static_cast<size_t>(l)];
      const SchemaNode& leaf = schema_.leaf(l);
      parquet::LeafChunk c;
      if (leaf.max_def > 0) c.def_levels = std::move(b.def);
      if (leaf.max_rep > 0) c.rep_levels = std::move(b.rep);
      switch (leaf.physical_type) {
        case Type::kBoolean:
          c.values = std::move(b.bools);
          break;
        case Type::kInt32:
          c.values = std::move(b.int32s);
          break;
        case Type::kInt64:
          c.values = std::move(b.int64s);
          break;
        case Type::kFloat:
          c.values = std::move(b.floats);
          break;
        case Type::kDouble:
          c.values = std::move(b.doubles);
          break;
        default:
          c.values = std::move(b.strings);
      }
      out.push_back(std::move(c));
      b = LeafBuffers();
    }
    return out;
  }

 private:
  void Nulls(const SchemaNode& n, int16_t def, int16_t rep) {
    if (n.is_leaf) {
      LeafBuffers& b = leaves_[static_cast<size_t>(n.leaf_index)];
      b.def.push_back(def);
      b.rep.push_back(rep);
      return;
    }
    for (int c : n.children) Nulls(schema_.node(c), def, rep);
  }

  Status Emit(const SchemaNode& n, const Value* v, int16_t def, int16_t rep) {
    if (n.repetition == Repetition::kRepeated) {
      if (v == nullptr || v->children.empty()) {
        Nulls(n, def, rep);
        return Status::OK();
      }
      for (size_t k = 0; k < v->children.size(); ++k) {
        LS_RETURN_IF_ERROR(
            Present(n, &v->children[k], static_cast<int16_t>(def + 1), k == 0 ? rep : n.max_rep));
      }
      return Status::OK();
    }
    if (v == nullptr || v->IsNull()) {
      if (n.repetition == Repetition::kRequired) {
        return Status::Unsupported("a null value in required column '" + n.name + "'");
      }
      Nulls(n, def, rep);
      return Status::OK();
    }
    int16_t d = n.repetition == Repetition::kOptional ? static_cast<int16_t>(def + 1) : def;
    return Present(n, v, d, rep);
  }

  Status Present(const SchemaNode& n, const Value* v, int16_t def, int16_t rep) {
    if (!n.is_leaf) {
      if (v->kind != Value::Kind::kGroup || v->children.size() != n.children.size()) {
        return Status::Internal("a value does not have the shape of '" + n.name + "'");
      }
      for (size_t k = 0; k < n.children.size(); ++k) {
        LS_RETURN_IF_ERROR(Emit(schema_.node(n.children[k]), &v->children[k], def, rep));
      }
      return Status::OK();
    }
    LeafBuffers& b = leaves_[static_cast<size_t>(n.leaf_index)];
    b.def.push_back(def);
    b.rep.push_back(rep);
    auto mismatch = [&] {
      return Status::Unsupported("a value of column '" + n.name + "' does not fit its type");
    };
    switch (n.physical_type) {
      case Type::kBoolean:
        if (v->kind != Value::Kind::kBool) return mismatch();
        b.bools.push_back(v->i != 0);
        break;
      case Type::kInt32:
        if (v->kind != Value::Kind::kInt) return mismatch();
        b.int32s.push_back(static_cast<int32_t>(v->i));
        break;
      case Type::kInt64:
        if (v->kind != Value::Kind::kInt) return mismatch();
        b.int64s.push_back(v->i);
        break;
      case Type::kFloat:
        if (v->kind == Value::Kind::kInt) {
          b.floats.push_back(static_cast<float>(v->i));
        } else if (v->kind == Value::Kind::kDouble) {
          b.floats.push_back(static_cast<float>(v->d));
        } else {
          return mismatch();
        }
        break;
      case Type::kDouble:
        if (v->kind == Value::Kind::kInt) {
          b.doubles.push_back(static_cast<double>(v->i));
        } else if (v->kind == Value::Kind::kDouble) {
          b.doubles.push_back(v->d);
        } else {
          return mismatch();
        }
        break;
      default:
        if (v->kind != Value::Kind::kBytes) return mismatch();
        b.strings.push_back(v->s);
    }
    return Status::OK();
  }

  const parquet::Schema& schema_;
  std::vector<LeafBuffers> leaves_;
};

NestedField FieldFromElements(const std::vector<parquet::SchemaElement>& elements, size_t* pos,
                              int depth) {
  const parquet::SchemaElement& e = elements[*pos];
  ++*pos;
  NestedField f;
  f.name = e.name;
  f.repetition = e.repetition_type.value_or(Repetition::kOptional);
  f.converted_type = e.converted_type;
  f.logical_type = e.logical_type;
  if (e.type) {
    f.type = *e.type;
    bool decimal = (e.logical_type && e.logical_type->kind == LogicalType::Kind::kDecimal) ||
                   e.converted_type == ConvertedType::kDecimal;
    if (decimal) {
      // Both annotations: readers differ in which one they read.
      int32_t scale = e.logical_type ? e.logical_type->decimal_scale : e.scale.value_or(0);
      int32_t precision =
          e.logical_type ? e.logical_type->decimal_precision : e.precision.value_or(0);
      f.logical_type = LogicalType::Decimal(scale, precision);
      f.converted_type = ConvertedType::kDecimal;
      f.scale = scale;
      f.precision = precision;
    }
    if (*e.type == Type::kFixedLenByteArray) {
      f.type = Type::kByteArray;
      if (!decimal) {
        f.logical_type.reset();
        f.converted_type.reset();
      }
    } else if (*e.type == Type::kInt96) {
      f.type = Type::kInt64;
      f.converted_type = ConvertedType::kTimestampMicros;
      f.logical_type = LogicalType::Timestamp(true, parquet::TimeUnit::kMicros);
    }
    return f;
  }
  int32_t n = e.num_children.value_or(0);
  for (int32_t i = 0; i < n && *pos < elements.size() && depth < kMaxDepth; ++i) {
    f.children.push_back(FieldFromElements(elements, pos, depth + 1));
  }
  return f;
}

}  // namespace

std::shared_ptr<const RandomAccessFile> StorageRandomAccessFile(std::shared_ptr<Storage> storage,
                                                                std::string path, uint64_t size,
                                                                std::string name) {
  return std::make_shared<StorageFile>(std::move(storage), std::move(path), size, std::move(name));
}

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

std::vector<NestedField> OutputFields(const parquet::FileMetaData& metadata) {
  std::vector<NestedField> out;
  const auto& elements = metadata.schema;
  if (elements.empty()) return out;
  size_t pos = 1;
  int32_t n = elements[0].num_children.value_or(0);
  for (int32_t i = 0; i < n && pos < elements.size(); ++i) {
    out.push_back(FieldFromElements(elements, &pos, 0));
  }
  return out;
}

Result<Value> AlignRow(const Value& row, const parquet::Schema& from, const parquet::Schema& to) {
  return AlignPresent(row, from, from.root(), to, to.root(), 0);
}

Result<Value> AvroToRow(const AvroValue& record, const AvroType& type, const parquet::Schema& to) {
  return AvroNode(record, type, to, to.root(), 0);
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

Result<std::unique_ptr<RowWriter>> RowWriter::Create(std::vector<NestedField> fields,
                                                     int64_t rows_per_group) {
  parquet::WriterOptions options;
  options.codec = parquet::CompressionCodec::kSnappy;
  LS_ASSIGN_OR_RETURN(parquet::NestedParquetWriter w,
                      parquet::NestedParquetWriter::Create(fields, options));
  std::unique_ptr<RowWriter> out(new RowWriter());
  out->writer_ = std::make_unique<parquet::NestedParquetWriter>(std::move(w));
  out->rows_per_group_ = std::max<int64_t>(1, rows_per_group);
  return out;
}

Status RowWriter::Add(Value row) {
  pending_.push_back(std::move(row));
  ++rows_;
  if (static_cast<int64_t>(pending_.size()) >= rows_per_group_) return Flush();
  return Status::OK();
}

Status RowWriter::Flush() {
  if (pending_.empty()) return Status::OK();
  Shredder s(writer_->schema());
  for (const Value& r : pending_) LS_RETURN_IF_ERROR(s.Row(r));
  int64_t n = static_cast<int64_t>(pending_.size());
  pending_.clear();
  return writer_->AddRowGroup(n, s.Take());
}

Result<std::string> RowWriter::Finish() {
  LS_RETURN_IF_ERROR(Flush());
  return writer_->Finish();
}

}  // namespace lakeshare::hudi
