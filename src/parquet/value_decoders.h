// Decoders for parquet's value and level encodings, for untrusted bytes:
// PLAIN, the RLE/bit-packed hybrid (levels, booleans, dictionary indices), the
// deprecated BIT_PACKED levels, BYTE_STREAM_SPLIT, and (delta_encodings.h)
// DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY and DELTA_BYTE_ARRAY.
//
// Every function checks sizes against the bytes it is given before reading or
// allocating, so the work and memory it spends are bounded by its input and by
// the value counts its caller passes (which the caller bounds); every problem
// is kCorruption. Values are appended to the ColumnBatch vector of the
// physical type (see column_batch.h); byte-array results are string_views
// into `data` (the caller keeps `data`'s buffer alive in the batch), except
// for DELTA_BYTE_ARRAY and BYTE_STREAM_SPLIT of FIXED_LEN_BYTE_ARRAY, which
// build their values in a new buffer added to the batch. Stateless and
// thread-safe.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "parquet/column_batch.h"
#include "parquet/parquet_metadata.h"

namespace lakeshare::parquet {

// The physical type, FIXED_LEN_BYTE_ARRAY width and decoding budget of a
// value stream.
struct ValueContext {
  Type type = Type::kInt32;
  int32_t type_length = 0;
  // Bytes DELTA_BYTE_ARRAY and BYTE_STREAM_SPLIT may still allocate for
  // materialized values; decremented as they do.
  int64_t* byte_budget = nullptr;
};

// The RLE/bit-packed hybrid without a length prefix. Decodes exactly `count`
// values into `out`, each checked to be <= max_value.
Status DecodeHybrid(std::string_view data, int bit_width, uint32_t max_value, size_t count,
                    int16_t* out);
Status DecodeHybrid(std::string_view data, int bit_width, uint32_t max_value, size_t count,
                    uint32_t* out);

// The deprecated BIT_PACKED level encoding (most significant bit first);
// *consumed receives the bytes used.
Status DecodeBitPackedLevels(std::string_view data, int bit_width, uint32_t max_value, size_t count,
                             int16_t* out, size_t* consumed);

// Appends `count` values of the given encoding to the batch vector of
// ctx.type. `dictionary` (for RLE_DICTIONARY / PLAIN_DICTIONARY) holds the
// dictionary page's values in the same vector; nullptr when there is none.
Status DecodeValues(Encoding encoding, const ValueContext& ctx, std::string_view data, size_t count,
                    const ColumnBatch* dictionary, ColumnBatch* out);

// The number of bits needed for values up to max_value (0 for 0).
int LevelBitWidth(uint32_t max_value);

}  // namespace lakeshare::parquet
