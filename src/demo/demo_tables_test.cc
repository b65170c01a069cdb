#include "demo/demo_tables.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>

#include "common/encoding.h"
#include "common/time_util.h"
#include "parquet/metadata_parser.h"
#include "table/partition_values.h"
#include "testing/parquet_column_decoder.h"
#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
namespace pq = lakeshare::parquet;

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int64_t MtimeMillis(const fs::path& p) {
  using namespace std::chrono;
  auto sys = file_clock::to_sys(fs::last_write_time(p));
  return duration_cast<milliseconds>(sys.time_since_epoch()).count();
}

// One commit file: its actions in order.
struct Commit {
  int64_t version = 0;
  int64_t mtime = 0;
  std::vector<json::object> actions;  // each {"<kind>": {...}}
  std::string Kind(size_t i) const { return std::string(actions[i].begin()->key()); }
  const json::object& Body(size_t i) const { return actions[i].begin()->value().as_object(); }
};

std::vector<Commit> ReadLog(const fs::path& table) {
  std::vector<Commit> commits;
  for (int64_t v = 0;; ++v) {
    char name[32];
    std::snprintf(name, sizeof(name), "%020lld.json", static_cast<long long>(v));
    fs::path p = table / "_delta_log" / name;
    if (!fs::exists(p)) break;
    Commit c;
    c.version = v;
    c.mtime = MtimeMillis(p);
    std::istringstream lines(ReadAll(p));
    std::string line;
    while (std::getline(lines, line)) {
      json::value value = json::parse(line);  // throws (fails the test) on bad JSON
      EXPECT_EQ(value.as_object().size(), 1u) << line;
      c.actions.push_back(value.as_object());
    }
    commits.push_back(std::move(c));
  }
  return commits;
}

class DemoTablesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir = new fs::path(fs::temp_directory_path() / ("ls_demo_" + std::to_string(::getpid())));
    fs::remove_all(*dir);
    auto written = WriteDemoTables(dir->string());
    ASSERT_OK(written);
    tables = new std::vector<DemoTable>(*written);
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir);
    delete dir;
    delete tables;
  }
  static const DemoTable& Table(const std::string& name) {
    for (const auto& t : *tables) {
      if (t.name == name) return t;
    }
    throw std::runtime_error("no table " + name);
  }

  static fs::path* dir;
  static std::vector<DemoTable>* tables;
};

fs::path* DemoTablesTest::dir = nullptr;
std::vector<DemoTable>* DemoTablesTest::tables = nullptr;

TEST_F(DemoTablesTest, DescribesTheTables) {
  ASSERT_EQ(tables->size(), 3u);
  const DemoTable& sales = Table("sales");
  EXPECT_EQ(sales.location, "sales");
  EXPECT_TRUE(sales.partitioned);
  EXPECT_EQ(sales.partition_columns, std::vector<std::string>{"region"});
  EXPECT_EQ(sales.latest_version, 3);
  EXPECT_FALSE(sales.description.empty());
  const DemoTable& customers = Table("customers");
  EXPECT_FALSE(customers.partitioned);
  EXPECT_EQ(customers.latest_version, 1);
  EXPECT_EQ(customers.num_rows, 65);
  EXPECT_EQ(customers.num_files, 3);
}

TEST_F(DemoTablesTest, CommitsAreSparkLike) {
  for (const DemoTable& t : *tables) {
    SCOPED_TRACE(t.name);
    std::vector<Commit> log = ReadLog(*dir / t.location);
    ASSERT_EQ(static_cast<int64_t>(log.size()), t.latest_version + 1);
    for (size_t i = 0; i < log.size(); ++i) {
      const Commit& c = log[i];
      ASSERT_FALSE(c.actions.empty());
      ASSERT_EQ(c.Kind(0), "commitInfo");
      const json::object& ci = c.Body(0);
      // The commit timestamp is the log file's mtime; commits are 1 s apart.
      EXPECT_EQ(ci.at("timestamp").as_int64(), c.mtime);
      if (i > 0) {
        EXPECT_EQ(c.mtime - log[i - 1].mtime, 1000);
        EXPECT_EQ(ci.at("readVersion").as_int64(), static_cast<int64_t>(i) - 1);
      }
      EXPECT_LE(c.mtime, NowMillis());
      EXPECT_TRUE(ci.at("operationParameters").is_object());
      for (const auto& m : ci.at("operationMetrics").as_object()) {
        EXPECT_TRUE(m.value().is_string()) << m.key();
      }
      std::string op(ci.at("operation").as_string());
      EXPECT_TRUE(op == "WRITE" || op == "DELETE") << op;
      for (size_t a = 1; a < c.actions.size(); ++a) {
        std::string kind = c.Kind(a);
        if (i == 0) {
          EXPECT_TRUE(kind == "protocol" || kind == "metaData" || kind == "add") << kind;
        } else {
          EXPECT_TRUE(kind == "add" || kind == "remove" || (kind == "cdc" && t.name == "members"))
              << kind;
        }
      }
    }

    // v0: protocol, metaData.
    const Commit& v0 = log[0];
    ASSERT_GE(v0.actions.size(), 3u);
    ASSERT_EQ(v0.Kind(1), "protocol");
    EXPECT_EQ(v0.Body(1).at("minReaderVersion").as_int64(), 1);
    // The change data feed needs writer version 4.
    EXPECT_EQ(v0.Body(1).at("minWriterVersion").as_int64(), t.name == "members" ? 4 : 2);
    ASSERT_EQ(v0.Kind(2), "metaData");
    const json::object& md = v0.Body(2);
    EXPECT_EQ(md.at("id").as_string().size(), 36u);
    EXPECT_EQ(md.at("description").as_string(), t.description);
    EXPECT_EQ(md.at("format").at("provider").as_string(), "parquet");
    EXPECT_EQ(md.at("createdTime").as_int64(), v0.mtime);
    std::vector<std::string> partition_columns;
    for (const auto& p : md.at("partitionColumns").as_array()) {
      partition_columns.emplace_back(p.as_string());
    }
    EXPECT_EQ(partition_columns, t.partition_columns);
    EXPECT_TRUE(md.at("configuration").is_object());
    json::value schema = json::parse(md.at("schemaString").as_string());
    EXPECT_EQ(schema.at("type").as_string(), "struct");
    std::set<std::string> types;
    for (const auto& f : schema.at("fields").as_array()) {
      types.insert(std::string(f.at("type").as_string()));
      EXPECT_TRUE(f.at("nullable").is_bool());
      EXPECT_TRUE(f.at("metadata").is_object());
    }
    if (t.name == "sales") {
      EXPECT_EQ(types, (std::set<std::string>{"long", "string", "double", "integer", "date",
                                              "timestamp", "boolean"}));
      EXPECT_EQ(md.at("configuration").at("delta.enableChangeDataFeed").as_string(), "false");
    }
  }
}

// Replays the log: path -> add action, for every version.
std::vector<std::map<std::string, json::object>> Snapshots(const std::vector<Commit>& log) {
  std::vector<std::map<std::string, json::object>> out;
  std::map<std::string, json::object> active;
  for (const Commit& c : log) {
    for (size_t a = 0; a < c.actions.size(); ++a) {
      if (c.Kind(a) == "add") {
        active[std::string(c.Body(a).at("path").as_string())] = c.Body(a);
      } else if (c.Kind(a) == "remove") {
        EXPECT_EQ(active.erase(std::string(c.Body(a).at("path").as_string())), 1u);
      }
    }
    out.push_back(active);
  }
  return out;
}

struct DecodedFile {
  pq::FileMetaData metadata;
  std::vector<pq::ColumnData> columns;  // one per parquet column
  int64_t rows = 0;
};

DecodedFile Decode(const fs::path& path) {
  DecodedFile d;
  std::string bytes = ReadAll(path);
  auto md = pq::ParseFileFooter(bytes);
  EXPECT_OK(md);
  if (!md.ok()) return d;
  d.metadata = *md;
  d.rows = md->num_rows;
  EXPECT_EQ(md->row_groups.size(), 1u);
  for (size_t c = 0; c + 1 < md->schema.size(); ++c) {
    auto col = testing::DecodeColumnChunk(bytes, *md, 0, c);
    EXPECT_OK(col);
    d.columns.push_back(col.ok() ? *col : pq::ColumnData{});
  }
  return d;
}

// The JSON Delta would write as a stat for value `row` of a decoded column,
// given the column's Spark type.
json::value StatValue(const pq::ColumnData& col, size_t row, const std::string& spark_type) {
  if (spark_type == "long") return std::get<std::vector<int64_t>>(col.values)[row];
  if (spark_type == "integer") return std::get<std::vector<int32_t>>(col.values)[row];
  if (spark_type == "double") return std::get<std::vector<double>>(col.values)[row];
  if (spark_type == "string")
    return json::string(std::get<std::vector<std::string>>(col.values)[row]);
  if (spark_type == "date") {
    return json::string(FormatDate(std::get<std::vector<int32_t>>(col.values)[row]));
  }
  if (spark_type == "timestamp") {
    return json::string(
        FormatIso8601Millis(std::get<std::vector<int64_t>>(col.values)[row] / 1000));
  }
  ADD_FAILURE() << spark_type;
  return nullptr;
}

bool StatLess(const json::value& a, const json::value& b) {
  if (a.is_string()) return a.as_string() < b.as_string();  // ISO dates sort as text
  if (a.is_double()) return a.as_double() < b.as_double();
  return a.to_number<int64_t>() < b.to_number<int64_t>();
}

TEST_F(DemoTablesTest, AddsMatchTheirFiles) {
  for (const DemoTable& t : *tables) {
    SCOPED_TRACE(t.name);
    fs::path root = *dir / t.location;
    std::vector<Commit> log = ReadLog(root);
    json::value schema = json::parse(log[0].Body(2).at("schemaString").as_string());
    std::set<std::string> partition_columns(t.partition_columns.begin(), t.partition_columns.end());
    std::vector<json::object> data_fields;  // schema fields stored in parquet
    for (const auto& f : schema.at("fields").as_array()) {
      if (!partition_columns.count(std::string(f.at("name").as_string()))) {
        data_fields.push_back(f.as_object());
      }
    }
    int files = 0;
    for (const Commit& c : log) {
      for (size_t a = 0; a < c.actions.size(); ++a) {
        if (c.Kind(a) != "add") continue;
        ++files;
        const json::object& add = c.Body(a);
        std::string path(add.at("path").as_string());
        SCOPED_TRACE(path);
        EXPECT_TRUE(add.at("dataChange").as_bool());
        EXPECT_NE(path.find(".c000.snappy.parquet"), std::string::npos);
        auto decoded_path = PercentDecode(path);
        ASSERT_TRUE(decoded_path.has_value());
        fs::path file = root / *decoded_path;
        ASSERT_TRUE(fs::exists(file));
        EXPECT_EQ(static_cast<int64_t>(fs::file_size(file)), add.at("size").as_int64());
        EXPECT_EQ(MtimeMillis(file), add.at("modificationTime").as_int64());
        EXPECT_LE(add.at("modificationTime").as_int64(), c.mtime);

        // Partition values: in the folder names, Hive-escaped.
        const json::object& pv = add.at("partitionValues").as_object();
        EXPECT_EQ(pv.size(), t.partition_columns.size());
        std::string expected_dir;
        for (const std::string& p : t.partition_columns) {
          const json::value& v = pv.at(p);
          expected_dir += p + "=" +
                          (v.is_null() ? std::string("__HIVE_DEFAULT_PARTITION__")
                                       : EscapeHivePartitionValue(v.as_string())) +
                          "/";
        }
        EXPECT_EQ(decoded_path->substr(0, expected_dir.size()), expected_dir);

        // Parquet schema: the data columns, with Spark's nullability.
        DecodedFile d = Decode(file);
        ASSERT_EQ(d.columns.size(), data_fields.size());
        for (size_t i = 0; i < data_fields.size(); ++i) {
          const pq::SchemaElement& e = d.metadata.schema[i + 1];
          EXPECT_EQ(e.name, data_fields[i].at("name").as_string());
          EXPECT_EQ(e.repetition_type == pq::Repetition::kOptional,
                    data_fields[i].at("nullable").as_bool());
        }

        // Stats recomputed from the decoded data.
        json::value stats = json::parse(add.at("stats").as_string());
        EXPECT_EQ(stats.at("numRecords").as_int64(), d.rows);
        const json::object& mins = stats.at("minValues").as_object();
        const json::object& maxs = stats.at("maxValues").as_object();
        const json::object& nulls = stats.at("nullCount").as_object();
        EXPECT_EQ(nulls.size(), data_fields.size());
        for (size_t i = 0; i < data_fields.size(); ++i) {
          std::string name(data_fields[i].at("name").as_string());
          std::string type(data_fields[i].at("type").as_string());
          const pq::ColumnData& col = d.columns[i];
          int64_t null_count = 0;
          std::optional<json::value> lo, hi;
          for (size_t r = 0; r < col.validity.size(); ++r) {
            if (!col.validity[r]) {
              ++null_count;
              continue;
            }
            if (type == "boolean") continue;
            json::value v = StatValue(col, r, type);
            if (!lo || StatLess(v, *lo)) lo = v;
            if (!hi || StatLess(*hi, v)) hi = v;
          }
          EXPECT_EQ(nulls.at(name).as_int64(), null_count) << name;
          if (type == "boolean" || !lo) {
            EXPECT_FALSE(mins.contains(name)) << name;
            EXPECT_FALSE(maxs.contains(name)) << name;
            continue;
          }
          ASSERT_TRUE(mins.contains(name)) << name;
          EXPECT_EQ(mins.at(name), *lo) << name;
          EXPECT_EQ(maxs.at(name), *hi) << name;
          // The parquet chunk statistics agree with the Delta ones.
          const auto& ps = *d.metadata.row_groups[0].columns[i].meta_data->statistics;
          EXPECT_EQ(ps.null_count, null_count);
          EXPECT_TRUE(ps.min_value.has_value());
        }
      }
    }
    EXPECT_GT(files, 0);
    auto snapshots = Snapshots(log);
    EXPECT_EQ(static_cast<int64_t>(snapshots.back().size()), t.num_files);
    int64_t rows = 0;
    for (const auto& [path, add] : snapshots.back()) {
      rows += json::parse(add.at("stats").as_string()).at("numRecords").as_int64();
    }
    EXPECT_EQ(rows, t.num_rows);
  }
}

// The order_ids (column 0) of a data file.
std::multiset<int64_t> OrderIds(const fs::path& root, const json::object& action) {
  DecodedFile d = Decode(root / *PercentDecode(std::string(action.at("path").as_string())));
  const auto& ids = std::get<std::vector<int64_t>>(d.columns.at(0).values);
  return {ids.begin(), ids.end()};
}

TEST_F(DemoTablesTest, SalesDeleteRemovesWhatItSays) {
  fs::path root = *dir / "sales";
  std::vector<Commit> log = ReadLog(root);
  ASSERT_EQ(log.size(), 4u);
  auto snapshots = Snapshots(log);
  const Commit& del = log[3];
  EXPECT_EQ(del.Body(0).at("operation").as_string(), "DELETE");
  EXPECT_NE(std::string(del.Body(0).at("operationParameters").at("predicate").as_string())
                .find("Initech"),
            std::string::npos);
  EXPECT_FALSE(del.Body(0).at("isBlindAppend").as_bool());

  std::multiset<int64_t> removed_ids, added_ids, deleted_ids;
  std::set<std::string> removed_partitions, added_partitions;
  int removes = 0, adds = 0;
  for (size_t a = 1; a < del.actions.size(); ++a) {
    const json::object& body = del.Body(a);
    std::string path(body.at("path").as_string());
    std::string partition = json::serialize(body.at("partitionValues"));
    if (del.Kind(a) == "remove") {
      ++removes;
      // Removes name files of v2 exactly as they were added.
      ASSERT_TRUE(snapshots[2].count(path)) << path;
      const json::object& add = snapshots[2].at(path);
      EXPECT_EQ(body.at("size").as_int64(), add.at("size").as_int64());
      EXPECT_EQ(body.at("partitionValues"), add.at("partitionValues"));
      EXPECT_TRUE(body.at("dataChange").as_bool());
      EXPECT_EQ(body.at("deletionTimestamp").as_int64(), del.mtime);
      removed_partitions.insert(partition);
      // Which rows of the removed file were Initech's?
      DecodedFile d = Decode(root / *PercentDecode(path));
      const auto& ids = std::get<std::vector<int64_t>>(d.columns.at(0).values);
      const auto& customers = std::get<std::vector<std::string>>(d.columns.at(1).values);
      bool any = false;
      for (size_t r = 0; r < ids.size(); ++r) {
        removed_ids.insert(ids[r]);
        if (d.columns[1].validity[r] && customers[r] == "Initech") {
          deleted_ids.insert(ids[r]);
          any = true;
        }
      }
      EXPECT_TRUE(any) << "removed a file without matching rows: " << path;
    } else {
      ASSERT_EQ(del.Kind(a), "add");
      ++adds;
      added_partitions.insert(partition);
      auto ids = OrderIds(root, body);
      added_ids.insert(ids.begin(), ids.end());
    }
  }
  EXPECT_GT(removes, adds);  // the null-region file of v2 was all Initech
  EXPECT_GT(adds, 0);
  for (const auto& p : added_partitions) EXPECT_TRUE(removed_partitions.count(p)) << p;
  // Rewritten files hold exactly the removed rows minus the deleted ones.
  std::multiset<int64_t> expected;
  std::set_difference(removed_ids.begin(), removed_ids.end(), deleted_ids.begin(),
                      deleted_ids.end(), std::inserter(expected, expected.end()));
  EXPECT_EQ(added_ids, expected);
  const json::object& metrics = del.Body(0).at("operationMetrics").as_object();
  EXPECT_EQ(metrics.at("numDeletedRows").as_string(), std::to_string(deleted_ids.size()));
  EXPECT_EQ(metrics.at("numRemovedFiles").as_string(), std::to_string(removes));

  // Nothing of Initech is left, and every other order is.
  std::multiset<int64_t> left;
  for (const auto& [path, add] : snapshots[3]) {
    DecodedFile d = Decode(root / *PercentDecode(path));
    const auto& ids = std::get<std::vector<int64_t>>(d.columns.at(0).values);
    const auto& customers = std::get<std::vector<std::string>>(d.columns.at(1).values);
    for (size_t r = 0; r < ids.size(); ++r) {
      left.insert(ids[r]);
      EXPECT_FALSE(d.columns[1].validity[r] && customers[r] == "Initech");
    }
  }
  EXPECT_EQ(left.size(), 260u - deleted_ids.size());
  EXPECT_EQ(*left.begin(), 1);

  // The partitions exercise escaping and null values.
  std::set<std::string> regions;
  for (const auto& [path, add] : snapshots[2]) {
    const json::value& v = add.at("partitionValues").at("region");
    regions.insert(v.is_null() ? "<null>" : std::string(v.as_string()));
    if (!v.is_null() && v.as_string() == "Asia/Pacific") {
      EXPECT_EQ(path.substr(0, 27), "region=Asia%252FPacific/par");
      EXPECT_TRUE(fs::is_directory(root / "region=Asia%2FPacific"));
    }
    if (v.is_null()) {
      EXPECT_EQ(path.substr(0, 34), "region=__HIVE_DEFAULT_PARTITION__/");
    }
  }
  EXPECT_EQ(regions, (std::set<std::string>{"<null>", "Asia/Pacific", "Europe", "North America"}));
}

// members: the DELETE's rows are in change data files (_change_data/,
// _change_type "delete"), as many as the commit says it deleted.
TEST_F(DemoTablesTest, TheChangeDataFeedTableRecordsItsDeletes) {
  const DemoTable& members = Table("members");
  EXPECT_EQ(members.latest_version, 2);
  std::vector<Commit> log = ReadLog(*dir / "members");
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(log[0].Body(2).at("configuration").at("delta.enableChangeDataFeed").as_string(),
            "true");
  const Commit& del = log[2];
  const json::object& metrics = del.Body(0).at("operationMetrics").as_object();
  int64_t deleted = std::stoll(std::string(metrics.at("numDeletedRows").as_string()));
  EXPECT_GT(deleted, 0);
  int64_t change_rows = 0, cdc_files = 0;
  for (size_t a = 1; a < del.actions.size(); ++a) {
    if (del.Kind(a) != "cdc") continue;
    ++cdc_files;
    const json::object& cdc = del.Body(a);
    EXPECT_FALSE(cdc.at("dataChange").as_bool());
    std::string path(cdc.at("path").as_string());
    EXPECT_EQ(path.rfind("_change_data/cdc-", 0), 0u) << path;
    fs::path file = *dir / "members" / path;
    ASSERT_TRUE(fs::exists(file));
    EXPECT_EQ(static_cast<int64_t>(fs::file_size(file)), cdc.at("size").as_int64());
    DecodedFile d = Decode(file);
    ASSERT_FALSE(d.columns.empty());
    EXPECT_EQ(d.metadata.schema.back().name, "_change_type");
    const auto& types = std::get<std::vector<std::string>>(d.columns.back().values);
    for (const std::string& ty : types) EXPECT_EQ(ty, "delete");
    change_rows += d.rows;
  }
  EXPECT_EQ(std::to_string(cdc_files), std::string(metrics.at("numAddedChangeFiles").as_string()));
  EXPECT_EQ(change_rows, deleted);
}

TEST_F(DemoTablesTest, RefusesToOverwrite) {
  auto again = WriteDemoTables(dir->string());
  EXPECT_EQ(again.status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(DemoTablesTest, ContentIsDeterministic) {
  fs::path other = fs::temp_directory_path() / ("ls_demo2_" + std::to_string(::getpid()));
  fs::remove_all(other);
  auto written = WriteDemoTables(other.string());
  ASSERT_OK(written);
  size_t compared = 0;
  for (const auto& entry : fs::recursive_directory_iterator(*dir)) {
    if (entry.path().extension() != ".parquet") continue;
    fs::path twin = other / fs::relative(entry.path(), *dir);
    ASSERT_TRUE(fs::exists(twin)) << twin;
    EXPECT_EQ(ReadAll(entry.path()), ReadAll(twin));
    ++compared;
  }
  EXPECT_GT(compared, 10u);
  for (const char* table : {"sales", "customers"}) {
    auto a = ReadLog(*dir / table), b = ReadLog(other / table);
    ASSERT_EQ(a.size(), b.size());
    EXPECT_EQ(a[0].Body(2).at("id"), b[0].Body(2).at("id"));
  }
  fs::remove_all(other);
}

}  // namespace
}  // namespace lakeshare
