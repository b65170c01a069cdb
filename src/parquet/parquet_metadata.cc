#include "parquet/parquet_metadata.h"

namespace lakeshare::parquet {

LogicalType LogicalType::Timestamp(bool utc, TimeUnit unit) {
  LogicalType t = Of(Kind::kTimestamp);
  t.is_adjusted_to_utc = utc;
  t.unit = unit;
  return t;
}

LogicalType LogicalType::Decimal(int32_t scale, int32_t precision) {
  LogicalType t = Of(Kind::kDecimal);
  t.decimal_scale = scale;
  t.decimal_precision = precision;
  return t;
}

LogicalType LogicalType::Integer(int8_t bit_width, bool is_signed) {
  LogicalType t = Of(Kind::kInteger);
  t.bit_width = bit_width;
  t.is_signed = is_signed;
  return t;
}

}  // namespace lakeshare::parquet
