#include "hudi/hudi_cdc.h"

#include "hudi/hudi_avro.h"
#include "hudi/hudi_avro_rows.h"
#include "hudi/hudi_base_file.h"
#include "hudi/hudi_log_format.h"
#include "hudi/hudi_row_writer.h"
#include "hudi/hudi_rows.h"
#include "parquet/parquet_reader.h"

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

}  // namespace

Result<std::string> CdcLogAsChangeFile(Storage& storage, const std::string& table_root,
                                       const std::string& path, const AvroType& schema,
                                       int64_t max_bytes, int64_t* rows) {
  const std::string what = "change log " + path;
  auto bytes = storage.Read(storage.Join(table_root, path));
  if (!bytes.ok()) {
    if (bytes.status().code() == StatusCode::kNotFound) {
      return Status::Corruption(what + " is missing (a commit lists it)");
    }
    return bytes.status().WithContext(what);
  }
  if (static_cast<int64_t>(bytes->size()) > max_bytes) {
    return Status::TooLarge(what + " is larger than " + std::to_string(max_bytes) + " bytes");
  }
  auto blocks = ParseLogBlocks(*bytes);
  if (!blocks.ok()) return blocks.status().WithContext(what);
  LS_ASSIGN_OR_RETURN(auto writer, ChangeFileWriter(schema));
  const parquet::Schema& out = writer->schema();
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
    if (cdc.FindField("op") == nullptr || before == nullptr || after == nullptr) {
      return Status::Unsupported(what + ": only the data_before_after logging mode is read");
    }
    auto records = AvroBlockRecords(b.content);
    if (!records.ok()) return records.status().WithContext(what);
    Status st = DecodeAvroRecords(*schema_json, *records, what, [&](const AvroValue& r) -> Status {
      std::string op = StringField(r, "op");
      auto image = [&](const AvroType::Field* field, const char* kind) -> Status {
        auto v = r.Field(field->name);
        if (!v || v->IsNull()) return Status::Corruption("a change record without its image");
        LS_ASSIGN_OR_RETURN(Value row, AvroToRow(*v, *field->type, out));
        row.children.back() = ChangeType(kind);
        return writer->Add(std::move(row));
      };
      if (op == "i") return image(after, "insert");
      if (op == "d") return image(before, "delete");
      if (op == "u") {
        LS_RETURN_IF_ERROR(image(before, "update_preimage"));
        return image(after, "update_postimage");
      }
      return Status::Corruption("a change record with op '" + op.substr(0, 8) + "'");
    });
    if (!st.ok()) return st.WithContext(what);
  }
  *rows = writer->rows();
  return writer->Finish();
}

Result<std::string> BaseFileAsInserts(std::shared_ptr<Storage> storage,
                                      const std::string& table_root, const std::string& path,
                                      int64_t size, const AvroType& schema, int64_t* rows) {
  const std::string what = "base file " + path;
  Result<parquet::ParquetReader> reader = OpenBaseFile(storage, table_root, path, size);
  if (!reader.ok()) return reader.status();
  LS_ASSIGN_OR_RETURN(auto writer, ChangeFileWriter(schema));
  const parquet::Schema& out = writer->schema();
  for (int rg = 0; rg < reader->num_row_groups(); ++rg) {
    auto raw = ReadRowGroupRows(*reader, rg);
    if (!raw.ok()) return raw.status().WithContext(what);
    for (const Value& r : *raw) {
      LS_ASSIGN_OR_RETURN(Value row, AlignRow(r, reader->schema(), out));
      row.children.back() = ChangeType("insert");
      LS_RETURN_IF_ERROR(writer->Add(std::move(row)));
    }
  }
  *rows = writer->rows();
  return writer->Finish();
}

}  // namespace lakeshare::hudi
