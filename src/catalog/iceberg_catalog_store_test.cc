// IcebergCatalogStore on SQLite and PostgreSQL: the config's rules, secrets
// kept (and kept on updates that leave them out), names and uris unique also
// against the config, and deletes refused while a table uses the connection.
#include "catalog/iceberg_catalog_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "catalog/sql_catalog_admin_test_util.h"
#include "catalog/sql_catalog_import.h"
#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

using ::lakeshare::testing::StatusIs;
using ::testing::HasSubstr;
using Kind = HttpAuthConfig::Kind;

CatalogConnectionConfig OAuth(const std::string& name, const std::string& uri) {
  CatalogConnectionConfig c;
  c.name = name;
  c.uri = uri;
  c.auth.kind = Kind::kOAuth2;
  c.auth.client_id = "client";
  c.auth.client_secret = "first-secret";
  c.auth.scope = "catalog";
  return c;
}

class IcebergCatalogStoreTest : public testing::CatalogAdminFixture {
 protected:
  IcebergCatalogStore Store(std::vector<CatalogConnectionConfig> config = {}) {
    CloudEnvironment env;  // no AWS_* from the machine running the tests
    return IcebergCatalogStore(admin_->database(), std::move(config), env);
  }
};

TEST_P(IcebergCatalogStoreTest, CreateGetListKeepSecrets) {
  IcebergCatalogStore store = Store();
  ASSERT_OK_AND_ASSIGN(auto r, store.Create(OAuth("Lake", "https://cat.example.com/api/")));
  EXPECT_EQ(r.version, 1);
  EXPECT_EQ(r.config.type, "rest");
  ASSERT_OK_AND_ASSIGN(auto got, store.Get("lake"));  // any case
  EXPECT_EQ(got.config, r.config);
  EXPECT_EQ(got.config.auth.client_secret, "first-secret");
  CatalogConnectionConfig glue;
  glue.name = "glue-prod";
  glue.type = "GLUE";
  glue.catalog_id = "123456789012";
  glue.auth.kind = Kind::kSigV4;
  glue.auth.region = "eu-west-1";
  glue.auth.access_key_id = "AKIDEXAMPLE";
  glue.auth.secret_access_key = "wJalrXUtnFEMI";
  glue.auth.token = "dropped: not sigv4";
  ASSERT_OK_AND_ASSIGN(auto g, store.Create(glue));
  EXPECT_EQ(g.config.type, "glue");
  EXPECT_EQ(g.config.auth.token, "");
  ASSERT_OK_AND_ASSIGN(auto all, store.List());
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].config.name, "glue-prod");
  EXPECT_EQ(all[0].config.auth.secret_access_key, "wJalrXUtnFEMI");
  EXPECT_EQ(all[1].config.name, "Lake");
  EXPECT_THAT(store.Get("nope"), StatusIs(StatusCode::kNotFound));
}

TEST_P(IcebergCatalogStoreTest, TheConfigsRules) {
  IcebergCatalogStore store = Store();
  CatalogConnectionConfig c = OAuth("x", "ftp://cat");
  EXPECT_THAT(store.Create(c), StatusIs(StatusCode::kInvalidArgument, HasSubstr("uri")));
  c = OAuth("x", "https://cat");
  c.auth.client_secret.clear();
  EXPECT_THAT(store.Create(c), StatusIs(StatusCode::kInvalidArgument));
  c = OAuth("bad/name", "https://cat");
  EXPECT_THAT(store.Create(c), StatusIs(StatusCode::kInvalidArgument, HasSubstr("name")));
  c = OAuth("x", "https://cat");
  c.type = "hive";
  EXPECT_THAT(store.Create(c), StatusIs(StatusCode::kInvalidArgument, HasSubstr("type")));
  c = OAuth("x", "https://cat");
  c.type = "glue";
  EXPECT_THAT(store.Create(c), StatusIs(StatusCode::kInvalidArgument, HasSubstr("sigv4")));
  CatalogConnectionConfig bearer;
  bearer.name = "b";
  bearer.uri = "https://b";
  bearer.auth.kind = Kind::kBearer;
  EXPECT_THAT(store.Create(bearer), StatusIs(StatusCode::kInvalidArgument));
  bearer.auth.token = std::string(IcebergCatalogLimits::kSecret + 1, 't');
  EXPECT_THAT(store.Create(bearer), StatusIs(StatusCode::kInvalidArgument, HasSubstr("token")));
  bearer.auth.token = "line\nbreak";
  EXPECT_THAT(store.Create(bearer), StatusIs(StatusCode::kInvalidArgument));
  bearer.auth.token = "t";
  EXPECT_OK(store.Create(bearer));
  ASSERT_OK_AND_ASSIGN(auto all, store.List());
  EXPECT_EQ(all.size(), 1u);
}

TEST_P(IcebergCatalogStoreTest, NamesAndUrisAreUniqueAlsoAgainstTheConfig) {
  CatalogConnectionConfig in_config = OAuth("fromfile", "https://file.example.com");
  IcebergCatalogStore store = Store({in_config});
  EXPECT_THAT(store.Create(OAuth("FromFile", "https://other")),
              StatusIs(StatusCode::kAlreadyExists, HasSubstr("config")));
  EXPECT_THAT(store.Create(OAuth("y", "https://file.example.com/")),
              StatusIs(StatusCode::kAlreadyExists, HasSubstr("uri")));
  ASSERT_OK(store.Create(OAuth("a", "https://a")));
  EXPECT_THAT(store.Create(OAuth("A", "https://a2")), StatusIs(StatusCode::kAlreadyExists));
  EXPECT_THAT(store.Create(OAuth("b", "https://a/")), StatusIs(StatusCode::kAlreadyExists));
  ASSERT_OK(store.Create(OAuth("b", "https://b")));
  IcebergCatalogUpdate u;
  u.uri = "https://a";
  EXPECT_THAT(store.Update("b", u), StatusIs(StatusCode::kAlreadyExists));
}

TEST_P(IcebergCatalogStoreTest, UpdateKeepsLeftOutSecretsAndRotates) {
  IcebergCatalogStore store = Store();
  ASSERT_OK(store.Create(OAuth("c", "https://c")));
  IcebergCatalogUpdate u;
  u.scope = "PRINCIPAL_ROLE:ALL";
  ASSERT_OK_AND_ASSIGN(auto r, store.Update("c", u));
  EXPECT_EQ(r.version, 2);
  EXPECT_EQ(r.config.auth.client_secret, "first-secret");
  EXPECT_EQ(r.config.auth.scope, "PRINCIPAL_ROLE:ALL");
  IcebergCatalogUpdate rotate;
  rotate.client_secret = "second-secret";
  EXPECT_THAT(store.Update("c", rotate, 1), StatusIs(StatusCode::kFailedPrecondition));
  ASSERT_OK(store.Update("c", rotate, 2));
  ASSERT_OK_AND_ASSIGN(auto got, store.Get("c"));
  EXPECT_EQ(got.config.auth.client_secret, "second-secret");
  // A new kind drops the old one's settings, and needs its own.
  IcebergCatalogUpdate to_bearer;
  to_bearer.auth_kind = "bearer";
  EXPECT_THAT(store.Update("c", to_bearer), StatusIs(StatusCode::kInvalidArgument));
  to_bearer.token = "tok";
  ASSERT_OK_AND_ASSIGN(auto b, store.Update("c", to_bearer));
  EXPECT_EQ(b.config.auth.kind, Kind::kBearer);
  EXPECT_EQ(b.config.auth.client_secret, "");
  EXPECT_EQ(b.config.auth.client_id, "");
  IcebergCatalogUpdate bad_kind;
  bad_kind.auth_kind = "kerberos";
  EXPECT_THAT(store.Update("c", bad_kind), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(store.Update("nope", u), StatusIs(StatusCode::kNotFound));
}

TEST_P(IcebergCatalogStoreTest, DeleteIsRefusedWhileATableUsesIt) {
  Populate();
  IcebergCatalogStore store = Store();
  ASSERT_OK(store.Create(OAuth("rest", "https://rest.example.com/cat")));
  CatalogConnectionConfig glue;
  glue.name = "g";
  glue.type = "glue";
  glue.uri = "https://glue.example.com";
  glue.auth.kind = Kind::kSigV4;
  glue.auth.region = "us-east-1";
  glue.auth.access_key_id = "AKID";
  glue.auth.secret_access_key = "secret";
  ASSERT_OK(store.Create(glue));
  TableSpec t{"ice", "https://rest.example.com/cat/v1/namespaces/db/tables/t", "iceberg"};
  ASSERT_OK(admin_->AddTable("sales", "default", t));
  TableSpec other{"ice2", "https://rest.example.com/catalog2/v1/namespaces/db/tables/t", "iceberg"};
  ASSERT_OK(admin_->AddTable("sales", "default", other));
  TableSpec on_glue{"gt", "glue://g/db/t", "iceberg"};
  ASSERT_OK(admin_->AddTable("hr", "people", on_glue));
  EXPECT_THAT(store.Delete("rest"),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("Sales.default.ice")));
  EXPECT_THAT(store.Delete("g"),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("hr.people.gt")));
  ASSERT_OK(admin_->RemoveTable("sales", "default", "ice"));
  EXPECT_OK(store.Delete("REST"));  // ice2 lies under another uri
  EXPECT_THAT(store.Get("rest"), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(store.Delete("rest"), StatusIs(StatusCode::kNotFound));
}

TEST_P(IcebergCatalogStoreTest, ImportConfigCopiesTheConfigsEntries) {
  ServerConfig config;
  config.iceberg_catalogs = {OAuth("polaris", "https://p.example.com")};
  ASSERT_OK_AND_ASSIGN(ImportSummary first, ImportServerConfig(*db_, config));
  EXPECT_EQ(first.iceberg_catalogs_created, 1);
  ASSERT_OK_AND_ASSIGN(ImportSummary again, ImportServerConfig(*db_, config));
  EXPECT_EQ(again.changes(), 0);
  config.iceberg_catalogs[0].auth.client_secret = "rotated";
  ASSERT_OK_AND_ASSIGN(ImportSummary rotated, ImportServerConfig(*db_, config));
  EXPECT_EQ(rotated.iceberg_catalogs_updated, 1);
  ASSERT_OK_AND_ASSIGN(auto got, Store().Get("polaris"));
  EXPECT_EQ(got.config.auth.client_secret, "rotated");
  EXPECT_EQ(got.version, 2);
  // The config's rules; nothing of a failed import stays.
  config.iceberg_catalogs.push_back(OAuth("broken", "not a url"));
  config.shares.push_back({});
  config.shares.back().name = "new_share";
  EXPECT_THAT(ImportServerConfig(*db_, config),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("icebergCatalogs 'broken'")));
  EXPECT_THAT(admin_->GetShare("new_share"), StatusIs(StatusCode::kNotFound));
}

LAKESHARE_INSTANTIATE_BACKENDS(IcebergCatalogStoreTest);

}  // namespace
}  // namespace lakeshare
