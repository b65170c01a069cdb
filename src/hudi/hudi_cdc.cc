#include "hudi/hudi_cdc.h"

#include <optional>
#include <unordered_map>
#include <vector>

#include "hudi/hudi_avro.h"
#include "hudi/hudi_avro_rows.h"
#include "hudi/hudi_base_file.h"
#include "hudi/hudi_log_format.h"
#include "hudi/hudi_row_writer.h"
#include "hudi/hudi_rows.h"

namespace lakeshare::hudi {
namespace {

Result<std::unique_ptr<RowWriter>> ChangeFileWriter(const AvroType& schema) {
  LS_ASSIGN_OR_RETURN(auto fields, ToParquetFields(schema, true));
  fields.push_back(parquet::NestedField::String("_change_type"));
  return RowWriter::Create(std::move(fields));
}

Value ChangeType(const char* kind) {
  Value v;
  v.kind = Value::Kind::kBytes;
  v.s = kind;
  return v;
}

// One record of a change log. Images the log holds are rows of the output
// schema already; the others are looked up by key.
struct ChangeRecord {
  char op = 0;  // 'i', 'u' or 'd'
  std::string key;
  std::optional<Value> before, after;
};

using RowsByKey = std::unordered_map<std::string, std::optional<Value>>;

// Fills the entries of `wanted` (keys -> nullopt) with the rows of the base
// file that hold those keys, as rows of `out`.
Status FindRowsByKey(const ChangeLogInputs& in, const BaseFileRef& file, const char* which,
                     const parquet::Schema& out, RowsByKey* wanted) {
  if (wanted->empty()) return Status::OK();
  const std::string what = "change log " + in.log_path;
  if (file.path.empty()) {
    return Status::Corruption(what + " needs the " + std::string(which) +
                              " base file of its file group, which the commit does not name");
  }
  if (file.size > in.limits.max_base_bytes) {
    return Status::TooLarge("base file " + file.path + " is too large to read change data from");
  }
  Result<parquet::ParquetReader> reader =
      OpenBaseFile(in.storage, in.table_root, file.path, file.size);
  if (!reader.ok()) return reader.status();
  const parquet::Schema& schema = reader->schema();
  size_t found = 0;
  for (int rg = 0; rg < reader->num_row_groups() && found < wanted->size(); ++rg) {
    auto rows = ReadRowGroupRows(*reader, rg);
    if (!rows.ok()) return rows.status().WithContext("base file " + file.path);
    for (const Value& r : *rows) {
      const Value* key = RowField(r, schema, "_hoodie_record_key");
      if (key == nullptr) {
        return Status::Unsupported("base file " + file.path +
                                   " has no _hoodie_record_key field to find changed rows by");
      }
      if (key->kind != Value::Kind::kBytes) continue;
      auto it = wanted->find(key->s);
      if (it == wanted->end() || it->second) continue;
      LS_ASSIGN_OR_RETURN(Value row, AlignRow(r, schema, out));
      it->second = std::move(row);
      ++found;
    }
  }
  for (const auto& [key, row] : *wanted) {
    if (!row) {
      return Status::Corruption(what + " names record key '" + key.substr(0, 64) + "', which its " +
                                which + " base file " + file.path + " does not hold");
    }
  }
  return Status::OK();
}

bool SameValue(const Value& a, const Value& b) {
  if (a.kind != b.kind || a.children.size() != b.children.size()) return false;
  switch (a.kind) {
    case Value::Kind::kNull:
      return true;
    case Value::Kind::kBool:
    case Value::Kind::kInt:
      return a.i == b.i;
    case Value::Kind::kDouble:
      return a.d == b.d || (a.d != a.d && b.d != b.d);  // NaN equals NaN here
    case Value::Kind::kBytes:
      return a.s == b.s;
    case Value::Kind::kGroup:
    case Value::Kind::kList:
      break;
  }
  for (size_t i = 0; i < a.children.size(); ++i) {
    if (!SameValue(a.children[i], b.children[i])) return false;
  }
  return true;
}

// The rows of `keys` in a parquet file, as rows of `out`.
Status RowsOfKeys(const parquet::ParquetReader* reader, const parquet::Schema& out,
                  RowsByKey* wanted) {
  if (reader == nullptr) return Status::OK();
  const parquet::Schema& schema = reader->schema();
  for (int rg = 0; rg < reader->num_row_groups(); ++rg) {
    LS_ASSIGN_OR_RETURN(auto rows, ReadRowGroupRows(*reader, rg));
    for (const Value& r : rows) {
      const Value* key = RowField(r, schema, "_hoodie_record_key");
      if (key == nullptr) {
        return Status::Unsupported("the file group's rows have no _hoodie_record_key field");
      }
      if (key->kind != Value::Kind::kBytes) continue;
      auto it = wanted->find(key->s);
      if (it == wanted->end()) continue;
      LS_ASSIGN_OR_RETURN(Value row, AlignRow(r, schema, out));
      it->second = std::move(row);
    }
  }
  return Status::OK();
}

Status AddRow(RowWriter& writer, Value row, const char* kind) {
  row.children.back() = ChangeType(kind);
  return writer.Add(row);
}

}  // namespace

Result<std::string> CdcLogAsChangeFile(const ChangeLogInputs& in, int64_t* rows) {
  const std::string what = "change log " + in.log_path;
  auto bytes = in.storage->Read(in.storage->Join(in.table_root, in.log_path));
  if (!bytes.ok()) {
    if (bytes.status().code() == StatusCode::kNotFound) {
      return Status::Corruption(what + " is missing (a commit lists it)");
    }
    return bytes.status().WithContext(what);
  }
  if (static_cast<int64_t>(bytes->size()) > in.limits.max_log_bytes) {
    return Status::TooLarge(what + " is larger than " + std::to_string(in.limits.max_log_bytes) +
                            " bytes");
  }
  auto blocks = ParseLogBlocks(*bytes);
  if (!blocks.ok()) return blocks.status().WithContext(what);
  LS_ASSIGN_OR_RETURN(auto writer, ChangeFileWriter(*in.schema));
  const parquet::Schema& out = writer->schema();

  std::vector<ChangeRecord> records;
  RowsByKey before_rows, after_rows;  // keys whose images are looked up
  for (const LogBlock& b : *blocks) {
    if (b.type == LogBlockType::kCorrupt) continue;
    if (b.type != LogBlockType::kCdcData) {
      return Status::Corruption(what + " holds a block that is not change data");
    }
    const std::string* schema_json = b.Header(LogHeader::kSchema);
    if (schema_json == nullptr) return Status::Corruption(what + ": a block without a schema");
    LS_ASSIGN_OR_RETURN(auto cdc_type, ParseAvroSchema(*schema_json));
    const AvroType& cdc = cdc_type->NonNull();
    const AvroType::Field* before = cdc.FindField("before");
    const AvroType::Field* after = cdc.FindField("after");
    const bool has_key = cdc.FindField("record_key") != nullptr;
    // data_before_after: op, ts_ms, before, after; data_before: op,
    // record_key, before; op_key_only: op, record_key.
    if (cdc.FindField("op") == nullptr || (after != nullptr && before == nullptr) ||
        (after == nullptr && !has_key)) {
      return Status::Corruption(what + ": a change data block of no known logging mode");
    }
    auto block_records = AvroBlockRecords(b.content);
    if (!block_records.ok()) return block_records.status().WithContext(what);
    if (static_cast<int64_t>(records.size() + block_records->size()) > in.limits.max_log_records) {
      return Status::TooLarge(what + " holds more than " +
                              std::to_string(in.limits.max_log_records) + " records");
    }
    Status st =
        DecodeAvroRecords(*schema_json, *block_records, what, [&](const AvroValue& r) -> Status {
          ChangeRecord c;
          std::string op = StringField(r, "op");
          if (op != "i" && op != "u" && op != "d") {
            return Status::Corruption("a change record with op '" + op.substr(0, 8) + "'");
          }
          c.op = op[0];
          auto image = [&](const AvroType::Field* field) -> Result<std::optional<Value>> {
            if (field == nullptr) return std::optional<Value>();
            auto v = r.Field(field->name);
            if (!v || v->IsNull()) return std::optional<Value>();
            LS_ASSIGN_OR_RETURN(Value row, AvroToRow(*v, *field->type, out));
            return std::optional<Value>(std::move(row));
          };
          LS_ASSIGN_OR_RETURN(c.before, image(before));
          LS_ASSIGN_OR_RETURN(c.after, image(after));
          if (after != nullptr) {  // both images logged
            if ((c.op != 'i' && !c.before) || (c.op != 'd' && !c.after)) {
              return Status::Corruption("a change record without its image");
            }
          } else {
            c.key = StringField(r, "record_key");
            if (c.key.empty()) return Status::Corruption("a change record without its key");
            if (before != nullptr && c.op != 'i' && !c.before) {
              return Status::Corruption("a change record without its before image");
            }
            if (before == nullptr && c.op != 'i') before_rows.emplace(c.key, std::nullopt);
            if (c.op != 'd') after_rows.emplace(c.key, std::nullopt);
          }
          records.push_back(std::move(c));
          return Status::OK();
        });
    if (!st.ok()) return st.WithContext(what);
  }
  LS_RETURN_IF_ERROR(FindRowsByKey(in, in.before, "previous", out, &before_rows));
  LS_RETURN_IF_ERROR(FindRowsByKey(in, in.after, "new", out, &after_rows));
  auto before_of = [&](ChangeRecord& c) -> Value {
    if (c.before) return std::move(*c.before);
    return *before_rows.at(c.key);  // copies: a key may change twice in one log
  };
  auto after_of = [&](ChangeRecord& c) -> Value {
    if (c.after) return std::move(*c.after);
    return *after_rows.at(c.key);
  };
  for (ChangeRecord& c : records) {
    if (c.op == 'i') {
      LS_RETURN_IF_ERROR(AddRow(*writer, after_of(c), "insert"));
    } else if (c.op == 'd') {
      LS_RETURN_IF_ERROR(AddRow(*writer, before_of(c), "delete"));
    } else {
      LS_RETURN_IF_ERROR(AddRow(*writer, before_of(c), "update_preimage"));
      LS_RETURN_IF_ERROR(AddRow(*writer, after_of(c), "update_postimage"));
    }
  }
  *rows = writer->rows();
  return writer->Finish();
}

Result<std::string> ParquetRowsAsChanges(const parquet::ParquetReader& reader,
                                         const AvroType& schema, const char* kind, int64_t* rows) {
  LS_ASSIGN_OR_RETURN(auto writer, ChangeFileWriter(schema));
  const parquet::Schema& out = writer->schema();
  for (int rg = 0; rg < reader.num_row_groups(); ++rg) {
    LS_ASSIGN_OR_RETURN(auto raw, ReadRowGroupRows(reader, rg));
    for (const Value& r : raw) {
      LS_ASSIGN_OR_RETURN(Value row, AlignRow(r, reader.schema(), out));
      LS_RETURN_IF_ERROR(AddRow(*writer, std::move(row), kind));
    }
  }
  *rows = writer->rows();
  return writer->Finish();
}

Result<std::vector<std::string>> LogFileChangedKeys(std::string_view file,
                                                    const std::string& instant,
                                                    const SliceLimits& limits,
                                                    const std::string& what) {
  auto blocks = ParseLogBlocks(file);
  if (!blocks.ok()) return blocks.status().WithContext(what);
  std::vector<std::string> keys;
  std::unordered_map<std::string, bool> seen;
  auto add = [&](std::string key) -> Status {
    if (key.empty()) {
      return Status::Unsupported(what + " holds a record without _hoodie_record_key");
    }
    if (seen.emplace(key, true).second) {
      if (static_cast<int64_t>(keys.size()) >= limits.max_log_records) {
        return Status::TooLarge(what + " changes more than " +
                                std::to_string(limits.max_log_records) + " records");
      }
      keys.push_back(std::move(key));
    }
    return Status::OK();
  };
  for (const LogBlock& b : *blocks) {
    // Table version 6 appends the blocks of several instants to one file.
    if (b.type == LogBlockType::kCorrupt || b.InstantTime() != instant) continue;
    if (b.type == LogBlockType::kDelete) {
      auto deletes = DecodeDeleteBlock(b.content);
      if (!deletes.ok()) return deletes.status().WithContext(what);
      for (DeleteKey& d : *deletes) LS_RETURN_IF_ERROR(add(std::move(d.record_key)));
      continue;
    }
    if (b.type != LogBlockType::kAvroData) {
      return Status::Unsupported(what +
                                 ": change data is inferred from Avro and delete blocks only");
    }
    const std::string* schema_json = b.Header(LogHeader::kSchema);
    if (schema_json == nullptr) return Status::Corruption(what + ": a block without a schema");
    auto records = AvroBlockRecords(b.content);
    if (!records.ok()) return records.status().WithContext(what);
    LS_RETURN_IF_ERROR(DecodeAvroRecords(*schema_json, *records, what, [&](const AvroValue& r) {
      return add(StringField(r, "_hoodie_record_key"));
    }));
  }
  return keys;
}

Result<std::string> SliceDiffAsChangeFile(const parquet::ParquetReader* before,
                                          const parquet::ParquetReader* after,
                                          const std::vector<std::string>& keys,
                                          const AvroType& schema, int64_t* rows) {
  LS_ASSIGN_OR_RETURN(auto writer, ChangeFileWriter(schema));
  const parquet::Schema& out = writer->schema();
  RowsByKey before_rows, after_rows;
  for (const std::string& k : keys) {
    before_rows.emplace(k, std::nullopt);
    after_rows.emplace(k, std::nullopt);
  }
  LS_RETURN_IF_ERROR(RowsOfKeys(before, out, &before_rows));
  LS_RETURN_IF_ERROR(RowsOfKeys(after, out, &after_rows));
  for (const std::string& k : keys) {
    std::optional<Value>& b = before_rows.at(k);
    std::optional<Value>& a = after_rows.at(k);
    if (a && !b) {
      LS_RETURN_IF_ERROR(AddRow(*writer, std::move(*a), "insert"));
    } else if (b && !a) {
      LS_RETURN_IF_ERROR(AddRow(*writer, std::move(*b), "delete"));
    } else if (a && b && !SameValue(*a, *b)) {
      LS_RETURN_IF_ERROR(AddRow(*writer, std::move(*b), "update_preimage"));
      LS_RETURN_IF_ERROR(AddRow(*writer, std::move(*a), "update_postimage"));
    }
  }
  *rows = writer->rows();
  return writer->Finish();
}

Result<std::string> EmptyChangeFile(const AvroType& schema) {
  LS_ASSIGN_OR_RETURN(auto writer, ChangeFileWriter(schema));
  return writer->Finish();
}

Result<std::string> BaseFileAsChanges(std::shared_ptr<Storage> storage,
                                      const std::string& table_root, const BaseFileRef& file,
                                      const AvroType& schema, const char* kind, int64_t* rows) {
  Result<parquet::ParquetReader> reader = OpenBaseFile(storage, table_root, file.path, file.size);
  if (!reader.ok()) return reader.status();
  auto out = ParquetRowsAsChanges(*reader, schema, kind, rows);
  if (!out.ok()) return out.status().WithContext("base file " + file.path);
  return out;
}

}  // namespace lakeshare::hudi
