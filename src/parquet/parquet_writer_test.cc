#include "parquet/parquet_writer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

#include "parquet/compression.h"
#include "parquet/metadata_parser.h"
#include "testing/parquet_column_decoder.h"
#include "testing/status_matchers.h"

namespace lakeshare::parquet {
namespace {

using testing::DecodeColumnChunk;

template <typename T>
std::string LE(T v) {
  std::string s(sizeof(T), '\0');
  std::memcpy(s.data(), &v, sizeof(T));
  return s;
}

ParquetSchema AllTypesSchema() {
  return ParquetSchema{{
      {"b", ColumnType::kBoolean},
      {"i8", ColumnType::kInt8},
      {"i16", ColumnType::kInt16},
      {"i32", ColumnType::kInt32, /*nullable=*/false},
      {"i64", ColumnType::kInt64},
      {"f", ColumnType::kFloat},
      {"d", ColumnType::kDouble},
      {"s", ColumnType::kString},
      {"bin", ColumnType::kBinary},
      {"date", ColumnType::kDate},
      {"ts", ColumnType::kTimestampMicros, true, 42},
  }};
}

// Rows with nulls in every nullable column; `offset` varies the values.
std::vector<ColumnData> AllTypesRowGroup(int rows, int offset) {
  std::vector<bool> b, validity;
  std::vector<int32_t> i8, i16, i32, date;
  std::vector<int64_t> i64, ts;
  std::vector<float> f;
  std::vector<double> d;
  std::vector<std::string> s, bin;
  for (int r = 0; r < rows; ++r) {
    int v = r + offset;
    validity.push_back(v % 5 != 3);
    b.push_back(v % 3 == 0);
    i8.push_back(v % 256 - 128);
    i16.push_back(v * 7 % 65536 - 32768);
    i32.push_back(v * 1000003 - 5000);
    i64.push_back(int64_t{v} * 1'000'000'000'007LL - 3);
    f.push_back(static_cast<float>(v) / 4 - 10);
    d.push_back(v * 0.125 - 100);
    s.push_back(v % 7 == 0 ? "" : "naïve-" + std::to_string(v));
    bin.push_back(std::string("\0\xff", 2) + std::to_string(v));
    date.push_back(19000 + v);
    ts.push_back(int64_t{1'700'000'000'000'000} + int64_t{v} * 1'000'001);
  }
  std::vector<bool> all_valid(rows, true);
  return {
      {b, validity},   {i8, validity},   {i16, validity}, {i32, {}},
      {i64, validity}, {f, validity},    {d, validity},   {s, validity},
      {bin, validity}, {date, validity}, {ts, all_valid},
  };
}

// Compares decoded columns with the input (values only where valid).
void ExpectSameColumn(const ColumnData& want, const ColumnData& got, size_t rows,
                      const std::string& what) {
  ASSERT_EQ(got.validity.size(), rows) << what;
  ASSERT_EQ(want.values.index(), got.values.index()) << what;
  for (size_t r = 0; r < rows; ++r) {
    bool valid = want.validity.empty() || want.validity[r];
    ASSERT_EQ(got.validity[r], valid) << what << " row " << r;
    if (!valid) continue;
    std::visit(
        [&](const auto& w) {
          using V = std::decay_t<decltype(w)>;
          const V& g = std::get<V>(got.values);
          ASSERT_EQ(w[r], g[r]) << what << " row " << r;
        },
        want.values);
  }
}

class WriterCodecTest : public ::testing::TestWithParam<CompressionCodec> {};

TEST_P(WriterCodecTest, WritesReadableFile) {
  ParquetSchema schema = AllTypesSchema();
  std::vector<std::vector<ColumnData>> groups = {AllTypesRowGroup(100, 0),
                                                 AllTypesRowGroup(37, 1000)};
  WriterOptions options;
  options.codec = GetParam();
  options.key_value_metadata = {{"origin", "test"}};
  auto file = WriteParquetFile(schema, groups, options);
  ASSERT_OK(file);

  // Framing: magic at both ends, footer length in front of the last magic.
  ASSERT_GT(file->size(), 12u);
  EXPECT_EQ(file->substr(0, 4), "PAR1");
  EXPECT_EQ(file->substr(file->size() - 4), "PAR1");
  uint32_t footer_len;
  std::memcpy(&footer_len, file->data() + file->size() - 8, 4);
  auto md =
      ParseFileMetaData(std::string_view(*file).substr(file->size() - 8 - footer_len, footer_len));
  ASSERT_OK(md);
  EXPECT_EQ(*md, *ParseFileFooter(*file));

  EXPECT_EQ(md->version, 1);
  EXPECT_EQ(md->num_rows, 137);
  EXPECT_EQ(md->created_by, "lakeshare version " LAKESHARE_VERSION);
  EXPECT_EQ(md->key_value_metadata, (std::vector<KeyValue>{{"origin", "test"}}));
  ASSERT_EQ(md->column_orders.size(), schema.columns.size());
  EXPECT_EQ(md->schema, ToSchemaElements(schema));
  ASSERT_EQ(md->row_groups.size(), 2u);
  EXPECT_EQ(md->row_groups[0].num_rows, 100);
  EXPECT_EQ(md->row_groups[1].num_rows, 37);
  EXPECT_EQ(md->row_groups[1].ordinal, 1);

  int64_t previous_end = 4;
  for (size_t g = 0; g < groups.size(); ++g) {
    const RowGroup& rg = md->row_groups[g];
    ASSERT_EQ(rg.columns.size(), schema.columns.size());
    int64_t uncompressed = 0;
    for (size_t c = 0; c < schema.columns.size(); ++c) {
      const ColumnMetaData& cm = *rg.columns[c].meta_data;
      EXPECT_EQ(cm.codec, GetParam());
      EXPECT_EQ(cm.path_in_schema, std::vector<std::string>{schema.columns[c].name});
      EXPECT_EQ(cm.num_values, rg.num_rows);
      // Chunks are contiguous, in schema order.
      EXPECT_EQ(cm.data_page_offset, previous_end);
      EXPECT_EQ(rg.columns[c].file_offset, cm.data_page_offset);
      previous_end = cm.data_page_offset + cm.total_compressed_size;
      uncompressed += cm.total_uncompressed_size;
      auto decoded = DecodeColumnChunk(*file, *md, g, c);
      ASSERT_OK(decoded);
      ExpectSameColumn(groups[g][c], *decoded, static_cast<size_t>(rg.num_rows),
                       schema.columns[c].name);
    }
    EXPECT_EQ(rg.total_byte_size, uncompressed);
  }
  EXPECT_EQ(static_cast<size_t>(previous_end), file->size() - 8 - footer_len);
}

INSTANTIATE_TEST_SUITE_P(Codecs, WriterCodecTest,
                         ::testing::Values(CompressionCodec::kUncompressed,
                                           CompressionCodec::kSnappy, CompressionCodec::kGzip,
                                           CompressionCodec::kZstd, CompressionCodec::kLz4Raw),
                         [](const auto& info) { return std::string(CodecName(info.param)); });

TEST(ParquetWriterTest, SchemaAnnotations) {
  std::vector<SchemaElement> s = ToSchemaElements(AllTypesSchema());
  ASSERT_EQ(s.size(), 12u);
  EXPECT_EQ(s[0].name, "schema");
  EXPECT_EQ(s[0].num_children, 11);
  EXPECT_FALSE(s[0].type.has_value());
  auto col = [&](const std::string& name) {
    for (const auto& e : s) {
      if (e.name == name) return e;
    }
    ADD_FAILURE() << name;
    return SchemaElement{};
  };
  EXPECT_EQ(col("b").type, Type::kBoolean);
  EXPECT_EQ(col("b").repetition_type, Repetition::kOptional);
  EXPECT_FALSE(col("b").logical_type.has_value());
  EXPECT_EQ(col("i8").type, Type::kInt32);
  EXPECT_EQ(col("i8").logical_type, LogicalType::Integer(8, true));
  EXPECT_EQ(col("i8").converted_type, ConvertedType::kInt8);
  EXPECT_EQ(col("i16").converted_type, ConvertedType::kInt16);
  EXPECT_EQ(col("i32").type, Type::kInt32);
  EXPECT_EQ(col("i32").repetition_type, Repetition::kRequired);
  EXPECT_FALSE(col("i32").converted_type.has_value());
  EXPECT_EQ(col("i64").type, Type::kInt64);
  EXPECT_EQ(col("f").type, Type::kFloat);
  EXPECT_EQ(col("d").type, Type::kDouble);
  EXPECT_EQ(col("s").type, Type::kByteArray);
  EXPECT_EQ(col("s").logical_type, LogicalType::String());
  EXPECT_EQ(col("s").converted_type, ConvertedType::kUtf8);
  EXPECT_EQ(col("bin").type, Type::kByteArray);
  EXPECT_FALSE(col("bin").logical_type.has_value());
  EXPECT_EQ(col("date").type, Type::kInt32);
  EXPECT_EQ(col("date").logical_type, LogicalType::Date());
  EXPECT_EQ(col("date").converted_type, ConvertedType::kDate);
  EXPECT_EQ(col("ts").type, Type::kInt64);
  EXPECT_EQ(col("ts").logical_type, LogicalType::Timestamp(true, TimeUnit::kMicros));
  EXPECT_EQ(col("ts").converted_type, ConvertedType::kTimestampMicros);
  EXPECT_EQ(col("ts").field_id, 42);
}

// Returns the statistics of the single chunk of a one-column file.
Statistics StatsOf(ColumnSpec spec, ColumnData data, WriterOptions options = {}) {
  auto file = WriteParquetFile(ParquetSchema{{spec}}, {{data}}, options);
  EXPECT_OK(file);
  if (!file.ok()) return {};
  auto md = ParseFileFooter(*file);
  EXPECT_OK(md);
  if (!md.ok()) return {};
  return md->row_groups.at(0).columns.at(0).meta_data->statistics.value_or(Statistics{});
}

TEST(ParquetWriterStatsTest, UseEachTypesOrderAndByteLayout) {
  Statistics s = StatsOf({"x", ColumnType::kInt32}, {std::vector<int32_t>{5, -7, 100, 3}, {}});
  EXPECT_EQ(s.min_value, LE<int32_t>(-7));
  EXPECT_EQ(s.max_value, LE<int32_t>(100));
  EXPECT_EQ(s.null_count, 0);
  EXPECT_FALSE(s.min.has_value());  // the deprecated fields are not written

  s = StatsOf({"x", ColumnType::kInt64},
              {std::vector<int64_t>{INT64_MIN, 0, INT64_MAX, 1}, {true, true, false, true}});
  EXPECT_EQ(s.min_value, LE<int64_t>(INT64_MIN));
  EXPECT_EQ(s.max_value, LE<int64_t>(1));  // the null row's value is ignored
  EXPECT_EQ(s.null_count, 1);

  s = StatsOf({"x", ColumnType::kBoolean}, {std::vector<bool>{true, true}, {}});
  EXPECT_EQ(s.min_value, std::string(1, '\1'));
  EXPECT_EQ(s.max_value, std::string(1, '\1'));
  s = StatsOf({"x", ColumnType::kBoolean}, {std::vector<bool>{true, false}, {}});
  EXPECT_EQ(s.min_value, std::string(1, '\0'));

  // Strings compare as unsigned bytes: "\xc3..." (é) sorts after "z".
  s = StatsOf({"x", ColumnType::kString},
              {std::vector<std::string>{"apple", "zebra", "\xc3\xa9t\xc3\xa9", "", "Zulu"}, {}});
  EXPECT_EQ(s.min_value, "");
  EXPECT_EQ(s.max_value, "\xc3\xa9t\xc3\xa9");

  s = StatsOf({"x", ColumnType::kDate}, {std::vector<int32_t>{-1, 19723, 0}, {}});
  EXPECT_EQ(s.min_value, LE<int32_t>(-1));
  EXPECT_EQ(s.max_value, LE<int32_t>(19723));

  s = StatsOf({"x", ColumnType::kTimestampMicros},
              {std::vector<int64_t>{1704067200000000, -5}, {}});
  EXPECT_EQ(s.min_value, LE<int64_t>(-5));
  EXPECT_EQ(s.max_value, LE<int64_t>(1704067200000000));
}

TEST(ParquetWriterStatsTest, FloatingPointEdgeCases) {
  // NaN is ignored; zero minimum is -0.0 and zero maximum +0.0.
  Statistics s = StatsOf({"x", ColumnType::kDouble},
                         {std::vector<double>{std::nan(""), 0.0, -0.0, std::nan("")}, {}});
  EXPECT_EQ(s.min_value, LE<double>(-0.0));
  EXPECT_EQ(s.max_value, LE<double>(0.0));
  s = StatsOf({"x", ColumnType::kFloat}, {std::vector<float>{2.5f, -1e30f, INFINITY}, {}});
  EXPECT_EQ(s.min_value, LE<float>(-1e30f));
  EXPECT_EQ(s.max_value, LE<float>(INFINITY));
  // Only NaN: no min/max at all.
  s = StatsOf({"x", ColumnType::kDouble}, {std::vector<double>{std::nan("")}, {}});
  EXPECT_FALSE(s.min_value.has_value());
  EXPECT_FALSE(s.max_value.has_value());
}

TEST(ParquetWriterStatsTest, AllNullAndOversizedValues) {
  Statistics s =
      StatsOf({"x", ColumnType::kString}, {std::vector<std::string>{"a", "b"}, {false, false}});
  EXPECT_EQ(s.null_count, 2);
  EXPECT_FALSE(s.min_value.has_value());
  WriterOptions small;
  small.max_statistics_size = 3;
  s = StatsOf({"x", ColumnType::kString}, {std::vector<std::string>{"abc", "abcd"}, {}}, small);
  EXPECT_EQ(s.null_count, 0);
  EXPECT_FALSE(s.max_value.has_value());
  WriterOptions none;
  none.write_statistics = false;
  s = StatsOf({"x", ColumnType::kInt32}, {std::vector<int32_t>{1}, {}}, none);
  EXPECT_FALSE(s.null_count.has_value());
}

TEST(ParquetWriterTest, SplitsLargeChunksIntoPages) {
  const int rows = 10000;
  std::vector<std::string> s;
  std::vector<bool> b, validity;
  std::mt19937 rng(9);
  for (int i = 0; i < rows; ++i) {
    s.push_back(std::string(rng() % 40, static_cast<char>('a' + i % 26)));
    b.push_back(rng() % 2 == 0);
    validity.push_back(rng() % 4 != 0);
  }
  ParquetSchema schema{{{"s", ColumnType::kString}, {"b", ColumnType::kBoolean}}};
  std::vector<ColumnData> group = {{s, validity}, {b, validity}};
  WriterOptions options;
  options.data_page_size = 4096;
  options.max_rows_per_page = 999;
  auto file = WriteParquetFile(schema, {group}, options);
  ASSERT_OK(file);
  auto md = ParseFileFooter(*file);
  ASSERT_OK(md);
  const auto& strings = *md->row_groups[0].columns[0].meta_data;
  const auto& bools = *md->row_groups[0].columns[1].meta_data;
  ASSERT_EQ(strings.encoding_stats.size(), 1u);
  EXPECT_GT(strings.encoding_stats[0].count, 30);  // ~18 bytes a row, 4 KiB pages
  EXPECT_EQ(bools.encoding_stats[0].count, 11);    // 999-row pages
  for (size_t c = 0; c < 2; ++c) {
    auto decoded = DecodeColumnChunk(*file, *md, 0, c);
    ASSERT_OK(decoded);
    ExpectSameColumn(group[c], *decoded, rows, schema.columns[c].name);
  }
}

TEST(ParquetWriterTest, StreamingApiAndEmptyInputs) {
  ParquetSchema schema{{{"id", ColumnType::kInt64, false}}};
  auto writer = ParquetWriter::Create(schema, {});
  ASSERT_OK(writer);
  ASSERT_OK(writer->AddRowGroup({{std::vector<int64_t>{}, {}}}));  // skipped
  ASSERT_OK(writer->AddRowGroup({{std::vector<int64_t>{1, 2}, {}}}));
  // A failing row group leaves the file as it was.
  EXPECT_FALSE(writer->AddRowGroup({{std::vector<int32_t>{1}, {}}}).ok());
  auto file = writer->Finish();
  ASSERT_OK(file);
  EXPECT_EQ(writer->Finish().status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(writer->AddRowGroup({{std::vector<int64_t>{1}, {}}}).code(),
            StatusCode::kFailedPrecondition);
  auto md = ParseFileFooter(*file);
  ASSERT_OK(md);
  EXPECT_EQ(md->num_rows, 2);
  EXPECT_EQ(md->row_groups.size(), 1u);
  EXPECT_EQ(writer->metadata(), *md);

  WriterOptions custom;
  custom.created_by = "custom app version 1.0";
  auto empty = WriteParquetFile(schema, {}, custom);
  ASSERT_OK(empty);
  md = ParseFileFooter(*empty);
  ASSERT_OK(md);
  EXPECT_EQ(md->created_by, "custom app version 1.0");
  EXPECT_EQ(md->num_rows, 0);
  EXPECT_TRUE(md->row_groups.empty());
}

TEST(ParquetWriterTest, RejectsBadInput) {
  auto code = [](ParquetSchema schema, std::vector<ColumnData> group, WriterOptions o = {}) {
    return WriteParquetFile(schema, {group}, o).status().code();
  };
  constexpr auto kBad = StatusCode::kInvalidArgument;
  EXPECT_EQ(code({}, {}), kBad);
  EXPECT_EQ(code({{{"", ColumnType::kInt32}}}, {{std::vector<int32_t>{1}, {}}}), kBad);
  EXPECT_EQ(code({{{"a", ColumnType::kInt32}, {"a", ColumnType::kInt32}}},
                 {{std::vector<int32_t>{1}, {}}, {std::vector<int32_t>{1}, {}}}),
            kBad);
  // Wrong vector type, wrong column count, unequal lengths, bad validity.
  EXPECT_EQ(code({{{"a", ColumnType::kDate}}}, {{std::vector<int64_t>{1}, {}}}), kBad);
  EXPECT_EQ(code({{{"a", ColumnType::kDate}}}, {}), kBad);
  EXPECT_EQ(code({{{"a", ColumnType::kInt32}, {"b", ColumnType::kInt32}}},
                 {{std::vector<int32_t>{1}, {}}, {std::vector<int32_t>{1, 2}, {}}}),
            kBad);
  EXPECT_EQ(code({{{"a", ColumnType::kInt32}}}, {{std::vector<int32_t>{1, 2}, {true}}}), kBad);
  // Nulls in a required column, invalid UTF-8, out-of-range small ints.
  EXPECT_EQ(code({{{"a", ColumnType::kInt32, false}}}, {{std::vector<int32_t>{1}, {false}}}), kBad);
  EXPECT_EQ(code({{{"a", ColumnType::kString}}}, {{std::vector<std::string>{"\xc3"}, {}}}), kBad);
  EXPECT_EQ(code({{{"a", ColumnType::kBinary}}}, {{std::vector<std::string>{"\xc3"}, {}}}),
            StatusCode::kOk);
  EXPECT_EQ(code({{{"a", ColumnType::kInt8}}}, {{std::vector<int32_t>{128}, {}}}), kBad);
  EXPECT_EQ(code({{{"a", ColumnType::kInt16}}}, {{std::vector<int32_t>{-32769}, {}}}), kBad);
  // An invalid value at a null row is ignored.
  EXPECT_EQ(code({{{"a", ColumnType::kInt8}}}, {{std::vector<int32_t>{1000}, {false}}}),
            StatusCode::kOk);
  WriterOptions lzo;
  lzo.codec = CompressionCodec::kLzo;
  EXPECT_EQ(code({{{"a", ColumnType::kInt32}}}, {{std::vector<int32_t>{1}, {}}}, lzo),
            StatusCode::kUnsupported);
  WriterOptions zero_pages;
  zero_pages.data_page_size = 0;
  EXPECT_EQ(code({{{"a", ColumnType::kInt32}}}, {{std::vector<int32_t>{1}, {}}}, zero_pages), kBad);
}

TEST(Utf8Test, Validates) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain ascii"));
  EXPECT_TRUE(IsValidUtf8("na\xc3\xafve \xe2\x82\xac \xf0\x9f\x98\x80"));
  EXPECT_FALSE(IsValidUtf8("\x80"));
  EXPECT_FALSE(IsValidUtf8("\xc3"));
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xe2\x82"));          // truncated
  EXPECT_FALSE(IsValidUtf8("\xff"));
}

}  // namespace
}  // namespace lakeshare::parquet
