#include "table/table_format_registry.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

using ::lakeshare::testing::StatusIs;
using ::testing::ElementsAre;

// A one-version format whose table lies where it was configured.
class OneVersionTable : public TableFormat {
 public:
  Result<int64_t> LatestVersion() override { return 3; }
  Result<std::shared_ptr<const TableSnapshot>> Snapshot(std::optional<int64_t>) override {
    return std::make_shared<const TableSnapshot>();
  }
  Result<int64_t> VersionAtTimestamp(int64_t, TimestampBound) override { return 3; }
  Result<std::string> ResolveFilePath(std::string_view path) const override {
    return std::string(path);
  }
};

class OneVersionFactory : public TableFormatFactory {
 public:
  Result<std::string> TableKey(const std::string& location,
                               const TableOpenContext&) const override {
    return location;
  }
  Result<OpenedTable> Open(const std::string& key, const TableOpenContext&) const override {
    return OpenedTable{std::make_shared<OneVersionTable>(),
                       [key]() -> Result<std::string> { return key; }};
  }
};

TEST(TableFormatRegistryTest, FindsFormatsByName) {
  TableFormatRegistry registry;
  ASSERT_OK(registry.Register("one", std::make_shared<OneVersionFactory>()));
  ASSERT_OK(registry.Register("another", std::make_shared<OneVersionFactory>()));
  EXPECT_THAT(registry.Names(), ElementsAre("another", "one"));
  const TableFormatFactory* factory = registry.Find("one");
  ASSERT_NE(factory, nullptr);
  EXPECT_EQ(registry.Find("One"), nullptr);  // names are exact
  EXPECT_EQ(registry.Find("hudi"), nullptr);

  TableOpenContext context;
  ASSERT_OK_AND_ASSIGN(std::string key, factory->TableKey("/t", context));
  ASSERT_OK_AND_ASSIGN(OpenedTable table, factory->Open(key, context));
  ASSERT_OK_AND_ASSIGN(int64_t latest, table.format->LatestVersion());
  EXPECT_EQ(latest, 3);
  ASSERT_OK_AND_ASSIGN(std::string files, table.files_location());
  EXPECT_EQ(files, "/t");
}

TEST(TableFormatRegistryTest, RefusesDuplicateAndEmptyRegistrations) {
  TableFormatRegistry registry;
  ASSERT_OK(registry.Register("one", std::make_shared<OneVersionFactory>()));
  EXPECT_THAT(registry.Register("one", std::make_shared<OneVersionFactory>()),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(registry.Register("", std::make_shared<OneVersionFactory>()),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(registry.Register("two", nullptr), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(registry.Names(), ElementsAre("one"));
}

}  // namespace
}  // namespace lakeshare
