#include "predicate/file_stats.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

namespace lakeshare {
namespace {

using Kind = FileStats::Kind;

TEST(FileStatsTest, ParsesFlatStats) {
  FileStats s = FileStats::Parse(
      R"({"numRecords":3,"minValues":{"id":1,"name":"a\"b","f":-1.5e3,"ok":false},)"
      R"("maxValues":{"id":9,"name":"z","f":2,"ok":true},"nullCount":{"id":0,"name":2}})");
  ASSERT_TRUE(s.valid());
  EXPECT_EQ(s.num_records(), 3);
  EXPECT_EQ(s.column_count(), 4u);
  std::optional<FileStats::Column> id = s.Find("id");
  ASSERT_TRUE(id);
  EXPECT_EQ(id->min.kind, Kind::kNumber);
  EXPECT_EQ(id->min.text, "1");
  EXPECT_EQ(id->max.text, "9");
  EXPECT_EQ(id->null_count, 0);
  std::optional<FileStats::Column> name = s.Find("name");
  EXPECT_EQ(name->min.kind, Kind::kString);
  EXPECT_EQ(name->min.text, "a\"b");  // unescaped
  EXPECT_EQ(name->null_count, 2);
  EXPECT_EQ(s.Find("f")->min.text, "-1.5e3");  // numbers keep their text
  EXPECT_EQ(s.Find("ok")->min.kind, Kind::kBool);
  EXPECT_EQ(s.Find("ok")->max.text, "true");
  EXPECT_FALSE(s.Find("ok")->null_count);
  EXPECT_FALSE(s.Find("missing"));
}

TEST(FileStatsTest, NestedColumnsAndCase) {
  FileStats s = FileStats::Parse(
      R"({"numRecords":2,"minValues":{"Top":{"Inner":{"X":1}},"b":"q"},)"
      R"("maxValues":{"Top":{"Inner":{"X":5}}},"nullCount":{"Top":{"Inner":{"X":1}},"b":0}})");
  ASSERT_TRUE(s.valid());
  std::optional<FileStats::Column> x = s.Find("top.inner.x");
  ASSERT_TRUE(x);
  EXPECT_EQ(x->min.text, "1");
  EXPECT_EQ(x->max.text, "5");
  EXPECT_EQ(x->null_count, 1);
  EXPECT_EQ(s.Find("b")->min.text, "q");
  EXPECT_EQ(s.Find("b")->max.kind, Kind::kAbsent);
  EXPECT_FALSE(s.Find("Top.Inner.X"));  // lookups take lowercased paths
  EXPECT_FALSE(s.Find("top.inner"));
}

TEST(FileStatsTest, IgnoresWhatItDoesNotUse) {
  FileStats s = FileStats::Parse(R"({"numRecords":1,"tightBounds":false,"extra":{"a":[1,{"b":2}]},)"
                                 R"("minValues":{"arr":[1,2],"n":null,"a":1},"maxValues":{"a":1},)"
                                 R"("nullCount":{"a":"x","b":-1,"c":1.5}})");
  ASSERT_TRUE(s.valid());
  EXPECT_EQ(s.column_count(), 1u);
  EXPECT_EQ(s.Find("a")->min.text, "1");
  EXPECT_FALSE(s.Find("a")->null_count);
  EXPECT_FALSE(s.Find("arr"));
  EXPECT_FALSE(s.Find("n"));
  EXPECT_FALSE(s.Find("b"));
}

TEST(FileStatsTest, NumRecordsMustBeACount) {
  EXPECT_FALSE(FileStats::Parse(R"({"numRecords":"3"})").num_records());
  EXPECT_FALSE(FileStats::Parse(R"({"numRecords":-1})").num_records());
  EXPECT_FALSE(FileStats::Parse(R"({"numRecords":1.5})").num_records());
  EXPECT_FALSE(FileStats::Parse(R"({"numRecords":{}})").num_records());
  EXPECT_EQ(FileStats::Parse(R"({"numRecords":0})").num_records(), 0);
  EXPECT_TRUE(FileStats::Parse("{}").valid());
}

TEST(FileStatsTest, ConflictingValuesAreDropped) {
  // Duplicate keys, or two columns whose names differ only in case.
  FileStats s =
      FileStats::Parse(R"({"minValues":{"a":1,"A":2,"b":1},"maxValues":{"a":5,"b":3,"b":4},)"
                       R"("nullCount":{"a":0,"a":1}})");
  ASSERT_TRUE(s.valid());
  EXPECT_EQ(s.Find("a")->min.kind, Kind::kAbsent);
  EXPECT_EQ(s.Find("a")->max.text, "5");
  EXPECT_FALSE(s.Find("a")->null_count);
  EXPECT_EQ(s.Find("b")->min.text, "1");
  EXPECT_EQ(s.Find("b")->max.kind, Kind::kAbsent);
}

TEST(FileStatsTest, ColumnFilter) {
  std::vector<std::string> wanted = {"a", "s.x"};
  StatsParseOptions options;
  options.columns = &wanted;
  FileStats s = FileStats::Parse(
      R"({"numRecords":1,"minValues":{"a":1,"b":2,"s":{"x":3,"y":4}},"nullCount":{"b":0}})",
      options);
  EXPECT_EQ(s.column_count(), 2u);
  EXPECT_TRUE(s.Find("a"));
  EXPECT_TRUE(s.Find("s.x"));
  EXPECT_FALSE(s.Find("b"));
}

TEST(FileStatsTest, GarbageGivesNoStats) {
  for (const char* bad : {"", "null", "[]", "42", "\"stats\"", "{", "{\"minValues\":{\"a\":1}",
                          "{\"a\":1} {}", "{\"a\":tru}", "\xff", "{\"numRecords\":1,}"}) {
    FileStats s = FileStats::Parse(bad);
    EXPECT_FALSE(s.valid()) << bad;
    EXPECT_EQ(s.column_count(), 0u);
    EXPECT_FALSE(s.num_records());
  }
  EXPECT_FALSE(FileStats().valid());
  // Too deep for the reader.
  std::string deep = R"({"minValues":)" + std::string(100, '[') + std::string(100, ']') + "}";
  EXPECT_FALSE(FileStats::Parse(deep).valid());
}

TEST(FileStatsTest, RandomMutationsNeverCrash) {
  std::mt19937 rng(11);
  std::string seed =
      R"({"numRecords":3,"minValues":{"a":1,"s":{"t":"x\u00e9"}},"maxValues":{"a":2.5e1},"nullCount":{"a":0}})";
  for (int i = 0; i < 20000; ++i) {
    std::string s = seed;
    for (int e = 0; e < 3; ++e) {
      size_t pos = rng() % s.size();
      s[pos] = "{}[]\":,0a\\"[rng() % 10];
    }
    FileStats stats = FileStats::Parse(s);
    if (stats.valid()) stats.Find("a");
  }
}

// Every add action of the shared test tables parses, and agrees with itself.
TEST(FileStatsTest, ReadsRealDeltaStats) {
  std::filesystem::path root = std::filesystem::path(LAKESHARE_TESTDATA_DIR) / "delta" / "delta-rs";
  if (!std::filesystem::exists(root)) FAIL() << "test data missing (tests/data)";
  int parsed = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (entry.path().extension() != ".json" ||
        entry.path().parent_path().filename() != "_delta_log") {
      continue;
    }
    std::ifstream in(entry.path());
    std::string line;
    while (std::getline(in, line)) {
      // The stats field is a JSON string inside the action; find and unescape it.
      size_t at = line.find("\"stats\":\"");
      if (at == std::string::npos) continue;
      std::string stats;
      for (size_t i = at + 9; i < line.size() && line[i] != '"'; ++i) {
        if (line[i] == '\\' && i + 1 < line.size()) ++i;
        stats.push_back(line[i]);
      }
      FileStats s = FileStats::Parse(stats);
      EXPECT_TRUE(s.valid()) << entry.path() << ": " << stats;
      ++parsed;
    }
  }
  EXPECT_GT(parsed, 50);
}

}  // namespace
}  // namespace lakeshare
