// Avro in Hudi: commit metadata of table versions 8+ and the rollback,
// clean and restore metadata of every version are Avro object container
// files; log blocks hold bare Avro records (each framed by its length) with
// the writer schema in the block header.
//
// Both are decoded by the project's Avro record decoder
// (iceberg/avro_file.h): bare records are framed into an in-memory container
// file of one-record blocks, so each record is decoded within exactly its
// own bytes and every limit of the decoder applies.
//
// Pure functions; thread-safe. Errors: kCorruption (malformed bytes or
// schema), kTooLarge past the decoder's limits.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "iceberg/avro_file.h"

namespace lakeshare::hudi {

using AvroValue = iceberg::AvroValue;

// Decodes `records` (each the binary encoding of one record of
// `schema_json`) in order, calling fn with each.
Status DecodeAvroRecords(std::string_view schema_json, const std::vector<std::string_view>& records,
                         const std::string& what,
                         const std::function<Status(const AvroValue&)>& fn);

// Decodes every record of an object container file.
Status DecodeAvroFile(std::string bytes, const std::string& what,
                      const std::function<Status(const AvroValue&)>& fn);

// Helpers over AvroValue: a string field or "" when absent or null, an
// int/long field or `fallback`, and the strings of an array field.
std::string StringField(const AvroValue& record, std::string_view name);
int64_t LongField(const AvroValue& record, std::string_view name, int64_t fallback);
Result<std::vector<std::string>> StringArrayField(const AvroValue& record, std::string_view name);

}  // namespace lakeshare::hudi
