#include "delta/delta_log_listing.h"

#include <gtest/gtest.h>

#include "delta/delta_test_util.h"
#include "storage/local_storage.h"
#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

using testing::TempTable;
using testing::TestTable;

std::optional<DeltaLogFile> Classify(const std::string& name) {
  return ClassifyDeltaLogFile(FileInfo{"/t/_delta_log/" + name, 1, 2});
}

TEST(DeltaLogListingTest, ClassifiesLogFileNames) {
  auto commit = Classify("00000000000000000012.json");
  ASSERT_TRUE(commit);
  EXPECT_EQ(commit->type, DeltaLogFileType::kCommit);
  EXPECT_EQ(commit->version, 12);
  EXPECT_EQ(commit->info.path, "/t/_delta_log/00000000000000000012.json");

  auto checkpoint = Classify("00000000000000000010.checkpoint.parquet");
  ASSERT_TRUE(checkpoint);
  EXPECT_EQ(checkpoint->type, DeltaLogFileType::kCheckpoint);
  EXPECT_EQ(checkpoint->version, 10);

  auto part = Classify("00000000000000000010.checkpoint.0000000002.0000000003.parquet");
  ASSERT_TRUE(part);
  EXPECT_EQ(part->type, DeltaLogFileType::kMultiPartCheckpoint);
  EXPECT_EQ(part->part, 2);
  EXPECT_EQ(part->num_parts, 3);

  auto v2 = Classify("00000000000000000006.checkpoint.f5ee283b-37c7-46af-b64c-8f77c6a5c43a.json");
  ASSERT_TRUE(v2);
  EXPECT_EQ(v2->type, DeltaLogFileType::kV2Checkpoint);
  EXPECT_EQ(v2->version, 6);
  auto v2p =
      Classify("00000000000000000006.checkpoint.F5EE283B-37c7-46af-b64c-8f77c6a5c43a.parquet");
  ASSERT_TRUE(v2p);
  EXPECT_EQ(v2p->type, DeltaLogFileType::kV2Checkpoint);

  auto crc = Classify("00000000000000000003.crc");
  ASSERT_TRUE(crc);
  EXPECT_EQ(crc->type, DeltaLogFileType::kChecksum);
  EXPECT_EQ(crc->version, 3);

  auto last = ClassifyDeltaLogFile(FileInfo{"s3://b/t/_delta_log/_last_checkpoint", 1, 2});
  ASSERT_TRUE(last);
  EXPECT_EQ(last->type, DeltaLogFileType::kLastCheckpoint);

  for (const char* ignored : {
           ".00000000000000000000.json.crc",
           "00000000000000000000.json.tmp",
           "0000000000000000000.json",    // 19 digits
           "000000000000000000000.json",  // 21 digits
           "0000000000000000000a.json",
           "99999999999999999999.json",  // does not fit in int64
           "00000000000000000001.00000000000000000003.compacted.json",
           "00000000000000000001.checkpoint.0000000004.0000000003.parquet",  // part > parts
           "00000000000000000001.checkpoint.0000000000.0000000003.parquet",
           "00000000000000000001.checkpoint.not-a-uuid.json",
           "00000000000000000001.checkpoint.f5ee283b-37c7-46af-b64c-8f77c6a5c43a.avro",
           "_last_checkpoint.tmp",
           "x",
       }) {
    EXPECT_FALSE(Classify(ignored)) << ignored;
  }
}

TEST(DeltaLogListingTest, CommitFileName) {
  EXPECT_EQ(DeltaCommitFileName(0), "00000000000000000000.json");
  EXPECT_EQ(DeltaCommitFileName(1234), "00000000000000001234.json");
}

TEST(DeltaLogListingTest, MissingOrEmptyLogIsNotFound) {
  LocalStorage storage;
  TempTable table;
  auto empty = ListDeltaLog(storage, table.root());
  EXPECT_EQ(empty.status().code(), StatusCode::kNotFound);
  EXPECT_NE(empty.status().message().find(table.root()), std::string::npos);

  table.WriteLogFile("_last_checkpoint", "{}");
  table.WriteLogFile("00000000000000000001.checkpoint.0000000001.0000000002.parquet", "x");
  EXPECT_EQ(ListDeltaLog(storage, table.root()).status().code(), StatusCode::kNotFound);

  auto missing = ListDeltaLog(storage, table.root() + "/nope");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find(table.root() + "/nope"), std::string::npos);
}

TEST(DeltaLogListingTest, ListsAndGroupsFiles) {
  LocalStorage storage;
  TempTable table;
  for (int v : {3, 4, 5, 7, 8}) table.WriteCommit(v, "{}");
  table.WriteLogFile("00000000000000000004.checkpoint.parquet", "x");
  // A complete two-part checkpoint at 7 and an incomplete one at 8.
  table.WriteLogFile("00000000000000000007.checkpoint.0000000001.0000000002.parquet", "x");
  table.WriteLogFile("00000000000000000007.checkpoint.0000000002.0000000002.parquet", "x");
  table.WriteLogFile("00000000000000000008.checkpoint.0000000001.0000000002.parquet", "x");
  table.WriteLogFile("00000000000000000005.crc", "{}");
  table.WriteLogFile("_last_checkpoint", "{}");
  table.WriteLogFile(".00000000000000000005.json.crc", "x");
  std::filesystem::create_directories(table.log_dir() / "_sidecars");

  auto listing = ListDeltaLog(storage, table.root());
  ASSERT_OK(listing);
  EXPECT_EQ(listing->log_dir, table.root() + "/_delta_log");
  ASSERT_EQ(listing->commits.size(), 5u);
  EXPECT_EQ(listing->commits.front().version, 3);
  EXPECT_EQ(listing->latest_version, 8);
  ASSERT_EQ(listing->checkpoints.size(), 2u);
  EXPECT_EQ(listing->checkpoints[0].version, 4);
  EXPECT_EQ(listing->checkpoints[1].version, 7);
  EXPECT_EQ(listing->checkpoints[1].type, DeltaLogFileType::kMultiPartCheckpoint);
  ASSERT_EQ(listing->checkpoints[1].files.size(), 2u);
  EXPECT_NE(listing->checkpoints[1].files[1].path.find(".0000000002.0000000002."),
            std::string::npos);
  ASSERT_EQ(listing->checksums.size(), 1u);
  EXPECT_TRUE(listing->last_checkpoint.has_value());

  EXPECT_EQ(listing->FindCommit(4)->version, 4);
  EXPECT_EQ(listing->FindCommit(6), nullptr);
  EXPECT_EQ(listing->FindCommit(0), nullptr);
  EXPECT_TRUE(listing->HasCommits(3, 5));
  EXPECT_TRUE(listing->HasCommits(7, 8));
  EXPECT_TRUE(listing->HasCommits(9, 8));  // empty range
  EXPECT_FALSE(listing->HasCommits(3, 7));
  EXPECT_EQ(listing->FirstMissingCommit(3, 8), 6);
  EXPECT_EQ(listing->FirstMissingCommit(0, 8), 0);
  EXPECT_EQ(listing->FirstMissingCommit(8, 9), 9);
  EXPECT_EQ(listing->FirstMissingCommit(4, 5), std::nullopt);
  EXPECT_EQ(listing->CheckpointAtOrBefore(3), nullptr);
  EXPECT_EQ(listing->CheckpointAtOrBefore(4)->version, 4);
  EXPECT_EQ(listing->CheckpointAtOrBefore(6)->version, 4);
  EXPECT_EQ(listing->CheckpointAtOrBefore(100)->version, 7);
  EXPECT_EQ(listing->EarliestReconstructableVersion(), 4);

  table.WriteCommit(0, "{}");
  listing = ListDeltaLog(storage, table.root());
  ASSERT_OK(listing);
  EXPECT_EQ(listing->EarliestReconstructableVersion(), 0);
}

TEST(DeltaLogListingTest, RealTables) {
  LocalStorage storage;
  auto ict = ListDeltaLog(storage, TestTable("cdc_ict_table"));
  ASSERT_OK(ict);
  EXPECT_EQ(ict->commits.size(), 4u);
  EXPECT_EQ(ict->checksums.size(), 4u);  // hidden ".crc.crc" files are ignored
  EXPECT_EQ(ict->latest_version, 3);
  EXPECT_TRUE(ict->checkpoints.empty());

  auto v2 = ListDeltaLog(storage, TestTable("checkpoint-v2-table"));
  ASSERT_OK(v2);
  EXPECT_EQ(v2->commits.size(), 10u);
  ASSERT_EQ(v2->checkpoints.size(), 2u);
  EXPECT_EQ(v2->checkpoints[0].version, 6);
  EXPECT_EQ(v2->checkpoints[0].type, DeltaLogFileType::kV2Checkpoint);
  EXPECT_EQ(v2->checkpoints[1].version, 8);
  EXPECT_TRUE(v2->last_checkpoint.has_value());

  auto vacuumed = ListDeltaLog(storage, TestTable("checkpoints_vacuumed"));
  ASSERT_OK(vacuumed);
  EXPECT_EQ(vacuumed->commits.front().version, 5);
  EXPECT_EQ(vacuumed->latest_version, 12);
  EXPECT_EQ(vacuumed->EarliestReconstructableVersion(), 5);
  EXPECT_EQ(vacuumed->CheckpointAtOrBefore(12)->version, 10);
}

}  // namespace
}  // namespace lakeshare
