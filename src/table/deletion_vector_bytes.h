// The bytes of Delta deletion vectors, for formats that serve their row
// deletes as Delta DVs (Hudi's delete-only log files, Iceberg position
// deletes and v3 deletion vectors):
//  - a RoaringBitmapArray: Delta's 4-byte little-endian magic 1681511377
//    followed by the portable 64-bit roaring layout (8-byte count of 32-bit
//    bitmaps; per bitmap a 4-byte key and a portable 32-bit RoaringBitmap);
//  - inline descriptors (storageType "i": the Z85 text of those bytes);
//  - DV files as Delta's PROTOCOL.md lays them out: a version byte (1), then
//    per DV a 4-byte big-endian size, the bitmap, a 4-byte big-endian CRC-32
//    of the bitmap (the descriptor's offset points at the size).
//
// Pure functions; thread-safe. Parsers never read out of bounds and return
// nullopt on malformed input.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "table/table_format.h"

namespace lakeshare {

// Z85 text of `bytes` zero-padded to a multiple of 4.
std::string Z85Encode(std::string_view bytes);
// Decodes Z85 (the ZeroMQ base85 alphabet Delta uses); nullopt on a bad
// character or a length that is not a multiple of 5.
std::optional<std::string> Z85Decode(std::string_view text);

// The serialized RoaringBitmapArray (magic included) of sorted, distinct
// positions (array and bitmap containers, no runs).
std::string SerializeRoaringBitmapArray(const std::vector<uint64_t>& positions);
// Decodes a RoaringBitmapArray (magic included); positions ascending.
std::optional<std::vector<uint64_t>> ParseRoaringBitmapArray(std::string_view bytes);
// Decodes the portable 64-bit roaring layout without Delta's magic (what an
// Iceberg deletion-vector-v1 blob holds), run containers included; at most
// `max_positions` positions (nullopt beyond).
std::optional<std::vector<uint64_t>> ParsePortableRoaring64(std::string_view bytes,
                                                            uint64_t max_positions = UINT64_MAX);

// The inline descriptor of `positions` (sorted, distinct).
DeletionVector InlineDeletionVector(const std::vector<uint64_t>& positions);

// A DV file holding one bitmap (see above; the bitmap starts at offset 5,
// its size field at offset 1).
std::string DeletionVectorFile(std::string_view bitmap);
// The bitmap of the DV at `offset` of a DV file, its size and CRC checked.
std::optional<std::string> ReadDeletionVectorFile(std::string_view file, int64_t offset);

}  // namespace lakeshare
