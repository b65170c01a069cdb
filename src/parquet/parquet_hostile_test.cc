// Hostile input: absurd sizes planted in page headers and chunk metadata, and
// random damage to real checkpoint files. Everything must end in
// kCorruption (or kUnsupported), never a crash or a huge allocation (run
// these under -DLAKESHARE_SANITIZE=ON too).
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "parquet/parquet_reader.h"
#include "parquet/record_view.h"
#include "testing/parquet_file_builder.h"
#include "testing/status_matchers.h"

namespace lakeshare::parquet {
namespace {

using testing::BuildFile;
using testing::Group;
using testing::Leaf;
using testing::Plain64;
using testing::PlainStrings;
using testing::Root;
using testing::TestChunk;

Status ReadAll(const std::string& bytes) {
  LS_ASSIGN_OR_RETURN(ParquetReader reader,
                      ParquetReader::Open(std::make_shared<MemoryFile>(bytes)));
  std::vector<int> all;
  for (int l = 0; l < reader.schema().num_leaves(); ++l) all.push_back(l);
  for (int rg = 0; rg < reader.num_row_groups(); ++rg) {
    LS_ASSIGN_OR_RETURN(RowGroupBatch batch, reader.ReadRowGroup(rg, all));
    LS_ASSIGN_OR_RETURN(RecordTree tree, RecordTree::Make(std::move(batch)));
    (void)tree;
  }
  return Status::OK();
}

// A nullable string column with a dictionary, and a list of int64.
std::vector<SchemaElement> TwoColumnSchema() {
  return {Root(2), Leaf("s", Repetition::kOptional, Type::kByteArray),
          Group("l", Repetition::kOptional, 1, ConvertedType::kList),
          Group("list", Repetition::kRepeated, 1),
          Leaf("element", Repetition::kOptional, Type::kInt64)};
}

std::vector<TestChunk> TwoColumnChunks() {
  std::vector<TestChunk> c(2);
  c[0].type = Type::kByteArray;
  c[0].max_def = 1;
  c[0].def = {1, 0, 1};
  c[0].dictionary = PlainStrings({"x", "y"});
  c[0].dictionary_count = 2;
  c[0].encoding = Encoding::kRleDictionary;
  c[0].values = testing::DictIndices({1, 0}, 1);
  c[1].type = Type::kInt64;
  c[1].max_def = 3;
  c[1].max_rep = 1;
  c[1].def = {3, 3, 0, 1};
  c[1].rep = {0, 1, 0, 0};
  c[1].values = Plain64({4, 5});
  return c;
}

TEST(ParquetHostileTest, TheBaselineFileIsFine) {
  ASSERT_OK(ReadAll(BuildFile(TwoColumnSchema(), TwoColumnChunks(), 3)));
}

TEST(ParquetHostileTest, AbsurdPageHeaderFields) {
  std::vector<std::function<void(PageHeader*)>> edits = {
      [](PageHeader* h) { h->compressed_page_size = INT32_MAX; },
      [](PageHeader* h) { h->compressed_page_size = -1; },
      [](PageHeader* h) { h->uncompressed_page_size = INT32_MAX; },
      [](PageHeader* h) { h->uncompressed_page_size = -5; },
      [](PageHeader* h) { h->uncompressed_page_size += 1; },
      [](PageHeader* h) {
        if (h->data_page_header) h->data_page_header->num_values = INT32_MAX;
      },
      [](PageHeader* h) {
        if (h->data_page_header) h->data_page_header->num_values = -1;
      },
      [](PageHeader* h) {
        if (h->data_page_header) h->data_page_header->num_values = 2;  // rows short
      },
      [](PageHeader* h) { h->data_page_header.reset(); },
      [](PageHeader* h) {
        if (h->data_page_header) h->data_page_header->encoding = static_cast<Encoding>(1000);
      },
      [](PageHeader* h) {
        if (h->data_page_header) h->data_page_header->definition_level_encoding = Encoding::kPlain;
      },
      [](PageHeader* h) { h->type = PageType::kDictionaryPage; },
  };
  for (size_t i = 0; i < edits.size(); ++i) {
    for (int col = 0; col < 2; ++col) {
      auto chunks = TwoColumnChunks();
      chunks[static_cast<size_t>(col)].edit_data_header = edits[i];
      Status st = ReadAll(BuildFile(TwoColumnSchema(), chunks, 3));
      EXPECT_EQ(st.code(), StatusCode::kCorruption)
          << "edit " << i << " column " << col << ": " << st;
    }
  }
}

TEST(ParquetHostileTest, AbsurdV2AndDictionaryHeaders) {
  std::vector<std::function<void(PageHeader*)>> v2_edits = {
      [](PageHeader* h) { h->data_page_header_v2->definition_levels_byte_length = INT32_MAX; },
      [](PageHeader* h) { h->data_page_header_v2->repetition_levels_byte_length = -1; },
      [](PageHeader* h) { h->data_page_header_v2->num_values = 1 << 30; },
      [](PageHeader* h) { h->uncompressed_page_size = 0; },
  };
  for (size_t i = 0; i < v2_edits.size(); ++i) {
    auto chunks = TwoColumnChunks();
    for (auto& c : chunks) {
      c.page_version = 2;
      c.codec = CompressionCodec::kZstd;
      c.edit_data_header = v2_edits[i];
    }
    Status st = ReadAll(BuildFile(TwoColumnSchema(), chunks, 3));
    EXPECT_EQ(st.code(), StatusCode::kCorruption) << "v2 edit " << i << ": " << st;
  }
  std::vector<std::function<void(PageHeader*)>> dict_edits = {
      [](PageHeader* h) { h->dictionary_page_header->num_values = INT32_MAX; },
      [](PageHeader* h) { h->dictionary_page_header->num_values = -1; },
      [](PageHeader* h) { h->dictionary_page_header->num_values = 1; },  // index 1 out of range
      [](PageHeader* h) { h->dictionary_page_header->encoding = Encoding::kRle; },
      [](PageHeader* h) { h->dictionary_page_header.reset(); },
      [](PageHeader* h) { h->uncompressed_page_size = 1 << 30; },
  };
  for (size_t i = 0; i < dict_edits.size(); ++i) {
    auto chunks = TwoColumnChunks();
    chunks[0].codec = CompressionCodec::kSnappy;
    chunks[0].edit_dictionary_header = dict_edits[i];
    Status st = ReadAll(BuildFile(TwoColumnSchema(), chunks, 3));
    EXPECT_EQ(st.code(), StatusCode::kCorruption) << "dictionary edit " << i << ": " << st;
  }
}

TEST(ParquetHostileTest, AbsurdChunkMetadata) {
  std::vector<std::function<void(ColumnMetaData*)>> edits = {
      [](ColumnMetaData* m) { m->num_values = INT64_MAX; },
      [](ColumnMetaData* m) { m->num_values = -1; },
      [](ColumnMetaData* m) { m->num_values += 1; },
      [](ColumnMetaData* m) { m->total_compressed_size = INT64_MAX; },
      [](ColumnMetaData* m) { m->total_compressed_size = -1; },
      [](ColumnMetaData* m) { m->total_compressed_size = 3; },
      [](ColumnMetaData* m) {
        m->data_page_offset = INT64_MAX;
        m->dictionary_page_offset.reset();
      },
      [](ColumnMetaData* m) { m->data_page_offset = -100; },
      [](ColumnMetaData* m) { m->data_page_offset = 0; },
      [](ColumnMetaData* m) { m->type = Type::kDouble; },
      [](ColumnMetaData* m) { m->codec = static_cast<CompressionCodec>(99); },
  };
  for (size_t i = 0; i < edits.size(); ++i) {
    for (int col = 0; col < 2; ++col) {
      auto chunks = TwoColumnChunks();
      for (auto& c : chunks) c.codec = CompressionCodec::kGzip;
      chunks[static_cast<size_t>(col)].edit_meta = edits[i];
      Status st = ReadAll(BuildFile(TwoColumnSchema(), chunks, 3));
      EXPECT_EQ(st.code(), StatusCode::kCorruption)
          << "edit " << i << " column " << col << ": " << st;
    }
  }
}

TEST(ParquetHostileTest, LevelsAboveTheirMaximum) {
  // The list's element is REQUIRED here (max_def 2, 2-bit levels) but the
  // page holds a level of 3.
  auto schema = TwoColumnSchema();
  schema[4].repetition_type = Repetition::kRequired;
  auto chunks = TwoColumnChunks();
  Status st = ReadAll(BuildFile(schema, chunks, 3));
  EXPECT_EQ(st.code(), StatusCode::kCorruption) << st;
  chunks[1].def = {2, 2, 0, 1};
  chunks[1].max_def = 2;
  EXPECT_OK(ReadAll(BuildFile(schema, chunks, 3)));
}

// ---------------------------------------------------------------- real files

std::vector<std::string> RealCheckpoints() {
  namespace fs = std::filesystem;
  std::vector<std::string> out;
  fs::path root = fs::path(LAKESHARE_TESTDATA_DIR) / "delta" / "delta-rs";
  for (const char* rel :
       {"simple_table_with_checkpoint/_delta_log/00000000000000000010.checkpoint.parquet",
        "delta-1.2.1-only-struct-stats/_delta_log/00000000000000000010.checkpoint.parquet",
        "checkpoint_with_partitions/_delta_log/00000000000000000002.checkpoint.parquet",
        "table_with_deletion_logs/_delta_log/00000000000000000020.checkpoint.parquet"}) {
    std::ifstream in(root / rel, std::ios::binary);
    if (!in) continue;
    std::stringstream ss;
    ss << in.rdbuf();
    out.push_back(ss.str());
  }
  return out;
}

TEST(ParquetHostileTest, RealCheckpointsTruncatedOrCutAnywhere) {
  auto files = RealCheckpoints();
  if (files.empty()) FAIL() << "test data missing (tests/data)";
  for (const std::string& file : files) {
    ASSERT_OK(ReadAll(file));
    for (size_t len = 0; len < file.size(); len += 1 + len / 50) {
      EXPECT_EQ(ReadAll(file.substr(0, len)).code(), StatusCode::kCorruption) << len;
    }
    // Keep the footer but cut bytes out of the data: offsets now point wrong
    // (or, for cuts in the page indexes after the chunks, nowhere that
    // matters).
    uint32_t footer_len;
    std::memcpy(&footer_len, file.data() + file.size() - 8, 4);
    size_t data_end = file.size() - 8 - footer_len;
    for (size_t at = 4; at < data_end; at += 1 + at / 40) {
      std::string cut = file.substr(0, at) + file.substr(std::min(at + 37, data_end));
      Status st = ReadAll(cut);
      EXPECT_TRUE(st.ok() || st.code() == StatusCode::kCorruption ||
                  st.code() == StatusCode::kUnsupported)
          << at << ": " << st;
    }
  }
}

TEST(ParquetHostileTest, RealCheckpointsWithRandomByteFlips) {
  auto files = RealCheckpoints();
  if (files.empty()) FAIL() << "test data missing (tests/data)";
  std::mt19937 rng(2024);
  int ok = 0, corrupt = 0;
  for (const std::string& file : files) {
    for (int iter = 0; iter < 1500; ++iter) {
      std::string bytes = file;
      int flips = 1 + static_cast<int>(rng() % 3);
      for (int f = 0; f < flips; ++f) {
        // Half of the flips hit the footer, where sizes and offsets live.
        size_t footer_start = bytes.size() > 4096 ? bytes.size() - 4096 : 0;
        size_t pos =
            rng() % 2 ? footer_start + rng() % (bytes.size() - footer_start) : rng() % bytes.size();
        bytes[pos] = static_cast<char>(rng());
      }
      Status st = ReadAll(bytes);
      ASSERT_TRUE(st.ok() || st.code() == StatusCode::kCorruption ||
                  st.code() == StatusCode::kUnsupported)
          << st;
      (st.ok() ? ok : corrupt)++;
    }
  }
  // Both outcomes happen: flips in string values go unnoticed, flips in
  // structure do not.
  EXPECT_GT(ok, 0);
  EXPECT_GT(corrupt, 0);
}

}  // namespace
}  // namespace lakeshare::parquet
