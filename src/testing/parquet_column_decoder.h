// Test helper: decodes the column chunks of files shaped like
// parquet::ParquetWriter's output (flat schema, data page v1, PLAIN values,
// RLE definition levels) back into ColumnData, so that tests can check what
// was written independently of the production parquet reader.
//
// A pure function (thread-safe). Errors: kCorruption for bytes that do not
// parse, kUnsupported for pages or types the writer never produces.
#pragma once

#include <cstddef>
#include <string_view>

#include "common/status.h"
#include "parquet/parquet_metadata.h"
#include "parquet/parquet_writer.h"

namespace lakeshare::testing {

// Decodes column `col` of row group `rg` of `file` (whose footer is `md`);
// the result's validity always has one entry per row.
Result<parquet::ColumnData> DecodeColumnChunk(std::string_view file,
                                              const parquet::FileMetaData& md, size_t rg,
                                              size_t col);

}  // namespace lakeshare::testing
