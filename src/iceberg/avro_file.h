// Avro object container files (the format of Iceberg manifest lists and
// manifests), read and written with libavro (avro-c).
//
// The container framing (magic, metadata map, sync marker, blocks) and the
// records are decoded here, so every length from the file is checked against
// the bytes that are really there and against AvroLimits before anything is
// allocated; avro-c parses the writer schema (compiled once per file into
// the decoder's own form) and writes files. A record decodes into a flat,
// reused array of values that point into the block (no allocation per
// record once the array has grown).
// Writer schemas that could make decoding unbounded are refused up front:
// recursive types, nesting deeper than max_schema_depth, and arrays or maps
// whose items can take zero bytes (a count of 2^60 would loop without
// consuming input). Codecs: null, deflate, snappy, zstandard.
//
// Errors: kCorruption for malformed bytes (the message names what is wrong,
// never the avro-c error text, whose buffer is global and not thread-safe),
// kUnsupported for an unknown codec, kTooLarge past a limit. Nothing throws.
// A reader or writer is not thread-safe; distinct ones are independent.
#pragma once

#include <avro.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace lakeshare::iceberg {

struct AvroLimits {
  int64_t max_block_bytes = int64_t{256} << 20;  // one decompressed block
  int64_t max_records = int64_t{50} << 20;       // records in one file
  int max_schema_depth = 32;
  int64_t max_record_values = int64_t{1} << 20;  // decoded values in one record
};

// Installs the capped allocator avro-c uses (once per process; idempotent).
// Single allocations above a few hundred MiB fail instead of exhausting memory.
void InstallAvroAllocator();

// One record decoded by AvroFileReader (reused from record to record).
class AvroDecodedRecord;

// A borrowed view of one decoded Avro value with the accessors manifests
// need, valid while the record is (during the ForEach callback). Unions
// are looked through: a union value acts as its current branch.
class AvroValue {
 public:
  AvroValue(const AvroDecodedRecord* record, uint32_t node) : record_(record), node_(node) {}

  avro_type_t type() const;
  bool IsNull() const { return type() == AVRO_NULL; }
  // The field `name` of a record; nullopt when the record has no such field
  // (or the value is not a record).
  std::optional<AvroValue> Field(std::string_view name) const;
  // A field that must exist and not be null.
  Result<AvroValue> Required(std::string_view name) const;

  // Typed reads; kCorruption when the value has another type. AsInt64
  // accepts int and long, AsBytes accepts bytes, fixed and string, AsDouble
  // float and double.
  Result<int64_t> AsInt64() const;
  Result<bool> AsBool() const;
  Result<double> AsDouble() const;
  Result<std::string_view> AsBytes() const;  // valid while the record is
  Result<std::string_view> AsString() const;

  // Array elements, record fields (in schema order) or map entries (as
  // key/value), in order.
  Result<size_t> Size() const;
  Result<AvroValue> Element(size_t i) const;
  Result<std::pair<std::string, AvroValue>> MapEntry(size_t i) const;

  // Optional-field helpers: nullopt when the field is absent or null.
  Result<std::optional<int64_t>> OptionalInt64(std::string_view name) const;
  Result<std::optional<std::string>> OptionalString(std::string_view name) const;

 private:
  const AvroDecodedRecord* record_;
  uint32_t node_;
};

class AvroFileReader {
 public:
  // Parses the header of `bytes` (kept by the reader). `what` names the file
  // in error messages.
  static Result<std::unique_ptr<AvroFileReader>> Open(std::string bytes, std::string what,
                                                      AvroLimits limits = {});
  ~AvroFileReader();
  AvroFileReader(const AvroFileReader&) = delete;
  AvroFileReader& operator=(const AvroFileReader&) = delete;

  // The file's metadata map (avro.schema, avro.codec and the writer's keys).
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  std::optional<std::string> Meta(const std::string& key) const;
  avro_schema_t schema() const { return schema_; }

  // Decodes every record in order and calls `fn` with it (valid only during
  // the call). Stops at the first error, fn's or the file's.
  Status ForEach(const std::function<Status(const AvroValue&)>& fn);

 private:
  AvroFileReader() = default;
  Status ParseHeader();
  Result<std::string_view> Decompress(std::string_view block, std::string* scratch) const;

  std::string bytes_;
  std::string what_;
  AvroLimits limits_;
  std::map<std::string, std::string> metadata_;
  std::string codec_;
  std::string sync_;
  size_t data_start_ = 0;
  int64_t record_min_size_ = 0;
  avro_schema_t schema_ = nullptr;
  std::unique_ptr<AvroDecodedRecord> decoded_;  // the compiled schema and the record arena
};

// Builds an object container file in memory. Records are filled by the
// caller through a reusable avro-c value of the writer schema.
class AvroFileWriter {
 public:
  // `codec` is "null" or "deflate". `metadata` is written besides
  // avro.schema and avro.codec.
  static Result<std::unique_ptr<AvroFileWriter>> Create(
      const std::string& schema_json, const std::map<std::string, std::string>& metadata,
      const std::string& codec = "deflate");
  ~AvroFileWriter();
  AvroFileWriter(const AvroFileWriter&) = delete;
  AvroFileWriter& operator=(const AvroFileWriter&) = delete;

  // A reset value of the schema to fill; Append() encodes it.
  avro_value_t* NewRecord();
  Status Append();
  // Flushes the last block and returns the file.
  Result<std::string> Finish();

 private:
  AvroFileWriter() = default;
  Status FlushBlock();

  avro_schema_t schema_ = nullptr;
  avro_value_iface_t* iface_ = nullptr;
  avro_value_t record_{};
  bool has_record_ = false;
  std::string codec_;
  std::string out_;
  std::string sync_;
  std::string block_;
  std::string scratch_;
  int64_t block_records_ = 0;
  bool finished_ = false;
};

// Helpers for filling records (kInternal when the schema does not match:
// a bug in the caller, never outside input).
Result<avro_value_t> AvroField(avro_value_t* record, const char* name);
Status AvroSetNull(avro_value_t* value);  // a ["null", X] union to null
Result<avro_value_t> AvroSetBranch(avro_value_t* value, int branch);
Status AvroSetLong(avro_value_t* value, int64_t v);  // int or long (through a union)
Status AvroSetString(avro_value_t* value, std::string_view v);
Status AvroSetBytes(avro_value_t* value, std::string_view v);  // bytes or fixed
Status AvroSetBool(avro_value_t* value, bool v);
Status AvroSetDouble(avro_value_t* value, double v);  // float or double

// Zigzag varints of the Avro binary encoding (exposed for tests).
void AppendAvroLong(std::string* out, int64_t v);

}  // namespace lakeshare::iceberg
