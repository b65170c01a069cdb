#include "hudi/hudi_cdc.h"

#include <filesystem>
#include <fstream>
#include <set>
#include <tuple>

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

std::multiset<ChangeRow> ReadChangeRows(const DataFile& f) {
  std::multiset<ChangeRow> out;
  auto storage = std::make_shared<LocalStorage>();
  auto file = storage->OpenRandomAccess(f.path, f.size);
  EXPECT_OK(file);
  if (!file.ok()) return out;
  auto reader = parquet::ParquetReader::Open(std::move(*file));
  EXPECT_OK(reader);
  if (!reader.ok()) return out;
  const parquet::Schema& schema = reader->schema();
  for (int rg = 0; rg < reader->num_row_groups(); ++rg) {
    auto rows = hudi::ReadRowGroupRows(*reader, rg);
    EXPECT_OK(rows);
    if (!rows.ok()) return out;
    for (const hudi::Value& r : *rows) {
      const hudi::Value* id = hudi::RowField(r, schema, "id");
      const hudi::Value* ts = hudi::RowField(r, schema, "ts");
      const hudi::Value* kind = hudi::RowField(r, schema, "_change_type");
      EXPECT_NE(id, nullptr);
      EXPECT_NE(ts, nullptr);
      EXPECT_NE(kind, nullptr);
      if (id == nullptr || ts == nullptr || kind == nullptr) return out;
      out.emplace(id->i, ts->i, kind->s);
    }
  }
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
  std::shared_ptr<HudiTable> WriteAndOpen(bool with_merge_cache = true) {
    hudi::SyntheticTableOptions o;
    o.dir = tmp_.path() + "/cdc";
    o.files = 4;
    o.commits = 2;
    o.rows_per_file = 5;
    o.partitions = 2;
    o.cdc = true;
    auto made = hudi::GenerateSyntheticHudiTable(o);
    EXPECT_OK(made);
    if (made.ok()) {
      EXPECT_EQ(made->latest_version, 2);
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

}  // namespace
}  // namespace lakeshare
