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

// The leaf columns of the rows of one row group being collected: values
// shredded into levels (Row), or ranges of a base row group copied (Base).
class RowWriter::Columns {
 public:
  explicit Columns(const parquet::Schema& schema)
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

  // Rows [begin, end) of `rows` (checked to have these leaves by Check).
  void Base(const BaseRows& rows, int64_t begin, int64_t end) {
    for (size_t l = 0; l < leaves_.size(); ++l) {
      const SchemaNode& leaf = schema_.leaf(static_cast<int>(l));
      const parquet::ColumnBatch& in = rows.leaf(l);
      LeafBuffers& b = leaves_[l];
      const int64_t e0 = rows.EntryAt(l, begin), e1 = rows.EntryAt(l, end);
      // The writer takes one level per entry even where the file has none
      // (a leaf without def levels has every entry at max_def).
      AppendLevels(&b.def, in.def_levels, e0, e1, leaf.max_def);
      AppendLevels(&b.rep, in.rep_levels, e0, e1, 0);
      const auto v0 = static_cast<size_t>(rows.ValueAt(l, begin));
      const auto v1 = static_cast<size_t>(rows.ValueAt(l, end));
      switch (in.leaf().physical_type) {
        case Type::kBoolean:
          b.bools.insert(b.bools.end(), in.bools.begin() + v0, in.bools.begin() + v1);
          break;
        case Type::kInt32:
          b.int32s.insert(b.int32s.end(), in.int32s.begin() + v0, in.int32s.begin() + v1);
          break;
        case Type::kInt64:
          b.int64s.insert(b.int64s.end(), in.int64s.begin() + v0, in.int64s.begin() + v1);
          break;
        case Type::kInt96:  // as rows read them: microseconds
          for (size_t i = v0; i < v1; ++i) {
            b.int64s.push_back(parquet::Int96ToNanos(in.int96s[i]) / 1000);
          }
          break;
        case Type::kFloat:
          b.floats.insert(b.floats.end(), in.floats.begin() + v0, in.floats.begin() + v1);
          break;
        case Type::kDouble:
          b.doubles.insert(b.doubles.end(), in.doubles.begin() + v0, in.doubles.begin() + v1);
          break;
        case Type::kByteArray:
        case Type::kFixedLenByteArray:
          for (size_t i = v0; i < v1; ++i) b.strings.emplace_back(in.binaries[i]);
          break;
      }
    }
  }

  // Whether rows of `rows` can be copied into these leaves: the same
  // levels, and the physical type this writer writes for the file's.
  bool Fits(const BaseRows& rows) const {
    if (rows.num_leaves() != leaves_.size()) return false;
    for (size_t l = 0; l < leaves_.size(); ++l) {
      const SchemaNode& out = schema_.leaf(static_cast<int>(l));
      const SchemaNode& in = rows.leaf(l).leaf();
      if (in.max_def != out.max_def || in.max_rep != out.max_rep) return false;
      Type want = in.physical_type == Type::kFixedLenByteArray ? Type::kByteArray
                  : in.physical_type == Type::kInt96           ? Type::kInt64
                                                               : in.physical_type;
      if (want != out.physical_type) return false;
    }
    return true;
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

  static void AppendLevels(std::vector<int16_t>* out, const std::vector<int16_t>& in, int64_t e0,
                           int64_t e1, int16_t implied) {
    if (in.empty()) {
      out->insert(out->end(), static_cast<size_t>(e1 - e0), implied);
    } else {
      out->insert(out->end(), in.begin() + e0, in.begin() + e1);
    }
  }

  const parquet::Schema& schema_;
  std::vector<LeafBuffers> leaves_;
};

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

Result<BaseRows> BaseRows::Make(parquet::RowGroupBatch batch) {
  BaseRows out;
  const int64_t rows = batch.num_rows;
  const size_t n = batch.columns.size();
  out.entry_starts_.resize(n);
  out.value_starts_.resize(n);
  for (size_t l = 0; l < n; ++l) {
    const parquet::ColumnBatch& c = batch.columns[l];
    const SchemaNode& leaf = c.leaf();
    auto malformed = [&] {
      return Status::Corruption("column '" + leaf.name + "' does not hold " + std::to_string(rows) +
                                " rows");
    };
    const auto entries = static_cast<size_t>(c.num_levels);
    if ((!c.def_levels.empty() && c.def_levels.size() != entries) ||
        (!c.rep_levels.empty() && c.rep_levels.size() != entries) ||
        (leaf.max_def > 0 && c.def_levels.empty()) || (leaf.max_rep > 0 && c.rep_levels.empty())) {
      return malformed();
    }
    if (leaf.max_rep > 0) {
      std::vector<int64_t>& starts = out.entry_starts_[l];
      starts.reserve(static_cast<size_t>(rows) + 1);
      for (size_t e = 0; e < entries; ++e) {
        if (c.rep_levels[e] == 0) starts.push_back(static_cast<int64_t>(e));
      }
      if (static_cast<int64_t>(starts.size()) != rows || (entries > 0 && c.rep_levels[0] != 0)) {
        return malformed();
      }
      starts.push_back(static_cast<int64_t>(entries));
    } else if (c.num_levels != rows) {
      return malformed();
    }
    int64_t values = c.num_levels;
    if (leaf.max_def > 0) {
      std::vector<int64_t>& starts = out.value_starts_[l];
      starts.reserve(static_cast<size_t>(rows) + 1);
      int64_t seen = 0;
      size_t e = 0;
      for (int64_t r = 0; r < rows; ++r) {
        starts.push_back(seen);
        const auto end = static_cast<size_t>(out.EntryAt(l, r + 1));
        for (; e < end; ++e) seen += c.def_levels[e] == leaf.max_def ? 1 : 0;
      }
      starts.push_back(seen);
      values = seen;
    } else if (leaf.max_rep > 0) {
      // Every entry holds a value: rows start where their entries do.
      out.value_starts_[l] = out.entry_starts_[l];
    }
    if (values != c.num_values()) return malformed();
  }
  out.batch_ = std::move(batch);
  return out;
}

RowWriter::~RowWriter() = default;

Result<std::unique_ptr<RowWriter>> RowWriter::Create(std::vector<NestedField> fields,
                                                     int64_t rows_per_group) {
  parquet::WriterOptions options;
  options.codec = parquet::CompressionCodec::kSnappy;
  LS_ASSIGN_OR_RETURN(parquet::NestedParquetWriter w,
                      parquet::NestedParquetWriter::Create(fields, options));
  std::unique_ptr<RowWriter> out(new RowWriter());
  out->writer_ = std::make_unique<parquet::NestedParquetWriter>(std::move(w));
  out->columns_ = std::make_unique<Columns>(out->writer_->schema());
  out->rows_per_group_ = std::max<int64_t>(1, rows_per_group);
  return out;
}

Status RowWriter::Add(const Value& row) {
  LS_RETURN_IF_ERROR(columns_->Row(row));
  ++rows_;
  if (++pending_ >= rows_per_group_) return Flush();
  return Status::OK();
}

Status RowWriter::AddBaseRows(const BaseRows& rows, int64_t begin, int64_t end) {
  if (begin < 0 || end > rows.num_rows() || begin > end || !columns_->Fits(rows)) {
    return Status::Internal("base rows do not have the writer's columns");
  }
  while (begin < end) {
    // Row groups are cut where Add would cut them.
    const int64_t take = std::min(end - begin, rows_per_group_ - pending_);
    columns_->Base(rows, begin, begin + take);
    begin += take;
    rows_ += take;
    pending_ += take;
    if (pending_ >= rows_per_group_) LS_RETURN_IF_ERROR(Flush());
  }
  return Status::OK();
}

Status RowWriter::Flush() {
  if (pending_ == 0) return Status::OK();
  const int64_t n = pending_;
  pending_ = 0;
  return writer_->AddRowGroup(n, columns_->Take());
}

Result<std::string> RowWriter::Finish() {
  LS_RETURN_IF_ERROR(Flush());
  return writer_->Finish();
}

}  // namespace lakeshare::hudi
