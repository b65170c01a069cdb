// The block codecs of Avro object container files: null, deflate (raw, no
// zlib header), snappy (with the big-endian CRC-32 of the uncompressed bytes
// after each block) and zstandard.
//
// Decompression never produces more than `max_bytes` (kTooLarge) and
// reports malformed input as kCorruption, an unknown codec as
// kUnsupported. Pure functions: thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace lakeshare::iceberg {

bool IsSupportedAvroCodec(std::string_view codec);

// The uncompressed bytes of `block`: `block` itself for "null", else a view
// of *scratch, which receives them.
Result<std::string_view> DecompressAvroBlock(std::string_view codec, std::string_view block,
                                             int64_t max_bytes, std::string* scratch);

// Raw deflate of `in` into *out (replacing its contents).
Status DeflateAvroBlock(std::string_view in, std::string* out);

}  // namespace lakeshare::iceberg
