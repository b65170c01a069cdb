// Writes classic Delta checkpoints (parquet, the schema Spark writes:
// protocol, metaData and add structs, partitionValues as a map, stats as a
// JSON string) with our own parquet writer, plus the `_last_checkpoint`
// text. Used by the synthetic table generator and by tests that need
// checkpoints of a known state (multi-part ones included).
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "parquet/parquet_metadata.h"
#include "table/table_format.h"

namespace lakeshare {

struct CheckpointWriteOptions {
  int64_t rows_per_row_group = 100000;
  parquet::CompressionCodec codec = parquet::CompressionCodec::kSnappy;
  int64_t data_page_size = 1 << 20;
};

// One checkpoint file: a protocol and a metaData row when given (a
// multi-part checkpoint puts them in one part), then one add row per file.
Result<std::string> WriteCheckpointParquet(const TableProtocol* protocol,
                                           const TableMetadata* metadata,
                                           const std::vector<DataFile>& files,
                                           const CheckpointWriteOptions& options = {});

// The content of `_delta_log/_last_checkpoint`.
std::string LastCheckpointJson(int64_t version, int64_t actions, int64_t size_in_bytes,
                               int64_t num_add_files, std::optional<int32_t> parts = std::nullopt);

}  // namespace lakeshare
