#include "catalog/sql_catalog.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

#include "catalog/catalog_test_config.h"
#include "catalog/sql_catalog_import.h"
#include "catalog/sql_catalog_test_util.h"
#include "catalog/yaml_catalog.h"
#include "common/time_util.h"
#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

using ::lakeshare::testing::StatusIs;

// The YAML catalog test's configuration, so both catalogs can be compared.
constexpr const char* kConfig = testing::kCatalogTestConfig;

ServerConfig Config(const std::string& text = kConfig) {
  auto cfg = ParseServerConfig(text, "/");
  EXPECT_OK(cfg);
  return *cfg;
}

class SqlCatalogTest : public testing::SqlCatalogFixture {
 protected:
  void Import(const std::string& text = kConfig) {
    auto r = ImportServerConfig(*db_, Config(text));
    ASSERT_OK(r);
  }
  // Imports `config` and checks that the database catalog gives each of
  // `tables` (in share lake, schema d) the format options the YAML catalog
  // gives it. Returns recipient r's principal on the database catalog.
  Principal ImportWithYamlsFormatOptions(const std::string& config,
                                         std::initializer_list<const char*> tables) {
    Import(config);
    YamlCatalog yaml(Config(config));
    Principal ys = *yaml.Authenticate("r-token");
    Principal ss = *catalog_->Authenticate("r-token");
    for (const char* table : tables) {
      auto a = yaml.GetTable(ys, "lake", "d", table);
      auto b = catalog_->GetTable(ss, "lake", "d", table);
      EXPECT_OK(a);
      EXPECT_OK(b);
      if (a.ok() && b.ok()) {
        EXPECT_EQ(a->format_options, b->format_options) << table;
      }
    }
    return ss;
  }
};

TEST_P(SqlCatalogTest, AuthenticatesByTokenOnly) {
  Import();
  EXPECT_EQ(catalog_->Authenticate("alice-token")->recipient, "alice");
  EXPECT_EQ(catalog_->Authenticate("admin-token")->recipient, "admin");
  auto missing = catalog_->Authenticate("");
  EXPECT_EQ(missing.status(), Status::Unauthenticated("missing bearer token"));
  EXPECT_EQ(catalog_->Authenticate("alice-token ").status(),
            Status::Unauthenticated("invalid bearer token"));
  EXPECT_EQ(catalog_->Authenticate("old-token").status(),
            Status::Unauthenticated("the bearer token has expired"));
}

TEST_P(SqlCatalogTest, GrantsLimitWhatIsVisible) {
  Import();
  Principal alice = *catalog_->Authenticate("alice-token");
  Principal admin = *catalog_->Authenticate("admin-token");
  EXPECT_EQ(catalog_->ListShares(alice)->size(), 1u);
  EXPECT_EQ(catalog_->ListShares(admin)->size(), 2u);
  auto ungranted = catalog_->GetShare(alice, "hr");
  auto missing = catalog_->GetShare(alice, "nope");
  EXPECT_EQ(ungranted.status(), Status::NotFound("share 'hr' not found"));
  EXPECT_EQ(missing.status(), Status::NotFound("share 'nope' not found"));
  auto t1 = catalog_->GetTable(alice, "hr", "people", "staff");
  auto t2 = catalog_->GetTable(admin, "hr", "people", "nope");
  EXPECT_EQ(t1.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(t2.status().code(), StatusCode::kNotFound);
  EXPECT_OK(catalog_->GetTable(admin, "hr", "people", "staff"));
}

TEST_P(SqlCatalogTest, NamesAreCaseInsensitiveAndKeepTheirSpelling) {
  Import();
  Principal alice = *catalog_->Authenticate("alice-token");
  auto t = catalog_->GetTable(alice, "SALES", "DEFAULT", "orders");
  ASSERT_OK(t);
  EXPECT_EQ(t->share, "Sales");
  EXPECT_EQ(t->schema, "default");
  EXPECT_EQ(t->name, "Orders");
  EXPECT_TRUE(t->history_shared);
  EXPECT_EQ(t->location, "/data/orders");
  EXPECT_EQ(t->format, "delta");
  ASSERT_TRUE(t->id && t->share_id);
  EXPECT_EQ(*t->share_id, *catalog_->GetShare(alice, "sales")->id);
  EXPECT_EQ(catalog_->ListSchemas(alice, "sales")->size(), 2u);
  EXPECT_EQ(catalog_->ListTables(alice, "sales", "default")->size(), 2u);
  EXPECT_EQ(catalog_->ListAllTables(alice, "sales")->size(), 3u);
  EXPECT_EQ(catalog_->ListTables(alice, "sales", "nope").status(),
            Status::NotFound("schema 'nope' not found"));
  EXPECT_EQ(*catalog_->GetShare(alice, "sales")->comment, "quarterly numbers");
}

// Differential check: for every principal and every name (present, absent,
// ungranted, differently cased), both catalogs give the same answer.
TEST_P(SqlCatalogTest, AnswersExactlyLikeTheYamlCatalog) {
  Import();
  YamlCatalog yaml(Config());
  auto sorted_names = [](auto list) {
    std::vector<std::string> names;
    for (const auto& x : list) names.push_back(x.share + "/" + x.schema + "/" + x.name);
    std::sort(names.begin(), names.end());
    return names;
  };
  for (const char* token : {"alice-token", "admin-token"}) {
    Principal ys = *yaml.Authenticate(token);
    Principal ss = *catalog_->Authenticate(token);
    EXPECT_EQ(ys.recipient, ss.recipient);
    EXPECT_EQ(yaml.ListShares(ys)->size(), catalog_->ListShares(ss)->size());
    for (const char* share : {"Sales", "sales", "HR", "nope"}) {
      SCOPED_TRACE(std::string(token) + " " + share);
      auto a = yaml.GetShare(ys, share);
      auto b = catalog_->GetShare(ss, share);
      EXPECT_EQ(a.status(), b.status());
      if (a.ok() && b.ok()) {
        EXPECT_EQ(a->name, b->name);
        EXPECT_EQ(a->comment, b->comment);
      }
      EXPECT_EQ(yaml.ListSchemas(ys, share).status(), catalog_->ListSchemas(ss, share).status());
      auto at = yaml.ListAllTables(ys, share);
      auto bt = catalog_->ListAllTables(ss, share);
      EXPECT_EQ(at.status(), bt.status());
      if (at.ok() && bt.ok()) {
        EXPECT_EQ(sorted_names(*at), sorted_names(*bt));
      }
      for (const char* schema : {"default", "DEFAULT", "people", "nope"}) {
        auto al = yaml.ListTables(ys, share, schema);
        auto bl = catalog_->ListTables(ss, share, schema);
        EXPECT_EQ(al.status(), bl.status()) << schema;
        if (al.ok() && bl.ok()) {
          EXPECT_EQ(sorted_names(*al), sorted_names(*bl));
        }
        for (const char* table : {"orders", "ITEMS", "staff", "nope"}) {
          auto ag = yaml.GetTable(ys, share, schema, table);
          auto bg = catalog_->GetTable(ss, share, schema, table);
          EXPECT_EQ(ag.status(), bg.status()) << schema << "." << table;
          if (ag.ok() && bg.ok()) {
            EXPECT_EQ(ag->name, bg->name);
            EXPECT_EQ(ag->location, bg->location);
            EXPECT_EQ(ag->history_shared, bg->history_shared);
          }
        }
      }
    }
  }
}

TEST_P(SqlCatalogTest, ImportTwiceChangesNothingTheSecondTime) {
  auto first = ImportServerConfig(*db_, Config());
  ASSERT_OK(first);
  EXPECT_EQ(first->shares_created, 2);
  EXPECT_EQ(first->schemas_created, 3);
  EXPECT_EQ(first->tables_created, 4);
  EXPECT_EQ(first->recipients_created, 3);
  EXPECT_EQ(first->tokens_added, 3);
  EXPECT_EQ(first->grants_added, 1);
  auto second = ImportServerConfig(*db_, Config());
  ASSERT_OK(second);
  EXPECT_EQ(second->changes(), 0);
  EXPECT_EQ(admin_->ListShares()->size(), 2u);
  EXPECT_EQ(admin_->ListTables("sales")->size(), 3u);
  EXPECT_EQ(admin_->ListRecipients()->size(), 3u);
  EXPECT_EQ(admin_->ListTokens("alice")->size(), 1u);
  // Tokens arrive as hashes: the plain token is nowhere in the database.
  auto hashes = db_->Query("SELECT token_hash FROM recipient_tokens");
  for (const auto& r : *hashes) EXPECT_TRUE(r.Text(0).starts_with("sha256:")) << r.Text(0);
}

TEST_P(SqlCatalogTest, ReimportOfAnEditedFileUpdatesInPlace) {
  Import();
  std::string edited = kConfig;
  auto replace = [&](const std::string& from, const std::string& to) {
    size_t pos = edited.find(from);
    ASSERT_NE(pos, std::string::npos) << from;
    edited.replace(pos, from.size(), to);
  };
  replace("/data/items", "/data/items-v2");
  replace("{name: alice, token: alice-token, shares: [sales]}",
          "{name: alice, token: alice-token-2, shares: [hr]}");
  replace("comment: quarterly numbers", "comment: monthly numbers");
  auto r = ImportServerConfig(*db_, Config(edited));
  ASSERT_OK(r);
  EXPECT_EQ(r->tables_updated, 1);
  EXPECT_EQ(r->shares_updated, 1);
  EXPECT_EQ(r->tokens_added, 1);
  EXPECT_EQ(r->tokens_revoked, 1);
  EXPECT_EQ(r->grants_added, 1);
  EXPECT_EQ(r->grants_removed, 1);
  EXPECT_EQ(r->tables_created, 0);
  // The rotated-out token stops working; the new one sees the new grant.
  EXPECT_EQ(catalog_->Authenticate("alice-token").status().code(), StatusCode::kUnauthenticated);
  Principal alice = *catalog_->Authenticate("alice-token-2");
  EXPECT_EQ(catalog_->GetShare(alice, "sales").status().code(), StatusCode::kNotFound);
  EXPECT_OK(catalog_->GetShare(alice, "hr"));
  Principal admin = *catalog_->Authenticate("admin-token");
  EXPECT_EQ(catalog_->GetTable(admin, "sales", "default", "items")->location, "/data/items-v2");
  EXPECT_EQ(*catalog_->GetShare(admin, "sales")->comment, "monthly numbers");
}

// A YAML table's hudiView is imported (and re-imported when it changes),
// and the database catalog gives the format the same options as the YAML one.
TEST_P(SqlCatalogTest, ImportCopiesAHudiTablesView) {
  const std::string config = R"(
version: 1
shares:
- name: lake
  schemas:
  - name: d
    tables:
    - {name: trips_ro, location: /data/trips, format: hudi, hudiView: read_optimized}
    - {name: trips, location: /data/trips, format: hudi}
recipients:
- {name: r, token: r-token, shares: [lake]}
)";
  Principal ss = ImportWithYamlsFormatOptions(config, {"trips_ro", "trips"});
  ASSERT_FALSE(HasFailure());
  EXPECT_EQ(catalog_->GetTable(ss, "lake", "d", "trips_ro")->format_options.at("hudiView"),
            "read_optimized");
  EXPECT_EQ(admin_->GetTable("lake", "d", "trips_ro")->hudi_view, "read_optimized");

  std::string edited = config;
  edited.replace(edited.find(", hudiView: read_optimized"),
                 std::string(", hudiView: read_optimized").size(), "");
  auto r = ImportServerConfig(*db_, Config(edited));
  ASSERT_OK(r);
  EXPECT_EQ(r->tables_updated, 1);
  EXPECT_TRUE(catalog_->GetTable(ss, "lake", "d", "trips_ro")->format_options.empty());
  auto again = ImportServerConfig(*db_, Config(edited));
  ASSERT_OK(again);
  EXPECT_EQ(again->changes(), 0);
}

// A YAML table's locationMap is imported (re-imported when it changes), and
// the database catalog gives the format the same options as the YAML one.
TEST_P(SqlCatalogTest, ImportCopiesAnIcebergTablesLocationMap) {
  const std::string config = R"(
version: 1
shares:
- name: lake
  schemas:
  - name: d
    tables:
    - name: ice
      location: /data/ice
      format: iceberg
      locationMap: {/test-warehouse/: /data/copy, "hdfs://nn/wh/": "s3://b/wh/"}
    - {name: plain, location: /data/plain, format: iceberg}
recipients:
- {name: r, token: r-token, shares: [lake]}
)";
  Principal ss = ImportWithYamlsFormatOptions(config, {"ice", "plain"});
  ASSERT_FALSE(HasFailure());
  EXPECT_EQ(catalog_->GetTable(ss, "lake", "d", "ice")->format_options.at("locationMap"),
            "/test-warehouse/\t/data/copy\nhdfs://nn/wh/\ts3://b/wh/\n");
  EXPECT_EQ(
      admin_->GetTable("lake", "d", "ice")->location_map,
      (TableLocationMap{{"/test-warehouse/", "/data/copy"}, {"hdfs://nn/wh/", "s3://b/wh/"}}));

  std::string edited = config;
  edited.replace(edited.find("/data/copy"), std::string("/data/copy").size(), "/data/moved");
  auto r = ImportServerConfig(*db_, Config(edited));
  ASSERT_OK(r);
  EXPECT_EQ(r->tables_updated, 1);
  EXPECT_EQ(admin_->GetTable("lake", "d", "ice")->location_map.front().second, "/data/moved");
  auto again = ImportServerConfig(*db_, Config(edited));
  ASSERT_OK(again);
  EXPECT_EQ(again->changes(), 0);
}

TEST_P(SqlCatalogTest, ImportRefusesATokenOwnedByAnotherRecipient) {
  Import();
  auto cfg = Config();
  cfg.recipients[0].name = "mallory";  // alice's token hash, new name
  auto r = ImportServerConfig(*db_, cfg);
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition) << r.status();
  // All or nothing: mallory was not created.
  EXPECT_EQ(admin_->GetRecipient("mallory").status().code(), StatusCode::kNotFound);
}

// A recipient's YAML rateLimit is its override in the database, as the
// admin API would set it; without one, an override set there stays.
TEST_P(SqlCatalogTest, ImportCopiesARecipientsRateLimit) {
  std::string text = kConfig;
  auto replace = [&](const std::string& from, const std::string& to) {
    size_t pos = text.find(from);
    ASSERT_NE(pos, std::string::npos) << from;
    text.replace(pos, from.size(), to);
  };
  replace("shares: [sales]}", "shares: [sales], rateLimit: {requestsPerSecond: 5, burst: 9}}");
  replace("{name: admin, token: admin-token, shares: \"*\"}",
          "{name: admin, token: admin-token, shares: \"*\", rateLimit: {requestsPerSecond: 0}}");
  ASSERT_OK_AND_ASSIGN(ImportSummary first, ImportServerConfig(*db_, Config(text)));
  ASSERT_OK_AND_ASSIGN(RecipientRecord alice, admin_->GetRecipient("alice"));
  EXPECT_EQ(alice.rate_limit_per_second, 5);
  EXPECT_EQ(alice.rate_limit_burst, 9);
  EXPECT_EQ(catalog_->Authenticate("alice-token")->rate_limit, (RateLimit{5, 9}));
  ASSERT_OK_AND_ASSIGN(RecipientRecord admin, admin_->GetRecipient("admin"));
  EXPECT_EQ(admin.rate_limit_per_second, 0);  // unlimited, whatever the server's default
  EXPECT_EQ(admin.rate_limit_burst, 1);
  ASSERT_OK_AND_ASSIGN(RecipientRecord gone, admin_->GetRecipient("gone"));
  EXPECT_FALSE(gone.rate_limit_per_second.has_value());
  EXPECT_FALSE(gone.rate_limit_burst.has_value());

  // The same file again changes nothing; an override made through the admin
  // API survives a file that sets none for that recipient.
  RecipientUpdate update;
  update.rate_limit_per_second = 3;
  ASSERT_OK(admin_->UpdateRecipient("gone", update).status());
  ASSERT_OK_AND_ASSIGN(ImportSummary again, ImportServerConfig(*db_, Config(text)));
  EXPECT_EQ(again.changes(), 0);
  EXPECT_EQ(admin_->GetRecipient("gone")->rate_limit_per_second, 3);

  // An edited rate updates the recipient (burst: a second's worth).
  replace("rateLimit: {requestsPerSecond: 5, burst: 9}", "rateLimit: {requestsPerSecond: 7}");
  ASSERT_OK_AND_ASSIGN(ImportSummary edited, ImportServerConfig(*db_, Config(text)));
  EXPECT_EQ(edited.recipients_updated, 1);
  EXPECT_EQ(catalog_->Authenticate("alice-token")->rate_limit, (RateLimit{7, 7}));

  // A fractional rate cannot be stored: refused, nothing imported.
  replace("rateLimit: {requestsPerSecond: 7}", "rateLimit: {requestsPerSecond: 2.5}");
  EXPECT_THAT(ImportServerConfig(*db_, Config(text)).status(),
              StatusIs(StatusCode::kInvalidArgument, ::testing::HasSubstr("whole number")));
  EXPECT_EQ(admin_->GetRecipient("alice")->rate_limit_per_second, 7);
  EXPECT_GT(first.recipients_created, 0);
}

TEST_P(SqlCatalogTest, RevokedAndExpiredTokensAreRefused) {
  ASSERT_OK(admin_->CreateRecipient({"bob"}));
  auto t1 = admin_->CreateToken("bob");
  auto t2 = admin_->CreateToken("bob", NowMillis() + 300);
  ASSERT_OK(t1);
  ASSERT_OK(t2);
  // Several live tokens per recipient.
  EXPECT_EQ(catalog_->Authenticate(t1->token)->recipient, "bob");
  auto p2 = catalog_->Authenticate(t2->token);
  ASSERT_OK(p2);
  EXPECT_EQ(p2->token_expiration_ms, t2->record.expiration_ms);
  ASSERT_OK(admin_->RevokeToken("bob", t1->record.id));
  EXPECT_EQ(catalog_->Authenticate(t1->token).status(),
            Status::Unauthenticated("the bearer token has been revoked"));
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  EXPECT_EQ(catalog_->Authenticate(t2->token).status(),
            Status::Unauthenticated("the bearer token has expired"));
}

TEST_P(SqlCatalogTest, ASecondReplicaSeesARevocationAtOnce) {
  Import();
  auto other_db = OpenAgain();
  ASSERT_NE(other_db, nullptr);
  SqlCatalog replica(other_db);
  auto issued = admin_->CreateToken("alice");
  ASSERT_OK(issued);
  ASSERT_OK(replica.Authenticate(issued->token));  // warms the replica's pool
  ASSERT_OK(admin_->RevokeAllTokens("alice"));
  EXPECT_EQ(replica.Authenticate(issued->token).status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(replica.Authenticate("alice-token").status().code(), StatusCode::kUnauthenticated);
  // And a grant change made through the replica's admin shows here at once.
  CatalogAdmin replica_admin(other_db, AdminOptions());
  ASSERT_OK(replica_admin.RevokeGrant("alice", "sales"));
  auto fresh = admin_->CreateToken("alice");
  Principal alice = *catalog_->Authenticate(fresh->token);
  EXPECT_TRUE(catalog_->ListShares(alice)->empty());
}

TEST_P(SqlCatalogTest, UngrantedAndMissingLookAlikeAtEveryLevel) {
  Import();
  Principal alice = *catalog_->Authenticate("alice-token");
  EXPECT_EQ(catalog_->ListSchemas(alice, "nope").status(),
            Status::NotFound("share 'nope' not found"));
  EXPECT_EQ(catalog_->ListSchemas(alice, "hr").status(), Status::NotFound("share 'hr' not found"));
  EXPECT_EQ(catalog_->ListTables(alice, "hr", "people").status(),
            Status::NotFound("share 'hr' not found"));
  EXPECT_EQ(catalog_->ListAllTables(alice, "hr").status(),
            Status::NotFound("share 'hr' not found"));
  auto ungranted = catalog_->GetTable(alice, "hr", "people", "staff");
  auto missing = catalog_->GetTable(alice, "hq", "people", "staff");
  EXPECT_EQ(ungranted.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(ungranted.status().message(),
            "[Share/Schema/Table] 'hr/people/staff' does not exist, please contact your share "
            "provider for further information.");
  EXPECT_EQ(missing.status().message(),
            "[Share/Schema/Table] 'hq/people/staff' does not exist, please contact your share "
            "provider for further information.");
  // A principal whose recipient has since been deleted sees nothing.
  ASSERT_OK(admin_->DeleteRecipient("alice"));
  EXPECT_TRUE(catalog_->ListShares(alice)->empty());
  EXPECT_EQ(catalog_->GetShare(alice, "sales").status(),
            Status::NotFound("share 'sales' not found"));
  EXPECT_EQ(catalog_->Authenticate("alice-token").status().code(), StatusCode::kUnauthenticated);
}

TEST_P(SqlCatalogTest, AnonymousModeWhileThereAreNoRecipients) {
  auto cfg = ParseServerConfig("version: 1\nallowAnonymous: true\nshares: [{name: a}]\n", "/");
  ASSERT_OK(cfg);
  ASSERT_OK(ImportServerConfig(*db_, *cfg));
  SqlCatalog anonymous(db_, SqlCatalogOptions{.allow_anonymous = true});
  auto who = anonymous.Authenticate("");
  ASSERT_OK(who);
  EXPECT_EQ(who->recipient, "anonymous");
  EXPECT_EQ(anonymous.ListShares(*who)->size(), 1u);
  EXPECT_OK(anonymous.GetShare(*who, "A"));
  // Without the option, no token is no access.
  EXPECT_EQ(catalog_->Authenticate("").status().code(), StatusCode::kUnauthenticated);
  // Once a recipient exists, anonymous access ends.
  ASSERT_OK(admin_->CreateRecipient({"r"}));
  EXPECT_EQ(anonymous.Authenticate("").status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(anonymous.GetShare(*who, "a").status().code(), StatusCode::kNotFound);
}

TEST_P(SqlCatalogTest, IpAllowListIsEnforcedByAuthenticateFrom) {
  RecipientSpec spec{"carol"};
  spec.ip_allowlist = {"10.1.0.0/16", "2001:db8::/32", "192.0.2.7"};
  ASSERT_OK(admin_->CreateRecipient(spec));
  auto token = admin_->CreateToken("carol");
  ASSERT_OK(token);
  EXPECT_OK(catalog_->AuthenticateFrom(token->token, "10.1.200.3"));
  EXPECT_OK(catalog_->AuthenticateFrom(token->token, "::ffff:10.1.0.1"));
  EXPECT_OK(catalog_->AuthenticateFrom(token->token, "2001:db8:1::5"));
  EXPECT_OK(catalog_->AuthenticateFrom(token->token, "192.0.2.7"));
  EXPECT_EQ(catalog_->AuthenticateFrom(token->token, "10.2.0.1").status().code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(catalog_->AuthenticateFrom(token->token, "192.0.2.8").status().code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(catalog_->AuthenticateFrom(token->token, "garbage").status().code(),
            StatusCode::kPermissionDenied);
  EXPECT_OK(catalog_->Authenticate(token->token));  // no address: not checked
}

LAKESHARE_INSTANTIATE_BACKENDS(SqlCatalogTest);

}  // namespace
}  // namespace lakeshare
