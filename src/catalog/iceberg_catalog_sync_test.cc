// IcebergCatalogSync on SQLite and PostgreSQL: the config's entries and the
// database's merged into the storage registry, the config winning, bad
// entries left out, changes picked up, unchanged authenticators kept.
#include "catalog/iceberg_catalog_sync.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "catalog/iceberg_catalog_store.h"
#include "catalog/sql_catalog_admin_test_util.h"
#include "storage/catalog_connections.h"
#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

using Kind = HttpAuthConfig::Kind;

CatalogConnectionConfig Bearer(const std::string& name, const std::string& uri) {
  CatalogConnectionConfig c;
  c.name = name;
  c.uri = uri;
  c.auth.kind = Kind::kBearer;
  c.auth.token = "t-" + name;
  return c;
}

class IcebergCatalogSyncTest : public testing::CatalogAdminFixture {
 protected:
  std::shared_ptr<StorageRegistry> registry_ = std::make_shared<StorageRegistry>(
      "key", std::vector<StorageLocationConfig>{}, CloudEnvironment{});
  std::shared_ptr<const CatalogConnections> Current() { return registry_->catalog_connections(); }
};

TEST_P(IcebergCatalogSyncTest, MergesTheConfigsAndTheDatabasesConnections) {
  const CatalogConnectionConfig file = Bearer("fromfile", "https://file.example.com");
  IcebergCatalogStore store(db_, {}, CloudEnvironment{});
  ASSERT_OK(store.Create(Bearer("db1", "https://db1.example.com")));
  // What another replica (whose config lacks the entry) may have written.
  ASSERT_OK(store.Create(Bearer("FromFile", "https://shadowed.example.com")));
  ASSERT_OK(store.Create(Bearer("sameuri", "https://file.example.com/")));
  IcebergCatalogSync sync(db_, {file}, CloudEnvironment{}, std::make_shared<HttpClient>(),
                          registry_);
  ASSERT_OK(sync.Refresh());
  auto first = Current();
  ASSERT_NE(first, nullptr);
  ASSERT_EQ(first->connections().size(), 2u);
  EXPECT_EQ(first->ByName("fromfile")->config.uri, "https://file.example.com");
  EXPECT_EQ(first->ForUrl("https://file.example.com/v1/x")->config.name, "fromfile");
  EXPECT_EQ(first->ForUrl("https://db1.example.com/v1/x")->config.name, "db1");
  EXPECT_EQ(first->ByName("FromFile"), nullptr);
  EXPECT_EQ(first->ByName("sameuri"), nullptr);

  // Nothing changed: the same set stays.
  ASSERT_OK(sync.Refresh());
  EXPECT_EQ(Current(), first);

  // A new entry: a new set; the unchanged ones keep their authenticator.
  std::shared_ptr<HttpAuthenticator> db1_auth = first->ByName("db1")->auth;
  ASSERT_OK(store.Create(Bearer("db2", "https://db2.example.com")));
  ASSERT_OK(sync.Refresh());
  auto second = Current();
  ASSERT_NE(second, first);
  EXPECT_EQ(second->ByName("db1")->auth, db1_auth);
  ASSERT_NE(second->ByName("db2"), nullptr);

  // A rotated secret: a new authenticator for that entry only.
  IcebergCatalogUpdate rotate;
  rotate.token = "rotated";
  ASSERT_OK(store.Update("db1", rotate));
  ASSERT_OK(sync.Refresh());
  EXPECT_NE(Current()->ByName("db1")->auth, db1_auth);
  EXPECT_EQ(Current()->ByName("db1")->config.auth.token, "rotated");
  EXPECT_EQ(Current()->ByName("db2")->auth, second->ByName("db2")->auth);

  // Removed: gone from the set.
  ASSERT_OK(store.Delete("db2"));
  ASSERT_OK(sync.Refresh());
  EXPECT_EQ(Current()->ByName("db2"), nullptr);
  EXPECT_EQ(sync.entries().size(), 2u);
}

TEST_P(IcebergCatalogSyncTest, TheBackgroundRefreshSeesAnotherReplicasWrites) {
  IcebergCatalogSync sync(db_, {}, CloudEnvironment{}, std::make_shared<HttpClient>(), registry_);
  ASSERT_OK(sync.Refresh());
  EXPECT_EQ(Current()->ByName("later"), nullptr);
  sync.Start(std::chrono::milliseconds(20));
  IcebergCatalogStore other(OpenAgain(), {}, CloudEnvironment{});
  ASSERT_OK(other.Create(Bearer("later", "https://later.example.com")));
  for (int i = 0; i < 500 && Current()->ByName("later") == nullptr; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_NE(Current()->ByName("later"), nullptr);
}

TEST(IcebergCatalogSyncNoDatabaseTest, TheConfigsEntriesOnly) {
  auto registry = std::make_shared<StorageRegistry>("key", std::vector<StorageLocationConfig>{},
                                                    CloudEnvironment{});
  IcebergCatalogSync sync(nullptr, {Bearer("a", "https://a")}, CloudEnvironment{},
                          std::make_shared<HttpClient>(), registry);
  ASSERT_OK(sync.Refresh());
  ASSERT_NE(registry->catalog_connections(), nullptr);
  EXPECT_EQ(registry->catalog_connections()->connections().size(), 1u);
  sync.Start(std::chrono::milliseconds(10));  // no database: no thread
}

LAKESHARE_INSTANTIATE_BACKENDS(IcebergCatalogSyncTest);

}  // namespace
}  // namespace lakeshare
