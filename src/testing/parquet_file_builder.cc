#include "testing/parquet_file_builder.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "parquet/compression.h"
#include "parquet/rle_hybrid.h"
#include "parquet/value_decoders.h"

namespace lakeshare::testing {

using parquet::ColumnChunk;
using parquet::ColumnMetaData;
using parquet::ConvertedType;
using parquet::DataPageHeader;
using parquet::DataPageHeaderV2;
using parquet::FileMetaData;
using parquet::LogicalType;
using parquet::PageHeader;
using parquet::PageType;
using parquet::Repetition;
using parquet::RowGroup;
using parquet::SchemaElement;
using parquet::Type;

namespace {

std::string CompressOrDie(parquet::CompressionCodec codec, std::string_view body) {
  auto out = parquet::Compress(codec, body);
  if (!out.ok()) {
    std::fprintf(stderr, "BuildFile: %s\n", out.status().ToString().c_str());
    std::abort();
  }
  return std::move(out).value();
}

std::string HybridLevels(const std::vector<int16_t>& levels, int16_t max_level) {
  std::vector<uint32_t> v(levels.begin(), levels.end());
  std::string out;
  parquet::AppendRleHybrid(v.data(), v.size(),
                           parquet::LevelBitWidth(static_cast<uint32_t>(max_level)), &out);
  return out;
}

void WritePage(PageHeader h, const std::string& body, const std::function<void(PageHeader*)>& edit,
               std::string* out) {
  if (edit) edit(&h);
  parquet::SerializePageHeader(h, out);
  out->append(body);
}

}  // namespace

void AppendLe32(uint32_t v, std::string* out) {
  char b[4];
  std::memcpy(b, &v, 4);
  out->append(b, 4);
}

std::string Plain32(const std::vector<int32_t>& v) {
  std::string s(v.size() * 4, '\0');
  if (!v.empty()) std::memcpy(s.data(), v.data(), s.size());
  return s;
}
std::string Plain64(const std::vector<int64_t>& v) {
  std::string s(v.size() * 8, '\0');
  if (!v.empty()) std::memcpy(s.data(), v.data(), s.size());
  return s;
}
std::string PlainStrings(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) {
    AppendLe32(static_cast<uint32_t>(x.size()), &s);
    s += x;
  }
  return s;
}
std::string DictIndices(const std::vector<uint32_t>& idx, int bit_width) {
  std::string s(1, static_cast<char>(bit_width));
  parquet::AppendRleHybrid(idx.data(), idx.size(), bit_width, &s);
  return s;
}

std::string BuildFile(const std::vector<SchemaElement>& schema,
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
      std::string body = CompressOrDie(c.codec, *c.dictionary);
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
      std::string compressed = CompressOrDie(c.codec, body);
      h.type = PageType::kDataPage;
      h.uncompressed_page_size = static_cast<int32_t>(body.size());
      h.compressed_page_size = static_cast<int32_t>(compressed.size());
      DataPageHeader& d = h.data_page_header.emplace();
      d.num_values = static_cast<int32_t>(c.num_levels());
      d.encoding = c.encoding;
      WritePage(h, compressed, c.edit_data_header, &out);
    } else {
      std::string compressed = CompressOrDie(c.codec, c.values);
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
  parquet::SerializeFileMetaData(md, &footer);
  out += footer;
  AppendLe32(static_cast<uint32_t>(footer.size()), &out);
  out += "PAR1";
  return out;
}

SchemaElement Root(int children) {
  SchemaElement e;
  e.name = "schema";
  e.num_children = children;
  return e;
}
SchemaElement Group(std::string name, Repetition rep, int children,
                    std::optional<ConvertedType> converted) {
  SchemaElement e;
  e.name = std::move(name);
  e.repetition_type = rep;
  e.num_children = children;
  e.converted_type = converted;
  return e;
}
SchemaElement Leaf(std::string name, Repetition rep, Type type,
                   std::optional<LogicalType> logical) {
  SchemaElement e;
  e.name = std::move(name);
  e.repetition_type = rep;
  e.type = type;
  e.logical_type = logical;
  // Writers set the legacy annotation too (and some readers only look there).
  if (logical && logical->kind == LogicalType::Kind::kString) {
    e.converted_type = ConvertedType::kUtf8;
  }
  return e;
}

}  // namespace lakeshare::testing
