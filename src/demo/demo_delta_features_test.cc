#include "demo/demo_delta_features.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "common/encoding.h"
#include "delta/delta_column_mapping.h"
#include "delta/delta_log_listing.h"
#include "delta/delta_table.h"
#include "delta/dv_descriptor.h"
#include "demo/demo_delta_writer.h"
#include "parquet/metadata_parser.h"
#include "storage/local_storage.h"
#include "table/deletion_vector_bytes.h"
#include "testing/parquet_column_decoder.h"
#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
namespace pq = lakeshare::parquet;
using ::lakeshare::testing::StatusIs;

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The actions of one commit, each {"<kind>": {...}}.
std::vector<json::object> CommitActions(const fs::path& table, int64_t version) {
  std::vector<json::object> out;
  std::istringstream lines(ReadAll(table / "_delta_log" / DeltaCommitFileName(version)));
  std::string line;
  while (std::getline(lines, line)) out.push_back(json::parse(line).as_object());
  return out;
}

// The string cells of parquet column `col` of a data file.
std::vector<std::string> StringColumn(const fs::path& file, size_t col) {
  std::string bytes = ReadAll(file);
  auto md = pq::ParseFileFooter(bytes);
  EXPECT_OK(md);
  if (!md.ok()) return {};
  auto data = testing::DecodeColumnChunk(bytes, *md, 0, col);
  EXPECT_OK(data);
  if (!data.ok()) return {};
  return std::get<std::vector<std::string>>(data->values);
}

class DemoDeltaFeaturesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir = new fs::path(fs::temp_directory_path() /
                       ("ls_demo_features_" + std::to_string(::getpid())));
    fs::remove_all(*dir);
    auto written = WriteDemoDeltaFeatureTables(dir->string());
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
  static std::unique_ptr<DeltaTable> Open(const std::string& name) {
    return std::make_unique<DeltaTable>((*dir / name).string(), std::make_shared<LocalStorage>());
  }

  static fs::path* dir;
  static std::vector<DemoTable>* tables;
};

fs::path* DemoDeltaFeaturesTest::dir = nullptr;
std::vector<DemoTable>* DemoDeltaFeaturesTest::tables = nullptr;

// The positions a file's deletion vector hides, read back from the log's
// descriptor (inline Z85, or the DV file at its offset).
std::vector<uint64_t> DeletedPositions(const fs::path& root, const DeletionVector& dv) {
  std::string bitmap;
  if (dv.storage_type == "i") {
    auto bytes = Z85Decode(dv.path_or_inline_dv);
    EXPECT_TRUE(bytes.has_value());
    if (!bytes) return {};
    bitmap = bytes->substr(0, static_cast<size_t>(dv.size_in_bytes));
  } else {
    EXPECT_EQ(dv.storage_type, "u");
    auto relative = DeletionVectorRelativePath(dv);
    EXPECT_OK(relative);
    if (!relative.ok()) return {};
    EXPECT_EQ(relative->rfind("deletion_vector_", 0), 0u) << *relative;
    EXPECT_TRUE(dv.offset.has_value());
    auto read = ReadDeletionVectorFile(ReadAll(root / *relative), dv.offset.value_or(0));
    EXPECT_TRUE(read.has_value()) << "size or CRC wrong at offset " << dv.offset.value_or(0);
    if (!read) return {};
    bitmap = *read;
  }
  EXPECT_EQ(static_cast<int32_t>(bitmap.size()), dv.size_in_bytes);
  auto positions = ParseRoaringBitmapArray(bitmap);
  EXPECT_TRUE(positions.has_value());
  return positions.value_or(std::vector<uint64_t>{});
}

TEST_F(DemoDeltaFeaturesTest, DeletionVectorsReplayThroughDeltaTable) {
  const fs::path root = *dir / "shipments";
  auto table = Open("shipments");
  ASSERT_OK_AND_ASSIGN(auto snap, table->Snapshot(std::nullopt));
  EXPECT_EQ(snap->version, 3);
  EXPECT_EQ(Table("shipments").latest_version, 3);
  EXPECT_EQ(snap->protocol.min_reader_version, 3);
  EXPECT_EQ(snap->protocol.min_writer_version, 7);
  EXPECT_EQ(snap->protocol.reader_features, std::vector<std::string>{"deletionVectors"});
  EXPECT_EQ(snap->protocol.writer_features, std::vector<std::string>{"deletionVectors"});
  EXPECT_EQ(snap->metadata.configuration.at("delta.enableDeletionVectors"), "true");

  int64_t live = 0, physical = 0;
  ASSERT_EQ(snap->files.size(), 3u);
  for (const DataFile& f : snap->files) {
    SCOPED_TRACE(f.path);
    ASSERT_TRUE(f.deletion_vector);
    json::value stats = json::parse(*f.stats);
    const int64_t records = stats.at("numRecords").as_int64();
    EXPECT_FALSE(stats.at("tightBounds").as_bool());
    std::vector<uint64_t> deleted = DeletedPositions(root, *f.deletion_vector);
    EXPECT_EQ(static_cast<int64_t>(deleted.size()), f.deletion_vector->cardinality);
    // Deleted rows are exactly the cancelled and the pigeon-post shipments.
    auto carriers = StringColumn(root / *PercentDecode(f.path), 2);
    auto statuses = StringColumn(root / *PercentDecode(f.path), 3);
    ASSERT_EQ(static_cast<int64_t>(statuses.size()), records);
    std::set<uint64_t> gone(deleted.begin(), deleted.end());
    for (size_t r = 0; r < statuses.size(); ++r) {
      EXPECT_EQ(gone.count(r) == 1, statuses[r] == "cancelled" || carriers[r] == "Pigeon Post")
          << "row " << r;
    }
    physical += records;
    live += records - f.deletion_vector->cardinality;
  }
  EXPECT_EQ(physical, 100);
  EXPECT_EQ(live, 100 - 11 - 4);
  EXPECT_EQ(live, Table("shipments").num_rows);
  EXPECT_EQ(Table("shipments").num_files, 3);
}

TEST_F(DemoDeltaFeaturesTest, SmallDeletionVectorsAreInlineOthersShareADvFile) {
  const fs::path root = *dir / "shipments";
  ASSERT_OK_AND_ASSIGN(auto v2, Open("shipments")->Snapshot(2));
  std::map<std::string, int> by_type;
  std::set<int32_t> offsets;
  std::set<std::string> dv_files;
  for (const DataFile& f : v2->files) {
    ASSERT_TRUE(f.deletion_vector);
    const DeletionVector& dv = *f.deletion_vector;
    ++by_type[dv.storage_type];
    EXPECT_EQ(static_cast<int64_t>(DeletedPositions(root, dv).size()), dv.cardinality);
    if (dv.storage_type == "u") {
      EXPECT_EQ(dv.cardinality, 4);
      offsets.insert(*dv.offset);
      dv_files.insert(dv.path_or_inline_dv);
    } else {
      EXPECT_EQ(dv.cardinality, 3);
      EXPECT_FALSE(dv.offset.has_value());
    }
  }
  EXPECT_EQ(by_type, (std::map<std::string, int>{{"i", 1}, {"u", 2}}));
  EXPECT_EQ(dv_files.size(), 1u);  // one DV file per commit ...
  EXPECT_EQ(offsets.size(), 2u);   // ... holding both bitmaps
  EXPECT_TRUE(offsets.count(1));

  // v2 removes the files as v1 left them (no DV), v3 removes them with v2's DVs.
  for (int64_t version : {2, 3}) {
    int removes = 0, adds = 0;
    for (const json::object& a : CommitActions(root, version)) {
      if (a.contains("remove")) {
        ++removes;
        EXPECT_EQ(a.at("remove").as_object().contains("deletionVector"), version == 3);
      }
      if (a.contains("add")) {
        ++adds;
        EXPECT_TRUE(a.at("add").as_object().contains("deletionVector"));
      }
      if (a.contains("commitInfo")) {
        EXPECT_EQ(a.at("commitInfo").at("operation").as_string(), "DELETE");
      }
    }
    EXPECT_EQ(removes, 3);
    EXPECT_EQ(adds, 3);
  }
  // Before the deletes, every row is live.
  ASSERT_OK_AND_ASSIGN(auto v1, Open("shipments")->Snapshot(1));
  for (const DataFile& f : v1->files) EXPECT_FALSE(f.deletion_vector);
}

TEST_F(DemoDeltaFeaturesTest, ColumnMappingReplaysWithLogicalNames) {
  const fs::path root = *dir / "contacts";
  auto table = Open("contacts");
  ASSERT_OK_AND_ASSIGN(auto latest, table->Snapshot(std::nullopt));
  ASSERT_OK_AND_ASSIGN(auto before, table->Snapshot(1));
  EXPECT_EQ(latest->version, 2);
  EXPECT_EQ(latest->protocol.min_reader_version, 2);
  EXPECT_EQ(latest->protocol.min_writer_version, 5);
  EXPECT_EQ(ColumnMappingMode(latest->metadata), "name");
  EXPECT_EQ(latest->metadata.configuration.at("delta.columnMapping.maxColumnId"), "6");
  EXPECT_EQ(latest->metadata.id, before->metadata.id);

  auto now = LogicalToPhysicalColumns(latest->metadata.schema_string);
  auto then = LogicalToPhysicalColumns(before->metadata.schema_string);
  EXPECT_FALSE(now.count("phone"));
  ASSERT_TRUE(now.count("mobile_phone"));
  ASSERT_TRUE(then.count("phone"));
  EXPECT_FALSE(then.count("mobile_phone"));
  EXPECT_EQ(now.at("mobile_phone"), then.at("phone"));  // a rename keeps the physical name
  EXPECT_EQ(now.at("mobile_phone").rfind("col-", 0), 0u);
  EXPECT_EQ(now.at("mobile_phone").size(), 4u + 36u);

  // The rename is metadata only: commitInfo and metaData, the files unchanged.
  std::vector<json::object> v2 = CommitActions(root, 2);
  ASSERT_EQ(v2.size(), 2u);
  EXPECT_EQ(v2[0].at("commitInfo").at("operation").as_string(), "RENAME COLUMN");
  EXPECT_TRUE(v2[1].contains("metaData"));
  ASSERT_EQ(latest->files.size(), before->files.size());

  // The parquet files carry the physical names and the fields' ids; stats
  // are keyed by physical names.
  json::value schema = json::parse(latest->metadata.schema_string);
  const json::array& fields = schema.at("fields").as_array();
  ASSERT_EQ(fields.size(), 6u);
  int64_t rows = 0;
  for (const DataFile& f : latest->files) {
    SCOPED_TRACE(f.path);
    std::string bytes = ReadAll(root / *PercentDecode(f.path));
    ASSERT_OK_AND_ASSIGN(pq::FileMetaData md, pq::ParseFileFooter(bytes));
    ASSERT_EQ(md.schema.size(), fields.size() + 1);
    json::value stats = json::parse(*f.stats);
    for (size_t i = 0; i < fields.size(); ++i) {
      const json::object& meta = fields[i].at("metadata").as_object();
      const std::string physical(meta.at("delta.columnMapping.physicalName").as_string());
      EXPECT_EQ(md.schema[i + 1].name, physical);
      EXPECT_EQ(md.schema[i + 1].field_id, meta.at("delta.columnMapping.id").as_int64());
      EXPECT_EQ(meta.at("delta.columnMapping.id").as_int64(), static_cast<int64_t>(i) + 1);
      EXPECT_TRUE(stats.at("nullCount").as_object().contains(physical));
    }
    rows += md.num_rows;
  }
  EXPECT_EQ(rows, 40);
  EXPECT_EQ(rows, Table("contacts").num_rows);
}

TEST_F(DemoDeltaFeaturesTest, RefusesToOverwriteAndIsDeterministic) {
  EXPECT_THAT(WriteDemoDeltaFeatureTables(dir->string()).status(),
              StatusIs(StatusCode::kFailedPrecondition));
  fs::path other = fs::temp_directory_path() / ("ls_demo_features2_" + std::to_string(::getpid()));
  fs::remove_all(other);
  ASSERT_OK(WriteDemoDeltaFeatureTables(other.string()).status());
  size_t compared = 0;
  for (const auto& entry : fs::recursive_directory_iterator(*dir)) {
    const std::string ext = entry.path().extension().string();
    if (ext != ".parquet" && ext != ".bin") continue;
    fs::path twin = other / fs::relative(entry.path(), *dir);
    ASSERT_TRUE(fs::exists(twin)) << twin;
    EXPECT_EQ(ReadAll(entry.path()), ReadAll(twin));
    ++compared;
  }
  EXPECT_EQ(compared, 3u + 3u + 2u);  // shipments' and contacts' files, one DV file per delete
  fs::remove_all(other);
}

TEST(DemoDeltaWriterTest, FeaturesNeedTheirTableProperties) {
  fs::path root = fs::temp_directory_path() / ("ls_demo_writer_" + std::to_string(::getpid()));
  fs::remove_all(root);
  DemoTableSpec plain{"plain", "", {{"id", DemoFieldType::kLong, false, ""}}, {}, {}};
  DemoDeltaWriter w(root / "plain", plain, 1, 0);
  ASSERT_OK(w.Init());
  EXPECT_THAT(w.CommitRenameColumn("id", "key"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(w.CommitDeleteWithDeletionVectors(
                  "true", [](const DemoRow&) { return true; }, 0),
              StatusIs(StatusCode::kInvalidArgument));
  DemoTableSpec mapped = plain;
  mapped.partition_columns = {"id"};
  mapped.configuration = {{"delta.columnMapping.mode", "name"}};
  DemoDeltaWriter m(root / "mapped", mapped, 1, 0);
  EXPECT_THAT(m.Init(), StatusIs(StatusCode::kInvalidArgument));
  fs::remove_all(root);
}

}  // namespace
}  // namespace lakeshare
