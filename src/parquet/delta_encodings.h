// Parquet's DELTA encodings, for untrusted bytes: DELTA_BINARY_PACKED
// (int32 / int64), DELTA_LENGTH_BYTE_ARRAY and DELTA_BYTE_ARRAY (incremental
// prefixes), and an encoder of DELTA_BINARY_PACKED for tests.
//
// As value_decoders.h: sizes are checked before anything is read or
// allocated, every problem is kCorruption, values are appended. Views of
// DELTA_LENGTH_BYTE_ARRAY point into `data`; DELTA_BYTE_ARRAY builds its
// values in a new buffer added to the batch (charged to ctx.byte_budget).
// Stateless and thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "parquet/column_batch.h"
#include "parquet/value_decoders.h"

namespace lakeshare::parquet {

// Exactly `count` values of a DELTA_BINARY_PACKED stream, appended to *out
// (uint64 arithmetic wraps as the encoding intends; T's width decides the
// wrap). T is int32_t or int64_t.
template <typename T>
Status DecodeDeltaBinaryPacked(std::string_view data, size_t count, std::vector<T>* out);

// `count` values of a DELTA_LENGTH_BYTE_ARRAY stream (which must hold
// exactly that many), appended as views into `data`; *consumed (optional)
// gets the stream's length.
Status DecodeDeltaLengthByteArray(std::string_view data, size_t count,
                                  std::vector<std::string_view>* out, size_t* consumed);

// `count` values of a DELTA_BYTE_ARRAY stream (BYTE_ARRAY or, of
// ctx.type_length each, FIXED_LEN_BYTE_ARRAY) into out->binaries.
Status DecodeDeltaByteArray(const ValueContext& ctx, std::string_view data, size_t count,
                            ColumnBatch* out);

// DELTA_BINARY_PACKED with blocks of 128 values in 4 miniblocks, as
// parquet-mr and Arrow write it.
void EncodeDeltaBinaryPacked(const int64_t* values, size_t count, std::string* out);

// Charges `bytes` of materialized values to ctx.byte_budget (kCorruption
// when it would go below zero; no budget: no limit).
Status TakeValueBudget(const ValueContext& ctx, uint64_t bytes);

}  // namespace lakeshare::parquet
