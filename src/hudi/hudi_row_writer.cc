#include "hudi/hudi_row_writer.h"

#include <algorithm>

namespace lakeshare::hudi {
namespace {

using parquet::ConvertedType;
using parquet::LogicalType;
using parquet::NestedField;
using parquet::Repetition;
using parquet::SchemaNode;
using parquet::Type;

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
  for (int32_t i = 0; i < n && *pos < elements.size() && depth < kMaxRowDepth; ++i) {
    f.children.push_back(FieldFromElements(elements, pos, depth + 1));
  }
  return f;
}

}  // namespace

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
