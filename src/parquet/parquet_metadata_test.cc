#include "parquet/parquet_metadata.h"

#include <gtest/gtest.h>

#include <random>

#include "parquet/metadata_parser.h"
#include "parquet/metadata_serializer.h"
#include "parquet/thrift_compact.h"
#include "testing/status_matchers.h"

namespace lakeshare::parquet {
namespace {

SchemaElement Named(std::string name) {
  SchemaElement e;
  e.name = std::move(name);
  return e;
}

Statistics FullStats() {
  Statistics s;
  s.max = "mx";
  s.min = std::string("\0\1", 2);
  s.null_count = 3;
  s.distinct_count = 9;
  s.max_value = "zzz";
  s.min_value = "";
  s.is_max_value_exact = true;
  s.is_min_value_exact = false;
  return s;
}

// A footer with every field this code knows set.
FileMetaData FullFileMetaData() {
  FileMetaData m;
  m.version = 2;
  SchemaElement root;
  root.name = "schema";
  root.num_children = 3;
  root.repetition_type = Repetition::kRequired;
  m.schema.push_back(root);
  SchemaElement a;
  a.name = "a";
  a.type = Type::kFixedLenByteArray;
  a.type_length = 16;
  a.repetition_type = Repetition::kOptional;
  a.converted_type = ConvertedType::kDecimal;
  a.scale = 2;
  a.precision = 38;
  a.field_id = 7;
  a.logical_type = LogicalType::Decimal(2, 38);
  m.schema.push_back(a);
  SchemaElement b;
  b.name = "b";
  b.type = Type::kInt64;
  b.repetition_type = Repetition::kRepeated;
  b.logical_type = LogicalType::Timestamp(false, TimeUnit::kNanos);
  m.schema.push_back(b);
  SchemaElement c;
  c.name = "c";
  c.type = Type::kInt32;
  c.logical_type = LogicalType::Integer(16, false);
  c.converted_type = ConvertedType::kUint16;
  m.schema.push_back(c);
  m.num_rows = 1000;
  for (int g = 0; g < 2; ++g) {
    RowGroup rg;
    rg.num_rows = 500;
    rg.total_byte_size = 12345;
    rg.file_offset = 4 + g;
    rg.total_compressed_size = 999;
    rg.ordinal = static_cast<int16_t>(g);
    rg.sorting_columns.push_back({1, true, false});
    for (int col = 0; col < 3; ++col) {
      ColumnChunk cc;
      cc.file_offset = 100 * col;
      if (col == 2) cc.file_path = "other.parquet";
      cc.offset_index_offset = 1;
      cc.offset_index_length = 2;
      cc.column_index_offset = 3;
      cc.column_index_length = 4;
      ColumnMetaData& md = cc.meta_data.emplace();
      md.type = Type::kInt64;
      md.encodings = {Encoding::kPlain, Encoding::kRle, Encoding::kRleDictionary};
      md.path_in_schema = {"x", "y"};
      md.codec = CompressionCodec::kZstd;
      md.num_values = 500;
      md.total_uncompressed_size = 1LL << 40;
      md.total_compressed_size = 7;
      md.key_value_metadata = {{"k", "v"}, {"only_key", std::nullopt}};
      md.data_page_offset = 4;
      md.index_page_offset = 5;
      md.dictionary_page_offset = 6;
      md.statistics = FullStats();
      md.encoding_stats = {{PageType::kDictionaryPage, Encoding::kPlain, 1},
                           {PageType::kDataPage, Encoding::kRleDictionary, 3}};
      md.bloom_filter_offset = 77;
      md.bloom_filter_length = 78;
      rg.columns.push_back(cc);
    }
    m.row_groups.push_back(rg);
  }
  m.key_value_metadata = {{"writer", "test"}};
  m.created_by = "lakeshare test";
  m.column_orders = {ColumnOrder{true}, ColumnOrder{true}, ColumnOrder{true}};
  m.footer_signing_key_metadata = "key";
  return m;
}

TEST(ParquetMetadataTest, FileMetaDataRoundTrips) {
  FileMetaData m = FullFileMetaData();
  std::string bytes;
  SerializeFileMetaData(m, &bytes);
  size_t consumed = 0;
  auto parsed = ParseFileMetaData(bytes, &consumed);
  ASSERT_OK(parsed);
  EXPECT_EQ(consumed, bytes.size());
  EXPECT_EQ(*parsed, m);
}

TEST(ParquetMetadataTest, EveryLogicalTypeRoundTrips) {
  using K = LogicalType::Kind;
  std::vector<LogicalType> types = {
      LogicalType::String(),
      LogicalType::Map(),
      LogicalType::List(),
      LogicalType::Of(K::kEnum),
      LogicalType::Decimal(4, 10),
      LogicalType::Date(),
      LogicalType::Timestamp(true, TimeUnit::kMillis),
      LogicalType::Timestamp(true, TimeUnit::kMicros),
      LogicalType::Timestamp(false, TimeUnit::kNanos),
      LogicalType::Integer(8, true),
      LogicalType::Integer(64, false),
      LogicalType::Of(K::kUnknown),
      LogicalType::Of(K::kJson),
      LogicalType::Of(K::kBson),
      LogicalType::Of(K::kUuid),
      LogicalType::Of(K::kFloat16),
      LogicalType::Of(K::kVariant),
      LogicalType::Of(K::kGeometry),
      LogicalType::Of(K::kGeography),
  };
  LogicalType time = LogicalType::Of(K::kTime);
  time.is_adjusted_to_utc = true;
  time.unit = TimeUnit::kMicros;
  types.push_back(time);
  LogicalType variant = LogicalType::Of(K::kVariant);
  variant.variant_specification_version = 1;
  types.push_back(variant);
  LogicalType geo = LogicalType::Of(K::kGeography);
  geo.crs = "OGC:CRS84";
  geo.edge_interpolation_algorithm = 2;
  types.push_back(geo);

  FileMetaData m;
  m.schema.push_back(Named("root"));
  for (const LogicalType& t : types) {
    SchemaElement e;
    e.name = "c";
    e.logical_type = t;
    m.schema.push_back(e);
  }
  std::string bytes;
  SerializeFileMetaData(m, &bytes);
  auto parsed = ParseFileMetaData(bytes);
  ASSERT_OK(parsed);
  ASSERT_EQ(parsed->schema.size(), types.size() + 1);
  for (size_t i = 0; i < types.size(); ++i) {
    EXPECT_EQ(parsed->schema[i + 1].logical_type, types[i]) << i;
  }
}

TEST(ParquetMetadataTest, PageHeadersRoundTrip) {
  PageHeader v1;
  v1.type = PageType::kDataPage;
  v1.uncompressed_page_size = 100;
  v1.compressed_page_size = 60;
  v1.crc = -5;
  DataPageHeader& d1 = v1.data_page_header.emplace();
  d1.num_values = 10;
  d1.repetition_level_encoding = Encoding::kBitPacked;
  d1.statistics = FullStats();
  PageHeader dict;
  dict.type = PageType::kDictionaryPage;
  dict.uncompressed_page_size = 1;
  dict.compressed_page_size = 1;
  dict.dictionary_page_header = DictionaryPageHeader{3, Encoding::kPlainDictionary, true};
  PageHeader v2;
  v2.type = PageType::kDataPageV2;
  v2.uncompressed_page_size = 1 << 30;
  v2.compressed_page_size = 0;
  DataPageHeaderV2& d2 = v2.data_page_header_v2.emplace();
  d2.num_values = 5;
  d2.num_nulls = 1;
  d2.num_rows = 5;
  d2.encoding = Encoding::kDeltaBinaryPacked;
  d2.definition_levels_byte_length = 2;
  d2.is_compressed = false;
  d2.statistics.emplace().null_count = 1;
  PageHeader index;
  index.type = PageType::kIndexPage;
  index.has_index_page_header = true;
  for (const PageHeader& h : {v1, dict, v2, index}) {
    std::string bytes;
    SerializePageHeader(h, &bytes);
    bytes += "page data follows";
    size_t consumed = 0;
    auto parsed = ParsePageHeader(bytes, &consumed);
    ASSERT_OK(parsed);
    EXPECT_EQ(*parsed, h);
    EXPECT_EQ(bytes.substr(consumed), "page data follows");
  }
  std::string bytes;
  SerializeStatistics(FullStats(), &bytes);
  EXPECT_EQ(*ParseStatistics(bytes), FullStats());
}

// Hand-encodes a FileMetaData with fields and union members this code does
// not know, in places where the parser must skip them.
TEST(ParquetMetadataTest, SkipsUnknownFieldsAndMembers) {
  std::string bytes;
  CompactWriter w(&bytes);
  w.StructBegin();
  w.I32Field(1, 1);
  w.ListField(2, CType::kStruct, 2);
  w.StructBegin();  // root
  w.BinaryField(4, "root");
  w.I32Field(5, 1);
  w.FieldHeader(99, CType::kMap);  // unknown field in a SchemaElement
  w.MapBegin(CType::kBinary, CType::kList, 1);
  w.Binary("k");
  w.ListBegin(CType::kStruct, 1);
  w.StructBegin();
  w.DoubleField(1, 2.5);
  w.StructEnd();
  w.StructEnd();
  w.StructBegin();  // leaf with a logical type from the future
  w.I32Field(1, 1);
  w.BinaryField(4, "x");
  w.FieldHeader(10, CType::kStruct);
  w.StructBegin();
  w.StructField(40);
  w.I64Field(1, 1);
  w.StructEnd();
  w.StructEnd();
  w.I32Field(11, 5);  // unknown SchemaElement field after a known one
  w.StructEnd();
  w.I64Field(3, 0);
  w.ListField(4, CType::kStruct, 0);
  w.BinaryField(6, "someone");
  w.I32Field(6, 5);                   // a known id with the wrong wire type: skipped
  w.ListField(7, CType::kStruct, 1);  // a column order from the future
  w.StructBegin();
  w.StructField(2);
  w.StructEnd();
  w.StructEnd();
  w.FieldHeader(8, CType::kStruct);  // encryption algorithm: detected only
  w.StructBegin();
  w.StructField(1);
  w.StructEnd();
  w.StructEnd();
  w.FieldHeader(1000, CType::kSet);
  w.SetBegin(CType::kUuid, 1);
  w.Uuid("0123456789abcdef");
  w.BoolField(1001, true);
  w.StructEnd();

  auto m = ParseFileMetaData(bytes);
  ASSERT_OK(m);
  ASSERT_EQ(m->schema.size(), 2u);
  EXPECT_EQ(m->schema[0].name, "root");
  EXPECT_EQ(m->schema[0].num_children, 1);
  EXPECT_EQ(m->schema[1].type, Type::kInt32);
  EXPECT_EQ(m->schema[1].logical_type->kind, LogicalType::Kind::kUnrecognized);
  EXPECT_EQ(m->created_by, "someone");
  ASSERT_EQ(m->column_orders.size(), 1u);
  EXPECT_FALSE(m->column_orders[0].type_defined_order);
  EXPECT_TRUE(m->has_encryption_algorithm);

  // Serializing leaves out what cannot be represented, and parses again.
  std::string again;
  SerializeFileMetaData(*m, &again);
  auto m2 = ParseFileMetaData(again);
  ASSERT_OK(m2);
  EXPECT_FALSE(m2->schema[1].logical_type.has_value());
}

TEST(ParquetMetadataTest, MissingRequiredFieldsAreCorruption) {
  // FileMetaData without row_groups.
  std::string bytes;
  CompactWriter w(&bytes);
  w.StructBegin();
  w.I32Field(1, 1);
  w.ListField(2, CType::kStruct, 0);
  w.I64Field(3, 0);
  w.StructEnd();
  EXPECT_EQ(ParseFileMetaData(bytes).status().code(), StatusCode::kCorruption);

  // A required field with the wrong wire type counts as missing.
  bytes.clear();
  w.StructBegin();
  w.I64Field(1, 1);
  w.ListField(2, CType::kStruct, 0);
  w.I64Field(3, 0);
  w.ListField(4, CType::kStruct, 0);
  w.StructEnd();
  EXPECT_EQ(ParseFileMetaData(bytes).status().code(), StatusCode::kCorruption);

  // A PageHeader with a negative size.
  PageHeader h;
  h.compressed_page_size = -1;
  bytes.clear();
  SerializePageHeader(h, &bytes);
  EXPECT_EQ(ParsePageHeader(bytes).status().code(), StatusCode::kCorruption);

  // A SchemaElement without a name.
  bytes.clear();
  w.StructBegin();
  w.I32Field(1, 1);
  w.ListField(2, CType::kStruct, 1);
  w.StructBegin();
  w.I32Field(5, 0);
  w.StructEnd();
  w.I64Field(3, 0);
  w.ListField(4, CType::kStruct, 0);
  w.StructEnd();
  auto st = ParseFileMetaData(bytes).status();
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
  EXPECT_NE(st.message().find("SchemaElement"), std::string::npos) << st;
}

TEST(ParquetMetadataTest, TruncationAtEveryPositionIsCorruption) {
  std::string bytes;
  SerializeFileMetaData(FullFileMetaData(), &bytes);
  for (size_t n = 0; n < bytes.size(); ++n) {
    auto r = ParseFileMetaData(std::string_view(bytes).substr(0, n));
    ASSERT_EQ(r.status().code(), StatusCode::kCorruption) << "prefix " << n;
  }
  std::string header;
  PageHeader h;
  h.data_page_header.emplace().statistics = FullStats();
  SerializePageHeader(h, &header);
  for (size_t n = 0; n < header.size(); ++n) {
    auto r = ParsePageHeader(std::string_view(header).substr(0, n));
    ASSERT_EQ(r.status().code(), StatusCode::kCorruption) << "prefix " << n;
  }
}

TEST(ParquetMetadataTest, MutatedFootersNeverCrash) {
  std::string good;
  SerializeFileMetaData(FullFileMetaData(), &good);
  std::mt19937 rng(42);
  int ok = 0;
  for (int iter = 0; iter < 5000; ++iter) {
    std::string bad = good;
    int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) bad[rng() % bad.size()] = static_cast<char>(rng());
    auto r = ParseFileMetaData(bad);
    if (r.ok()) {
      ++ok;
    } else {
      ASSERT_EQ(r.status().code(), StatusCode::kCorruption) << r.status();
    }
    auto p = ParsePageHeader(bad);
    if (!p.ok()) {
      ASSERT_EQ(p.status().code(), StatusCode::kCorruption);
    }
  }
  EXPECT_GT(ok, 0);  // some flips land in values, not structure
}

TEST(ParquetMetadataTest, HostileSizesAndDepth) {
  // schema: a list header claiming 2^31-1 structs.
  std::string bytes = {0x15,
                       0x02,
                       0x19,
                       static_cast<char>(0xfc),
                       static_cast<char>(0xff),
                       static_cast<char>(0xff),
                       static_cast<char>(0xff),
                       static_cast<char>(0xff),
                       0x07};
  EXPECT_EQ(ParseFileMetaData(bytes).status().code(), StatusCode::kCorruption);
  // An unknown field nesting lists far too deep.
  std::string deep = {0x15, 0x02};
  deep.push_back(static_cast<char>(0x09));  // long-form header: type list
  deep.push_back(static_cast<char>(0xc8));  // id 100 (zigzag 200)
  deep.push_back(static_cast<char>(0x01));
  for (int i = 0; i < 100000; ++i) deep.push_back(0x19);
  auto r = ParseFileMetaData(deep);
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
  EXPECT_NE(r.status().message().find("deep"), std::string::npos) << r.status();
}

TEST(ParquetFooterTest, ChecksFraming) {
  FileMetaData m;
  m.schema.push_back(Named("schema"));
  m.schema.back().num_children = 0;
  std::string footer;
  SerializeFileMetaData(m, &footer);
  std::string file = "PAR1";
  file += footer;
  uint32_t len = static_cast<uint32_t>(footer.size());
  for (int i = 0; i < 4; ++i) file.push_back(static_cast<char>(len >> (8 * i)));
  file += "PAR1";
  auto parsed = ParseFileFooter(file);
  ASSERT_OK(parsed);
  EXPECT_EQ(*parsed, m);

  EXPECT_EQ(ParseFileFooter("PAR1PAR1").status().code(), StatusCode::kCorruption);
  std::string bad_start = file;
  bad_start[0] = 'X';
  EXPECT_EQ(ParseFileFooter(bad_start).status().code(), StatusCode::kCorruption);
  std::string bad_end = file;
  bad_end.back() = 'X';
  EXPECT_EQ(ParseFileFooter(bad_end).status().code(), StatusCode::kCorruption);
  std::string encrypted = file;
  encrypted.replace(encrypted.size() - 4, 4, "PARE");
  EXPECT_EQ(ParseFileFooter(encrypted).status().code(), StatusCode::kUnsupported);
  std::string too_long = file;
  too_long[too_long.size() - 6] = 0x7f;  // footer length now far beyond the file
  EXPECT_EQ(ParseFileFooter(too_long).status().code(), StatusCode::kCorruption);
  EXPECT_EQ(*ParseFooterLength(file.substr(file.size() - 8)), len);
  EXPECT_EQ(ParseFooterLength("PAR1").status().code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace lakeshare::parquet
