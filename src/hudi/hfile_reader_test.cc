#include "hudi/hfile_reader.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "hudi/hudi_log_format.h"
#include "hudi/hudi_test_util.h"
#include "testing/status_matchers.h"

namespace lakeshare::hudi {
namespace {

using ::lakeshare::testing::HudiTempDir;
using ::lakeshare::testing::StatusIs;
using ::lakeshare::testing::UnzipHudiTable;

std::string ReadAll(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The files of the column_stats partition of a sample table's metadata table.
std::vector<std::filesystem::path> ColumnStatsFiles(const std::string& table, bool logs) {
  std::vector<std::filesystem::path> out;
  for (const auto& e :
       std::filesystem::directory_iterator(std::filesystem::path(table) / ".hoodie/metadata/column_stats")) {
    std::string name = e.path().filename().string();
    bool is_log = name.find(".log.") != std::string::npos;
    if (logs ? is_log : name.ends_with(".hfile")) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

struct Entry {
  std::string key, value;
};

std::vector<Entry> AllEntries(const HFileReader& r) {
  std::vector<Entry> out;
  Status st = r.ForEach([&](std::string_view k, std::string_view v) {
    out.push_back({std::string(k), std::string(v)});
    return Status::OK();
  });
  EXPECT_TRUE(st.ok()) << st;
  return out;
}

void CheckFile(const std::string& bytes, const std::string& what) {
  SCOPED_TRACE(what);
  auto r = HFileReader::Open(bytes);
  ASSERT_TRUE(r.ok()) << r.status();
  // Hudi records the writer schema in the file info.
  ASSERT_NE(r->FileInfo("schema"), nullptr);
  EXPECT_NE(r->FileInfo("schema")->find("HoodieMetadataRecord"), std::string::npos);
  std::vector<Entry> all = AllEntries(*r);
  ASSERT_EQ(static_cast<int64_t>(all.size()), r->entry_count());
  ASSERT_GT(all.size(), 0u);
  for (size_t i = 0; i < all.size(); ++i) {
    if (i > 0) {
      EXPECT_LT(all[i - 1].key, all[i].key);
    }
    auto got = r->Get(all[i].key);
    ASSERT_TRUE(got.ok()) << got.status();
    ASSERT_TRUE(got->has_value()) << all[i].key;
    EXPECT_EQ(**got, all[i].value);
    EXPECT_FALSE(all[i].value.empty());
  }
  // Keys that are not in the file: before the first, between two, after the last.
  for (const std::string& absent :
       {std::string(), all.front().key.substr(0, all.front().key.size() - 1),
        all.front().key + "\x01", all.back().key + "~"}) {
    auto got = r->Get(absent);
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_FALSE(got->has_value()) << absent;
  }
}

TEST(HFileReader, BaseFilesOfAMetadataTable) {
  HudiTempDir tmp;
  std::string dir = UnzipHudiTable("hudi-rs/cow/v9_txns_simple_meta.zip", tmp.path());
  ASSERT_FALSE(dir.empty());
  auto files = ColumnStatsFiles(dir, false);
  ASSERT_EQ(files.size(), 2u);
  for (const auto& f : files) {
    std::string bytes = ReadAll(f);
    auto r = HFileReader::Open(bytes);
    ASSERT_TRUE(r.ok()) << r.status();
    // The sample table's base files are gzip-compressed: the codec path is covered.
    CheckFile(bytes, f.filename().string());
  }
}

TEST(HFileReader, DataBlocksOfMetadataTableLogs) {
  HudiTempDir tmp;
  std::string dir = UnzipHudiTable("hudi-rs/mor/avro/v9_txns_simple_meta.zip", tmp.path());
  ASSERT_FALSE(dir.empty());
  int hfile_blocks = 0;
  for (const auto& f : ColumnStatsFiles(dir, true)) {
    std::string bytes = ReadAll(f);
    auto blocks = ParseLogBlocks(bytes);
    ASSERT_TRUE(blocks.ok()) << blocks.status();
    for (const LogBlock& b : *blocks) {
      if (b.type != LogBlockType::kHFileData) continue;
      ++hfile_blocks;
      CheckFile(std::string(b.content), f.filename().string());
    }
  }
  EXPECT_GT(hfile_blocks, 10);
}

TEST(HFileReader, GarbageIsCorruption) {
  HudiTempDir tmp;
  std::string dir = UnzipHudiTable("hudi-rs/cow/v9_txns_simple_meta.zip", tmp.path());
  std::string good = ReadAll(ColumnStatsFiles(dir, false).front());

  EXPECT_THAT(HFileReader::Open("").status(), StatusIs(StatusCode::kCorruption));
  EXPECT_THAT(HFileReader::Open(std::string(5000, 'x')).status(),
              StatusIs(StatusCode::kCorruption));
  // A version 2 trailer.
  std::string v2 = good;
  v2[v2.size() - 1] = 2;
  EXPECT_THAT(HFileReader::Open(v2).status(), StatusIs(StatusCode::kUnsupported));
  // Cut anywhere: the trailer no longer is where it must be, or points past the end.
  for (size_t cut : {size_t{1}, size_t{100}, good.size() / 2}) {
    EXPECT_FALSE(HFileReader::Open(good.substr(cut)).ok());
    EXPECT_FALSE(HFileReader::Open(good.substr(0, good.size() - cut)).ok());
  }
  // A flipped byte in the first (gzip) data block: open succeeds (the index
  // is intact), reading the block fails cleanly.
  std::string flipped = good;
  flipped[200] = static_cast<char>(flipped[200] ^ 0x5a);
  auto r = HFileReader::Open(flipped);
  ASSERT_TRUE(r.ok()) << r.status();
  Status st = r->ForEach([](std::string_view, std::string_view) { return Status::OK(); });
  EXPECT_THAT(st, StatusIs(StatusCode::kCorruption));
  // Every single-byte change anywhere gives a reader or a clean error.
  for (size_t i = 0; i < good.size(); i += 7) {
    std::string b = good;
    b[i] = static_cast<char>(b[i] + 1);
    auto opened = HFileReader::Open(b);
    if (!opened.ok()) {
      EXPECT_TRUE(opened.status().code() == StatusCode::kCorruption ||
                  opened.status().code() == StatusCode::kUnsupported ||
                  opened.status().code() == StatusCode::kTooLarge)
          << opened.status();
      continue;
    }
    (void)opened->ForEach([](std::string_view, std::string_view) { return Status::OK(); });
  }
}

}  // namespace
}  // namespace lakeshare::hudi
