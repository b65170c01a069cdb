// Change data of Hudi tables that log it (hoodie.table.cdc.enabled), as the
// `cdf` files of the Delta Sharing protocol: parquet files holding the
// table's columns plus `_change_type` (insert, update_preimage,
// update_postimage, delete), written into the merge cache.
//
// Sources: a CDC log file (`...-cdc`, CDC data blocks) of the
// data_before_after supplemental logging mode (op i/u/d with the before and
// after images); a new file group's base file (all rows inserted), as Hudi's
// own CDC reader infers it. Versions whose changes cannot be derived exactly
// that way (other logging modes, replaced file groups, updates without a CDC
// log) get no change data: their file-level adds and removes stand.
//
// Thread-compatible functions; Storage is thread-safe. Errors: the
// storage's, kCorruption for malformed or missing files, kUnsupported for
// logging modes and rows that cannot be converted.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "hudi/hudi_schema.h"
#include "storage/storage.h"

namespace lakeshare::hudi {

// The cdf parquet file of a CDC log file of the table (path relative to its
// root); `schema` is the table's Avro schema. *rows receives the row count.
Result<std::string> CdcLogAsChangeFile(Storage& storage, const std::string& table_root,
                                       const std::string& path, const AvroType& schema,
                                       int64_t max_bytes, int64_t* rows);

// The cdf parquet file of a base file whose rows were all inserted.
Result<std::string> BaseFileAsInserts(std::shared_ptr<Storage> storage,
                                      const std::string& table_root, const std::string& path,
                                      int64_t size, const AvroType& schema, int64_t* rows);

}  // namespace lakeshare::hudi
