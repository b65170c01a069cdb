// Page compression codecs: UNCOMPRESSED, SNAPPY, GZIP, ZSTD, LZ4_RAW and the
// deprecated Hadoop-framed LZ4 (LZO and BROTLI are kUnsupported).
//
// Decompress reads untrusted bytes and must produce exactly
// `uncompressed_size` bytes, else kCorruption. The caller bounds
// `uncompressed_size` (it comes from a page header) before calling: the output
// buffer is allocated up front. Thread-safe (no shared state).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/status.h"
#include "parquet/parquet_metadata.h"

namespace lakeshare::parquet {

Result<std::string> Compress(CompressionCodec codec, std::string_view input);

Result<std::string> Decompress(CompressionCodec codec, std::string_view input,
                               size_t uncompressed_size);

// The codec's name as parquet tools print it ("SNAPPY", "ZSTD", ...).
std::string_view CodecName(CompressionCodec codec);

}  // namespace lakeshare::parquet
