// ColumnBatch: the decoded contents of one leaf column in one row group, as
// the reader hands them out. Plain vectors, so that code consuming a column
// can loop over them without virtual calls or per-value checks.
//
//   levels   num_levels entries of def_levels / rep_levels (each vector is
//            empty when the leaf's max_def / max_rep is 0: every entry then
//            has that level). There is one level entry per value slot of the
//            leaf, null or not, including the entries that only say "this
//            list is empty" or "an ancestor is null".
//   values   only the non-null values (entries whose def level equals the
//            leaf's max_def), densely, in the one vector matching the leaf's
//            physical type; the other vectors stay empty:
//              BOOLEAN               bools (0 or 1)
//              INT32                 int32s  (also INT(8|16|32), UINT_*, DATE,
//                                            TIME_MILLIS, DECIMAL)
//              INT64                 int64s  (also TIMESTAMP, TIME_MICROS/NANOS,
//                                            DECIMAL)
//              INT96                 int96s  (legacy timestamps; see Int96ToNanos)
//              FLOAT / DOUBLE        floats / doubles
//              BYTE_ARRAY, FIXED_LEN binaries (string_views into `buffers`)
//
// Ownership: a ColumnBatch owns everything it refers to (decompressed pages
// and dictionaries, shared through `buffers`), so the string_views stay valid
// as long as the batch or any copy of it is alive; copying is cheap-ish
// (vectors are copied, buffers shared). The schema is shared the same way.
// Not synchronized: share a batch between threads only for reading.
//
// To walk records (struct present/null, list and map elements) rather than
// raw levels, see record_view.h.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "parquet/parquet_schema.h"

namespace lakeshare::parquet {

// An INT96 value as stored: 8 bytes of nanoseconds within the day, then a
// 4-byte Julian day number (little-endian).
struct Int96 {
  uint32_t words[3] = {0, 0, 0};
};

// Nanoseconds since 1970-01-01T00:00:00Z (wraps for dates far outside
// 1677..2262, as every INT96 reader does).
int64_t Int96ToNanos(const Int96& v);

// Makes room for `more` values at the end of `v`, growing geometrically: a
// chunk is decoded page after page, and reserving exactly each page's count
// would copy the values decoded so far once per page (quadratic in the number
// of pages; writers cut a chunk into pages of about 1 MiB).
template <typename T>
void ReserveMore(std::vector<T>* v, size_t more) {
  const size_t need = v->size() + more;
  if (need > v->capacity()) v->reserve(std::max(need, 2 * v->capacity()));
}

struct ColumnBatch {
  std::shared_ptr<const Schema> schema;
  int leaf_index = -1;
  const SchemaNode& leaf() const { return schema->leaf(leaf_index); }

  int64_t num_levels = 0;
  std::vector<int16_t> def_levels;
  std::vector<int16_t> rep_levels;

  std::vector<uint8_t> bools;
  std::vector<int32_t> int32s;
  std::vector<int64_t> int64s;
  std::vector<Int96> int96s;
  std::vector<float> floats;
  std::vector<double> doubles;
  std::vector<std::string_view> binaries;
  std::vector<std::shared_ptr<const std::string>> buffers;

  // The number of non-null values (the length of the vector in use).
  int64_t num_values() const;
  // The def / rep level of entry i (0 when the leaf has none).
  int16_t def_level(int64_t i) const {
    return def_levels.empty() ? leaf().max_def : def_levels[static_cast<size_t>(i)];
  }
  int16_t rep_level(int64_t i) const {
    return rep_levels.empty() ? 0 : rep_levels[static_cast<size_t>(i)];
  }
};

}  // namespace lakeshare::parquet
