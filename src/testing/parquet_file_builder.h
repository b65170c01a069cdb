// Test helper: builds small parquet files of any schema shape page by page,
// from explicit levels and already-encoded values, so that reader tests can
// cover nesting, data page v2, dictionaries and every encoding
// (ParquetWriter writes flat PLAIN v1 pages only) — and can plant hostile
// values in any header field.
//
// Pure functions of their arguments (thread-safe); they trust their input
// (a test's) and never fail, except BuildFile, which aborts on a codec the
// build cannot compress.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "parquet/parquet_metadata.h"

namespace lakeshare::testing {

// One column chunk: a single data page (plus an optional dictionary page).
struct TestChunk {
  std::vector<int16_t> def;  // empty when the leaf's max_def is 0
  std::vector<int16_t> rep;  // empty when the leaf's max_rep is 0
  int16_t max_def = 0;
  int16_t max_rep = 0;
  parquet::Type type = parquet::Type::kInt32;
  parquet::Encoding encoding = parquet::Encoding::kPlain;
  std::string values;                     // encoded values of the non-null entries
  std::optional<std::string> dictionary;  // PLAIN-encoded dictionary values
  int32_t dictionary_count = 0;
  int page_version = 1;
  parquet::CompressionCodec codec = parquet::CompressionCodec::kUncompressed;
  int64_t num_levels() const { return static_cast<int64_t>(std::max(def.size(), rep.size())); }
  // Hooks for hostile tests: edit the headers before they are written.
  std::function<void(parquet::PageHeader*)> edit_data_header;
  std::function<void(parquet::PageHeader*)> edit_dictionary_header;
  std::function<void(parquet::ColumnMetaData*)> edit_meta;
};

// Appends `v` as 4 little-endian bytes.
void AppendLe32(uint32_t v, std::string* out);

// PLAIN encodings of values.
std::string Plain32(const std::vector<int32_t>& v);
std::string Plain64(const std::vector<int64_t>& v);
std::string PlainStrings(const std::vector<std::string>& v);
// Dictionary indices as RLE_DICTIONARY encodes them.
std::string DictIndices(const std::vector<uint32_t>& idx, int bit_width);

// A whole file ("PAR1" ... footer) with one row group of `num_rows` rows,
// one chunk per leaf of `schema` in order.
std::string BuildFile(const std::vector<parquet::SchemaElement>& schema,
                      const std::vector<TestChunk>& chunks, int64_t num_rows);

// Schema element shorthands.
parquet::SchemaElement Root(int children);
parquet::SchemaElement Group(std::string name, parquet::Repetition rep, int children,
                             std::optional<parquet::ConvertedType> converted = std::nullopt);
// A leaf; a string logical type also sets the legacy UTF8 annotation.
parquet::SchemaElement Leaf(std::string name, parquet::Repetition rep, parquet::Type type,
                            std::optional<parquet::LogicalType> logical = std::nullopt);

}  // namespace lakeshare::testing
