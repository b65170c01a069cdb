#include "hudi/hudi_slice_reader.h"

#include <algorithm>
#include <unordered_map>

#include "common/crypto.h"
#include "common/encoding.h"
#include "hudi/hudi_avro_rows.h"
#include "hudi/hudi_base_file.h"
#include "hudi/hudi_log_format.h"
#include "hudi/hudi_row_writer.h"
#include "hudi/hudi_rows.h"
#include "parquet/record_view.h"
#include "storage/random_access_file.h"

namespace lakeshare::hudi {

struct SliceReader::Block {
  LogBlockType type = LogBlockType::kCorrupt;
  std::string instant;
  std::string_view content;
  std::string schema;
  std::string log_path;
  int64_t offset = 0;
};

struct SliceReader::LogRecord {
  std::string key;
  bool is_delete = false;
  Value row;
  std::vector<OrderingValue> ordering;
  bool consumed = false;
};

namespace {

using Ordering = std::vector<OrderingValue>;

OrderingValue OrderingOf(const Value* v) {
  OrderingValue o;
  if (v == nullptr) return o;
  switch (v->kind) {
    case Value::Kind::kBool:
      o.v = v->i != 0;
      break;
    case Value::Kind::kInt:
      o.v = v->i;
      break;
    case Value::Kind::kDouble:
      o.v = v->d;
      break;
    case Value::Kind::kBytes:
      o.v = v->s;
      break;
    default:
      break;
  }
  return o;
}

// <0, 0, >0, or nullopt when the values cannot be compared.
std::optional<int> CompareOrdering(const Ordering& a, const Ordering& b) {
  size_t n = std::min(a.size(), b.size());
  if (n == 0) return std::nullopt;
  for (size_t i = 0; i < n; ++i) {
    auto c = a[i].Compare(b[i]);
    if (!c) return std::nullopt;
    if (*c != 0) return c;
  }
  return 0;
}

bool NaturalDelete(const Ordering& o) { return o.empty() || o[0].IsNaturalOrder(); }

// True when `existing` is kept over `incoming` among log records.
bool KeepExisting(MergeMode mode, bool existing_delete, const Ordering& existing,
                  bool incoming_delete, const Ordering& incoming) {
  if (mode == MergeMode::kCommitTime) return false;
  if (incoming_delete && NaturalDelete(incoming)) return false;
  if (!incoming_delete && existing_delete && NaturalDelete(existing)) return false;
  auto c = CompareOrdering(existing, incoming);
  return c && *c > 0;
}

// True when the base record survives a log record (delete or update).
bool BaseWins(MergeMode mode, const Ordering& base, bool log_delete, const Ordering& log) {
  if (mode != MergeMode::kEventTime) return false;
  if (log_delete && NaturalDelete(log)) return false;
  auto c = CompareOrdering(base, log);
  return c && *c > 0;
}

std::string ValueKeyText(const Value* v, bool* ok) {
  if (v == nullptr || v->IsNull()) return "__null__";
  switch (v->kind) {
    case Value::Kind::kBytes:
      return v->s.empty() ? "__empty__" : v->s;
    case Value::Kind::kInt:
      return std::to_string(v->i);
    case Value::Kind::kBool:
      return v->i ? "true" : "false";
    default:
      *ok = false;
      return "";
  }
}

// Record keys as Hudi's key generators build them.
class KeyBuilder {
 public:
  KeyBuilder(const TableProperties& props, const parquet::Schema& schema) : schema_(schema) {
    std::string kg = props.key_generator;
    for (char& c : kg) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    use_meta_ = props.populate_meta_fields && schema.FindPath({"_hoodie_record_key"}) != nullptr;
    fields_ = props.record_key_fields;
    complex_ = fields_.size() > 1 || kg == "COMPLEX" ||
               kg.find("COMPLEXKEY") != std::string::npos || kg == "CUSTOM" ||
               kg.find("CUSTOMKEY") != std::string::npos;
  }

  Result<std::string> KeyOf(const Value& row) const {
    if (use_meta_) {
      const Value* v = RowField(row, schema_, "_hoodie_record_key");
      if (v != nullptr && v->kind == Value::Kind::kBytes) return v->s;
    }
    if (fields_.empty()) return Status::Unsupported("the table names no record key fields");
    std::string key;
    for (size_t i = 0; i < fields_.size(); ++i) {
      const Value* v = Field(row, fields_[i]);
      bool ok = true;
      std::string text = ValueKeyText(v, &ok);
      if (!ok) {
        return Status::Unsupported("record key field '" + fields_[i] +
                                   "' has a type lakeshare cannot turn into a Hudi key");
      }
      if (complex_) {
        if (i > 0) key += ',';
        key += fields_[i] + ":" + text;
      } else {
        key += text;
      }
    }
    return key;
  }

  const Value* Field(const Value& row, const std::string& dotted) const {
    const Value* v = &row;
    const parquet::SchemaNode* node = &schema_.root();
    size_t start = 0;
    while (start <= dotted.size()) {
      size_t dot = dotted.find('.', start);
      if (dot == std::string::npos) dot = dotted.size();
      std::string part = dotted.substr(start, dot - start);
      const parquet::SchemaNode* child = nullptr;
      size_t index = 0;
      for (size_t k = 0; k < node->children.size(); ++k) {
        if (schema_.node(node->children[k]).name == part) {
          child = &schema_.node(node->children[k]);
          index = k;
        }
      }
      if (child == nullptr || v->kind != Value::Kind::kGroup || index >= v->children.size()) {
        return nullptr;
      }
      v = &v->children[index];
      node = child;
      start = dot + 1;
    }
    return v;
  }

 private:
  const parquet::Schema& schema_;
  bool use_meta_ = false;
  bool complex_ = false;
  std::vector<std::string> fields_;
};

Ordering RowOrdering(const KeyBuilder& keys, const Value& row, const TableProperties& props) {
  Ordering o;
  for (const std::string& f : props.ordering_fields) o.push_back(OrderingOf(keys.Field(row, f)));
  return o;
}

// A scalar of a top-level leaf of `rows` as the row reader makes it
// (parquet/row_values.h).
Value BaseScalar(const BaseRows& rows, size_t leaf, int64_t r) {
  Value v;
  const parquet::ColumnBatch& c = rows.leaf(leaf);
  const parquet::SchemaNode& node = c.leaf();
  if (node.max_def > 0 && c.def_levels[static_cast<size_t>(r)] != node.max_def) return v;
  const auto k = static_cast<size_t>(rows.ValueAt(leaf, r));
  switch (node.physical_type) {
    case parquet::Type::kBoolean:
      v.kind = Value::Kind::kBool;
      v.i = c.bools[k];
      break;
    case parquet::Type::kInt32:
      v.kind = Value::Kind::kInt;
      v.i = c.int32s[k];
      break;
    case parquet::Type::kInt64:
      v.kind = Value::Kind::kInt;
      v.i = c.int64s[k];
      break;
    case parquet::Type::kInt96:
      v.kind = Value::Kind::kInt;
      v.i = parquet::Int96ToNanos(c.int96s[k]) / 1000;
      break;
    case parquet::Type::kFloat:
      v.kind = Value::Kind::kDouble;
      v.d = c.floats[k];
      break;
    case parquet::Type::kDouble:
      v.kind = Value::Kind::kDouble;
      v.d = c.doubles[k];
      break;
    case parquet::Type::kByteArray:
    case parquet::Type::kFixedLenByteArray:
      v.kind = Value::Kind::kBytes;
      v.s = std::string(c.binaries[k]);
      break;
  }
  return v;
}

// Whether the rows of `base` can be copied column by column into a file of
// `out` (its OutputFields) with the same rows a row-by-row merge writes: the
// same leaves, no two children of a node with one name (rows are aligned by
// name), and keys and ordering fields that are top-level leaves, whose
// positions among the root's children go to *key_columns.
bool ColumnarMergeFits(const TableProperties& props, const parquet::Schema& base,
                       const parquet::Schema& out, std::vector<int>* key_columns) {
  if (base.num_leaves() != out.num_leaves()) return false;
  for (int l = 0; l < base.num_leaves(); ++l) {
    const parquet::SchemaNode& a = base.leaf(l);
    const parquet::SchemaNode& b = out.leaf(l);
    if (a.name != b.name || a.max_def != b.max_def || a.max_rep != b.max_rep) return false;
  }
  for (const parquet::Schema* s : {&base, &out}) {
    for (int n = 0; n < s->num_nodes(); ++n) {
      std::set<std::string_view> names;
      for (int c : s->node(n).children) {
        if (!names.insert(s->node(c).name).second) return false;
      }
    }
  }
  std::set<std::string> wanted = {"_hoodie_record_key"};
  for (const auto* fields : {&props.record_key_fields, &props.ordering_fields}) {
    for (const std::string& f : *fields) {
      if (f.find('.') != std::string::npos) return false;
      wanted.insert(f);
    }
  }
  const parquet::SchemaNode& root = out.root();
  key_columns->clear();
  for (size_t k = 0; k < root.children.size(); ++k) {
    const parquet::SchemaNode& n = out.node(root.children[k]);
    if (wanted.count(n.name) == 0) continue;
    if (!n.is_leaf || n.repetition == parquet::Repetition::kRepeated) return false;
    key_columns->push_back(static_cast<int>(k));
  }
  return true;
}
}  // namespace

SliceReader::SliceReader(SliceInputs inputs, const FileSlice& slice)
    : in_(std::move(inputs)), slice_(slice) {}

SliceReader::~SliceReader() = default;

Status SliceReader::ReadLogs() {
  int64_t total = 0;
  for (const IndexedFile* log : slice_.logs) {
    const std::string path = in_.storage->Join(in_.table_root, log->path);
    const std::string what = "log file " + log->path;
    if (log->size > in_.limits.max_log_bytes - total) {
      return Status::TooLarge("the log files of file group " + slice_.group->file_id + " exceed " +
                              std::to_string(in_.limits.max_log_bytes) + " bytes");
    }
    auto bytes = in_.storage->Read(path);
    if (!bytes.ok()) {
      if (bytes.status().code() == StatusCode::kNotFound) {
        return Status::Corruption(what + " is missing (a commit lists it)");
      }
      return bytes.status().WithContext(what);
    }
    total += static_cast<int64_t>(bytes->size());
    if (total > in_.limits.max_log_bytes) {
      return Status::TooLarge("the log files of file group " + slice_.group->file_id + " exceed " +
                              std::to_string(in_.limits.max_log_bytes) + " bytes");
    }
    log_bytes_.push_back(std::move(*bytes));
    auto blocks = ParseLogBlocks(log_bytes_.back());
    if (!blocks.ok()) return blocks.status().WithContext(what);
    for (const LogBlock& b : *blocks) {
      LogBlockRole role = ClassifyLogBlock(b, *in_.valid_instants, in_.timeline_start);
      if (role.kind == LogBlockRole::Kind::kSkip) continue;
      if (role.kind == LogBlockRole::Kind::kRollback) {
        blocks_.erase(
            std::remove_if(blocks_.begin(), blocks_.end(),
                           [&](const Block& x) { return x.instant == role.rollback_target; }),
            blocks_.end());
        continue;
      }
      if (b.type == LogBlockType::kHFileData) {
        return Status::Unsupported(what + ": HFile data blocks are not supported");
      }
      if (const std::string* partial = b.Header(LogHeader::kIsPartial);
          partial != nullptr && *partial == "true") {
        return Status::Unsupported(what + ": partial-update log blocks are not supported");
      }
      if (!role.replaces.empty()) {
        blocks_.erase(
            std::remove_if(blocks_.begin(), blocks_.end(),
                           [&](const Block& x) { return role.replaces.count(x.instant) > 0; }),
            blocks_.end());
      }
      Block block;
      block.type = b.type;
      block.instant = std::move(role.instant);
      block.content = b.content;
      if (const std::string* schema = b.Header(LogHeader::kSchema)) block.schema = *schema;
      block.log_path = log->path;
      block.offset = b.offset;
      blocks_.push_back(std::move(block));
    }
  }
  for (const Block& b : blocks_) {
    if (b.type == LogBlockType::kDelete) {
      has_deletes_ = true;
    } else {
      has_data_ = true;
    }
  }
  return Status::OK();
}

std::string SliceReader::ContentKey() const {
  std::string text = "hudi-slice-v1\n";
  if (slice_.base) text += slice_.base->path + "|" + std::to_string(slice_.base->size) + "\n";
  for (const Block& b : blocks_) text += b.log_path + "@" + std::to_string(b.offset) + "\n";
  const TableProperties& p = *in_.props;
  text += p.merge_description + "|" + std::to_string(static_cast<int>(p.merge_mode)) + "|";
  for (const auto& f : p.ordering_fields) text += f + ",";
  text += "|";
  for (const auto& f : p.record_key_fields) text += f + ",";
  text += p.populate_meta_fields ? "|meta" : "|nometa";
  return HexEncode(Sha256(text)).substr(0, 40);
}

Result<SliceOutcome> SliceReader::Plan() {
  LS_RETURN_IF_ERROR(ReadLogs());
  SliceOutcome out;
  out.key = ContentKey();
  if (!has_data_ && !has_deletes_) {
    if (slice_.base == nullptr) {
      out.kind = SliceOutcome::Kind::kEmpty;  // only empty or undone logs
      return out;
    }
    out.kind = SliceOutcome::Kind::kBase;
    return out;
  }
  if (!has_data_ && slice_.base != nullptr) {
    LS_ASSIGN_OR_RETURN(out.deleted_positions, DeletedPositions(&out.base_rows));
    out.kind =
        out.deleted_positions.empty() ? SliceOutcome::Kind::kBase : SliceOutcome::Kind::kDeletes;
    return out;
  }
  out.kind = SliceOutcome::Kind::kMerged;
  return out;
}

Status SliceReader::LoadRecords(const parquet::Schema& rows_schema) {
  records_.clear();
  std::unordered_map<std::string, size_t> by_key;
  const TableProperties& props = *in_.props;
  KeyBuilder keys(props, rows_schema);
  auto add = [&](LogRecord r) -> Status {
    auto it = by_key.find(r.key);
    if (it == by_key.end()) {
      if (static_cast<int64_t>(records_.size()) >= in_.limits.max_log_records) {
        return Status::TooLarge("the log files of file group " + slice_.group->file_id +
                                " hold more than " + std::to_string(in_.limits.max_log_records) +
                                " records");
      }
      by_key.emplace(r.key, records_.size());
      records_.push_back(std::move(r));
      return Status::OK();
    }
    LogRecord& e = records_[it->second];
    if (!KeepExisting(props.merge_mode, e.is_delete, e.ordering, r.is_delete, r.ordering)) {
      e = std::move(r);
    }
    return Status::OK();
  };
  for (const Block& b : blocks_) {
    const std::string what =
        "log file " + b.log_path + " (block at " + std::to_string(b.offset) + ")";
    if (b.type == LogBlockType::kDelete) {
      auto deletes = DecodeDeleteBlock(b.content);
      if (!deletes.ok()) return deletes.status().WithContext(what);
      for (DeleteKey& d : *deletes) {
        LogRecord r;
        r.key = std::move(d.record_key);
        r.is_delete = true;
        r.ordering.push_back(std::move(d.ordering));
        LS_RETURN_IF_ERROR(add(std::move(r)));
      }
      continue;
    }
    if (b.type == LogBlockType::kAvroData) {
      if (b.schema.empty()) return Status::Corruption(what + ": an Avro block without a schema");
      auto type = ParseAvroSchema(b.schema);
      if (!type.ok()) return type.status().WithContext(what);
      auto records = AvroBlockRecords(b.content);
      if (!records.ok()) return records.status().WithContext(what);
      Status st = DecodeAvroRecords(b.schema, *records, what, [&](const AvroValue& rec) -> Status {
        LS_ASSIGN_OR_RETURN(Value row, AvroToRow(rec, **type, rows_schema));
        LogRecord r;
        LS_ASSIGN_OR_RETURN(r.key, keys.KeyOf(row));
        r.ordering = RowOrdering(keys, row, props);
        r.row = std::move(row);
        return add(std::move(r));
      });
      if (!st.ok()) return st.WithContext(what);
      continue;
    }
    if (b.type == LogBlockType::kParquetData) {
      auto reader = parquet::ParquetReader::Open(std::make_shared<MemoryFile>(b.content));
      if (!reader.ok()) return reader.status().WithContext(what);
      for (int rg = 0; rg < reader->num_row_groups(); ++rg) {
        auto rows = ReadRowGroupRows(*reader, rg);
        if (!rows.ok()) return rows.status().WithContext(what);
        for (const Value& raw : *rows) {
          auto row = AlignRow(raw, reader->schema(), rows_schema);
          if (!row.ok()) return row.status().WithContext(what);
          LogRecord r;
          LS_ASSIGN_OR_RETURN(r.key, keys.KeyOf(*row));
          r.ordering = RowOrdering(keys, *row, props);
          r.row = std::move(*row);
          LS_RETURN_IF_ERROR(add(std::move(r)));
        }
      }
      continue;
    }
    return Status::Unsupported(what + ": log blocks of type " +
                               std::to_string(static_cast<int>(b.type)) + " are not supported");
  }
  records_loaded_ = true;
  return Status::OK();
}

Result<std::vector<uint64_t>> SliceReader::DeletedPositions(int64_t* base_rows) {
  const TableProperties& props = *in_.props;
  const std::string what = "base file " + slice_.base->path;
  Result<parquet::ParquetReader> reader =
      OpenBaseFile(in_.storage, in_.table_root, slice_.base->path, slice_.base->size);
  if (!reader.ok()) return reader.status();
  // The deletes need no row shape: keys compare as text.
  LS_RETURN_IF_ERROR(LoadRecords(reader->schema()));
  std::unordered_map<std::string, const LogRecord*> deletes;
  for (const LogRecord& r : records_) {
    if (r.is_delete) deletes.emplace(r.key, &r);
  }
  // Only the key and ordering columns are read.
  std::vector<std::string> columns;
  const parquet::Schema& schema = reader->schema();
  bool meta = props.populate_meta_fields && schema.FindPath({"_hoodie_record_key"}) != nullptr;
  if (meta) columns.push_back("_hoodie_record_key");
  if (!meta)
    columns.insert(columns.end(), props.record_key_fields.begin(), props.record_key_fields.end());
  if (props.merge_mode == MergeMode::kEventTime) {
    columns.insert(columns.end(), props.ordering_fields.begin(), props.ordering_fields.end());
  }
  std::vector<std::string> present;
  for (const std::string& c : columns) {
    if (schema.Resolve({c}).ok()) present.push_back(c);
  }
  if (present.empty()) return Status::Corruption(what + " has no record key column");
  LS_ASSIGN_OR_RETURN(std::vector<int> leaves, schema.Resolve(present));
  std::vector<uint64_t> positions;
  uint64_t row_base = 0;
  KeyBuilder keys(props, schema);
  for (int rg = 0; rg < reader->num_row_groups(); ++rg) {
    auto batch = reader->ReadRowGroup(rg, leaves);
    if (!batch.ok()) return batch.status().WithContext(what);
    auto tree = parquet::RecordTree::Make(std::move(*batch));
    if (!tree.ok()) return tree.status().WithContext(what);
    // Rows of just the selected columns, shaped by the full schema.
    for (int64_t r = 0; r < tree->num_rows(); ++r) {
      Value row;
      row.kind = Value::Kind::kGroup;
      const auto& root = schema.root();
      for (int c : root.children) {
        const parquet::RecordNode* n = tree->Find(schema.node(c).name);
        Value v;
        if (n != nullptr && n->is_leaf() && n->IsValid(r)) {
          int64_t i = n->ValueIndex(r);
          const parquet::ColumnBatch* b = n->batch();
          switch (n->schema_node().physical_type) {
            case parquet::Type::kByteArray:
            case parquet::Type::kFixedLenByteArray:
              v.kind = Value::Kind::kBytes;
              v.s = std::string(b->binaries[static_cast<size_t>(i)]);
              break;
            case parquet::Type::kFloat:
            case parquet::Type::kDouble:
              v.kind = Value::Kind::kDouble;
              v.d = n->Double(r);
              break;
            case parquet::Type::kBoolean:
              v.kind = Value::Kind::kBool;
              v.i = n->Bool(r);
              break;
            default:
              v.kind = Value::Kind::kInt;
              v.i = n->Int64(r);
          }
        }
        row.children.push_back(std::move(v));
      }
      LS_ASSIGN_OR_RETURN(std::string key, keys.KeyOf(row));
      auto it = deletes.find(key);
      if (it == deletes.end()) continue;
      if (BaseWins(props.merge_mode, RowOrdering(keys, row, props), true, it->second->ordering)) {
        continue;
      }
      positions.push_back(row_base + static_cast<uint64_t>(r));
    }
    row_base += static_cast<uint64_t>(tree->num_rows());
  }
  *base_rows = static_cast<int64_t>(row_base);
  return positions;
}

Result<std::string> SliceReader::Merge(int64_t* rows) {
  const TableProperties& props = *in_.props;
  if (props.merge_mode == MergeMode::kCustom) {
    return Status::Unsupported("merging log files under " + props.merge_description +
                               " is not supported (use hudiView: read_optimized)");
  }
  std::optional<parquet::ParquetReader> base;
  std::vector<parquet::NestedField> fields;
  std::string what;
  if (slice_.base != nullptr) {
    what = "base file " + slice_.base->path;
    if (slice_.base->size > in_.limits.max_base_bytes) {
      return Status::TooLarge(what + " is too large to merge");
    }
    Result<parquet::ParquetReader> reader =
        OpenBaseFile(in_.storage, in_.table_root, slice_.base->path, slice_.base->size);
    if (!reader.ok()) return reader.status();
    base.emplace(std::move(*reader));
    fields = OutputFields(base->metadata());
  } else {
    if (!in_.schema)
      return Status::Corruption("the table records no schema to merge its logs with");
    LS_ASSIGN_OR_RETURN(fields, ToParquetFields(*in_.schema, true));
  }
  LS_ASSIGN_OR_RETURN(auto writer, RowWriter::Create(std::move(fields)));
  const parquet::Schema& out_schema = writer->schema();
  LS_RETURN_IF_ERROR(LoadRecords(out_schema));
  std::unordered_map<std::string, size_t> by_key;
  for (size_t i = 0; i < records_.size(); ++i) by_key.emplace(records_[i].key, i);
  KeyBuilder keys(props, out_schema);
  std::vector<int> key_columns;
  if (base && !in_.row_merge &&
      ColumnarMergeFits(props, base->schema(), out_schema, &key_columns)) {
    LS_RETURN_IF_ERROR(MergeBaseColumns(*base, key_columns, writer.get()));
  } else if (base) {
    std::unordered_map<std::string, size_t> by_key;
    for (size_t i = 0; i < records_.size(); ++i) by_key.emplace(records_[i].key, i);
    for (int rg = 0; rg < base->num_row_groups(); ++rg) {
      auto raw = ReadRowGroupRows(*base, rg);
      if (!raw.ok()) return raw.status().WithContext(what);
      for (Value& r : *raw) {
        LS_ASSIGN_OR_RETURN(Value row, AlignRow(r, base->schema(), out_schema));
        LS_ASSIGN_OR_RETURN(std::string key, keys.KeyOf(row));
        auto it = by_key.find(key);
        if (it == by_key.end()) {
          LS_RETURN_IF_ERROR(writer->Add(row));
          continue;
        }
        LogRecord& l = records_[it->second];
        l.consumed = true;
        if (BaseWins(props.merge_mode, RowOrdering(keys, row, props), l.is_delete, l.ordering)) {
          LS_RETURN_IF_ERROR(writer->Add(row));
        } else if (!l.is_delete) {
          LS_RETURN_IF_ERROR(writer->Add(l.row));
        }
      }
    }
  }
  for (LogRecord& l : records_) {
    if (l.consumed || l.is_delete) continue;
    LS_RETURN_IF_ERROR(writer->Add(l.row));
  }
  *rows = writer->rows();
  return writer->Finish();
}

Status SliceReader::MergeBaseColumns(const parquet::ParquetReader& base,
                                     const std::vector<int>& key_columns, RowWriter* writer) {
  const TableProperties& props = *in_.props;
  const std::string what = "base file " + slice_.base->path;
  const parquet::Schema& out_schema = writer->schema();
  const parquet::SchemaNode& root = out_schema.root();
  std::unordered_map<std::string_view, size_t> by_key;
  by_key.reserve(records_.size());
  for (size_t i = 0; i < records_.size(); ++i) by_key.emplace(records_[i].key, i);
  KeyBuilder keys(props, out_schema);
  std::vector<int> leaves(static_cast<size_t>(base.schema().num_leaves()));
  for (size_t i = 0; i < leaves.size(); ++i) leaves[i] = static_cast<int>(i);
  // The key and ordering fields of one base row, the other fields null:
  // all KeyOf and RowOrdering read.
  Value keyed;
  keyed.kind = Value::Kind::kGroup;
  keyed.children.resize(root.children.size());
  for (int rg = 0; rg < base.num_row_groups(); ++rg) {
    auto batch = base.ReadRowGroup(rg, leaves);
    if (!batch.ok()) return batch.status().WithContext(what);
    auto rows = BaseRows::Make(std::move(*batch));
    if (!rows.ok()) return rows.status().WithContext(what);
    const int64_t n = rows->num_rows();
    int64_t run = 0;  // first row of the current run of untouched rows
    for (int64_t r = 0; r < n; ++r) {
      for (int k : key_columns) {
        const auto leaf = static_cast<size_t>(out_schema.node(root.children[k]).leaf_index);
        keyed.children[static_cast<size_t>(k)] = BaseScalar(*rows, leaf, r);
      }
      LS_ASSIGN_OR_RETURN(std::string key, keys.KeyOf(keyed));
      auto it = by_key.find(key);
      if (it == by_key.end()) continue;
      LS_RETURN_IF_ERROR(writer->AddBaseRows(*rows, run, r));
      run = r + 1;
      LogRecord& l = records_[it->second];
      l.consumed = true;
      if (BaseWins(props.merge_mode, RowOrdering(keys, keyed, props), l.is_delete, l.ordering)) {
        LS_RETURN_IF_ERROR(writer->AddBaseRows(*rows, r, r + 1));
      } else if (!l.is_delete) {
        LS_RETURN_IF_ERROR(writer->Add(l.row));
      }
    }
    LS_RETURN_IF_ERROR(writer->AddBaseRows(*rows, run, n));
  }
  return Status::OK();
}

}  // namespace lakeshare::hudi
