#include "hudi/hudi_column_stats.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "common/time_util.h"
#include "hudi/hudi_test_util.h"
#include "parquet/parquet_reader.h"
#include "parquet/row_values.h"
#include "storage/local_storage.h"
#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

using ::lakeshare::testing::HudiTempDir;
using ::lakeshare::testing::OpenHudiTable;
using ::lakeshare::testing::UnzipHudiTable;
namespace json = boost::json;

// A column's min, max and null count computed from a parquet file's rows,
// formatted the way Delta stats write them, with code of its own: integers
// as numbers, dates as yyyy-mm-dd, UTC timestamps with microseconds and a
// Z, decimals as unscaled / 10^scale.
struct Expected {
  std::string min, max;
  int64_t nulls = 0;
  bool any = false;
};

std::string Micros(int64_t us) {
  int64_t secs = us >= 0 ? us / 1000000 : -((-us + 999999) / 1000000);
  int64_t frac = us - secs * 1000000;
  std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long long>(frac));
  return buf;
}

std::string Decimal(const std::string& big_endian, int scale) {
  __int128 v = (!big_endian.empty() && (static_cast<unsigned char>(big_endian[0]) & 0x80)) ? -1 : 0;
  for (char c : big_endian) v = (v << 8) | static_cast<unsigned char>(c);
  bool neg = v < 0;
  if (neg) v = -v;
  std::string digits;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(v % 10)));
    v /= 10;
  } while (v > 0);
  while (static_cast<int>(digits.size()) <= scale) digits.insert(digits.begin(), '0');
  if (scale > 0) digits.insert(digits.end() - scale, '.');
  return (neg ? "-" : "") + digits;
}

// Whether a stats JSON value is `expected`: strings as text, integers
// exactly, decimals by value.
bool Same(const json::value& v, const std::string& expected) {
  if (v.is_string()) return v.as_string() == expected;
  if (v.is_bool()) return (v.as_bool() ? "true" : "false") == expected;
  if (v.is_int64()) return std::to_string(v.as_int64()) == expected;
  if (v.is_double()) return v.as_double() == std::stod(expected);
  return false;
}

TEST(HudiColumnStats, EveryFileOfASampleTableHasTheStatsOfItsRows) {
  // Merge-on-read tables read-optimized: their base files are served as they are.
  for (const char* archive :
       {"hudi-rs/cow/v9_txns_simple_meta.zip", "hudi-rs/cow/v9_txns_nonpart_meta.zip",
        "hudi-rs/cow/v9_txns_complex_meta.zip", "hudi-rs/mor/avro/v9_txns_simple_meta.zip",
        "hudi-rs/mor/avro/v9_txns_complex_meta.zip"}) {
    SCOPED_TRACE(archive);
    HudiTempDir tmp;
    std::string dir = UnzipHudiTable(archive, tmp.path());
    ASSERT_FALSE(dir.empty());
    HudiTableOptions options;
    options.read_optimized = true;
    auto table = OpenHudiTable(dir, options);
    ASSERT_OK_AND_ASSIGN(int64_t latest, table->LatestVersion());
    int checked_files = 0;
    for (int64_t version = 0; version <= latest; ++version) {
      ASSERT_OK_AND_ASSIGN(auto snap, table->Snapshot(version));
      const std::vector<std::string>& partition_columns = snap->metadata.partition_columns;
      for (const DataFile& f : snap->files) {
        SCOPED_TRACE(f.path);
        ASSERT_TRUE(f.stats.has_value());
        json::value stats = json::parse(*f.stats);
        const json::object& o = stats.as_object();
        ASSERT_TRUE(o.contains("minValues")) << *f.stats;
        // Independent: the file's rows through our parquet reader.
        auto file = LocalStorage().OpenRandomAccess(dir + "/" + f.path.str(), std::nullopt);
        ASSERT_TRUE(file.ok()) << file.status();
        ASSERT_OK_AND_ASSIGN(auto reader,
                             parquet::ParquetReader::Open(
                                 std::shared_ptr<const RandomAccessFile>(std::move(*file))));
        EXPECT_EQ(o.at("numRecords").as_int64(), reader.num_rows());
        const parquet::Schema& schema = reader.schema();
        const parquet::SchemaNode& root = schema.node(0);
        std::map<std::string, Expected> expected;
        for (int rg = 0; rg < reader.num_row_groups(); ++rg) {
          ASSERT_OK_AND_ASSIGN(auto rows, parquet::ReadRowGroupRows(reader, rg));
          for (const parquet::RowValue& row : rows) {
            for (size_t c = 0; c < root.children.size(); ++c) {
              const parquet::SchemaNode& n = schema.node(root.children[c]);
              if (!n.is_leaf) continue;
              const parquet::RowValue& v = row.children[c];
              Expected& e = expected[n.name];
              if (v.IsNull()) {
                ++e.nulls;
                continue;
              }
              std::string text;
              // What the table's Avro schema calls the column decides the form.
              using LK = parquet::LogicalInfo::Kind;
              const LK lk = n.logical.kind;
              const std::string logical = lk == LK::kDate        ? "date"
                                          : lk == LK::kTimestamp ? "timestamp"
                                          : lk == LK::kDecimal   ? "decimal"
                                          : lk == LK::kString    ? "string"
                                                                 : "";
              if (v.kind == parquet::RowValue::Kind::kBool) {
                text = v.i != 0 ? "true" : "false";
              } else if (v.kind == parquet::RowValue::Kind::kInt) {
                if (logical == "date") {
                  text = FormatDate(v.i);
                } else if (logical == "timestamp") {
                  ASSERT_EQ(n.logical.unit, parquet::TimeUnit::kMicros);
                  text = Micros(v.i);
                } else {
                  text = std::to_string(v.i);
                }
              } else if (v.kind == parquet::RowValue::Kind::kBytes) {
                text = logical == "decimal" ? Decimal(v.s, n.logical.scale) : v.s;
              } else {
                continue;
              }
              // Compare as the column's domain: numbers numerically, the rest as text.
              auto less = [&](const std::string& a, const std::string& b) {
                if (v.kind == parquet::RowValue::Kind::kBytes && logical == "decimal") {
                  return std::stold(a) < std::stold(b);
                }
                if (v.kind == parquet::RowValue::Kind::kInt && logical.empty()) {
                  return std::stoll(a) < std::stoll(b);
                }
                return a < b;
              };
              if (!e.any || less(text, e.min)) e.min = text;
              if (!e.any || less(e.max, text)) e.max = text;
              e.any = true;
            }
          }
        }
        const json::object& mins = o.at("minValues").as_object();
        const json::object& maxs = o.at("maxValues").as_object();
        const json::object& nulls = o.at("nullCount").as_object();
        for (const auto& [name, e] : expected) {
          SCOPED_TRACE(name);
          bool partition = std::find(partition_columns.begin(), partition_columns.end(), name) !=
                           partition_columns.end();
          if (partition) {
            EXPECT_FALSE(mins.contains(name));
            continue;
          }
          // Hudi indexes these two meta columns nowhere; the others it does.
          if (name == "_hoodie_commit_seqno" || name == "_hoodie_file_name") continue;
          ASSERT_TRUE(nulls.contains(name)) << *f.stats;
          EXPECT_EQ(nulls.at(name).as_int64(), e.nulls);
          if (!e.any) continue;
          ASSERT_TRUE(mins.contains(name)) << *f.stats;
          EXPECT_TRUE(Same(mins.at(name), e.min)) << json::serialize(mins.at(name)) << " " << e.min;
          EXPECT_TRUE(Same(maxs.at(name), e.max)) << json::serialize(maxs.at(name)) << " " << e.max;
        }
        ++checked_files;
      }
    }
    EXPECT_GT(checked_files, 5);
  }
}

TEST(HudiColumnStats, TablesWithoutTheIndexHaveNumRecordsOnly) {
  for (const char* archive :
       {"hudi-rs/cow/v9_txns_simple_nometa.zip", "hudi-rs/cow/v8_nonpartitioned.zip"}) {
    SCOPED_TRACE(archive);
    HudiTempDir tmp;
    std::string dir = UnzipHudiTable(archive, tmp.path());
    auto table = OpenHudiTable(dir);
    ASSERT_OK_AND_ASSIGN(auto snap, table->Snapshot(std::nullopt));
    ASSERT_GT(snap->files.size(), 0u);
    for (const DataFile& f : snap->files) {
      ASSERT_TRUE(f.stats.has_value());
      EXPECT_EQ(f.stats->find("minValues"), std::string::npos) << *f.stats;
    }
  }
}

TEST(HudiColumnStats, OptionOffMeansNumRecordsOnly) {
  HudiTempDir tmp;
  std::string dir = UnzipHudiTable("hudi-rs/cow/v9_txns_simple_meta.zip", tmp.path());
  HudiTableOptions options;
  options.column_stats = false;
  auto table = OpenHudiTable(dir, options);
  ASSERT_OK_AND_ASSIGN(auto snap, table->Snapshot(std::nullopt));
  for (const DataFile& f : snap->files) {
    EXPECT_EQ(f.stats->find("minValues"), std::string::npos) << *f.stats;
  }
}

}  // namespace
}  // namespace lakeshare

namespace lakeshare {
namespace {

bool HasColumnStats(const TableSnapshot& s) {
  for (const DataFile& f : s.files) {
    if (f.stats && f.stats->find("minValues") != std::string::npos) return true;
  }
  return false;
}

TEST(HudiColumnStats, AMetadataTableBehindTheVersionGivesNoStats) {
  HudiTempDir tmp;
  std::string dir = UnzipHudiTable("hudi-rs/cow/v9_txns_simple_meta.zip", tmp.path());
  auto latest_instant = [&]() {
    std::string best;
    for (const auto& e : std::filesystem::directory_iterator(dir + "/.hoodie/timeline")) {
      std::string name = e.path().filename().string();
      if (name.ends_with(".commit") && name > best) best = name;
    }
    return best.substr(0, 17);
  }();
  // The metadata table's update for the latest commit never completed.
  for (const auto& e :
       std::filesystem::directory_iterator(dir + "/.hoodie/metadata/.hoodie/timeline")) {
    std::string name = e.path().filename().string();
    if (name.starts_with(latest_instant + "_")) std::filesystem::remove(e.path());
  }
  auto table = OpenHudiTable(dir);
  ASSERT_OK_AND_ASSIGN(int64_t latest, table->LatestVersion());
  ASSERT_OK_AND_ASSIGN(auto last, table->Snapshot(latest));
  EXPECT_FALSE(HasColumnStats(*last));
  EXPECT_GT(last->files.size(), 0u);
  ASSERT_OK_AND_ASSIGN(auto before, table->Snapshot(latest - 1));
  EXPECT_TRUE(HasColumnStats(*before));
}

TEST(HudiColumnStats, AnIndexStillBeingBuiltGivesNoStats) {
  HudiTempDir tmp;
  std::string dir = UnzipHudiTable("hudi-rs/cow/v9_txns_simple_meta.zip", tmp.path());
  std::string props_path = dir + "/.hoodie/hoodie.properties";
  std::ifstream in(props_path);
  std::stringstream text;
  text << in.rdbuf();
  in.close();
  std::string props = text.str();
  size_t at = props.find("hoodie.table.metadata.partitions.inflight=");
  ASSERT_NE(at, std::string::npos);
  props.insert(at + std::string("hoodie.table.metadata.partitions.inflight=").size(),
               "column_stats");
  std::ofstream(props_path, std::ios::trunc) << props;
  auto table = OpenHudiTable(dir);
  ASSERT_OK_AND_ASSIGN(auto snap, table->Snapshot(std::nullopt));
  EXPECT_GT(snap->files.size(), 0u);
  EXPECT_FALSE(HasColumnStats(*snap));
}

TEST(HudiColumnStats, AnUnreadableIndexGivesNoStatsNotAnError) {
  HudiTempDir tmp;
  std::string dir = UnzipHudiTable("hudi-rs/cow/v9_txns_simple_meta.zip", tmp.path());
  for (const auto& e :
       std::filesystem::directory_iterator(dir + "/.hoodie/metadata/column_stats")) {
    if (e.path().extension() == ".hfile") {
      std::ofstream(e.path(), std::ios::trunc) << "not an hfile";
    }
  }
  auto table = OpenHudiTable(dir);
  ASSERT_OK_AND_ASSIGN(auto snap, table->Snapshot(std::nullopt));
  EXPECT_GT(snap->files.size(), 0u);
  EXPECT_FALSE(HasColumnStats(*snap));
}

}  // namespace
}  // namespace lakeshare
