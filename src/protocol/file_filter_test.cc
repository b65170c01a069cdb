#include "protocol/file_filter.h"

#include <gtest/gtest.h>

#include "delta/delta_column_mapping.h"
#include "delta/delta_table.h"
#include "storage/local_storage.h"
#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

std::shared_ptr<const TableSnapshot> Load(const std::string& table,
                                          std::optional<int64_t> version = std::nullopt) {
  DeltaTable t(std::string(LAKESHARE_TESTDATA_DIR) + "/delta/delta-rs/" + table,
               std::make_shared<LocalStorage>());
  auto s = t.Snapshot(version);
  EXPECT_OK(s);
  return s.ok() ? *s : nullptr;
}

// The files a JSON hint keeps.
std::vector<std::string> Kept(const TableSnapshot& s, const std::string& hint) {
  QueryRequest r;
  r.json_predicate_hints = hint;
  auto filter = MakeFileFilter(r, s);
  std::vector<std::string> out;
  for (const DataFile& f : s.files) {
    if (!filter || filter->Keep(f)) out.push_back(f.path.str());
  }
  return out;
}

std::string Eq(const std::string& column, const std::string& type, const std::string& value) {
  return R"({"op":"equal","children":[{"op":"column","name":")" + column + R"(","valueType":")" +
         type + R"("},{"op":"literal","value":")" + value + R"(","valueType":")" + type + R"("}]})";
}

TEST(ColumnMappingTest, LogicalNamesMapToPhysicalOnes) {
  auto s = Load("table_with_column_mapping");
  ASSERT_TRUE(s);
  ASSERT_EQ(ColumnMappingMode(s->metadata), "name");
  auto m = LogicalToPhysicalColumns(s->metadata.schema_string);
  EXPECT_EQ(m.at("company very short"), "col-173b4db9-b5ad-427f-9e75-516aae37fbbb");
  EXPECT_EQ(m.at("super name"), "col-3877fd94-0973-4941-ac6b-646849a1ff65");
  auto nested = LogicalToPhysicalColumns(
      R"({"type":"struct","fields":[{"name":"S","type":{"type":"struct","fields":[{"name":"x",)"
      R"("type":"long","metadata":{"delta.columnMapping.physicalName":"col-x"}}]},)"
      R"("metadata":{"delta.columnMapping.physicalName":"col-s"}}]})");
  EXPECT_EQ(nested.at("s.x"), "col-s.col-x");
  EXPECT_TRUE(LogicalToPhysicalColumns("not json").empty());
  EXPECT_TRUE(LogicalToPhysicalColumns(R"({"fields":[1,{"name":2}]})").empty());
}

TEST(FileFilterTest, HintsOnColumnMappingTablesUseLogicalNames) {
  auto s = Load("table_with_column_mapping");
  ASSERT_TRUE(s);
  const std::string part = "col-173b4db9-b5ad-427f-9e75-516aae37fbbb";
  // Partition column, by its logical name (with spaces and capitals).
  auto bms = Kept(*s, Eq("Company Very Short", "string", "BMS"));
  ASSERT_FALSE(bms.empty());
  EXPECT_LT(bms.size(), s->files.size());
  for (const DataFile& f : s->files) {
    bool kept = std::find(bms.begin(), bms.end(), f.path) != bms.end();
    EXPECT_EQ(kept, f.partition_values.at(part) == "BMS") << f.path;
  }
  // A data column, pruned by its (physically keyed) stats.
  auto lamb = Kept(*s, Eq("super name", "string", "Timothy Lamb"));
  EXPECT_FALSE(lamb.empty());
  EXPECT_LT(lamb.size(), s->files.size());
}

TEST(FileFilterTest, RenamedPartitionColumnAfterMappingWasEnabled) {
  // Version 3 renamed the partition column id -> newid; its physical name stays "id".
  auto s = Load("table_with_partitioning_mapping");
  ASSERT_TRUE(s);
  auto two = Kept(*s, Eq("newid", "int", "2"));
  ASSERT_FALSE(two.empty());
  for (const std::string& path : two) {
    auto it = std::find_if(s->files.begin(), s->files.end(),
                           [&](const DataFile& f) { return f.path == path; });
    EXPECT_EQ(it->partition_values.at("id"), "2");
  }
  EXPECT_LT(two.size(), s->files.size());
}

TEST(FileFilterTest, BadHintsKeepEverything) {
  auto s = Load("table_with_column_mapping");
  ASSERT_TRUE(s);
  EXPECT_EQ(Kept(*s, "{not json").size(), s->files.size());
  EXPECT_EQ(Kept(*s, Eq("no such column", "string", "x")).size(), s->files.size());
}

// An `or` of `n` equalities on column id (3n + 1 nodes).
std::string WideOr(int n) {
  std::string json = R"({"op":"or","children":[)";
  for (int i = 0; i < n; ++i) json += (i > 0 ? "," : "") + Eq("id", "long", std::to_string(i * 2));
  return json + "]}";
}

TEST(FileFilterTest, HintsTooCostlyForTheTableKeepEverything) {
  TableSnapshot s;
  for (int i = 0; i < 6000; ++i) {
    DataFile f;
    f.path = "part-" + std::to_string(i) + ".parquet";
    std::string id = std::to_string(i);
    f.stats = R"({"numRecords":1,"minValues":{"id":)" + id + R"(},"maxValues":{"id":)" + id +
              R"(},"nullCount":{"id":0}})";
    s.files.push_back(std::move(f));
  }
  // 301 nodes over 6 000 files: applied (ids 0, 2, ..., 198).
  EXPECT_EQ(Kept(s, WideOr(100)).size(), 100u);
  // 10 000 nodes over 6 000 files is past the filter budget: not applied.
  EXPECT_EQ(Kept(s, WideOr(3333)).size(), s.files.size());
}

}  // namespace
}  // namespace lakeshare
