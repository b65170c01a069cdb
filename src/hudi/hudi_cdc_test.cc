#include "hudi/hudi_cdc.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <tuple>

#include "hudi/hudi_file_index.h"
#include "hudi/hudi_rows.h"
#include "hudi/hudi_table.h"
#include "hudi/hudi_test_util.h"
#include "hudi/hudi_writer.h"
#include "parquet/parquet_reader.h"
#include "storage/local_storage.h"
#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

using ::lakeshare::testing::HudiTempDir;
using ::lakeshare::testing::OpenHudiTable;
using ::lakeshare::testing::StatusIs;
using ::testing::HasSubstr;

// (id, ts, _change_type) of every row of a cdf file.
using ChangeRow = std::tuple<int64_t, int64_t, std::string>;

// Calls `fn` with each row of the parquet file at `path` and its schema;
// stops (false) at the first failure, reported as a test failure.
bool ForEachRow(const std::string& path, int64_t size,
                const std::function<bool(const hudi::Value&, const parquet::Schema&)>& fn) {
  auto storage = std::make_shared<LocalStorage>();
  auto file = storage->OpenRandomAccess(path, size);
  EXPECT_OK(file);
  if (!file.ok()) return false;
  auto reader = parquet::ParquetReader::Open(std::move(*file));
  EXPECT_OK(reader);
  if (!reader.ok()) return false;
  for (int rg = 0; rg < reader->num_row_groups(); ++rg) {
    auto rows = hudi::ReadRowGroupRows(*reader, rg);
    EXPECT_OK(rows);
    if (!rows.ok()) return false;
    for (const hudi::Value& r : *rows) {
      if (!fn(r, reader->schema())) return false;
    }
  }
  return true;
}

std::multiset<ChangeRow> ReadChangeRows(const DataFile& f) {
  std::multiset<ChangeRow> out;
  ForEachRow(f.path.str(), f.size, [&](const hudi::Value& r, const parquet::Schema& schema) {
    const hudi::Value* id = hudi::RowField(r, schema, "id");
    const hudi::Value* ts = hudi::RowField(r, schema, "ts");
    const hudi::Value* kind = hudi::RowField(r, schema, "_change_type");
    EXPECT_NE(id, nullptr);
    EXPECT_NE(ts, nullptr);
    EXPECT_NE(kind, nullptr);
    if (id == nullptr || ts == nullptr || kind == nullptr) return false;
    out.emplace(id->i, ts->i, kind->s);
    return true;
  });
  return out;
}

std::vector<const FileChange*> OfType(const CommitChanges& c, ChangeType type) {
  std::vector<const FileChange*> out;
  for (const FileChange& ch : c.changes) {
    if (ch.type == type) out.push_back(&ch);
  }
  return out;
}

class HudiCdcTest : public ::testing::Test {
 protected:
  // 4 file groups of 5 rows (ids 0..19) inserted by versions 0 and 1; version
  // 2 rewrites group 0 (ids 0..4): deletes id 0, updates ids 1..4 (ts 1 -> 3),
  // inserts id 20, and logs it.
  std::shared_ptr<HudiTable> WriteAndOpen(bool with_merge_cache = true,
                                          const std::string& mode = "data_before_after",
                                          bool overwrite = false, int table_version = 9) {
    hudi::SyntheticTableOptions o;
    o.dir = tmp_.path() + "/cdc";
    o.files = 4;
    o.commits = 2;
    o.rows_per_file = 5;
    o.partitions = 2;
    o.cdc = true;
    o.cdc_mode = mode;
    o.overwrite_partition = overwrite;
    o.table_version = table_version;
    auto made = hudi::GenerateSyntheticHudiTable(o);
    EXPECT_OK(made);
    if (made.ok()) {
      EXPECT_EQ(made->latest_version, overwrite ? 3 : 2);
    }
    HudiTableOptions options;
    options.cache = &cache_;
    if (with_merge_cache) {
      auto mc = ContentCache::Open({tmp_.path() + "/merge-cache"});
      EXPECT_OK(mc);
      if (mc.ok()) options.merge_cache = *mc;
    }
    return OpenHudiTable(o.dir, std::move(options));
  }
  HudiTempDir tmp_;
  SnapshotCache cache_{int64_t{1} << 26};
};

TEST_F(HudiCdcTest, ChangeLogsAndNewFileGroupsBecomeCdfFiles) {
  auto t = WriteAndOpen();
  ASSERT_OK_AND_ASSIGN(auto changes, t->Changes(0, 2));
  ASSERT_EQ(changes.size(), 3u);

  // Versions 0 and 1 created groups 0, 1 and 2, 3: every row inserted.
  for (int v = 0; v < 2; ++v) {
    auto cdf = OfType(changes[v], ChangeType::kCdc);
    ASSERT_EQ(cdf.size(), 2u);
    std::multiset<ChangeRow> got, want;
    for (const FileChange* ch : cdf) {
      EXPECT_EQ(ch->file.modification_time, changes[v].timestamp_ms);
      EXPECT_EQ(ch->file.partition_values.size(), 1u);
      got.merge(ReadChangeRows(ch->file));
    }
    for (int64_t id = 10 * v; id < 10 * v + 10; ++id) want.emplace(id, 1, "insert");
    EXPECT_EQ(got, want) << "version " << v;
  }

  // Version 2: the change log of the rewrite.
  auto v2 = OfType(changes[2], ChangeType::kCdc);
  ASSERT_EQ(v2.size(), 1u);
  EXPECT_EQ(v2[0]->file.partition_values.at("day"), "2024-01-01");
  std::multiset<ChangeRow> want = {{0, 1, "delete"}, {20, 3, "insert"}};
  for (int64_t id = 1; id < 5; ++id) {
    want.emplace(id, 1, "update_preimage");
    want.emplace(id, 3, "update_postimage");
  }
  EXPECT_EQ(ReadChangeRows(v2[0]->file), want);

  // A second call finds the files in the merge cache.
  ASSERT_OK_AND_ASSIGN(auto again, t->Changes(2, 2));
  auto cached = OfType(again[0], ChangeType::kCdc);
  ASSERT_EQ(cached.size(), 1u);
  EXPECT_EQ(cached[0]->file.path, v2[0]->file.path);
  EXPECT_EQ(cached[0]->file.size, v2[0]->file.size);
}

TEST_F(HudiCdcTest, WithoutAMergeCacheOnlyFileLevelChanges) {
  auto t = WriteAndOpen(false);
  ASSERT_OK_AND_ASSIGN(auto changes, t->Changes(1, 2));
  for (const CommitChanges& c : changes) EXPECT_TRUE(OfType(c, ChangeType::kCdc).empty());
  EXPECT_EQ(OfType(changes[1], ChangeType::kAdd).size(), 1u);
}

TEST_F(HudiCdcTest, DamagedOrMissingChangeLogsAreCorruption) {
  auto t = WriteAndOpen();
  std::string log;
  for (const auto& e : std::filesystem::recursive_directory_iterator(tmp_.path() + "/cdc")) {
    if (e.path().filename().string().find("-cdc") != std::string::npos) log = e.path().string();
  }
  ASSERT_FALSE(log.empty());
  {
    std::ofstream out(log, std::ios::trunc);
    out << "not a log file";
  }
  EXPECT_THAT(t->Changes(2, 2), StatusIs(StatusCode::kCorruption, HasSubstr("#HUDI#")));
  std::filesystem::remove(log);
  EXPECT_THAT(t->Changes(2, 2), StatusIs(StatusCode::kCorruption, HasSubstr("missing")));
}

// (id, ts, value, name, _change_type) of every row of a cdf file, or of a
// data file (kind "").
using FullRow = std::tuple<int64_t, int64_t, double, std::string, std::string>;

std::vector<FullRow> ReadFullRows(const std::string& path) {
  std::vector<FullRow> out;
  auto size = LocalStorage().Head(path);
  EXPECT_OK(size);
  if (!size.ok()) return out;
  ForEachRow(path, size->size, [&](const hudi::Value& r, const parquet::Schema& schema) {
    const hudi::Value* id = hudi::RowField(r, schema, "id");
    const hudi::Value* ts = hudi::RowField(r, schema, "ts");
    const hudi::Value* value = hudi::RowField(r, schema, "value");
    const hudi::Value* name = hudi::RowField(r, schema, "name");
    const hudi::Value* kind = hudi::RowField(r, schema, "_change_type");
    EXPECT_TRUE(id && ts && value && name);
    if (!(id && ts && value && name)) return false;
    out.emplace_back(id->i, ts->i, value->d, name->s, kind ? kind->s : "");
    return true;
  });
  return out;
}

// The base files of the table by file id, oldest first (names sort by
// instant within a group: <fileId>_<token>_<instant>.parquet).
std::map<std::string, std::vector<std::string>> BaseFilesByGroup(const std::string& root) {
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> found;
  for (const auto& e : std::filesystem::recursive_directory_iterator(root)) {
    const std::string name = e.path().filename().string();
    if (e.path().extension() != ".parquet" || name[0] == '.') continue;
    if (e.path().string().find("/.hoodie/") != std::string::npos) continue;
    const std::string instant = name.substr(name.rfind('_') + 1);
    found[name.substr(0, name.find('_'))].emplace_back(instant, e.path().string());
  }
  std::map<std::string, std::vector<std::string>> out;
  for (auto& [id, files] : found) {
    std::sort(files.begin(), files.end());
    for (auto& f : files) out[id].push_back(f.second);
  }
  return out;
}

std::multiset<FullRow> Marked(const std::vector<FullRow>& rows, const std::string& kind) {
  std::multiset<FullRow> out;
  for (FullRow r : rows) {
    std::get<4>(r) = kind;
    out.insert(std::move(r));
  }
  return out;
}

// The changes between two versions of a file group's rows, by record key
// (id): what Hudi's CDC reader reports for a rewrite.
std::multiset<FullRow> DiffByKey(const std::vector<FullRow>& before,
                                 const std::vector<FullRow>& after) {
  std::map<int64_t, FullRow> old_rows, new_rows;
  for (const FullRow& r : before) old_rows[std::get<0>(r)] = r;
  for (const FullRow& r : after) new_rows[std::get<0>(r)] = r;
  std::multiset<FullRow> out;
  for (auto [id, r] : old_rows) {
    if (new_rows.count(id) == 0) {
      std::get<4>(r) = "delete";
      out.insert(r);
    }
  }
  for (auto [id, r] : new_rows) {
    auto old = old_rows.find(id);
    if (old == old_rows.end()) {
      std::get<4>(r) = "insert";
      out.insert(r);
      continue;
    }
    FullRow pre = old->second;
    std::get<4>(pre) = "update_preimage";
    std::get<4>(r) = "update_postimage";
    out.insert(pre);
    out.insert(r);
  }
  return out;
}

class HudiCdcModeTest : public HudiCdcTest,
                        public ::testing::WithParamInterface<std::tuple<std::string, int>> {};

TEST_P(HudiCdcModeTest, EveryVersionIsServedAsChangeData) {
  const auto& [mode, table_version] = GetParam();
  auto t = WriteAndOpen(true, mode, true, table_version);
  ASSERT_OK_AND_ASSIGN(auto changes, t->Changes(0, 3));
  ASSERT_EQ(changes.size(), 4u);
  for (const CommitChanges& c : changes) {
    EXPECT_FALSE(OfType(c, ChangeType::kCdc).empty()) << "version " << c.version;
  }
  auto got = [&](int v) {
    std::multiset<FullRow> out;
    for (const FileChange* ch : OfType(changes[static_cast<size_t>(v)], ChangeType::kCdc)) {
      for (FullRow& r : ReadFullRows(ch->file.path.str())) out.insert(std::move(r));
    }
    return out;
  };
  // The expected changes, from the data files alone.
  auto bases = BaseFilesByGroup(tmp_.path() + "/cdc");
  ASSERT_EQ(bases.size(), 5u);
  std::vector<std::vector<std::string>> groups;
  for (auto& [id, files] : bases) groups.push_back(files);  // file ids sort by group number
  std::multiset<FullRow> v0, v1;
  for (int g = 0; g < 4; ++g) {
    (g < 2 ? v0 : v1).merge(Marked(ReadFullRows(groups[static_cast<size_t>(g)][0]), "insert"));
  }
  EXPECT_EQ(got(0), v0);
  EXPECT_EQ(got(1), v1);
  // Version 2 rewrote group 0: one row deleted, four updated, one inserted.
  ASSERT_EQ(groups[0].size(), 2u);
  auto v2 = DiffByKey(ReadFullRows(groups[0][0]), ReadFullRows(groups[0][1]));
  EXPECT_EQ(v2.size(), 10u);
  EXPECT_EQ(got(2), v2);
  // Version 3 overwrote the second partition (groups 1 and 3) with group 4.
  std::multiset<FullRow> v3 = Marked(ReadFullRows(groups[4][0]), "insert");
  v3.merge(Marked(ReadFullRows(groups[1][0]), "delete"));
  v3.merge(Marked(ReadFullRows(groups[3][0]), "delete"));
  EXPECT_EQ(v3.size(), 15u);
  EXPECT_EQ(got(3), v3);
  // Replaced groups' deletes and the new group's inserts carry the partition.
  for (const FileChange* ch : OfType(changes[3], ChangeType::kCdc)) {
    EXPECT_EQ(ch->file.partition_values.at("day"), "2024-01-02");
  }
}

INSTANTIATE_TEST_SUITE_P(Modes, HudiCdcModeTest,
                         ::testing::Combine(::testing::Values("data_before_after", "data_before",
                                                              "op_key_only"),
                                            ::testing::Values(6, 9)),
                         [](const auto& info) {
                           return std::get<0>(info.param) + "_v" +
                                  std::to_string(std::get<1>(info.param));
                         });

TEST_F(HudiCdcTest, ImagesFromBaseFilesCarryTheirMetaFields) {
  // op_key_only: the pre-image is the previous base file's row (its commit
  // time), the post-image the new one's.
  auto t = WriteAndOpen(true, "op_key_only");
  ASSERT_OK_AND_ASSIGN(auto changes, t->Changes(2, 2));
  auto cdf = OfType(changes[0], ChangeType::kCdc);
  ASSERT_EQ(cdf.size(), 1u);
  auto storage = std::make_shared<LocalStorage>();
  auto file = storage->OpenRandomAccess(cdf[0]->file.path.str(), cdf[0]->file.size);
  ASSERT_OK(file);
  ASSERT_OK_AND_ASSIGN(auto reader, parquet::ParquetReader::Open(std::move(*file)));
  ASSERT_OK_AND_ASSIGN(auto rows, hudi::ReadRowGroupRows(reader, 0));
  std::set<std::pair<std::string, std::string>> seen;  // (kind, commit time)
  for (const hudi::Value& r : rows) {
    const hudi::Value* time = hudi::RowField(r, reader.schema(), "_hoodie_commit_time");
    const hudi::Value* kind = hudi::RowField(r, reader.schema(), "_change_type");
    ASSERT_TRUE(time && kind);
    seen.emplace(kind->s, time->s);
  }
  // Ids 0..4 were inserted by the first commit, rewritten by the third.
  std::set<std::string> pre, post;
  for (const auto& [kind, time] : seen) {
    if (kind == "update_preimage" || kind == "delete") pre.insert(time);
    if (kind == "update_postimage" || kind == "insert") post.insert(time);
  }
  EXPECT_EQ(pre.size(), 1u);
  EXPECT_EQ(post.size(), 1u);
  EXPECT_NE(*pre.begin(), *post.begin());
}

TEST_F(HudiCdcTest, AKeyTheBaseFileLacksIsCorruption) {
  // op_key_only looks images up by key: a log naming a row its new base file
  // lacks (here: the previous base file given as the new one, without the
  // inserted id 20) is a corrupt table.
  WriteAndOpen(true, "op_key_only");
  const std::string root = tmp_.path() + "/cdc";
  auto bases = BaseFilesByGroup(root);
  const auto& group0 = bases.begin()->second;
  ASSERT_EQ(group0.size(), 2u);
  hudi::ChangeLogInputs in;
  in.storage = std::make_shared<LocalStorage>();
  in.table_root = root;
  for (const auto& e : std::filesystem::recursive_directory_iterator(root)) {
    if (e.path().filename().string().find("-cdc") != std::string::npos) {
      in.log_path = std::filesystem::relative(e.path(), root).string();
    }
  }
  ASSERT_FALSE(in.log_path.empty());
  ASSERT_OK_AND_ASSIGN(
      auto schema,
      hudi::ParseAvroSchema(
          R"({"type":"record","name":"r","fields":[{"name":"id","type":["null","long"]},)"
          R"({"name":"ts","type":["null","long"]},{"name":"day","type":["null","string"]},)"
          R"({"name":"value","type":["null","double"]},{"name":"name","type":["null","string"]}]})"));
  in.schema = schema.get();
  const std::string old_base = std::filesystem::relative(group0[0], root).string();
  const auto old_size = static_cast<int64_t>(std::filesystem::file_size(group0[0]));
  in.before = {old_base, old_size};
  in.after = {old_base, old_size};
  int64_t rows = 0;
  EXPECT_THAT(hudi::CdcLogAsChangeFile(in, &rows),
              StatusIs(StatusCode::kCorruption, HasSubstr("record key '20'")));
  in.after = {};
  EXPECT_THAT(hudi::CdcLogAsChangeFile(in, &rows),
              StatusIs(StatusCode::kCorruption, HasSubstr("does not name")));
  in.after = {std::filesystem::relative(group0[1], root).string(),
              static_cast<int64_t>(std::filesystem::file_size(group0[1]))};
  ASSERT_OK(hudi::CdcLogAsChangeFile(in, &rows).status());
  EXPECT_EQ(rows, 10);
}

TEST_F(HudiCdcTest, ChangeLogsPastTheLogLimitAreTooLarge) {
  hudi::SyntheticTableOptions o;
  o.dir = tmp_.path() + "/cdc";
  o.files = 2;
  o.commits = 1;
  o.rows_per_file = 5;
  o.partitions = 1;
  o.cdc = true;
  o.cdc_mode = "data_before";
  ASSERT_OK(hudi::GenerateSyntheticHudiTable(o).status());
  HudiTableOptions options;
  options.cache = &cache_;
  ASSERT_OK_AND_ASSIGN(options.merge_cache, ContentCache::Open({tmp_.path() + "/merge-cache"}));
  options.slice_limits.max_log_records = 3;
  auto t = OpenHudiTable(o.dir, options);
  EXPECT_THAT(t->Changes(1, 1), StatusIs(StatusCode::kTooLarge, HasSubstr("records")));
  options.slice_limits = {};
  options.slice_limits.max_base_bytes = 16;
  t = OpenHudiTable(o.dir, options);
  EXPECT_THAT(t->Changes(1, 1), StatusIs(StatusCode::kTooLarge, HasSubstr("too large")));
}

TEST_F(HudiCdcTest, MergeOnReadLogFilesAreInferredChanges) {
  // LOG_FILE: a deltacommit updating 2 of every group's 5 rows (ts 1 -> 2,
  // value negated), then one deleting the first row of every group.
  for (int table_version : {6, 9}) {
    SCOPED_TRACE(table_version);
    const std::string dir = tmp_.path() + "/mor" + std::to_string(table_version);
    hudi::SyntheticTableOptions o;
    o.dir = dir;
    o.table_version = table_version;
    o.merge_on_read = true;
    o.files = 4;
    o.commits = 2;
    o.rows_per_file = 5;
    o.partitions = 2;
    o.update_fraction = 0.4;
    o.delete_fraction = 0.2;
    o.cdc = true;
    ASSERT_OK_AND_ASSIGN(auto made, hudi::GenerateSyntheticHudiTable(o));
    ASSERT_EQ(made.latest_version, 3);
    HudiTableOptions options;
    options.cache = &cache_;
    ASSERT_OK_AND_ASSIGN(options.merge_cache, ContentCache::Open({dir + "-merge-cache"}));
    auto t = OpenHudiTable(dir, options);
    ASSERT_OK_AND_ASSIGN(auto changes, t->Changes(0, 3));
    ASSERT_EQ(changes.size(), 4u);
    std::vector<std::multiset<FullRow>> got(4);
    for (int v = 0; v < 4; ++v) {
      for (const FileChange* ch : OfType(changes[static_cast<size_t>(v)], ChangeType::kCdc)) {
        for (FullRow& r : ReadFullRows(ch->file.path.str())) got[static_cast<size_t>(v)].insert(r);
      }
    }
    // The synthetic table's rows: id, ts 1, value id * 1.5, name-<id>.
    auto row = [](int64_t id, int64_t ts, double sign, const char* kind) {
      return FullRow{id, ts, sign * static_cast<double>(id) * 1.5, "name-" + std::to_string(id),
                     kind};
    };
    std::vector<std::multiset<FullRow>> want(4);
    for (int64_t g = 0; g < 4; ++g) {
      for (int64_t k = 0; k < 5; ++k) {
        want[static_cast<size_t>(g / 2)].insert(row(g * 5 + k, 1, 1, "insert"));
      }
      for (int64_t k = 0; k < 2; ++k) {
        want[2].insert(row(g * 5 + k, 1, 1, "update_preimage"));
        want[2].insert(row(g * 5 + k, 2, -1, "update_postimage"));
      }
      want[3].insert(row(g * 5, 2, -1, "delete"));
    }
    for (int v = 0; v < 4; ++v)
      EXPECT_EQ(got[static_cast<size_t>(v)], want[static_cast<size_t>(v)]) << v;
  }
}

TEST_F(HudiCdcTest, ADeleteThatEmptiesABaseFileDeletesItsRows) {
  // BASE_FILE_DELETE: a DELETE commit that wrote no row (an empty base file,
  // no change log): every row of the group's previous base file is deleted.
  hudi::SyntheticTableOptions o;
  o.dir = tmp_.path() + "/cdc";
  o.files = 2;
  o.commits = 1;
  o.rows_per_file = 5;
  o.partitions = 1;
  o.cdc = true;
  o.delete_group = true;
  ASSERT_OK_AND_ASSIGN(auto made, hudi::GenerateSyntheticHudiTable(o));
  ASSERT_EQ(made.latest_version, 2);
  HudiTableOptions options;
  options.cache = &cache_;
  ASSERT_OK_AND_ASSIGN(options.merge_cache, ContentCache::Open({tmp_.path() + "/merge-cache"}));
  auto t = OpenHudiTable(o.dir, options);
  ASSERT_OK_AND_ASSIGN(auto changes, t->Changes(2, 2));
  auto cdf = OfType(changes[0], ChangeType::kCdc);
  ASSERT_EQ(cdf.size(), 1u);
  // Group 0's base files: inserted, rewritten (version 1), emptied.
  const auto group0 = BaseFilesByGroup(o.dir).begin()->second;
  ASSERT_EQ(group0.size(), 3u);
  EXPECT_TRUE(ReadFullRows(group0[2]).empty());
  std::multiset<FullRow> got;
  for (FullRow& r : ReadFullRows(cdf[0]->file.path.str())) got.insert(r);
  EXPECT_EQ(got, Marked(ReadFullRows(group0[1]), "delete"));
  EXPECT_EQ(got.size(), 5u);
}

TEST(HudiCdcLogName, BothChangeLogSuffixesAreChangeLogs) {
  // Hudi names change logs "...-cdc" before 1.0 and "....cdc" after; neither
  // is a data log of its file group.
  for (const char* name :
       {".f-0_20240101000000000.log.1_0-2-0-cdc", ".f-0_20240101000000000.log.1_0-2-0.cdc"}) {
    auto log = hudi::ParseLogFileName(name);
    ASSERT_TRUE(log.has_value()) << name;
    EXPECT_TRUE(log->cdc) << name;
    EXPECT_EQ(log->write_token, "0-2-0") << name;
    EXPECT_EQ(log->version, 1) << name;
  }
  auto data = hudi::ParseLogFileName(".f-0_20240101000000000.log.1_0-2-0");
  ASSERT_TRUE(data.has_value());
  EXPECT_FALSE(data->cdc);
}

}  // namespace
}  // namespace lakeshare
