#include "parquet/column_batch.h"

namespace lakeshare::parquet {

int64_t Int96ToNanos(const Int96& v) {
  constexpr int64_t kJulianEpochDay = 2440588;  // Julian day of 1970-01-01
  constexpr uint64_t kNanosPerDay = 86400ULL * 1000 * 1000 * 1000;
  uint64_t nanos_of_day = static_cast<uint64_t>(v.words[1]) << 32 | v.words[0];
  int64_t day = static_cast<int64_t>(v.words[2]) - kJulianEpochDay;
  // Unsigned arithmetic: hostile values wrap instead of overflowing.
  return static_cast<int64_t>(static_cast<uint64_t>(day) * kNanosPerDay + nanos_of_day);
}

int64_t ColumnBatch::num_values() const {
  switch (leaf().physical_type) {
    case Type::kBoolean:
      return static_cast<int64_t>(bools.size());
    case Type::kInt32:
      return static_cast<int64_t>(int32s.size());
    case Type::kInt64:
      return static_cast<int64_t>(int64s.size());
    case Type::kInt96:
      return static_cast<int64_t>(int96s.size());
    case Type::kFloat:
      return static_cast<int64_t>(floats.size());
    case Type::kDouble:
      return static_cast<int64_t>(doubles.size());
    default:
      return static_cast<int64_t>(binaries.size());
  }
}

}  // namespace lakeshare::parquet
