// Test-only helper (header-only): builds small parquet files of any schema
// shape page by page, from explicit levels and already-encoded values, so
// that reader tests can cover nesting, data page v2, dictionaries and every
// encoding (ParquetWriter writes flat PLAIN v1 pages only) — and can plant
// hostile values in any header field.
#pragma once

#include <algorithm>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "parquet/compression.h"
#include "parquet/parquet_metadata.h"
#include "parquet/rle_hybrid.h"
#include "parquet/value_decoders.h"
#include "parquet/metadata_serializer.h"

namespace lakeshare::testing {

// The parquet vocabulary these helpers speak.
using parquet::AppendRleHybrid;
using parquet::ColumnChunk;
using parquet::ColumnMetaData;
using parquet::Compress;
using parquet::CompressionCodec;
using parquet::ConvertedType;
using parquet::DataPageHeader;
using parquet::DataPageHeaderV2;
using parquet::Encoding;
using parquet::FileMetaData;
using parquet::LevelBitWidth;
using parquet::LogicalType;
using parquet::PageHeader;
using parquet::PageType;
using parquet::Repetition;
using parquet::RowGroup;
using parquet::SchemaElement;
using parquet::SerializeFileMetaData;
using parquet::SerializePageHeader;
using parquet::Type;


// One column chunk: a single data page (plus an optional dictionary page).
struct TestChunk {
  std::vector<int16_t> def;  // empty when the leaf's max_def is 0
  std::vector<int16_t> rep;  // empty when the leaf's max_rep is 0
  int16_t max_def = 0;
  int16_t max_rep = 0;
  Type type = Type::kInt32;
  Encoding encoding = Encoding::kPlain;
  std::string values;                     // encoded values of the non-null entries
  std::optional<std::string> dictionary;  // PLAIN-encoded dictionary values
  int32_t dictionary_count = 0;
  int page_version = 1;
  CompressionCodec codec = CompressionCodec::kUncompressed;
  int64_t num_levels() const { return static_cast<int64_t>(std::max(def.size(), rep.size())); }
  // Hooks for hostile tests: edit the headers before they are written.
  std::function<void(PageHeader*)> edit_data_header;
  std::function<void(PageHeader*)> edit_dictionary_header;
  std::function<void(ColumnMetaData*)> edit_meta;
};

inline void AppendLe32(uint32_t v, std::string* out) {
  char b[4];
  std::memcpy(b, &v, 4);
  out->append(b, 4);
}

inline std::string HybridLevels(const std::vector<int16_t>& levels, int16_t max_level) {
  std::vector<uint32_t> v(levels.begin(), levels.end());
  std::string out;
  AppendRleHybrid(v.data(), v.size(), LevelBitWidth(static_cast<uint32_t>(max_level)), &out);
  return out;
}

inline std::string Plain32(const std::vector<int32_t>& v) {
  std::string s(v.size() * 4, '\0');
  if (!v.empty()) std::memcpy(s.data(), v.data(), s.size());
  return s;
}
inline std::string Plain64(const std::vector<int64_t>& v) {
  std::string s(v.size() * 8, '\0');
  if (!v.empty()) std::memcpy(s.data(), v.data(), s.size());
  return s;
}
inline std::string PlainStrings(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) {
    AppendLe32(static_cast<uint32_t>(x.size()), &s);
    s += x;
  }
  return s;
}
// Dictionary indices as RLE_DICTIONARY encodes them.
inline std::string DictIndices(const std::vector<uint32_t>& idx, int bit_width) {
  std::string s(1, static_cast<char>(bit_width));
  AppendRleHybrid(idx.data(), idx.size(), bit_width, &s);
  return s;
}

inline void WritePage(PageHeader h, const std::string& body,
                      const std::function<void(PageHeader*)>& edit, std::string* out) {
  if (edit) edit(&h);
  SerializePageHeader(h, out);
  out->append(body);
}

// Builds a file with one row group of `num_rows` rows.
inline std::string BuildFile(const std::vector<SchemaElement>& schema,
                             const std::vector<TestChunk>& chunks, int64_t num_rows) {
  std::string out = "PAR1";
  FileMetaData md;
  md.schema = schema;
  md.num_rows = num_rows;
  RowGroup& rg = md.row_groups.emplace_back();
  rg.num_rows = num_rows;
  for (const TestChunk& c : chunks) {
    int64_t start = static_cast<int64_t>(out.size());
    ColumnMetaData meta;
    meta.type = c.type;
    meta.codec = c.codec;
    meta.num_values = c.num_levels();
    meta.encodings = {c.encoding};
    if (c.dictionary) {
      meta.dictionary_page_offset = start;
      PageHeader h;
      h.type = PageType::kDictionaryPage;
      std::string body = *Compress(c.codec, *c.dictionary);
      h.uncompressed_page_size = static_cast<int32_t>(c.dictionary->size());
      h.compressed_page_size = static_cast<int32_t>(body.size());
      h.dictionary_page_header.emplace().num_values = c.dictionary_count;
      WritePage(h, body, c.edit_dictionary_header, &out);
    }
    meta.data_page_offset = static_cast<int64_t>(out.size());
    PageHeader h;
    std::string rep = c.max_rep > 0 ? HybridLevels(c.rep, c.max_rep) : "";
    std::string def = c.max_def > 0 ? HybridLevels(c.def, c.max_def) : "";
    if (c.page_version == 1) {
      std::string body;
      if (c.max_rep > 0) {
        AppendLe32(static_cast<uint32_t>(rep.size()), &body);
        body += rep;
      }
      if (c.max_def > 0) {
        AppendLe32(static_cast<uint32_t>(def.size()), &body);
        body += def;
      }
      body += c.values;
      std::string compressed = *Compress(c.codec, body);
      h.type = PageType::kDataPage;
      h.uncompressed_page_size = static_cast<int32_t>(body.size());
      h.compressed_page_size = static_cast<int32_t>(compressed.size());
      DataPageHeader& d = h.data_page_header.emplace();
      d.num_values = static_cast<int32_t>(c.num_levels());
      d.encoding = c.encoding;
      WritePage(h, compressed, c.edit_data_header, &out);
    } else {
      std::string compressed = *Compress(c.codec, c.values);
      h.type = PageType::kDataPageV2;
      h.uncompressed_page_size = static_cast<int32_t>(rep.size() + def.size() + c.values.size());
      h.compressed_page_size = static_cast<int32_t>(rep.size() + def.size() + compressed.size());
      DataPageHeaderV2& d = h.data_page_header_v2.emplace();
      d.num_values = static_cast<int32_t>(c.num_levels());
      d.num_rows = static_cast<int32_t>(num_rows);
      d.encoding = c.encoding;
      d.repetition_levels_byte_length = static_cast<int32_t>(rep.size());
      d.definition_levels_byte_length = static_cast<int32_t>(def.size());
      WritePage(h, rep + def + compressed, c.edit_data_header, &out);
    }
    meta.total_compressed_size = static_cast<int64_t>(out.size()) - start;
    meta.total_uncompressed_size = meta.total_compressed_size;
    if (c.edit_meta) c.edit_meta(&meta);
    ColumnChunk& cc = rg.columns.emplace_back();
    cc.file_offset = start;
    cc.meta_data = meta;
  }
  std::string footer;
  SerializeFileMetaData(md, &footer);
  out += footer;
  AppendLe32(static_cast<uint32_t>(footer.size()), &out);
  out += "PAR1";
  return out;
}

// Schema element shorthands.
inline SchemaElement Root(int children) {
  SchemaElement e;
  e.name = "schema";
  e.num_children = children;
  return e;
}
inline SchemaElement Group(std::string name, Repetition rep, int children,
                           std::optional<ConvertedType> converted = std::nullopt) {
  SchemaElement e;
  e.name = std::move(name);
  e.repetition_type = rep;
  e.num_children = children;
  e.converted_type = converted;
  return e;
}
inline SchemaElement Leaf(std::string name, Repetition rep, Type type,
                          std::optional<LogicalType> logical = std::nullopt) {
  SchemaElement e;
  e.name = std::move(name);
  e.repetition_type = rep;
  e.type = type;
  e.logical_type = logical;
  // Writers set the legacy annotation too (and some readers only look there).
  if (logical && logical->kind == LogicalType::Kind::kString)
    e.converted_type = ConvertedType::kUtf8;
  return e;
}

}  // namespace lakeshare::testing
