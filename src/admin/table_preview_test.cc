// The table preview on real tables of tests/data. Expected rows were read
// independently with DuckDB (read_parquet, file_row_number) from the same
// files and the tables' logs (see the comments), not with lakeshare's code.
#include "admin/table_preview.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <set>

#include "admin/table_inspection.h"
#include "hudi/hudi_test_util.h"
#include "protocol/builtin_table_formats.h"
#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using ::lakeshare::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

const std::string kTestData = LAKESHARE_TESTDATA_DIR;
const std::string kDelta = kTestData + "/delta/delta-rs/";
const std::string kIceberg = kTestData + "/iceberg/duckdb-iceberg/";

TableInspector Inspector(PreviewLimits limits = {}) {
  TableInspectorOptions options;
  options.preview = limits;
  return TableInspector(std::make_shared<StorageRegistry>("test-key"), BuiltinTableFormats(),
                        options);
}

std::vector<std::string> ColumnNames(const TablePreview& p) {
  std::vector<std::string> names;
  for (const PreviewColumn& c : p.columns) names.push_back(c.name);
  return names;
}

// Rows as JSON text, for comparisons.
std::vector<std::string> RowTexts(const TablePreview& p) {
  std::vector<std::string> rows;
  for (const json::value& r : p.rows) rows.push_back(json::serialize(r));
  return rows;
}

TEST(TablePreviewTest, LeavesOutRowsADeletionVectorDeletes) {
  // Version 0 holds 0..9; version 1 deletes `value IN (0, 9)` with a DV file.
  TableInspector inspector = Inspector();
  const std::string table = kDelta + "table-with-dv-small";
  ASSERT_OK_AND_ASSIGN(TablePreview v0, inspector.Preview(table, "delta", {.version = 0}));
  EXPECT_EQ(v0.version, 0);
  EXPECT_THAT(ColumnNames(v0), ElementsAre("value"));
  EXPECT_EQ(json::serialize(v0.columns[0].type), "\"integer\"");
  EXPECT_THAT(RowTexts(v0),
              ElementsAre("[0]", "[1]", "[2]", "[3]", "[4]", "[5]", "[6]", "[7]", "[8]", "[9]"));
  EXPECT_FALSE(v0.rows_truncated);
  ASSERT_OK_AND_ASSIGN(TablePreview latest, inspector.Preview(table, "delta", {}));
  EXPECT_EQ(latest.version, 1);
  EXPECT_THAT(RowTexts(latest),
              ElementsAre("[1]", "[2]", "[3]", "[4]", "[5]", "[6]", "[7]", "[8]"));
  EXPECT_EQ(latest.files_read, 1);
  EXPECT_GT(latest.bytes_read, 0);
}

TEST(TablePreviewTest, ShowsLogicalNamesAndPartitionValuesOfAColumnMappedTable) {
  // Name mapping: files hold col-3877...; the partition column
  // "Company Very Short" is only in the log (BMS: 4 rows, BME: 1).
  TableInspector inspector = Inspector();
  ASSERT_OK_AND_ASSIGN(TablePreview p,
                       inspector.Preview(kDelta + "table_with_column_mapping", "delta", {}));
  EXPECT_THAT(ColumnNames(p), ElementsAre("Company Very Short", "Super Name"));
  EXPECT_TRUE(p.columns[0].partition);
  EXPECT_FALSE(p.columns[1].partition);
  EXPECT_THAT(RowTexts(p),
              UnorderedElementsAre(R"(["BMS","Mr. Daniel Ferguson MD"])",
                                   R"(["BMS","Stephanie Mcgrath"])", R"(["BMS","Anthony Johnson"])",
                                   R"(["BMS","Nathan Bennett"])", R"(["BME","Timothy Lamb"])"));
}

TEST(TablePreviewTest, AppliesTheSharesPartitionFilter) {
  // year=2020 holds three rows (2020/1/1, 2020/2/3, 2020/2/5); 2021 four.
  TableInspector inspector = Inspector();
  const std::string table = kDelta + "delta-0.8.0-partitioned";
  ASSERT_OK_AND_ASSIGN(TablePreview all, inspector.Preview(table, "delta", {}));
  EXPECT_EQ(all.rows.size(), 7u);
  ASSERT_OK_AND_ASSIGN(
      TablePreview p,
      inspector.Preview(table, "delta", {.partition_filter = std::string("year = '2020'")}));
  EXPECT_THAT(ColumnNames(p), ElementsAre("value", "year", "month", "day"));
  std::set<std::string> days;
  for (const json::value& r : p.rows) {
    EXPECT_EQ(r.as_array()[1], json::value("2020"));
    days.insert(std::string(r.as_array()[2].as_string()) + "/" +
                std::string(r.as_array()[3].as_string()));
  }
  EXPECT_EQ(p.rows.size(), 3u);
  EXPECT_THAT(days, ElementsAre("1/1", "2/3", "2/5"));
}

TEST(TablePreviewTest, ReadsAnIcebergTable) {
  // Two data files, one per partition_col (42, 1337), one row each; the
  // schema (v2.metadata.json) lists partition_col first.
  TableInspector inspector = Inspector();
  ASSERT_OK_AND_ASSIGN(TablePreview p,
                       inspector.Preview(kIceberg + "partition_integer", "iceberg", {}));
  EXPECT_THAT(ColumnNames(p), ElementsAre("partition_col", "user_id", "event_type"));
  EXPECT_TRUE(p.columns[0].partition);
  EXPECT_THAT(RowTexts(p),
              UnorderedElementsAre(R"([42,12345,"click"])", R"([1337,67890,"purchase"])"));
}

TEST(TablePreviewTest, ReadsAMergeOnReadHudiTable) {
  // 8 inserts, then 3 deletes in an Avro log block (the archive's name and
  // SOURCE.txt): 5 trips remain, each once.
  testing::HudiTempDir dir;
  const std::string table = testing::UnzipHudiTable(
      "hudi-rs-quickstart/quickstart_trips_table/mor/avro/v6_trips_8i3d.zip", dir.path());
  ASSERT_FALSE(table.empty());
  TableInspector inspector = Inspector();
  ASSERT_OK_AND_ASSIGN(TablePreview p, inspector.Preview(table, "hudi", {}));
  EXPECT_EQ(p.rows.size(), 5u);
  const std::vector<std::string> names = ColumnNames(p);
  const auto uuid = std::find(names.begin(), names.end(), "uuid");
  ASSERT_NE(uuid, names.end());
  std::set<std::string> trips;
  for (const json::value& r : p.rows) {
    trips.insert(json::serialize(r.as_array()[static_cast<size_t>(uuid - names.begin())]));
  }
  EXPECT_EQ(trips.size(), 5u);
}

TEST(TablePreviewTest, WritesDecimalsExactlyAndDatesInIso8601) {
  TableInspector inspector = Inspector();
  ASSERT_OK_AND_ASSIGN(TablePreview p, inspector.Preview(kIceberg + "iceberg/lineitem_iceberg",
                                                         "iceberg", {.limit = 3}));
  ASSERT_EQ(p.rows.size(), 3u);
  EXPECT_TRUE(p.rows_truncated);
  EXPECT_EQ(p.files_read, 1);
  ASSERT_GE(p.columns.size(), 11u);
  EXPECT_EQ(p.columns[4].name, "l_quantity");
  EXPECT_EQ(json::serialize(p.columns[4].type), "\"decimal(15,2)\"");
  for (const json::value& r : p.rows) {
    const json::array& a = r.as_array();
    ASSERT_TRUE(a[4].is_string());
    EXPECT_THAT(std::string(a[4].as_string()), ::testing::MatchesRegex("[0-9]+\\.[0-9][0-9]"));
    ASSERT_TRUE(a[10].is_string());
    EXPECT_THAT(std::string(a[10].as_string()),
                ::testing::MatchesRegex("19[0-9][0-9]-[01][0-9]-[0-3][0-9]"));
  }
}

TEST(TablePreviewTest, CutsLargeValuesAndSaysWhich) {
  PreviewLimits limits;
  limits.values.max_string_chars = 5;
  TableInspector inspector = Inspector(limits);
  ASSERT_OK_AND_ASSIGN(TablePreview p,
                       inspector.Preview(kDelta + "table_with_column_mapping", "delta", {}));
  ASSERT_EQ(p.rows.size(), 5u);
  // Every "Super Name" is longer than 5 characters; no company is.
  ASSERT_EQ(p.truncated_cells.size(), 5u);
  for (size_t r = 0; r < p.rows.size(); ++r) {
    EXPECT_EQ(p.truncated_cells[r], (std::pair<int64_t, int64_t>(static_cast<int64_t>(r), 1)));
    EXPECT_EQ(p.rows[r].as_array()[1].as_string().size(), 5u);
  }
}

TEST(TablePreviewTest, RefusesBadRequests) {
  TableInspector inspector = Inspector();
  const std::string table = kDelta + "table-with-dv-small";
  EXPECT_THAT(inspector.Preview(table, "delta", {.version = 7}),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(inspector.Preview(table, "delta", {.limit = 0}),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(inspector.Preview(table, "delta", {.limit = kMaxPreviewRows + 1}),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(inspector.Preview(kDelta + "no-such-table", "delta", {}),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("no such file or folder")));
}

TEST(TablePreviewTest, StaysWithinItsByteBudget) {
  PreviewLimits limits;
  limits.max_bytes = 200;  // less than one footer
  TableInspector inspector = Inspector(limits);
  EXPECT_THAT(inspector.Preview(kDelta + "table-with-dv-small", "delta", {}),
              StatusIs(StatusCode::kTooLarge, HasSubstr("budget")));
}

TEST(TablePreviewTest, StopsAtItsFileBoundWithTheRowsItHas) {
  PreviewLimits limits;
  limits.max_files = 1;
  TableInspector inspector = Inspector(limits);
  ASSERT_OK_AND_ASSIGN(TablePreview p,
                       inspector.Preview(kDelta + "delta-0.8.0-partitioned", "delta", {}));
  EXPECT_EQ(p.files_read, 1);
  EXPECT_EQ(p.rows.size(), 1u);
  EXPECT_TRUE(p.rows_truncated);
  ASSERT_TRUE(p.stopped.has_value());
  EXPECT_THAT(*p.stopped, HasSubstr("1 files"));
}

TEST(TablePreviewTest, RefusesACorruptDataFile) {
  const fs::path dir = fs::path(::testing::TempDir()) / "preview-corrupt";
  fs::remove_all(dir);
  fs::copy(kDelta + "table-with-dv-small", dir, fs::copy_options::recursive);
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() != ".parquet") continue;
    std::string bytes(static_cast<size_t>(fs::file_size(e.path())), '\0');
    {
      std::ifstream in(e.path(), std::ios::binary);
      in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    }
    // Garbage where the footer's length and metadata lie, same size.
    for (size_t i = bytes.size() - 40; i < bytes.size() - 4; ++i) bytes[i] = '\x7f';
    std::ofstream(e.path(), std::ios::binary | std::ios::trunc) << bytes;
  }
  TableInspector inspector = Inspector();
  EXPECT_THAT(inspector.Preview(dir.string(), "delta", {}),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("part-00000")));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace lakeshare
