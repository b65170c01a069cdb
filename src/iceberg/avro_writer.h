// Writing Avro object container files in memory (Iceberg manifests and
// manifest lists), with avro-c encoding the records: the caller fills a
// reusable avro-c value of the writer schema, the writer frames blocks (up
// to 4096 records or 1 MiB each) with the null or deflate codec.
//
// Errors: kInvalidArgument for a schema or codec the writer cannot use,
// kInternal when a record does not match its schema (a bug in the caller,
// never outside input). A writer is not thread-safe.
#pragma once

#include <avro.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace lakeshare::iceberg {

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

}  // namespace lakeshare::iceberg
