#include "parquet/parquet_reader.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "parquet/compression.h"
#include "parquet/parquet_writer.h"
#include "parquet/record_view.h"
#include "storage/local_storage.h"
#include "testing/status_matchers.h"

namespace lakeshare::parquet {
namespace {

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
      {"ts", ColumnType::kTimestampMicros},
  }};
}

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
  return {{b, validity},   {i8, validity}, {i16, validity}, {i32, {}},
          {i64, validity}, {f, validity},  {d, validity},   {s, validity},
          {bin, validity}, {date, {}},     {ts, validity}};
}

Result<ParquetReader> OpenBytes(std::string bytes, const ReaderOptions& options = {}) {
  return ParquetReader::Open(std::make_shared<MemoryFile>(std::move(bytes)), options);
}

// Checks every column of `rg` (read back with the reader, through a
// RecordTree) against the writer's input.
void ExpectRowGroup(const ParquetReader& reader, int rg, const std::vector<ColumnData>& want) {
  std::vector<int> all;
  for (int l = 0; l < reader.schema().num_leaves(); ++l) all.push_back(l);
  auto batch = reader.ReadRowGroup(rg, all);
  ASSERT_OK(batch);
  auto tree = RecordTree::Make(std::move(*batch));
  ASSERT_OK(tree);
  for (size_t c = 0; c < want.size(); ++c) {
    const RecordNode& node = tree->root().children()[c];
    SCOPED_TRACE(node.name());
    size_t rows = std::visit([](const auto& v) { return v.size(); }, want[c].values);
    ASSERT_EQ(node.num_slots(), static_cast<int64_t>(rows));
    for (size_t r = 0; r < rows; ++r) {
      bool valid = want[c].validity.empty() || want[c].validity[r];
      ASSERT_EQ(node.IsValid(static_cast<int64_t>(r)), valid) << r;
      if (!valid) continue;
      int64_t slot = static_cast<int64_t>(r);
      std::visit(
          [&](const auto& v) {
            using T = std::decay_t<decltype(v[0])>;
            if constexpr (std::is_same_v<T, bool> ||
                          std::is_same_v<T, std::vector<bool>::reference>) {
              EXPECT_EQ(node.Bool(slot), static_cast<bool>(v[r])) << r;
            } else if constexpr (std::is_same_v<T, std::string>) {
              EXPECT_EQ(node.String(slot), v[r]) << r;
            } else if constexpr (std::is_floating_point_v<T>) {
              EXPECT_EQ(node.Double(slot), static_cast<double>(v[r])) << r;
            } else {
              EXPECT_EQ(node.Int64(slot), static_cast<int64_t>(v[r])) << r;
            }
          },
          want[c].values);
    }
  }
}

class RoundTripTest : public ::testing::TestWithParam<CompressionCodec> {};

TEST_P(RoundTripTest, EveryTypeWithNullsAndSeveralRowGroupsAndPages) {
  WriterOptions options;
  options.codec = GetParam();
  options.max_rows_per_page = 97;  // several pages per chunk
  std::vector<std::vector<ColumnData>> groups = {AllTypesRowGroup(500, 0), AllTypesRowGroup(1, 500),
                                                 AllTypesRowGroup(333, 1000)};
  auto file = WriteParquetFile(AllTypesSchema(), groups, options);
  ASSERT_OK(file);
  auto reader = OpenBytes(*file);
  ASSERT_OK(reader);
  ASSERT_EQ(reader->num_row_groups(), 3);
  EXPECT_EQ(reader->num_rows(), 834);
  EXPECT_EQ(reader->schema().num_leaves(), 11);
  for (int rg = 0; rg < 3; ++rg) ExpectRowGroup(*reader, rg, groups[static_cast<size_t>(rg)]);
}

INSTANTIATE_TEST_SUITE_P(Codecs, RoundTripTest,
                         ::testing::Values(CompressionCodec::kUncompressed,
                                           CompressionCodec::kSnappy, CompressionCodec::kGzip,
                                           CompressionCodec::kZstd, CompressionCodec::kLz4,
                                           CompressionCodec::kLz4Raw),
                         [](const auto& info) { return std::string(CodecName(info.param)); });

TEST(ParquetReaderTest, ProjectionDecodesOnlyTheSelectedColumns) {
  auto file = WriteParquetFile(AllTypesSchema(), {AllTypesRowGroup(100, 0)});
  ASSERT_OK(file);
  // Corrupt the pages of every column but "s": a projection on "s" must not
  // notice.
  auto md = ReadFooter(*file);
  ASSERT_OK(md);
  std::string damaged = *file;
  for (size_t c = 0; c < md->row_groups[0].columns.size(); ++c) {
    if (c == 7) continue;
    const ColumnMetaData& m = *md->row_groups[0].columns[c].meta_data;
    for (int64_t i = 0; i < m.total_compressed_size; ++i) {
      damaged[static_cast<size_t>(m.data_page_offset + i)] = '\xff';
    }
  }
  auto reader = OpenBytes(damaged);
  ASSERT_OK(reader);
  auto leaves = reader->schema().Resolve({"s"});
  ASSERT_OK(leaves);
  auto batch = reader->ReadRowGroup(0, *leaves);
  ASSERT_OK(batch);
  ASSERT_EQ(batch->columns.size(), 1u);
  EXPECT_EQ(batch->columns[0].leaf().name, "s");
  EXPECT_EQ(batch->columns[0].num_levels, 100);
  EXPECT_EQ(reader->ReadColumnChunk(0, 0).status().code(), StatusCode::kCorruption);
}

TEST(ParquetReaderTest, ReadsLocalFilesAndLargeFootersWithASecondRead) {
  // A footer larger than the speculative tail read.
  ParquetSchema schema;
  for (int i = 0; i < 300; ++i) {
    schema.columns.push_back({"column_with_a_long_name_" + std::to_string(i), ColumnType::kInt64});
  }
  std::vector<ColumnData> rg;
  for (int i = 0; i < 300; ++i) rg.push_back({std::vector<int64_t>{i, i + 1}, {}});
  auto file = WriteParquetFile(schema, {rg});
  ASSERT_OK(file);
  std::filesystem::path path = std::filesystem::temp_directory_path() /
                               ("parquet_reader_test_" + std::to_string(::getpid()) + ".parquet");
  {
    std::ofstream out(path, std::ios::binary);
    out << *file;
  }
  LocalStorage storage;
  auto local = storage.OpenRandomAccess(path.string(), std::nullopt);
  ASSERT_OK(local);
  EXPECT_TRUE((*local)->ReadsAreCheap());
  ReaderOptions options;
  options.footer_read_size = 1024;
  auto reader =
      ParquetReader::Open(std::shared_ptr<const RandomAccessFile>(std::move(*local)), options);
  std::filesystem::remove(path);
  ASSERT_OK(reader);
  auto batch = reader->ReadColumnChunk(0, 299);
  ASSERT_OK(batch);
  EXPECT_EQ(batch->int64s, (std::vector<int64_t>{299, 300}));
  EXPECT_EQ(storage.OpenRandomAccess("/nonexistent/x.parquet", std::nullopt).status().code(),
            StatusCode::kNotFound);
}

TEST(ParquetReaderTest, FooterLimits) {
  auto file = WriteParquetFile(AllTypesSchema(), {AllTypesRowGroup(10, 0)});
  ASSERT_OK(file);
  ReaderOptions small;
  small.max_footer_bytes = 100;
  EXPECT_EQ(OpenBytes(*file, small).status().code(), StatusCode::kCorruption);
  ReaderOptions few;
  few.max_footer_structs = 10;
  EXPECT_EQ(OpenBytes(*file, few).status().code(), StatusCode::kCorruption);
  ReaderOptions tiny_pages;
  tiny_pages.chunk.max_page_bytes = 8;
  auto reader = OpenBytes(*file, tiny_pages);
  ASSERT_OK(reader);
  EXPECT_EQ(reader->ReadColumnChunk(0, 7).status().code(), StatusCode::kCorruption);
  ReaderOptions few_values;
  few_values.chunk.max_values = 5;
  reader = OpenBytes(*file, few_values);
  ASSERT_OK(reader);
  EXPECT_EQ(reader->ReadColumnChunk(0, 0).status().code(), StatusCode::kCorruption);
}

TEST(ParquetReaderTest, RejectsNonParquet) {
  for (std::string bytes : {std::string(), std::string("PAR1"), std::string("PAR1PAR1"),
                            std::string("PAR1\0\0\0\0PAR1", 12), std::string(100, 'x'),
                            std::string("PAR1xxxx\xff\xff\xff\x7fPAR1", 16)}) {
    auto r = OpenBytes(bytes);
    EXPECT_EQ(r.status().code(), StatusCode::kCorruption) << bytes.size();
  }
  EXPECT_EQ(OpenBytes(std::string("PAR1\0\0\0\0\0\0\0\0PARE", 16)).status().code(),
            StatusCode::kUnsupported);
}

// Counts the reads that reach the underlying file.
class CountingFile final : public RandomAccessFile {
 public:
  explicit CountingFile(std::string bytes) : inner_(std::move(bytes)) {}
  uint64_t Size() const override { return inner_.Size(); }
  Status ReadAt(uint64_t offset, size_t length, char* out) const override {
    ++reads;
    bytes_read += length;
    return inner_.ReadAt(offset, length, out);
  }
  mutable std::atomic<int> reads{0};
  mutable std::atomic<uint64_t> bytes_read{0};

 private:
  MemoryFile inner_;
};

// 300 rows of every type in pages of 50, counted as read (null if the
// writer fails).
std::shared_ptr<CountingFile> CountingAllTypesFile(WriterOptions wo) {
  wo.max_rows_per_page = 50;
  auto file = WriteParquetFile(AllTypesSchema(), {AllTypesRowGroup(300, 0)}, wo);
  if (!file.ok()) return nullptr;
  return std::make_shared<CountingFile>(*file);
}

TEST(ParquetReaderTest, ReadsAreRangedAndCoalesced) {
  auto counting = CountingAllTypesFile({});
  ASSERT_NE(counting, nullptr);
  auto reader = ParquetReader::Open(counting);
  ASSERT_OK(reader);
  EXPECT_EQ(counting->reads, 1);  // the tail holds the whole footer
  // Adjacent chunks: one read. Far-apart chunks with coalescing off: one each.
  auto leaves = reader->schema().Resolve({"i64", "f", "d"});
  counting->reads = 0;
  ASSERT_OK(reader->ReadRowGroup(0, *leaves));
  EXPECT_EQ(counting->reads, 1);
  ReaderOptions no_coalescing;
  no_coalescing.coalesce_gap = 0;
  auto strict = ParquetReader::Open(counting, no_coalescing);
  ASSERT_OK(strict);
  auto spread = strict->schema().Resolve({"b", "s", "ts"});
  counting->reads = 0;
  counting->bytes_read = 0;
  auto batch = strict->ReadRowGroup(0, *spread);
  ASSERT_OK(batch);
  EXPECT_EQ(counting->reads, 3);
  // Only those chunks' bytes were read.
  uint64_t want = 0;
  for (int leaf : *spread) {
    want += static_cast<uint64_t>(strict->metadata()
                                      .row_groups[0]
                                      .columns[static_cast<size_t>(leaf)]
                                      .meta_data->total_compressed_size);
  }
  EXPECT_EQ(counting->bytes_read, want);
}

TEST(ParquetReaderTest, ConcurrentReadsOfOneReader) {
  std::vector<std::vector<ColumnData>> groups;
  for (int g = 0; g < 8; ++g) groups.push_back(AllTypesRowGroup(200, g * 200));
  auto file = WriteParquetFile(AllTypesSchema(), groups);
  ASSERT_OK(file);
  auto reader = OpenBytes(*file);
  ASSERT_OK(reader);
  std::vector<int> all;
  for (int l = 0; l < reader->schema().num_leaves(); ++l) all.push_back(l);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 8; ++i) {
        auto batch = reader->ReadRowGroup((t + i) % 8, all);
        if (!batch.ok() || batch->columns[7].num_levels != 200) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures, 0);
}

// Reads everything a file offers; returns the first error (or OK).
Status ReadEverything(const std::string& bytes, const ReaderOptions& options = {}) {
  LS_ASSIGN_OR_RETURN(ParquetReader reader, OpenBytes(bytes, options));
  std::vector<int> all;
  for (int l = 0; l < reader.schema().num_leaves(); ++l) all.push_back(l);
  for (int rg = 0; rg < reader.num_row_groups(); ++rg) {
    LS_ASSIGN_OR_RETURN(RowGroupBatch batch, reader.ReadRowGroup(rg, all));
    LS_ASSIGN_OR_RETURN(RecordTree tree, RecordTree::Make(std::move(batch)));
    (void)tree;
  }
  return Status::OK();
}

void ExpectCorruptionOrOk(const Status& st, const std::string& what) {
  EXPECT_TRUE(st.ok() || st.code() == StatusCode::kCorruption ||
              st.code() == StatusCode::kUnsupported)
      << what << ": " << st;
}

TEST(ParquetReaderTest, TruncationAtEveryPositionIsCorruption) {
  WriterOptions options;
  options.codec = CompressionCodec::kSnappy;
  auto file = WriteParquetFile(AllTypesSchema(), {AllTypesRowGroup(40, 0)}, options);
  ASSERT_OK(file);
  ASSERT_OK(ReadEverything(*file));
  for (size_t len = 0; len < file->size(); ++len) {
    Status st = ReadEverything(file->substr(0, len));
    EXPECT_EQ(st.code(), StatusCode::kCorruption) << len;
  }
}

TEST(ParquetReaderTest, RandomByteFlipsNeverCrash) {
  auto file = WriteParquetFile(AllTypesSchema(), {AllTypesRowGroup(60, 0), AllTypesRowGroup(7, 1)});
  ASSERT_OK(file);
  std::mt19937 rng(12345);
  for (int iter = 0; iter < 3000; ++iter) {
    std::string bytes = *file;
    int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) {
      bytes[rng() % bytes.size()] = static_cast<char>(rng());
    }
    ExpectCorruptionOrOk(ReadEverything(bytes), "iteration " + std::to_string(iter));
  }
}

}  // namespace
}  // namespace lakeshare::parquet
