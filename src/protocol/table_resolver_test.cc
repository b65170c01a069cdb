#include "protocol/table_resolver.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "protocol/builtin_table_formats.h"
#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

using ::lakeshare::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

const std::string kTestData = LAKESHARE_TESTDATA_DIR;

TableInfo Table(std::string format, std::string location) {
  TableInfo t;
  t.share = "s";
  t.schema = "sc";
  t.name = "t";
  t.format = std::move(format);
  t.location = std::move(location);
  return t;
}

std::shared_ptr<StorageRegistry> Storage() {
  return std::make_shared<StorageRegistry>("resolver-test-signing-key");
}

TEST(TableResolverTest, BuiltinFormatsAreDeltaHudiAndIceberg) {
  EXPECT_THAT(BuiltinTableFormats()->Names(), ElementsAre("delta", "hudi", "iceberg"));
}

TEST(TableResolverTest, HudiViewsAreReadersOfTheirOwn) {
  TableResolver resolver(Storage(), BuiltinTableFormats());
  const std::string hudi = kTestData + "/hudi/some_table";
  ASSERT_OK_AND_ASSIGN(ResolvedTable snapshot, resolver.Resolve(Table("hudi", hudi)));
  TableInfo ro = Table("hudi", hudi);
  ro.format_options["hudiView"] = "read_optimized";
  ASSERT_OK_AND_ASSIGN(ResolvedTable a, resolver.Resolve(ro));
  ASSERT_OK_AND_ASSIGN(ResolvedTable b, resolver.Resolve(ro));
  EXPECT_EQ(a.format.get(), b.format.get());
  EXPECT_NE(a.format.get(), snapshot.format.get());
  EXPECT_EQ(a.location, snapshot.location);  // the view is not part of where files lie
  ro.format_options["hudiView"] = "incremental";
  EXPECT_THAT(resolver.Resolve(ro), StatusIs(StatusCode::kInvalidArgument, HasSubstr("hudiView")));
}

TEST(TableResolverTest, ResolvesDeltaAndIcebergTables) {
  std::shared_ptr<StorageRegistry> storage = Storage();
  TableResolver resolver(storage, BuiltinTableFormats());
  std::string delta = kTestData + "/delta/delta-rs/delta-0.8.0-partitioned";
  ASSERT_OK_AND_ASSIGN(ResolvedTable d, resolver.Resolve(Table("delta", delta)));
  ASSERT_OK_AND_ASSIGN(std::string normalized, storage->NormalizeLocation(delta));
  EXPECT_EQ(d.location, normalized);
  ASSERT_OK_AND_ASSIGN(int64_t version, d.format->LatestVersion());
  EXPECT_EQ(version, 0);
  ASSERT_NE(d.backend.signer, nullptr);

  // An Iceberg table configured by its metadata file has its files in the
  // table folder above it.
  std::string iceberg = kTestData + "/iceberg/duckdb-iceberg/partition_integer";
  ASSERT_OK_AND_ASSIGN(ResolvedTable i,
                       resolver.Resolve(Table("iceberg", iceberg + "/metadata/v2.metadata.json")));
  ASSERT_OK_AND_ASSIGN(normalized, storage->NormalizeLocation(iceberg));
  EXPECT_EQ(i.location, normalized);
  ASSERT_OK_AND_ASSIGN(std::shared_ptr<const TableSnapshot> snapshot, i.format->Snapshot({}));
  EXPECT_GT(snapshot->files.size(), 0u);
}

TEST(TableResolverTest, SharesOneReaderPerTable) {
  TableResolver resolver(Storage(), BuiltinTableFormats());
  std::string delta = kTestData + "/delta/delta-rs/simple_table";
  ASSERT_OK_AND_ASSIGN(ResolvedTable a, resolver.Resolve(Table("delta", delta)));
  ASSERT_OK_AND_ASSIGN(ResolvedTable b, resolver.Resolve(Table("delta", delta + "/")));
  EXPECT_EQ(a.format.get(), b.format.get());  // the same table, however spelled
  ASSERT_OK_AND_ASSIGN(ResolvedTable c, resolver.Resolve(Table("iceberg", delta)));
  EXPECT_NE(a.format.get(), c.format.get());  // another format is another reader
}

TEST(TableResolverTest, UnknownFormatIsUnsupported) {
  TableResolver resolver(Storage(), BuiltinTableFormats());
  EXPECT_THAT(resolver.Resolve(Table("lance", kTestData)),
              StatusIs(StatusCode::kUnsupported, "table format 'lance' is not supported"));
}

// A format the resolver has never heard of plugs in by registering a factory.
class FixedVersionTable : public TableFormat {
 public:
  Result<int64_t> LatestVersion() override { return 7; }
  Result<std::shared_ptr<const TableSnapshot>> Snapshot(std::optional<int64_t>) override {
    return std::make_shared<const TableSnapshot>();
  }
  Result<int64_t> VersionAtTimestamp(int64_t, TimestampBound) override { return 7; }
  Result<std::string> ResolveFilePath(std::string_view path) const override {
    return std::string(path);
  }
};

class FixedVersionFactory : public TableFormatFactory {
 public:
  Result<std::string> TableKey(const std::string& location,
                               const TableOpenContext& context) const override {
    return context.storage->NormalizeLocation(location);
  }
  Result<OpenedTable> Open(const std::string& key, const TableOpenContext&) const override {
    ++opened;
    return OpenedTable{std::make_shared<FixedVersionTable>(),
                       [key]() -> Result<std::string> { return key + "/files"; }};
  }
  mutable int opened = 0;
};

TEST(TableResolverTest, RegisteredFormatPlugsIn) {
  auto formats = std::make_shared<TableFormatRegistry>();
  auto factory = std::make_shared<FixedVersionFactory>();
  ASSERT_OK(formats->Register("fixed", factory));
  TableResolver resolver(Storage(), formats);
  ASSERT_OK_AND_ASSIGN(ResolvedTable t, resolver.Resolve(Table("fixed", kTestData)));
  ASSERT_OK_AND_ASSIGN(int64_t version, t.format->LatestVersion());
  EXPECT_EQ(version, 7);
  EXPECT_THAT(t.location, HasSubstr("/files"));
  ASSERT_OK(resolver.Resolve(Table("fixed", kTestData)).status());
  EXPECT_EQ(factory->opened, 1);
  EXPECT_THAT(resolver.Resolve(Table("delta", kTestData)), StatusIs(StatusCode::kUnsupported));
}

}  // namespace
}  // namespace lakeshare
