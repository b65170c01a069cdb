// CatalogAdmin: the overview (counts, tokens about to expire).
#include <gtest/gtest.h>

#include "catalog/oauth_client_store.h"
#include "catalog/sql_catalog_admin.h"
#include "catalog/sql_catalog_admin_test_util.h"
#include "common/time_util.h"
#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

using testing::StatusIs;

using CatalogAdminOverviewTest = testing::CatalogAdminFixture;

TEST_P(CatalogAdminOverviewTest, CountsAndExpiringTokens) {
  ASSERT_OK_AND_ASSIGN(CatalogOverview empty, admin_->Overview(NowMillis(), NowMillis(), 20));
  EXPECT_EQ(empty.shares + empty.schemas + empty.tables + empty.recipients, 0);
  EXPECT_EQ(empty.backend, GetParam() == testing::Backend::kSqlite ? "sqlite" : "postgresql");

  Populate();
  ASSERT_OK(admin_->CreateRecipient({"bob"}));
  const int64_t now = NowMillis();
  const int64_t hour = 3'600'000;
  ASSERT_OK(admin_->CreateToken("alice", now + 5 * hour));
  ASSERT_OK(admin_->CreateToken("alice", now + 2 * hour));
  ASSERT_OK(admin_->CreateToken("bob", std::nullopt));          // never expires
  ASSERT_OK(admin_->CreateToken("bob", now + 30 * 24 * hour));  // not soon
  ASSERT_OK_AND_ASSIGN(IssuedToken revoked, admin_->CreateToken("bob", now + hour));
  ASSERT_OK(admin_->RevokeToken("bob", revoked.record.id));

  ASSERT_OK_AND_ASSIGN(CatalogOverview v, admin_->Overview(now, now + 7 * 24 * hour, 20));
  EXPECT_EQ(v.shares, 2);
  EXPECT_EQ(v.schemas, 2);
  EXPECT_EQ(v.tables, 3);
  EXPECT_EQ(v.recipients, 2);
  EXPECT_EQ(v.active_tokens, 4);
  ASSERT_EQ(v.expiring_tokens.size(), 2u);
  EXPECT_EQ(v.expiring_tokens[0].recipient, "alice");
  EXPECT_EQ(v.expiring_tokens[0].expiration_ms, now + 2 * hour);
  EXPECT_EQ(v.expiring_tokens[1].expiration_ms, now + 5 * hour);

  // Later: one has expired (no longer active, no longer "expiring"); a limit.
  ASSERT_OK_AND_ASSIGN(CatalogOverview later,
                       admin_->Overview(now + 3 * hour, now + 40 * 24 * hour, 1));
  EXPECT_EQ(later.active_tokens, 3);
  ASSERT_EQ(later.expiring_tokens.size(), 1u);
  EXPECT_EQ(later.expiring_tokens[0].expiration_ms, now + 5 * hour);
  EXPECT_THAT(admin_->Overview(now, now, 0), StatusIs(StatusCode::kInvalidArgument));
}

// OAuth access tokens live an hour and their clients renew them: they are
// counted apart and never listed as expiring.
TEST_P(CatalogAdminOverviewTest, OAuthAccessTokensAreCountedApartAndNotListedAsExpiring) {
  Populate();
  const int64_t now = NowMillis();
  const int64_t hour = 3'600'000;
  ASSERT_OK(admin_->CreateToken("alice", now + 5 * hour));
  OAuthClientStore store(admin_->database());
  ASSERT_OK_AND_ASSIGN(IssuedOAuthClient client, store.CreateClient("alice", std::nullopt));
  for (int i = 0; i < 3; ++i) {
    ASSERT_OK(store.IssueAccessToken(client.record.client_id, now, now + hour + i).status());
  }
  ASSERT_OK_AND_ASSIGN(IssuedOAuthClient gone, store.CreateClient("alice", std::nullopt));
  ASSERT_OK(store.IssueAccessToken(gone.record.client_id, now, now + hour).status());
  ASSERT_OK(store.RevokeClient("alice", gone.record.client_id));  // revokes its token

  ASSERT_OK_AND_ASSIGN(CatalogOverview v, admin_->Overview(now, now + 7 * 24 * hour, 20));
  EXPECT_EQ(v.active_tokens, 1);
  EXPECT_EQ(v.oauth_access_tokens, 3);
  ASSERT_EQ(v.expiring_tokens.size(), 1u);
  EXPECT_EQ(v.expiring_tokens[0].expiration_ms, now + 5 * hour);

  // Once they expire they are not counted at all.
  ASSERT_OK_AND_ASSIGN(CatalogOverview later, admin_->Overview(now + 2 * hour, now + 3 * hour, 20));
  EXPECT_EQ(later.oauth_access_tokens, 0);
  EXPECT_EQ(later.active_tokens, 1);
  EXPECT_TRUE(later.expiring_tokens.empty());
}

LAKESHARE_INSTANTIATE_BACKENDS(CatalogAdminOverviewTest);

}  // namespace
}  // namespace lakeshare
