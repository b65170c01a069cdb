#include "hudi/hudi_log_format.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "hudi/hudi_test_util.h"
#include "testing/status_matchers.h"

namespace lakeshare::hudi {
namespace {

using ::lakeshare::testing::HudiTempDir;
using ::lakeshare::testing::ReadFileBytes;
using ::lakeshare::testing::StatusIs;
using ::lakeshare::testing::UnzipHudiTable;

std::string FindLog(const std::string& dir, const std::string& part) {
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    std::string p = e.path().string();
    if (p.find(part) != std::string::npos && p.find(".log.") != std::string::npos &&
        p.find("/.hoodie/") == std::string::npos) {
      return p;
    }
  }
  return "";
}

TEST(HudiLogFormat, AvroDataAndDeleteBlocksOfARealTable) {
  HudiTempDir tmp;
  std::string dir = UnzipHudiTable(
      "hudi-rs-quickstart/quickstart_trips_table/mor/avro/v8_trips_8i3u1d.zip", tmp.path());
  ASSERT_FALSE(dir.empty());
  std::string updates = ReadFileBytes(FindLog(dir, "20251220210127080.log"));
  ASSERT_OK_AND_ASSIGN(auto blocks, ParseLogBlocks(updates));
  ASSERT_EQ(blocks.size(), 1u);
  EXPECT_EQ(blocks[0].type, LogBlockType::kAvroData);
  EXPECT_EQ(blocks[0].InstantTime(), "20251220210127080");
  ASSERT_NE(blocks[0].Header(LogHeader::kSchema), nullptr);
  ASSERT_OK_AND_ASSIGN(auto records, AvroBlockRecords(blocks[0].content));
  EXPECT_EQ(records.size(), 1u);

  std::string deletes = ReadFileBytes(FindLog(dir, "20251220210128625.log"));
  ASSERT_OK_AND_ASSIGN(blocks, ParseLogBlocks(deletes));
  ASSERT_EQ(blocks.size(), 1u);
  EXPECT_EQ(blocks[0].type, LogBlockType::kDelete);
  ASSERT_OK_AND_ASSIGN(auto keys, DecodeDeleteBlock(blocks[0].content));
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(keys[0].record_key, "c8abbe79-8d89-47ea-b4ce-4d224bae5bfa");
  EXPECT_EQ(keys[0].partition_path, "city=chennai");
}

TEST(HudiLogFormat, CorruptBlocksAreSkippedToTheNextMagic) {
  HudiTempDir tmp;
  std::string dir =
      UnzipHudiTable("hudi-rs/mor/parquet/v6_nonpartitioned_rollback.zip", tmp.path());
  std::string file = ReadFileBytes(FindLog(dir, ".log.2_"));
  ASSERT_OK_AND_ASSIGN(auto blocks, ParseLogBlocks(file));
  ASSERT_EQ(blocks.size(), 1u);
  EXPECT_EQ(blocks[0].type, LogBlockType::kCommand);
  ASSERT_NE(blocks[0].Header(LogHeader::kTargetInstantTime), nullptr);
  // A truncated copy followed by the block again: one corrupt, one good.
  std::string broken = file.substr(0, file.size() / 2) + file;
  ASSERT_OK_AND_ASSIGN(blocks, ParseLogBlocks(broken));
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_EQ(blocks[0].type, LogBlockType::kCorrupt);
  EXPECT_EQ(blocks[1].type, LogBlockType::kCommand);
  EXPECT_THAT(ParseLogBlocks("not a log"), StatusIs(StatusCode::kCorruption));
}

TEST(HudiLogFormat, ContentDecodersRefuseBadInput) {
  EXPECT_THAT(AvroBlockRecords(std::string("\0\0\0\3\0\0\0\x7f", 8)),
              StatusIs(StatusCode::kCorruption));
  EXPECT_THAT(AvroBlockRecords(std::string("\0\0\0\1", 4)), StatusIs(StatusCode::kUnsupported));
  EXPECT_THAT(DecodeDeleteBlock(std::string("\0\0\0\2\0\0\0\0", 8)),
              StatusIs(StatusCode::kUnsupported));
  EXPECT_THAT(DecodeDeleteBlock(std::string("\0\0\0\3\0\0\0\x10", 8)),
              StatusIs(StatusCode::kCorruption));
}

TEST(HudiOrdering, NaturalOrderAndComparisons) {
  OrderingValue zero{int64_t{0}}, five{int64_t{5}}, half{0.5}, text{std::string("a")}, none;
  EXPECT_TRUE(zero.IsNaturalOrder());
  EXPECT_TRUE(none.IsNaturalOrder());
  EXPECT_FALSE(five.IsNaturalOrder());
  EXPECT_EQ(five.Compare(zero), 1);
  EXPECT_EQ(zero.Compare(half), -1);
  EXPECT_FALSE(five.Compare(text).has_value());
  EXPECT_FALSE(none.Compare(five).has_value());
}

}  // namespace
}  // namespace lakeshare::hudi
