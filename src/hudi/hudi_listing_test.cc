#include "hudi/hudi_listing.h"

#include <gtest/gtest.h>

#include "testing/memory_storage.h"
#include "testing/status_matchers.h"

namespace lakeshare::hudi {
namespace {

using ::lakeshare::testing::MemoryStorage;
using ::lakeshare::testing::StatusIs;

const char* const kBaseA = "a-0_0-1-1_20240101000000000.parquet";
const char* const kBaseB = "b-0_0-2-2_20240102000000000.parquet";
const char* const kLogA = ".a-0_20240101000000000.log.1_0-3-3";

std::vector<std::string> Names(const std::vector<ListedFile>& files) {
  std::vector<std::string> out;
  for (const ListedFile& f : files) {
    out.push_back((f.partition.empty() ? "" : f.partition + "/") + f.name + ":" +
                  std::to_string(f.size));
  }
  return out;
}

TEST(HudiListingTest, ListsDataFilesOfEveryPartitionFolder) {
  MemoryStorage s;
  s.Put("t/.hoodie/hoodie.properties", "x");
  s.Put("t/.hoodie/20240101000000000.commit", "x");
  s.Put(std::string("t/") + kBaseA, "12345");  // a non-partitioned file
  s.Put("t/city=sf/.hoodie_partition_metadata", "x");
  s.Put(std::string("t/city=sf/") + kBaseB, "123");
  s.Put(std::string("t/city=sf/") + kLogA, "1");
  s.Put("t/2024/01/15/" + std::string(kBaseB), "1234");
  s.Put("t/2024/01/15/notes.txt", "x");
  s.Put("t/.hidden/" + std::string(kBaseB), "1");
  ASSERT_OK_AND_ASSIGN(auto files, ListDataFiles(s, "t", {}));
  EXPECT_EQ(Names(files), (std::vector<std::string>{
                              std::string(kBaseA) + ":5",
                              "2024/01/15/" + std::string(kBaseB) + ":4",
                              "city=sf/" + std::string(kLogA) + ":1",
                              "city=sf/" + std::string(kBaseB) + ":3",
                          }));
}

TEST(HudiListingTest, ListingIsBounded) {
  MemoryStorage s;
  s.Put("t/a/b/c/d/" + std::string(kBaseA), "x");
  ListingLimits shallow;
  shallow.max_depth = 3;
  EXPECT_THAT(ListDataFiles(s, "t", shallow).status(),
              StatusIs(StatusCode::kTooLarge, ::testing::HasSubstr("deeper than 3")));
  for (int i = 0; i < 5; ++i) s.Put("t/p" + std::to_string(i) + "/" + kBaseA, "x");
  ListingLimits few;
  few.max_folders = 4;
  EXPECT_THAT(ListDataFiles(s, "t", few).status(),
              StatusIs(StatusCode::kTooLarge, ::testing::HasSubstr("more than 4 folders")));
}

TEST(HudiListingTest, FilesGoToTheCommitTheirNameNames) {
  const std::vector<ListedFile> files = {
      {"p", kBaseA, 10},
      {"p", kBaseB, 20},
      {"p", kLogA, 5},
      {"p", ".b-0_20240102000000000.log.1_0-4-4", 6},
      {"q", "c-0_0-5-5_20240101000000000.parquet", 30},
  };
  const std::vector<IncompleteCommit> incomplete = {
      {"20240101000000000", false}, {"20240102000000000", true}, {"20240103000000000", true}};
  // q's file is already listed by a complete commit; a cleaned file counts too.
  const std::set<std::string> known = {"q/c-0_0-5-5_20240101000000000.parquet"};
  const std::map<std::string, std::set<std::string>> cleaned = {
      {"p", {"d-0_0-6-6_20240102000000000.parquet"}}};

  // Version 8+: log names carry the writing instant.
  auto v8 = AttributeListedFiles(files, incomplete, known, cleaned, true);
  ASSERT_EQ(v8.size(), 2u);
  ASSERT_EQ(v8["20240101000000000"].size(), 1u);  // a commit writes no log files
  EXPECT_EQ(v8["20240101000000000"][0].path, std::string("p/") + kBaseA);
  EXPECT_EQ(v8["20240101000000000"][0].file_size, 10);
  EXPECT_EQ(v8["20240101000000000"][0].file_id, "a-0");
  EXPECT_EQ(v8["20240101000000000"][0].partition_path, "p");
  std::vector<std::string> second;
  for (const WriteStat& w : v8["20240102000000000"]) {
    second.push_back(w.path + ":" + std::to_string(w.file_size));
  }
  EXPECT_EQ(second, (std::vector<std::string>{
                        std::string("p/") + kBaseB + ":20",
                        "p/.b-0_20240102000000000.log.1_0-4-4:6",
                        "p/d-0_0-6-6_20240102000000000.parquet:0",
                    }));

  // Version 6: a log file names its base instant; it goes to the earliest
  // incomplete delta commit at or after it.
  auto v6 = AttributeListedFiles(files, incomplete, known, cleaned, false);
  std::vector<std::string> logs;
  for (const auto& [instant, stats] : v6) {
    for (const WriteStat& w : stats) {
      if (w.path.find(".log.") != std::string::npos) logs.push_back(instant + " " + w.path);
    }
  }
  EXPECT_EQ(logs, (std::vector<std::string>{
                      std::string("20240102000000000 p/") + kLogA,
                      "20240102000000000 p/.b-0_20240102000000000.log.1_0-4-4",
                  }));
}

}  // namespace
}  // namespace lakeshare::hudi
