// Deletion vectors for Hudi slices whose log files only delete rows: the
// deleted row positions of the base file as an inline Delta deletion vector
// (storageType "i": the Z85 text of a RoaringBitmapArray, Delta's portable
// 64-bit roaring serialization), which delta-format clients apply as they
// do for Delta tables.
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "table/table_format.h"

namespace lakeshare::hudi {

// The serialized RoaringBitmapArray of sorted, distinct positions.
std::string SerializeRoaringBitmapArray(const std::vector<uint64_t>& positions);

// Z85 text of `bytes` zero-padded to a multiple of 4.
std::string Z85Encode(std::string_view bytes);

// The inline descriptor of `positions` (sorted, distinct).
DeletionVector InlineDeletionVector(const std::vector<uint64_t>& positions);

// Decodes a serialized RoaringBitmapArray (for tests); nullopt when malformed.
std::optional<std::vector<uint64_t>> ParseRoaringBitmapArray(std::string_view bytes);

}  // namespace lakeshare::hudi
