// Change data of Hudi tables that log it (hoodie.table.cdc.enabled), as the
// `cdf` files of the Delta Sharing protocol: parquet files holding the
// table's columns plus `_change_type` (insert, update_preimage,
// update_postimage, delete), written into the merge cache.
//
// Sources, as Hudi's own CDC reader infers them per write stat
// (HoodieCDCInferenceCase): a CDC log file (`...-cdc`, CDC data blocks,
// "AS_IS") in any supplemental logging mode — data_before_after holds both
// images; data_before holds the before image and the record key, the after
// image is the record of that key in the new base file; op_key_only holds
// the op and the key, the before image comes from the previous base file of
// the file group and the after image from the new one; a merge-on-read
// log file without a change log ("LOG_FILE": the keys it writes, compared
// between the merged slices before and after it); a base file whose
// rows were all inserted ("BASE_FILE_INSERT"); and all rows of a file as
// deletes ("BASE_FILE_DELETE", "REPLACE_COMMIT": the previous base file of
// a group a delete emptied, the last slice of a group a replacecommit
// retired). The mode is read from each block's schema (its fields name it).
//
// Bounded like a merge: a change log counts against max_log_bytes and
// max_log_records; base files read for images against max_base_bytes, a
// row group at a time, keeping only the rows of keys the log names.
//
// Thread-compatible functions; Storage is thread-safe. Errors: the
// storage's, kCorruption for malformed or missing files and for a log
// naming a key its base file lacks, kTooLarge past the limits,
// kUnsupported for rows that cannot be converted and for tables without
// the _hoodie_record_key field where a lookup by key is needed.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "hudi/hudi_schema.h"
#include "hudi/hudi_slice_reader.h"
#include "parquet/parquet_reader.h"
#include "storage/storage.h"

namespace lakeshare::hudi {

// A base file of the table: path relative to its root, size as its commit
// lists it. An empty path is no file.
struct BaseFileRef {
  std::string path;
  int64_t size = 0;
};

struct ChangeLogInputs {
  std::shared_ptr<Storage> storage;
  std::string table_root;
  std::string log_path;              // relative to the table root
  const AvroType* schema = nullptr;  // the table's Avro schema
  BaseFileRef before;                // the file group's previous base file (op_key_only)
  BaseFileRef after;                 // the base file the write produced (data_before, op_key_only)
  SliceLimits limits;
};

// The cdf parquet file of a CDC log file. *rows receives the row count.
Result<std::string> CdcLogAsChangeFile(const ChangeLogInputs& in, int64_t* rows);

// The cdf parquet file of a base file whose rows all changed the same way:
// `kind` is "insert" or "delete".
Result<std::string> BaseFileAsChanges(std::shared_ptr<Storage> storage,
                                      const std::string& table_root, const BaseFileRef& file,
                                      const AvroType& schema, const char* kind, int64_t* rows);

// The same for the rows of an open parquet file (a merged slice).
Result<std::string> ParquetRowsAsChanges(const parquet::ParquetReader& reader,
                                         const AvroType& schema, const char* kind, int64_t* rows);

// LOG_FILE (a merge-on-read log written without a change log): the record
// keys the blocks of `instant` in a log file change, in first-seen order
// (Avro data blocks: _hoodie_record_key; delete blocks). kUnsupported for
// other data blocks and for records without the key field.
Result<std::vector<std::string>> LogFileChangedKeys(std::string_view file,
                                                    const std::string& instant,
                                                    const SliceLimits& limits,
                                                    const std::string& what);

// The cdf file of `keys` of a file group between two readings of it (the
// merged slices before and after the write; null: no rows). As Hudi's CDC
// reader infers a log file's changes: a key only after is an insert, only
// before a delete, in both with different rows an update (pre- and
// post-image); a key whose row did not change is no change.
Result<std::string> SliceDiffAsChangeFile(const parquet::ParquetReader* before,
                                          const parquet::ParquetReader* after,
                                          const std::vector<std::string>& keys,
                                          const AvroType& schema, int64_t* rows);

// A cdf file without rows (a retired slice whose logs deleted every row).
Result<std::string> EmptyChangeFile(const AvroType& schema);

}  // namespace lakeshare::hudi
