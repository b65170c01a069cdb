#include "iceberg/iceberg_table.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include "iceberg/iceberg_metadata.h"
#include "iceberg/iceberg_test_util.h"
#include "iceberg/iceberg_writer.h"
#include "iceberg/manifest.h"
#include "parquet/parquet_writer.h"
#include "storage/local_storage.h"
#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

namespace fs = std::filesystem;
using testing::OpenTable;
using testing::TablePath;

std::string Read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int NextTempDirNumber() {
  static int next = 0;
  return ++next;
}

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() / ("lakeshare-iceberg-test-" + std::to_string(::getpid()) +
                                         "-" + std::to_string(NextTempDirNumber()));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

fs::path CopyTable(const std::string& relative, const fs::path& to) {
  fs::copy(TablePath(relative), to, fs::copy_options::recursive);
  for (const auto& e : fs::recursive_directory_iterator(to)) {
    fs::permissions(e.path(), fs::perms::owner_write, fs::perm_options::add);
  }
  fs::permissions(to, fs::perms::owner_write, fs::perm_options::add);
  return to;
}

// Every table folder of the test data, with the current snapshot's summary:
// the reader's file set must agree with what the writing engine recorded.
TEST(IcebergTable, CurrentSnapshotsAgreeWithTheEngineSummaries) {
  int checked = 0;
  for (const auto& e : fs::recursive_directory_iterator(testing::IcebergTestData())) {
    if (!e.is_directory() || e.path().filename() != "metadata") continue;
    fs::path table_dir = e.path().parent_path();
    IcebergTable table(table_dir.string(), std::make_shared<LocalStorage>());
    auto snap = table.Snapshot(std::nullopt);
    if (!snap.ok()) {
      // Never a crash or an internal error: broken test tables give clear codes.
      StatusCode c = snap.status().code();
      EXPECT_TRUE(c == StatusCode::kCorruption || c == StatusCode::kNotFound) << snap.status();
      continue;
    }
    // Which metadata file did the reader pick? Its current snapshot's summary.
    std::string latest;
    int64_t best = -1;
    for (const auto& f : fs::directory_iterator(e.path())) {
      std::string n = f.path().filename().string();
      if (n.find(".metadata.json") == std::string::npos || n[0] == '.') continue;
      auto m = iceberg::ParseMetadata(Read(f.path()));
      if (!m.ok() || !m->current_snapshot_id) continue;
      const iceberg::SnapshotInfo* s = m->SnapshotById(*m->current_snapshot_id);
      int64_t v = s->sequence_number > 0 ? s->sequence_number : s->timestamp_ms;
      if (v == (*snap)->version && v > best) {
        best = v;
        auto it = s->summary.find("total-data-files");
        auto records = s->summary.find("total-records");
        if (it == s->summary.end() || records == s->summary.end()) continue;
        EXPECT_EQ(static_cast<int64_t>((*snap)->files.size()), std::stoll(it->second)) << table_dir;
        int64_t rows = 0;
        for (const DataFile& d : (*snap)->files) {
          rows += boost::json::parse(*d.stats).as_object().at("numRecords").as_int64();
        }
        if (!(*snap)->unreadable_reason) {
          EXPECT_EQ(rows, std::stoll(records->second)) << table_dir;
        }
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 20);
}

TEST(IcebergTable, VersionsFromSequenceNumbersOrTimestamps) {
  auto lineitem = OpenTable("iceberg/lineitem_iceberg");
  EXPECT_EQ(*lineitem->LatestVersion(), 2);
  auto v1 = lineitem->Snapshot(1);
  ASSERT_OK(v1);
  EXPECT_EQ((*v1)->version, 1);
  EXPECT_EQ((*v1)->files.size(), 1u);
  // The whole history is kept: version 0 is the empty table.
  auto v0 = lineitem->Snapshot(0);
  ASSERT_OK(v0);
  EXPECT_TRUE((*v0)->files.empty());
  EXPECT_EQ(lineitem->Snapshot(3).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(*lineitem->VersionAtTimestamp((*v1)->timestamp_ms, TimestampBound::kAtOrBefore), 1);
  EXPECT_EQ(*lineitem->VersionAtTimestamp((*v1)->timestamp_ms + 1, TimestampBound::kAtOrAfter), 2);
  EXPECT_EQ(lineitem->VersionAtTimestamp((*v1)->timestamp_ms - 1, TimestampBound::kAtOrBefore)
                .status()
                .code(),
            StatusCode::kInvalidArgument);

  // v1: no sequence numbers, so commit timestamps.
  auto repro = OpenTable("iceberg_v1_repro/repro/merch_v1");
  auto m = iceberg::ParseMetadata(Read(TablePath(
      "iceberg_v1_repro/repro/merch_v1/metadata/00004-v3-upgraded-v1-null-counts.metadata.json")));
  ASSERT_OK(m);
  auto lineage = iceberg::MainLineage(*m);
  ASSERT_EQ(lineage.size(), 3u);
  EXPECT_EQ(*repro->LatestVersion(), lineage.back()->timestamp_ms);
  // A version between two snapshots reads as the older one.
  auto between = repro->Snapshot(lineage[1]->timestamp_ms - 1);
  ASSERT_OK(between);
  EXPECT_EQ((*between)->version, lineage[0]->timestamp_ms);

  // A table without snapshots: version 0.
  auto empty = OpenTable("custom_write_paths");
  EXPECT_EQ(*empty->LatestVersion(), 0);
  EXPECT_TRUE((*empty->Snapshot(std::nullopt))->files.empty());
  EXPECT_EQ(empty->Snapshot(1).status().code(), StatusCode::kInvalidArgument);
}

TEST(IcebergTable, LocatingTheCurrentMetadata) {
  // version-hint names a stem; none; gzip with and without hint.
  for (const char* t :
       {"is_null_is_not_null", "iceberg/lineitem_iceberg_no_hint", "iceberg/lineitem_iceberg_gz",
        "iceberg/lineitem_iceberg_gz_no_hint", "iceberg/lineitem_iceberg/metadata/v1.metadata.json",
        "equality_delete_cross_partition/warehouse/ns/t/metadata/vfinal.metadata.json"}) {
    auto table = OpenTable(t);
    EXPECT_OK(table->Snapshot(std::nullopt)) << t;
  }
  EXPECT_EQ(*OpenTable("iceberg/lineitem_iceberg/metadata/v1.metadata.json")->LatestVersion(), 1);
  EXPECT_EQ(OpenTable("no/such/table")->LatestVersion().status().code(), StatusCode::kNotFound);
  EXPECT_EQ(OpenTable("iceberg/lineitem_iceberg/metadata/v9.metadata.json")
                ->LatestVersion()
                .status()
                .code(),
            StatusCode::kNotFound);
  EXPECT_EQ(OpenTable("bad_data/bad_iceberg_metadata.json")->LatestVersion().status().code(),
            StatusCode::kCorruption);

  // A hint that lags behind a newer numbered file loses; the cache notices
  // a new metadata file.
  TempDir tmp;
  fs::path t = CopyTable("iceberg/lineitem_iceberg", tmp.path() / "t");
  { std::ofstream(t / "metadata/version-hint.text") << "1"; }
  IcebergTable table(t.string(), std::make_shared<LocalStorage>());
  EXPECT_EQ(*table.LatestVersion(), 2);
  fs::remove(t / "metadata/v2.metadata.json");
  EXPECT_EQ(*table.LatestVersion(), 1);
  fs::copy(TablePath("iceberg/lineitem_iceberg/metadata/v2.metadata.json"),
           t / "metadata/v7.metadata.json");
  EXPECT_EQ(*table.LatestVersion(), 2);
}

TEST(IcebergTable, RebasingRule) {
  auto ok = [](const char* p, const char* rec, const char* conf) {
    auto r = IcebergTable::Rebase(p, rec, conf);
    EXPECT_OK(r) << p;
    return r.ok() ? *r : "";
  };
  EXPECT_EQ(ok("data/persistent/t/data/a.parquet", "data/persistent/t", "/srv/t"),
            "/srv/t/data/a.parquet");
  EXPECT_EQ(ok("lineitem/metadata/m.avro", "./lineitem", "/srv/x/"), "/srv/x/metadata/m.avro");
  EXPECT_EQ(ok("s3a://old-bucket/w/t/data/x.parquet", "s3://old-bucket/w/t/", "/local/t"),
            "/local/t/data/x.parquet");
  EXPECT_EQ(ok("file:///wh/t/data//x.parquet", "/wh/t", "s3://new/t"), "s3://new/t/data/x.parquet");
  EXPECT_EQ(ok("file://data/persistent/m/d.parquet", "file://data/persistent/m", "/srv/m"),
            "/srv/m/d.parquet");
  EXPECT_EQ(ok("/srv/t/data/x.parquet", "gs://elsewhere/t", "/srv/t"), "/srv/t/data/x.parquet");
  auto out = IcebergTable::Rebase("s3://other/x.parquet", "data/t", "/srv/t");
  EXPECT_EQ(out.status().code(), StatusCode::kCorruption);
  // A sibling folder that shares a prefix is not inside.
  EXPECT_FALSE(IcebergTable::Rebase("data/t2/x.parquet", "data/t", "/srv/t").ok());
  EXPECT_EQ(IcebergTable::TableFolderOf("/a/t/metadata/v3.metadata.json"), "/a/t");
  EXPECT_EQ(IcebergTable::TableFolderOf("/a/t/x.json"), "/a/t");
  EXPECT_EQ(IcebergTable::TableFolderOf("/a/t/"), "/a/t");
}

TEST(IcebergTable, PartitionsStatsAndDeletes) {
  auto dec = OpenTable("partition_decimal_hugeint");
  auto s = dec->Snapshot(std::nullopt);
  ASSERT_OK(s);
  EXPECT_EQ((*s)->metadata.partition_columns, std::vector<std::string>{"partition_col"});
  for (const DataFile& f : (*s)->files) {
    ASSERT_EQ(f.partition_values.size(), 1u);
    auto st = boost::json::parse(*f.stats).as_object();
    EXPECT_EQ(st.at("numRecords").as_int64(), 1);
    // The file folder holds the value Spark wrote (Java's BigDecimal text,
    // which is scientific for 0E-23 and 1E-23; ours is plain).
    std::string value = *f.partition_values.find("partition_col")->second;
    if (f.path.find("E-23/") == std::string::npos) {
      EXPECT_NE(f.path.find("partition_col=" + value + "/"), std::string::npos) << f.path;
    }
  }
  // binary/fixed/time identity partition columns, which these files do
  // not hold (write.data.partition-columns=false), are partition values:
  // bytes as characters of those code points, time in microseconds. The
  // folders name them (base64 and hh:mm:ss).
  const std::vector<std::pair<std::string, std::set<std::string>>> cases = {
      {"partition_binary", {"\x01\x02\x03", "\xC2\xAA\xC2\xBB\xC3\x8C"}},  // AQID, qrvM
      {"partition_time/default.db/partition_time", {"30069000000", "45296000000"}},
      {"partition_fixed_length_binary/default.db/partition_fixed_length_binary",
       {"hello world", "fixed value"}}};
  for (const auto& [t, want] : cases) {
    auto snap = OpenTable(t)->Snapshot(std::nullopt);
    ASSERT_OK(snap) << t;
    EXPECT_EQ((*snap)->metadata.partition_columns, std::vector<std::string>{"partition_col"}) << t;
    std::set<std::string> got;
    for (const DataFile& f : (*snap)->files) {
      auto it = f.partition_values.find("partition_col");
      ASSERT_NE(it, f.partition_values.end());
      ASSERT_TRUE(it->second.has_value());
      got.insert(*it->second);
    }
    EXPECT_EQ(got, want) << t;
  }
  // Equality deletes become deletion vectors (equality_deletes_test.cc); a
  // v3 deletion vector becomes the file's Delta deletion vector.
  auto eq = OpenTable("equality_deletes/warehouse/mydb/mytable")->Snapshot(std::nullopt);
  ASSERT_OK(eq);
  EXPECT_FALSE((*eq)->unreadable_reason);
  auto dv = OpenTable("legacy_bare_deletion_vector/warehouse/default/legacy_bare_deletion_vector")
                ->Snapshot(std::nullopt);
  ASSERT_OK(dv);
  EXPECT_FALSE((*dv)->unreadable_reason);
  ASSERT_EQ((*dv)->files.size(), 1u);
  ASSERT_TRUE((*dv)->files.begin()->deletion_vector);
  EXPECT_EQ((*dv)->files.begin()->deletion_vector->cardinality, 1);
  // Before the deletes it was readable.
  auto early = OpenTable("equality_deletes/warehouse/mydb/mytable")->Snapshot(1);
  ASSERT_OK(early);
  EXPECT_FALSE((*early)->unreadable_reason);
  // timestamp_ntz needs the Delta reader feature.
  auto ts = OpenTable("partition_timestamp/default.db/partition_timestamp")->Snapshot(std::nullopt);
  ASSERT_OK(ts);
  ASSERT_TRUE((*ts)->protocol.reader_features);
  EXPECT_EQ(*(*ts)->protocol.reader_features, std::vector<std::string>{"timestampNtz"});
}

TEST(IcebergTable, ChangesOfAppendOnlyRanges) {
  auto t = OpenTable("is_null_is_not_null");
  auto c = t->Changes(1, 3);
  ASSERT_OK(c);
  ASSERT_EQ(c->size(), 3u);
  size_t total = 0;
  for (const CommitChanges& cc : *c) {
    EXPECT_EQ(*cc.operation, "append");
    for (const FileChange& ch : cc.changes) EXPECT_EQ(ch.type, ChangeType::kAdd);
    total += cc.changes.size();
  }
  EXPECT_EQ(total, (*t->Snapshot(3))->files.size());
  // lineitem's version 2 deletes a file.
  auto l = OpenTable("iceberg/lineitem_iceberg");
  EXPECT_OK(l->Changes(1, 1));
  auto bad = l->Changes(1, 2);
  EXPECT_EQ(bad.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(bad.status().message().find("append-only"), std::string::npos);
  EXPECT_EQ(l->Changes(2, 1).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(l->Changes(1, 5).status().code(), StatusCode::kInvalidArgument);
}

TEST(IcebergTable, RestCatalogLocation) {
  std::string metadata = TablePath("iceberg/lineitem_iceberg/metadata/v2.metadata.json");
  std::string table_dir = TablePath("iceberg/lineitem_iceberg");
  IcebergTableOptions o;
  std::vector<std::string> asked;
  std::string answer = R"({"metadata-location":")" + metadata + R"(","metadata":{}})";
  o.http_get = [&](const std::string& url) -> Result<std::string> {
    asked.push_back(url);
    if (url.find("missing") != std::string::npos) return Status::NotFound("no table");
    return answer;
  };
  auto storage = std::make_shared<LocalStorage>();
  o.resolve_location =
      [&](const std::string& loc) -> Result<std::pair<std::string, std::shared_ptr<Storage>>> {
    // The metadata records "./lineitem_iceberg": map it where the copy is.
    if (loc == "./lineitem_iceberg")
      return std::make_pair(table_dir, std::shared_ptr<Storage>(storage));
    return std::make_pair(loc, std::shared_ptr<Storage>(storage));
  };
  std::string url = "http://catalog.invalid/v1/ns/namespaces/db/tables/lineitem";
  IcebergTable t(url, nullptr, o);
  EXPECT_EQ(*t.LatestVersion(), 2);
  EXPECT_EQ(*t.TableRoot(), table_dir);
  auto s = t.Snapshot(std::nullopt);
  ASSERT_OK(s);
  EXPECT_EQ((*s)->files.size(), 1u);
  EXPECT_EQ(asked.front(), url);
  IcebergTable missing("http://catalog.invalid/v1/namespaces/db/tables/missing", nullptr, o);
  EXPECT_EQ(missing.LatestVersion().status().code(), StatusCode::kNotFound);
  answer = "{}";
  EXPECT_EQ(IcebergTable(url, nullptr, o).LatestVersion().status().code(), StatusCode::kCorruption);
}

TEST(IcebergTable, PartitionColumnOfALaterSpecIsFilledFromBounds) {
  // event_type is an identity partition only in spec 1; the spec-0 files
  // (one row each) show a single value in their bounds: a partition column.
  auto t = OpenTable("hive_partitioned_table");
  ASSERT_OK_AND_ASSIGN(auto s, t->Snapshot(std::nullopt));
  EXPECT_FALSE(s->unreadable_reason);
  EXPECT_EQ(s->metadata.partition_columns, (std::vector<std::string>{"event_date", "event_type"}));
  std::map<std::string, std::string> by_day;
  for (const DataFile& f : s->files) {
    ASSERT_TRUE(f.partition_values.at("event_type")) << f.path;
    if (f.path.find("event_type=") == std::string::npos) {
      by_day[*f.partition_values.at("event_date")] = *f.partition_values.at("event_type");
    }
  }
  EXPECT_EQ(by_day, (std::map<std::string, std::string>{{"2024-01-01", "click"},
                                                        {"2024-01-02", "purchase"}}));
  // The first version has spec 0 only: event_type stays in the files.
  ASSERT_OK_AND_ASSIGN(auto first, t->Snapshot(1));
  EXPECT_EQ(first->metadata.partition_columns, std::vector<std::string>{"event_date"});
}

TEST(IcebergTable, ConcurrentRequestsShareOneSnapshot) {
  auto t = OpenTable("hive_partitioned_table");
  std::vector<std::shared_ptr<const TableSnapshot>> got(8);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < got.size(); ++i) {
    threads.emplace_back([&, i] {
      auto s = t->Snapshot(std::nullopt);
      if (s.ok()) got[i] = *s;
    });
  }
  for (auto& th : threads) th.join();
  for (const auto& s : got) {
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->files.size(), got[0]->files.size());
  }
  EXPECT_EQ(*t->Snapshot(std::nullopt), *t->Snapshot(std::nullopt));  // cached
}

TEST(IcebergTable, DamagedFilesGiveClearErrors) {
  TempDir tmp;
  fs::path t = CopyTable("iceberg/lineitem_iceberg", tmp.path() / "t");
  IcebergTable table(t.string(), std::make_shared<LocalStorage>());
  for (const auto& e : fs::directory_iterator(t / "metadata")) {
    std::string n = e.path().filename().string();
    if (n.rfind("snap-", 0) == 0 && n.find("787a5996") != std::string::npos) {
      std::ofstream(e.path(), std::ios::trunc) << "Obj\x01garbage";
    }
  }
  auto v1 = table.Snapshot(1);
  EXPECT_EQ(v1.status().code(), StatusCode::kCorruption);
  EXPECT_NE(v1.status().message().find("manifest list"), std::string::npos) << v1.status();
  for (const auto& e : fs::directory_iterator(t / "metadata")) {
    std::string n = e.path().filename().string();
    if (n.find("179b4fb1") != std::string::npos && n.find("-m0") != std::string::npos &&
        n[0] != '.') {
      fs::remove(e.path());
    }
  }
  auto v2 = table.Snapshot(2);
  EXPECT_EQ(v2.status().code(), StatusCode::kNotFound);
  EXPECT_NE(v2.status().message().find("does not exist"), std::string::npos);
}

// A table of three appends (10, 5 and 5 files, two days each) written by
// IcebergTableWriter, manifests only.
fs::path ThreeAppends(const fs::path& dir) {
  IcebergTableSpec spec;
  spec.columns = {{"id", iceberg::TypeId::kLong, true, std::nullopt},
                  {"day", iceberg::TypeId::kDate, false, std::nullopt}};
  spec.partition_by = {"day"};
  auto w = IcebergTableWriter::Create(dir.string(), spec, 1000);
  EXPECT_OK(w);
  int64_t next = 0;
  for (size_t count : {10, 5, 5}) {
    IcebergAppendOptions o;
    o.timestamp_ms = 2000 + next;
    o.write_data = false;
    auto make = [&](size_t i) {
      int64_t id = next + static_cast<int64_t>(i);
      IcebergFileData f;
      f.columns.push_back({std::vector<int64_t>{id, id}, {}});
      int32_t day = 19000 + static_cast<int32_t>(i % 2);
      f.columns.push_back({std::vector<int32_t>{day, day}, {}});
      return Result<IcebergFileData>(f);
    };
    EXPECT_OK((*w)->Append(count, make, o));
    next += static_cast<int64_t>(count);
  }
  return dir;
}

TEST(IcebergTable, VersionsShareTheFilesOfTheirCommonManifests) {
  TempDir tmp;
  fs::path dir = ThreeAppends(tmp.path() / "t");
  SnapshotCache cache;
  IcebergTable table(dir.string(), std::make_shared<LocalStorage>(),
                     IcebergTableOptions{.cache = &cache});
  auto v3 = table.Snapshot(3);
  auto v2 = table.Snapshot(2);
  ASSERT_OK(v3);
  ASSERT_OK(v2);
  ASSERT_EQ((*v3)->files.size(), 20u);
  ASSERT_EQ((*v2)->files.size(), 15u);
  // Every file of version 2 is the very object version 3 lists.
  std::set<const DataFile*> in_v3;
  for (const DataFile& f : (*v3)->files) in_v3.insert(&f);
  for (const DataFile& f : (*v2)->files) EXPECT_EQ(in_v3.count(&f), 1u) << f.path;
  // Files of one day in one manifest (the first append's ten come first:
  // manifest list order) share their partition values.
  const DataFile& first = (*v3)->files[0];
  size_t sharing = 0;
  for (size_t i = 1; i < 10; ++i) {
    const DataFile& f = (*v3)->files[i];
    if (f.partition_values == first.partition_values) {
      EXPECT_TRUE(f.partition_values.SharesEntriesWith(first.partition_values)) << f.path;
      ++sharing;
    }
  }
  EXPECT_GT(sharing, 0u);
  // Both live in the given cache, accounted by bytes, and come back from it.
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_EQ(cache.bytes(), EstimateSnapshotBytes(**v3) + EstimateSnapshotBytes(**v2));
  EXPECT_EQ(*table.Snapshot(3), *v3);
  EXPECT_EQ(*table.Snapshot(std::nullopt), *v3);
}

TEST(IcebergTable, ConvertedManifestsAreHeldOnlyBySnapshots) {
  TempDir tmp;
  fs::path dir = ThreeAppends(tmp.path() / "t");
  SnapshotCache none(0);
  IcebergTable table(dir.string(), std::make_shared<LocalStorage>(),
                     IcebergTableOptions{.cache = &none});
  auto held = table.Snapshot(3);
  ASSERT_OK(held);
  // The first append's manifest goes away: a version that lists it still
  // builds while a snapshot holds its files...
  for (const auto& e : fs::directory_iterator(dir / "metadata")) {
    std::string n = e.path().filename().string();
    if (n.find("-m0.avro") == std::string::npos) continue;
    auto m = iceberg::ReadManifest(Read(e.path()), n, false);
    ASSERT_OK(m);
    if (m->entries.size() == 10) fs::remove(e.path());
  }
  auto again = table.Snapshot(1);
  ASSERT_OK(again);
  EXPECT_EQ((*again)->files.size(), 10u);
  EXPECT_EQ(&(*again)->files[0], &(*held)->files[0]);
  // ... and once nothing holds them, the table keeps nothing: it reads again.
  held = Status::Internal("released");
  again = Status::Internal("released");
  auto gone = table.Snapshot(2);
  EXPECT_EQ(gone.status().code(), StatusCode::kNotFound) << gone.status();
  EXPECT_NE(gone.status().message().find("does not exist"), std::string::npos);
}

TEST(IcebergTable, ChangesOfAppendsShareTheSnapshotConversion) {
  TempDir tmp;
  fs::path dir = ThreeAppends(tmp.path() / "t");
  SnapshotCache none(0);
  IcebergTable table(dir.string(), std::make_shared<LocalStorage>(),
                     IcebergTableOptions{.cache = &none});
  auto changes = table.Changes(1, 3);
  ASSERT_OK(changes);
  ASSERT_EQ(changes->size(), 3u);
  size_t total = 0;
  for (const CommitChanges& c : *changes) {
    for (const FileChange& ch : c.changes) {
      EXPECT_EQ(ch.type, ChangeType::kAdd);
      EXPECT_EQ(ch.file.modification_time, c.timestamp_ms) << ch.file.path;
      EXPECT_TRUE(ch.file.stats && ch.file.stats->find("\"numRecords\":2") != std::string::npos);
    }
    total += c.changes.size();
  }
  EXPECT_EQ(total, 20u);
  EXPECT_EQ((*changes)[1].changes.size(), 5u);
}

}  // namespace
}  // namespace lakeshare

namespace lakeshare {
namespace {

// Schema evolution on a table written by IcebergTableWriter: the metadata is
// edited to add a schema, as an engine would.
class EvolvedTable : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("lakeshare-iceberg-evolve-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    ASSERT_NO_FATAL_FAILURE(WriteTable(dir_, 1));
  }

  // A table of columns a (int) and b (string) at `dir`, one snapshot of
  // `files` files of rows (1, "x") and (2, "y").
  static void WriteTable(const fs::path& dir, size_t files) {
    IcebergTableSpec spec;
    spec.columns = {{"a", iceberg::TypeId::kInt, false, std::nullopt},
                    {"b", iceberg::TypeId::kString, false, std::nullopt}};
    auto w = IcebergTableWriter::Create(dir.string(), spec, 1000);
    ASSERT_OK(w);
    IcebergAppendOptions o;
    o.timestamp_ms = 2000;
    auto make = [](size_t) {
      IcebergFileData f;
      f.columns.push_back({std::vector<int32_t>{1, 2}, {}});
      f.columns.push_back({std::vector<std::string>{"x", "y"}, {}});
      return Result<IcebergFileData>(f);
    };
    ASSERT_OK((*w)->Append(files, make, o));
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Adds schema 1 (the fields given) as the current schema.
  void Evolve(const std::string& fields, const fs::path& dir = {}) {
    fs::path p = (dir.empty() ? dir_ : dir) / "metadata/v2.metadata.json";
    auto m = boost::json::parse(Read(p)).as_object();
    m["schemas"].as_array().push_back(
        boost::json::parse(R"({"type":"struct","schema-id":1,"fields":)" + fields + "}"));
    m["current-schema-id"] = 1;
    std::ofstream(p, std::ios::trunc) << boost::json::serialize(m);
  }

  std::shared_ptr<const TableSnapshot> Latest() {
    IcebergTable t(dir_.string(), std::make_shared<LocalStorage>());
    auto s = t.Snapshot(std::nullopt);
    EXPECT_OK(s);
    return s.ok() ? *s : nullptr;
  }

  fs::path dir_;
};

TEST_F(EvolvedTable, AddedColumnIsFine) {
  Evolve(R"([{"id":1,"name":"a","required":false,"type":"int"},
             {"id":2,"name":"b","required":false,"type":"string"},
             {"id":3,"name":"c","required":false,"type":"double"}])");
  auto s = Latest();
  EXPECT_FALSE(s->unreadable_reason);
  EXPECT_NE(s->metadata.schema_string.find("\"c\""), std::string::npos);
  EXPECT_FALSE(s->protocol.reader_features);
}

TEST_F(EvolvedTable, PromotionNeedsTypeWidening) {
  Evolve(R"([{"id":1,"name":"a","required":false,"type":"long"},
             {"id":2,"name":"b","required":false,"type":"string"}])");
  auto s = Latest();
  EXPECT_FALSE(s->unreadable_reason);
  ASSERT_TRUE(s->protocol.reader_features);
  EXPECT_EQ(*s->protocol.reader_features, std::vector<std::string>{"typeWidening"});
  // The 4-byte bounds of the old int column still give stats.
  EXPECT_NE(s->files[0].stats->find("\"a\":1"), std::string::npos) << *s->files[0].stats;
}

// A delta-format client reads the files by field id (column mapping mode
// `id`); parquet-format clients are refused by the protocol layer for it.
void ExpectColumnMappingById(const TableSnapshot& s) {
  EXPECT_FALSE(s.unreadable_reason) << *s.unreadable_reason;
  EXPECT_EQ(s.metadata.configuration.at("delta.columnMapping.mode"), "id");
  ASSERT_TRUE(s.protocol.reader_features);
  EXPECT_EQ(s.protocol.min_reader_version, 3);
  EXPECT_EQ(s.protocol.min_writer_version, 7);
  EXPECT_EQ((*s.protocol.reader_features)[0], "columnMapping");
  EXPECT_EQ((*s.protocol.writer_features)[0], "columnMapping");
}

TEST_F(EvolvedTable, InitialDefaultsThatOldFilesLackArePartitionValues) {
  // v3: a column added with an initial default: the file written before it
  // reads as 7 through a partition value (Delta readers take it over the
  // file, which lacks the column).
  Evolve(R"([{"id":1,"name":"a","required":false,"type":"int"},
             {"id":2,"name":"b","required":false,"type":"string"},
             {"id":3,"name":"c","required":false,"type":"int","initial-default":7}])");
  auto s = Latest();
  EXPECT_FALSE(s->unreadable_reason) << *s->unreadable_reason;
  EXPECT_EQ(s->metadata.partition_columns, std::vector<std::string>{"c"});
  ASSERT_EQ(s->files.size(), 1u);
  EXPECT_EQ(s->files[0].partition_values.at("c"), std::optional<std::string>("7"));
}

TEST_F(EvolvedTable, InitialDefaultsWithoutAPartitionFormAreRefusedNamingTheColumn) {
  Evolve(R"([{"id":1,"name":"a","required":false,"type":"int"},
             {"id":2,"name":"b","required":false,"type":"string"},
             {"id":3,"name":"st","required":false,"type":{"type":"struct","fields":[
               {"id":4,"name":"x","required":false,"type":"int","initial-default":1}]}}])");
  auto s = Latest();
  ASSERT_TRUE(s->unreadable_reason);
  EXPECT_NE(s->unreadable_reason->find("column 'st.x' has an initial default"), std::string::npos)
      << *s->unreadable_reason;
}

TEST_F(EvolvedTable, NanosecondDefaultsAreMicrosecondPartitionValuesWhenExact) {
  // timestamp_ns is served as Spark's timestamp_ntz (microseconds).
  Evolve(R"([{"id":1,"name":"a","required":false,"type":"int"},
             {"id":2,"name":"b","required":false,"type":"string"},
             {"id":3,"name":"ns","required":false,"type":"timestamp_ns",
              "initial-default":"2017-11-16T22:31:08.123456000"},
             {"id":4,"name":"tz","required":false,"type":"timestamptz_ns",
              "initial-default":"2017-11-16T22:31:08+01:00"}])");
  auto s = Latest();
  ASSERT_FALSE(s->unreadable_reason) << *s->unreadable_reason;
  EXPECT_EQ(s->metadata.partition_columns, (std::vector<std::string>{"ns", "tz"}));
  ASSERT_EQ(s->files.size(), 1u);
  EXPECT_EQ(s->files[0].partition_values.at("ns"),
            std::optional<std::string>("2017-11-16 22:31:08.123456"));
  EXPECT_EQ(s->files[0].partition_values.at("tz"),
            std::optional<std::string>("2017-11-16 21:31:08.000000"));
}

TEST_F(EvolvedTable, NanosecondDefaultsBelowAMicrosecondAreRefusedSayingWhy) {
  Evolve(R"([{"id":1,"name":"a","required":false,"type":"int"},
             {"id":2,"name":"b","required":false,"type":"string"},
             {"id":3,"name":"ns","required":false,"type":"timestamp_ns",
              "initial-default":"2017-11-16T22:31:08.123456789"}])");
  auto s = Latest();
  ASSERT_TRUE(s->unreadable_reason);
  EXPECT_NE(s->unreadable_reason->find("column 'ns' has an initial default"), std::string::npos)
      << *s->unreadable_reason;
  EXPECT_NE(s->unreadable_reason->find("below a microsecond"), std::string::npos)
      << *s->unreadable_reason;
}

TEST_F(EvolvedTable, NullInitialDefaultsAreServed) {
  Evolve(R"([{"id":1,"name":"a","required":false,"type":"int"},
             {"id":2,"name":"b","required":false,"type":"string"},
             {"id":3,"name":"c","required":false,"type":"int","initial-default":null}])");
  auto s = Latest();
  EXPECT_FALSE(s->unreadable_reason);
}

TEST_F(EvolvedTable, RenameIsServedByFieldId) {
  Evolve(R"([{"id":1,"name":"renamed","required":false,"type":"int"},
             {"id":2,"name":"b","required":false,"type":"string"}])");
  auto s = Latest();
  ExpectColumnMappingById(*s);
  EXPECT_NE(s->metadata.schema_string.find(
                R"("name":"renamed","type":"integer","nullable":true,"metadata":{)"
                R"("delta.columnMapping.id":1,"delta.columnMapping.physicalName":"renamed"})"),
            std::string::npos)
      << s->metadata.schema_string;
  EXPECT_EQ(s->metadata.configuration.at("delta.columnMapping.maxColumnId"), "2");
  // Stats keys are the physical names (the current ones).
  EXPECT_NE(s->files[0].stats->find("\"renamed\":1"), std::string::npos) << *s->files[0].stats;
}

TEST_F(EvolvedTable, DroppedAndReAddedIsServedByFieldId) {
  Evolve(R"([{"id":1,"name":"a","required":false,"type":"int"},
             {"id":3,"name":"b","required":false,"type":"string"}])");
  auto s = Latest();
  ExpectColumnMappingById(*s);
  EXPECT_NE(s->metadata.schema_string.find(R"("delta.columnMapping.id":3)"), std::string::npos);
  EXPECT_EQ(s->metadata.configuration.at("delta.columnMapping.maxColumnId"), "3");
}

TEST_F(EvolvedTable, FilesWrittenWithTheCurrentNamesAreServedPlainly) {
  // The only data file was written by a snapshot of schema 1: its names are
  // the current ones, so name-matching readers read it right.
  Evolve(R"([{"id":1,"name":"renamed","required":false,"type":"int"},
             {"id":2,"name":"b","required":false,"type":"string"}])");
  fs::path p = dir_ / "metadata/v2.metadata.json";
  auto m = boost::json::parse(Read(p)).as_object();
  for (auto& snap : m["snapshots"].as_array()) snap.as_object()["schema-id"] = 1;
  std::ofstream(p, std::ios::trunc) << boost::json::serialize(m);
  auto s = Latest();
  EXPECT_FALSE(s->unreadable_reason);
  EXPECT_EQ(s->metadata.configuration.count("delta.columnMapping.mode"), 0u);
  EXPECT_FALSE(s->protocol.reader_features);
}

// Sets the table's schema.name-mapping.default.
void SetNameMapping(const fs::path& dir, const std::string& mapping) {
  fs::path p = dir / "metadata/v2.metadata.json";
  auto m = boost::json::parse(Read(p)).as_object();
  m["properties"].emplace_object()["schema.name-mapping.default"] = mapping;
  std::ofstream(p, std::ios::trunc) << boost::json::serialize(m);
}

// Rewrites the table's data files (two rows: a int, b string) with the
// given column names and field ids (none: as Hive wrote files before a
// table was migrated to Iceberg).
void RewriteDataFiles(const fs::path& dir, const std::vector<std::string>& names,
                      std::optional<int32_t> first_id = std::nullopt, int only = -1) {
  parquet::ParquetSchema schema;
  schema.columns.emplace_back(names[0], parquet::ColumnType::kInt32, true,
                              first_id ? std::optional<int32_t>(*first_id) : std::nullopt);
  schema.columns.emplace_back(names[1], parquet::ColumnType::kString, true,
                              first_id ? std::optional<int32_t>(*first_id + 1) : std::nullopt);
  std::vector<parquet::ColumnData> cols = {{std::vector<int32_t>{1, 2}, {}},
                                           {std::vector<std::string>{"x", "y"}, {}}};
  auto bytes = parquet::WriteParquetFile(schema, {cols});
  ASSERT_OK(bytes);
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(dir / "data")) {
    if (e.path().extension() == ".parquet") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (size_t i = 0; i < files.size(); ++i) {
    if (only < 0 || static_cast<size_t>(only) == i) {
      std::ofstream(files[i], std::ios::trunc) << *bytes;
    }
  }
}

TEST_F(EvolvedTable, RenameWithANameMappingAndFieldIdsIsServedById) {
  // The table maps files without ids by name, but every file has ids.
  Evolve(R"([{"id":1,"name":"renamed","required":false,"type":"int"},
             {"id":2,"name":"b","required":false,"type":"string"}])");
  SetNameMapping(dir_, R"([{"field-id":1,"names":["a","renamed"]},{"field-id":2,"names":["b"]}])");
  ExpectColumnMappingById(*Latest());
}

TEST_F(EvolvedTable, RenameWithANameMappingIsServedByTheFilesNames) {
  // A migrated table (files without field ids) whose column 'a' was
  // renamed: Iceberg adds the new name to the mapping; the files keep 'a'.
  // Column mapping mode `name`, physical name 'a'; stats keyed by it.
  Evolve(R"([{"id":1,"name":"renamed","required":false,"type":"int"},
             {"id":2,"name":"b","required":false,"type":"string"}])");
  SetNameMapping(dir_, R"([{"field-id":1,"names":["a","renamed"]},{"field-id":2,"names":["b"]}])");
  RewriteDataFiles(dir_, {"a", "b"});
  auto s = Latest();
  ASSERT_FALSE(s->unreadable_reason) << *s->unreadable_reason;
  EXPECT_EQ(s->metadata.configuration.at("delta.columnMapping.mode"), "name");
  EXPECT_EQ(s->metadata.configuration.at("delta.columnMapping.maxColumnId"), "2");
  EXPECT_EQ((*s->protocol.reader_features)[0], "columnMapping");
  EXPECT_EQ((*s->protocol.writer_features)[0], "columnMapping");
  EXPECT_EQ(s->protocol.min_reader_version, 3);
  EXPECT_NE(s->metadata.schema_string.find(
                R"("name":"renamed","type":"integer","nullable":true,"metadata":{)"
                R"("delta.columnMapping.id":1,"delta.columnMapping.physicalName":"a"})"),
            std::string::npos)
      << s->metadata.schema_string;
  EXPECT_EQ(s->metadata.schema_string.find("nested.ids"), std::string::npos);
  ASSERT_EQ(s->files.size(), 1u);
  EXPECT_NE(s->files[0].stats->find("\"a\":1"), std::string::npos) << *s->files[0].stats;
  EXPECT_EQ(s->files[0].stats->find("renamed"), std::string::npos) << *s->files[0].stats;
}

TEST_F(EvolvedTable, RenameWithANameMappingAndTwoNamesIsUnreadableNamingTheColumn) {
  // Two files: one from before the migration (no ids, 'a'), one written
  // after the rename (ids, 'renamed'): no one name reads both.
  const fs::path dir = dir_ / "two";
  ASSERT_NO_FATAL_FAILURE(WriteTable(dir, 2));
  Evolve(R"([{"id":1,"name":"renamed","required":false,"type":"int"},
             {"id":2,"name":"b","required":false,"type":"string"}])",
         dir);
  SetNameMapping(dir, R"([{"field-id":1,"names":["a","renamed"]},{"field-id":2,"names":["b"]}])");
  RewriteDataFiles(dir, {"a", "b"}, std::nullopt, 0);
  RewriteDataFiles(dir, {"renamed", "b"}, 1, 1);
  IcebergTable t(dir.string(), std::make_shared<LocalStorage>());
  auto s = t.Snapshot(std::nullopt);
  ASSERT_OK(s);
  ASSERT_TRUE((*s)->unreadable_reason);
  EXPECT_NE((*s)->unreadable_reason->find("column 'renamed' is 'a' in data file"),
            std::string::npos)
      << *(*s)->unreadable_reason;
  EXPECT_NE((*s)->unreadable_reason->find("schema.name-mapping.default"), std::string::npos);
}

TEST_F(EvolvedTable, NameMappedFootersAreBounded) {
  Evolve(R"([{"id":1,"name":"renamed","required":false,"type":"int"},
             {"id":2,"name":"b","required":false,"type":"string"}])");
  SetNameMapping(dir_, R"([{"field-id":1,"names":["a","renamed"]},{"field-id":2,"names":["b"]}])");
  RewriteDataFiles(dir_, {"a", "b"});
  IcebergTableOptions o;
  o.max_name_mapping_footers = 0;
  IcebergTable t(dir_.string(), std::make_shared<LocalStorage>(), std::move(o));
  auto s = t.Snapshot(std::nullopt);
  ASSERT_OK(s);
  ASSERT_TRUE((*s)->unreadable_reason);
  EXPECT_NE((*s)->unreadable_reason->find("it has 1 data files, and serving its renamed columns "
                                          "reads every file's footer (at most 0)"),
            std::string::npos)
      << *(*s)->unreadable_reason;
  // And by time (none at all here).
  IcebergTableOptions timed;
  timed.max_name_mapping_ms = -1;
  IcebergTable slow(dir_.string(), std::make_shared<LocalStorage>(), std::move(timed));
  s = slow.Snapshot(std::nullopt);
  ASSERT_OK(s);
  ASSERT_TRUE((*s)->unreadable_reason);
  EXPECT_NE((*s)->unreadable_reason->find("takes longer than -1 ms"), std::string::npos)
      << *(*s)->unreadable_reason;
}

TEST_F(EvolvedTable, BadNameMappingIsCorruption) {
  Evolve(R"([{"id":1,"name":"renamed","required":false,"type":"int"},
             {"id":2,"name":"b","required":false,"type":"string"}])");
  SetNameMapping(dir_, "not json");
  RewriteDataFiles(dir_, {"a", "b"});
  IcebergTable t(dir_.string(), std::make_shared<LocalStorage>());
  auto s = t.Snapshot(std::nullopt);
  EXPECT_EQ(s.status().code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace lakeshare
