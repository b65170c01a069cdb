#include "predicate/partition_filter.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

using Values = std::vector<std::pair<std::string, std::optional<std::string>>>;

DataFile File(const Values& values) {
  DataFile f;
  f.path = "part.parquet";
  for (const auto& [k, v] : values) f.partition_values[k] = v;
  return f;
}

bool Admits(std::string_view filter, const Values& values) {
  auto f = PartitionFilter::Parse(filter);
  EXPECT_OK(f) << filter;
  return f.ok() && f->Admits(File(values));
}

TEST(PartitionFilterTest, SimpleEquality) {
  EXPECT_TRUE(Admits("region = 'EU'", {{"region", "EU"}}));
  EXPECT_FALSE(Admits("region = 'EU'", {{"region", "eu"}}));  // values are case-sensitive
  EXPECT_TRUE(Admits("REGION = 'EU'", {{"region", "EU"}}));   // names are not
  EXPECT_TRUE(Admits("`region` = 'it''s'", {{"region", "it's"}}));
}

TEST(PartitionFilterTest, TypedLiterals) {
  EXPECT_TRUE(Admits("year = 2024", {{"year", "2024"}}));
  EXPECT_FALSE(Admits("year = 2024", {{"year", "2023"}}));
  // A value that is not a long is undecidable: left out.
  EXPECT_FALSE(Admits("year = 2024", {{"year", "twenty"}}));
  EXPECT_TRUE(Admits("ratio = 1.5", {{"ratio", "1.50"}}));
  EXPECT_TRUE(Admits("flag = TRUE", {{"flag", "true"}}));
  EXPECT_FALSE(Admits("flag = false", {{"flag", "true"}}));
}

TEST(PartitionFilterTest, InListsAndConjunctions) {
  const char* f = "region IN ('EU', 'UK') and year in (2023, 2024)";
  EXPECT_TRUE(Admits(f, {{"region", "UK"}, {"year", "2023"}}));
  EXPECT_FALSE(Admits(f, {{"region", "US"}, {"year", "2023"}}));
  EXPECT_FALSE(Admits(f, {{"region", "EU"}, {"year", "2022"}}));
  EXPECT_TRUE(Admits("region IN ('EU')", {{"region", "EU"}}));
}

TEST(PartitionFilterTest, NullsPassOnlyAnExplicitIsNull) {
  EXPECT_FALSE(Admits("region = 'EU'", {{"region", std::nullopt}}));
  EXPECT_FALSE(Admits("region = 'EU'", {{"region", ""}}));  // Delta's other NULL
  EXPECT_TRUE(Admits("region IS NULL", {{"region", std::nullopt}}));
  EXPECT_FALSE(Admits("region IS NULL", {{"region", "EU"}}));
  EXPECT_TRUE(Admits("region IS NOT NULL", {{"region", "EU"}}));
  EXPECT_FALSE(Admits("region IS NOT NULL", {{"region", ""}}));
  // NOT over an unknown comparison stays unknown (SQL), unlike data skipping.
  const char* not_eu =
      R"({"op":"not","children":[{"op":"equal","children":[
          {"op":"column","name":"region","valueType":"string"},
          {"op":"literal","value":"EU","valueType":"string"}]}]})";
  EXPECT_FALSE(Admits(not_eu, {{"region", std::nullopt}}));
  EXPECT_TRUE(Admits(not_eu, {{"region", "US"}}));
  EXPECT_FALSE(Admits(not_eu, {{"region", "EU"}}));
}

TEST(PartitionFilterTest, JsonTreeWithRangesAndOr) {
  const char* f = R"({"op":"or","children":[
      {"op":"greaterThanOrEqual","children":[{"op":"column","name":"year","valueType":"int"},
                                             {"op":"literal","value":"2023","valueType":"int"}]},
      {"op":"equal","children":[{"op":"column","name":"region","valueType":"string"},
                                {"op":"literal","value":"EU","valueType":"string"}]}]})";
  EXPECT_TRUE(Admits(f, {{"year", "2024"}, {"region", "US"}}));
  EXPECT_TRUE(Admits(f, {{"year", "2001"}, {"region", "EU"}}));
  EXPECT_FALSE(Admits(f, {{"year", "2001"}, {"region", "US"}}));
  // OR with one unknown side and one false side: unknown, left out.
  EXPECT_FALSE(Admits(f, {{"year", std::nullopt}, {"region", "US"}}));
  EXPECT_TRUE(Admits(f, {{"year", std::nullopt}, {"region", "EU"}}));
}

TEST(PartitionFilterTest, ColumnsMissingFromTheFileAreUnknown) {
  EXPECT_FALSE(Admits("region = 'EU'", {{"year", "2024"}}));
  EXPECT_FALSE(Admits("region IS NULL", {}));
}

TEST(PartitionFilterTest, CheckColumns) {
  auto f = PartitionFilter::Parse("Region = 'EU' AND year = 1");
  ASSERT_OK(f);
  EXPECT_EQ(f->columns(), (std::vector<std::string>{"region", "year"}));
  EXPECT_OK(f->CheckColumns({"year", "REGION"}, "s.d.t"));
  Status st = f->CheckColumns({"region"}, "s.d.t");
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(st.message().find("s.d.t"), std::string::npos);
  EXPECT_EQ(st.message().find("year"), std::string::npos);  // the filter stays private
}

TEST(PartitionFilterTest, InvalidFiltersAreClearErrors) {
  for (const char* bad : {"",
                          "   ",
                          "region",
                          "region =",
                          "region = EU",
                          "= 'x'",
                          "region = 'EU' OR year = 1",
                          "region = 'EU' AND",
                          "region IN ()",
                          "region IN ('a' 'b')",
                          "region IN ('a',",
                          "region = 'unterminated",
                          "`` = 'x'",
                          "region IS 'x'",
                          "region = 1.2.3",
                          "region = -",
                          "a = 1;",
                          "{",
                          "{\"op\":\"column\",\"name\":\"a\",\"valueType\":\"int\"}",
                          "{\"op\":\"equal\",\"children\":[]}"}) {
    auto f = PartitionFilter::Parse(bad);
    ASSERT_FALSE(f.ok()) << "accepted: " << bad;
    EXPECT_EQ(f.status().code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(f.status().message().rfind("partition filter: ", 0), 0u) << f.status().message();
  }
  std::string huge(kMaxPartitionFilterBytes + 1, ' ');
  EXPECT_FALSE(PartitionFilter::Parse(huge).ok());
}

TEST(PartitionFilterTest, GarbageNeverCrashes) {
  // Every prefix of valid filters, and byte soup: errors or filters, no crash.
  std::string valid = "a = 'x' AND `b c` IN (1, 2.5, TRUE) AND d IS NOT NULL";
  for (size_t i = 0; i <= valid.size(); ++i) (void)PartitionFilter::Parse(valid.substr(0, i));
  uint32_t seed = 7;
  for (int round = 0; round < 2000; ++round) {
    std::string s;
    for (int i = 0; i < 24; ++i) {
      seed = seed * 1103515245u + 12345u;
      s.push_back("a= ('`,)1.-INOTNULLANDis\"{}"[seed % 27]);
    }
    (void)PartitionFilter::Parse(s);
  }
}

}  // namespace
}  // namespace lakeshare
