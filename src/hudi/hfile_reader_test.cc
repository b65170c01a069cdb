#include "hudi/hfile_reader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
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
using ::lakeshare::testing::ReadFileBytes;
using ::lakeshare::testing::StatusIs;
using ::lakeshare::testing::UnzipHudiTable;

// The files of the column_stats partition of a sample table's metadata table.
std::vector<std::filesystem::path> ColumnStatsFiles(const std::string& table, bool logs) {
  std::vector<std::filesystem::path> out;
  for (const auto& e : std::filesystem::directory_iterator(std::filesystem::path(table) /
                                                           ".hoodie/metadata/column_stats")) {
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

// A small HFile writer of its own (uncompressed, NULL checksums), for the
// layouts the sample tables do not have: no compression, and a two-level
// data index (root -> leaf index blocks -> data blocks).
class HFileBuilder {
 public:
  static std::string Build(const std::vector<Entry>& entries, size_t per_block, bool two_levels) {
    HFileBuilder b;
    struct Ref {
      int64_t offset, size;
      std::string key;
    };
    std::vector<Ref> data;
    for (size_t i = 0; i < entries.size(); i += per_block) {
      std::string body;
      for (size_t j = i; j < std::min(entries.size(), i + per_block); ++j) {
        std::string key = Key(entries[j].key);
        Int32(&body, static_cast<int32_t>(key.size()));
        Int32(&body, static_cast<int32_t>(entries[j].value.size()));
        body += key + entries[j].value;
        body.push_back('\0');  // memstore timestamp 0
      }
      data.push_back({static_cast<int64_t>(b.out_.size()), 0, Key(entries[i].key)});
      data.back().size = b.Block("DATABLK*", body);
    }
    std::vector<Ref> root = data;
    if (two_levels) {
      root.clear();
      for (size_t i = 0; i < data.size(); i += 2) {
        std::string entries_bytes, offsets;
        size_t n = std::min<size_t>(2, data.size() - i);
        Int32(&offsets, 0);
        for (size_t j = i; j < i + n; ++j) {
          Int64(&entries_bytes, data[j].offset);
          Int32(&entries_bytes, static_cast<int32_t>(data[j].size));
          entries_bytes += data[j].key;
          Int32(&offsets, static_cast<int32_t>(entries_bytes.size()));
        }
        std::string body;
        Int32(&body, static_cast<int32_t>(n));
        body += offsets + entries_bytes;
        root.push_back({static_cast<int64_t>(b.out_.size()), 0, data[i].key});
        root.back().size = b.Block("IDXLEAF2", body);
      }
    }
    const int64_t load_on_open = static_cast<int64_t>(b.out_.size());
    std::string root_body;
    for (const Ref& r : root) {
      Int64(&root_body, r.offset);
      Int32(&root_body, static_cast<int32_t>(r.size));
      root_body.push_back(static_cast<char>(r.key.size()));  // < 128: one byte
      root_body += r.key;
    }
    b.Block("IDXROOT2", root_body);
    b.Block("IDXROOT2", "");  // no meta blocks
    std::string pair, info;
    Field(&pair, 1, "KEY_VALUE_VERSION");
    Field(&pair, 2, std::string("\0\0\0\1", 4));
    Field(&info, 1, pair);
    std::string info_body = "PBUF";
    Varint(&info_body, info.size());
    b.Block("FILEINF2", info_body + info);
    std::string proto;
    VarintField(&proto, 2, static_cast<uint64_t>(load_on_open));
    VarintField(&proto, 5, root.size());
    VarintField(&proto, 7, entries.size());
    VarintField(&proto, 8, two_levels ? 2 : 1);
    VarintField(&proto, 12, 2);  // NONE
    std::string trailer = "TRABLK\"$";
    Varint(&trailer, proto.size());
    trailer += proto;
    trailer.resize(4096 - 4, '\0');
    trailer += std::string("\0\0\0\3", 4);
    return b.out_ + trailer;
  }

 private:
  static void Int32(std::string* o, int32_t v) {
    for (int s = 24; s >= 0; s -= 8) o->push_back(static_cast<char>((v >> s) & 0xff));
  }
  static void Int64(std::string* o, int64_t v) {
    for (int s = 56; s >= 0; s -= 8) o->push_back(static_cast<char>((v >> s) & 0xff));
  }
  static void Varint(std::string* o, uint64_t v) {
    while (v >= 0x80) {
      o->push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    o->push_back(static_cast<char>(v));
  }
  static void VarintField(std::string* o, int field, uint64_t v) {
    Varint(o, static_cast<uint64_t>(field) << 3);
    Varint(o, v);
  }
  static void Field(std::string* o, int field, const std::string& bytes) {
    Varint(o, (static_cast<uint64_t>(field) << 3) | 2);
    Varint(o, bytes.size());
    *o += bytes;
  }
  // int16 row length, row, family length 0, timestamp, type Put.
  static std::string Key(const std::string& row) {
    std::string k;
    k.push_back(static_cast<char>(row.size() >> 8));
    k.push_back(static_cast<char>(row.size() & 0xff));
    k += row;
    k.push_back('\0');
    Int64(&k, 0);
    k.push_back('\4');
    return k;
  }
  int64_t Block(const std::string& magic, const std::string& body) {
    std::string h = magic;
    Int32(&h, static_cast<int32_t>(body.size()));
    Int32(&h, static_cast<int32_t>(body.size()));
    Int64(&h, -1);
    h.push_back('\0');
    Int32(&h, 16384);
    Int32(&h, static_cast<int32_t>(33 + body.size()));
    out_ += h + body;
    return static_cast<int64_t>(h.size() + body.size());
  }
  std::string out_;
};

void CheckFile(const std::string& bytes, const std::string& what, bool hudi = true) {
  SCOPED_TRACE(what);
  auto r = HFileReader::Open(bytes);
  ASSERT_TRUE(r.ok()) << r.status();
  if (hudi) {
    // Hudi records the writer schema in the file info.
    ASSERT_NE(r->FileInfo("schema"), nullptr);
    EXPECT_NE(r->FileInfo("schema")->find("HoodieMetadataRecord"), std::string::npos);
  }
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
    std::string bytes = ReadFileBytes(f);
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
    std::string bytes = ReadFileBytes(f);
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

TEST(HFileReader, UncompressedSingleAndTwoLevelIndexes) {
  std::vector<Entry> entries;
  for (int i = 0; i < 50; ++i) {
    char key[16];
    std::snprintf(key, sizeof(key), "key-%03d", i * 2);
    entries.push_back({key, std::string(static_cast<size_t>(i), 'v') + std::to_string(i)});
  }
  for (bool two_levels : {false, true}) {
    SCOPED_TRACE(two_levels);
    std::string file = HFileBuilder::Build(entries, 7, two_levels);
    CheckFile(file, "built", /*hudi=*/false);
    auto r = HFileReader::Open(file);
    ASSERT_TRUE(r.ok()) << r.status();
    std::vector<Entry> all = AllEntries(*r);
    ASSERT_EQ(all.size(), entries.size());
    for (size_t i = 0; i < all.size(); ++i) {
      EXPECT_EQ(all[i].key, entries[i].key);
      EXPECT_EQ(all[i].value, entries[i].value);
    }
    // Odd keys fall between stored ones, in every block.
    for (int i = 0; i < 100; i += 2) {
      char key[16];
      std::snprintf(key, sizeof(key), "key-%03d", i + 1);
      auto got = r->Get(key);
      ASSERT_TRUE(got.ok()) << got.status();
      EXPECT_FALSE(got->has_value()) << key;
    }
  }
  // Keys out of order are corruption, not a wrong lookup.
  std::vector<Entry> unsorted = entries;
  std::swap(unsorted[3], unsorted[20]);
  const std::string unsorted_file = HFileBuilder::Build(unsorted, 7, false);  // outlives the reader
  auto r = HFileReader::Open(unsorted_file);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(r->ForEach([](std::string_view, std::string_view) { return Status::OK(); }),
              StatusIs(StatusCode::kCorruption));
}

TEST(HFileReader, GarbageIsCorruption) {
  HudiTempDir tmp;
  std::string dir = UnzipHudiTable("hudi-rs/cow/v9_txns_simple_meta.zip", tmp.path());
  std::string good = ReadFileBytes(ColumnStatsFiles(dir, false).front());

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
