#include "table/partition_values.h"

#include <gtest/gtest.h>

#include "table/table_format.h"

namespace lakeshare {
namespace {

TEST(PartitionValuesTest, BehavesLikeASortedMap) {
  PartitionValues pv;
  EXPECT_TRUE(pv.empty());
  pv["b"] = "2";
  pv["a"] = std::nullopt;
  EXPECT_TRUE(pv.emplace("c", "3").second);
  EXPECT_FALSE(pv.emplace("c", "other").second);
  ASSERT_EQ(pv.size(), 3u);
  std::vector<std::string> keys;
  for (const auto& [k, v] : pv) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(pv.at("c"), "3");
  EXPECT_EQ(pv.at("a"), std::nullopt);
  EXPECT_EQ(pv.count("b"), 1u);
  EXPECT_EQ(pv.find("zz"), pv.end());
  EXPECT_THROW(pv.at("zz"), std::out_of_range);
  pv["b"] = "20";
  EXPECT_EQ(pv.at("b"), "20");
  EXPECT_EQ(pv, (PartitionValues{{"c", "3"}, {"a", std::nullopt}, {"b", "20"}}));
  EXPECT_EQ(PartitionValues(std::map<std::string, std::optional<std::string>>{{"x", "1"}}),
            (PartitionValues{{"x", "1"}}));
  EXPECT_FALSE(pv == PartitionValues{});
  pv.clear();
  EXPECT_EQ(pv, PartitionValues{});
}

TEST(PartitionValuesTest, CopiesShareUntilWritten) {
  PartitionValues a{{"d", "2024-01-01"}};
  PartitionValues b = a;
  EXPECT_TRUE(a.SharesEntriesWith(b));
  b["d"] = "2024-01-02";
  EXPECT_FALSE(a.SharesEntriesWith(b));
  EXPECT_EQ(a.at("d"), "2024-01-01");
  EXPECT_EQ(b.at("d"), "2024-01-02");
}

TEST(PartitionValuesTest, InternerSharesEqualSets) {
  std::vector<PartitionValues> files;
  for (int i = 0; i < 100; ++i) {
    PartitionValues pv;
    pv["day"] = "2024-01-0" + std::to_string(i % 3);
    pv["region"] = std::nullopt;
    files.push_back(std::move(pv));
  }
  PartitionValueInterner interner;
  for (auto& pv : files) interner.Intern(&pv);
  EXPECT_TRUE(files[0].SharesEntriesWith(files[3]));
  EXPECT_FALSE(files[0].SharesEntriesWith(files[1]));
  EXPECT_EQ(files[0], files[3]);
  EXPECT_EQ(files[4].at("day"), "2024-01-01");
  EXPECT_EQ(files[4].OwnedHeapBytes(), 0u);  // shared: counted once elsewhere
  // Writing to an interned set never changes the others.
  files[0]["day"] = "changed";
  EXPECT_EQ(files[3].at("day"), "2024-01-00");
}

TEST(DataFileTest, StaysSmall) {
  // The memory budget of a snapshot is per file: keep the struct compact.
  EXPECT_LE(sizeof(DataFile), 136u);
  DataFile f;
  f.path = std::string(100, 'p');
  f.stats = std::string(200, 's');
  size_t stats = 0;
  size_t bytes = DataFileBytes(f, &stats);
  EXPECT_EQ(stats, 200u);
  EXPECT_GE(bytes, sizeof(DataFile) + 100 + 200);
}

TEST(PartitionValuesTest, EscapesLikeHive) {
  EXPECT_EQ(EscapeHivePartitionValue("Europe"), "Europe");
  EXPECT_EQ(EscapeHivePartitionValue("Asia/Pacific"), "Asia%2FPacific");
  EXPECT_EQ(EscapeHivePartitionValue("a:b=c%d#e?f\\g*h'i\"j[k]l^m{n"),
            "a%3Ab%3Dc%25d%23e%3Ff%5Cg%2Ah%27i%22j%5Bk%5Dl%5Em%7Bn");
  EXPECT_EQ(EscapeHivePartitionValue(std::string("tab\there\x7f")), "tab%09here%7F");
  EXPECT_EQ(EscapeHivePartitionValue(std::string("nul\0", 4)), "nul%00");
  EXPECT_EQ(EscapeHivePartitionValue("space ok, ümlaut ok"), "space ok, ümlaut ok");
}

}  // namespace
}  // namespace lakeshare
