// Reading Avro object container files (the format of Iceberg manifest lists
// and manifests); avro_writer.h writes them.
//
// The container framing (magic, metadata map, sync marker, blocks) is
// decoded here, and the records by AvroDecodedRecord (avro_record.h), so
// every length from the file is checked against the bytes that are really
// there and against AvroLimits before anything is allocated; avro-c only
// parses the writer schema, after avro_schema_check.h accepted it. Codecs:
// avro_codecs.h.
//
// Errors: kCorruption for malformed bytes (the message names what is wrong,
// never the avro-c error text, whose buffer is global and not thread-safe),
// kUnsupported for an unknown codec, kTooLarge past a limit. Nothing throws.
// A reader is not thread-safe; distinct ones are independent.
#pragma once

#include <avro.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "common/status.h"
#include "iceberg/avro_record.h"

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

}  // namespace lakeshare::iceberg
