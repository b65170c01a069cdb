#include "catalog/yaml_catalog.h"

#include <gtest/gtest.h>

#include "catalog/catalog_test_config.h"
#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

ServerConfig TestConfig() {
  auto cfg = ParseServerConfig(testing::kCatalogTestConfig, "/");
  EXPECT_OK(cfg);
  return *cfg;
}

TEST(YamlCatalogTest, AuthenticatesByTokenOnly) {
  YamlCatalog catalog(TestConfig());
  EXPECT_EQ(catalog.Authenticate("alice-token")->recipient, "alice");
  EXPECT_EQ(catalog.Authenticate("admin-token")->recipient, "admin");
  EXPECT_EQ(catalog.Authenticate("").status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(catalog.Authenticate("alice-token ").status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(catalog.Authenticate("old-token").status().code(), StatusCode::kUnauthenticated);
}

TEST(YamlCatalogTest, GrantsLimitWhatIsVisible) {
  YamlCatalog catalog(TestConfig());
  Principal alice = *catalog.Authenticate("alice-token");
  Principal admin = *catalog.Authenticate("admin-token");
  EXPECT_EQ(catalog.ListShares(alice)->size(), 1u);
  EXPECT_EQ(catalog.ListShares(admin)->size(), 2u);
  // Ungranted and missing look the same.
  auto ungranted = catalog.GetShare(alice, "hr");
  auto missing = catalog.GetShare(alice, "nope");
  EXPECT_EQ(ungranted.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(ungranted.status().message(), "share 'hr' not found");
  auto t1 = catalog.GetTable(alice, "hr", "people", "staff");
  auto t2 = catalog.GetTable(admin, "hr", "people", "nope");
  EXPECT_EQ(t1.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(t2.status().code(), StatusCode::kNotFound);
  EXPECT_OK(catalog.GetTable(admin, "hr", "people", "staff"));
}

TEST(YamlCatalogTest, NamesAreCaseInsensitiveAndKeepTheirSpelling) {
  YamlCatalog catalog(TestConfig());
  Principal alice = *catalog.Authenticate("alice-token");
  auto t = catalog.GetTable(alice, "SALES", "DEFAULT", "orders");
  ASSERT_OK(t);
  EXPECT_EQ(t->share, "Sales");
  EXPECT_EQ(t->name, "Orders");
  EXPECT_TRUE(t->history_shared);
  EXPECT_EQ(t->location, "/data/orders");
  EXPECT_EQ(catalog.ListSchemas(alice, "sales")->size(), 2u);
  EXPECT_EQ(catalog.ListTables(alice, "sales", "default")->size(), 2u);
  EXPECT_EQ(catalog.ListAllTables(alice, "sales")->size(), 3u);
  EXPECT_EQ(catalog.ListTables(alice, "sales", "nope").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(*catalog.GetShare(alice, "sales")->comment, "quarterly numbers");
}

TEST(YamlCatalogTest, AnonymousModeSeesEverything) {
  auto cfg = ParseServerConfig("version: 1\nallowAnonymous: true\nshares: [{name: a}]\n", "/");
  ASSERT_OK(cfg);
  YamlCatalog catalog(*cfg);
  auto who = catalog.Authenticate("");
  ASSERT_OK(who);
  EXPECT_EQ(catalog.ListShares(*who)->size(), 1u);
}

}  // namespace
}  // namespace lakeshare
