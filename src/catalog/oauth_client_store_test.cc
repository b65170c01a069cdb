// OAuthClientStore on SQLite and PostgreSQL: clients, keys, assertion ids
// and the access tokens that authenticate like a recipient's bearer token.
#include "catalog/oauth_client_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "auth/token.h"
#include "catalog/sql_catalog_admin_test_util.h"
#include "common/time_util.h"
#include "testing/jwt_signer.h"
#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

using ::lakeshare::testing::JwtSigner;
using ::lakeshare::testing::StatusIs;

class OAuthClientStoreTest : public testing::CatalogAdminFixture {
 protected:
  OAuthClientStore Store() { return OAuthClientStore(admin_->database()); }
};

TEST_P(OAuthClientStoreTest, ClientSecretIsStoredAsAHashOnly) {
  Populate();
  OAuthClientStore store = Store();
  ASSERT_OK_AND_ASSIGN(IssuedOAuthClient c, store.CreateClient("alice", std::nullopt));
  EXPECT_EQ(c.record.recipient, "alice");
  EXPECT_GE(c.secret.size(), 43u);
  ASSERT_OK_AND_ASSIGN(auto found, store.FindClient(c.record.client_id));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->secret_hash, HashToken(c.secret));
  ASSERT_OK_AND_ASSIGN(auto rows, db_->Query("SELECT secret_hash FROM oauth_clients"));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_TRUE(IsTokenHash(rows[0].Text(0)));
  ASSERT_OK_AND_ASSIGN(auto none, store.FindClient("nope"));
  EXPECT_FALSE(none.has_value());
  EXPECT_THAT(store.CreateClient("nobody", std::nullopt), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(store.CreateClient("alice", NowMillis() - 1), StatusIs(StatusCode::kInvalidArgument));
}

TEST_P(OAuthClientStoreTest, AccessTokensAuthenticateAsTheRecipientUntilRevoked) {
  Populate();
  OAuthClientStore store = Store();
  ASSERT_OK_AND_ASSIGN(IssuedOAuthClient c, store.CreateClient("alice", std::nullopt));
  const int64_t now = NowMillis();
  ASSERT_OK_AND_ASSIGN(IssuedToken t, store.IssueAccessToken(c.record.client_id, now, now + 60000));
  EXPECT_EQ(t.record.origin, "oauth");
  ASSERT_OK_AND_ASSIGN(Principal who, catalog_->Authenticate(t.token));
  EXPECT_EQ(who.recipient, "alice");
  EXPECT_EQ(who.token_expiration_ms, now + 60000);
  // Not among the recipient's own tokens.
  ASSERT_OK_AND_ASSIGN(auto listed, admin_->ListTokens("alice"));
  EXPECT_TRUE(listed.empty());

  ASSERT_OK(store.RevokeClient("alice", c.record.client_id));
  ASSERT_OK(store.RevokeClient("alice", c.record.client_id));  // again: no-op
  EXPECT_THAT(catalog_->Authenticate(t.token), StatusIs(StatusCode::kUnauthenticated));
  EXPECT_THAT(store.IssueAccessToken(c.record.client_id, now, now + 60000),
              StatusIs(StatusCode::kUnauthenticated));
  ASSERT_OK_AND_ASSIGN(auto clients, store.ListClients("alice"));
  ASSERT_EQ(clients.size(), 1u);
  EXPECT_FALSE(clients[0].live(NowMillis()));
  EXPECT_THAT(store.RevokeClient("alice", "nope"), StatusIs(StatusCode::kNotFound));
}

TEST_P(OAuthClientStoreTest, ExpiredClientIssuesNothing) {
  Populate();
  OAuthClientStore store = Store();
  const int64_t now = NowMillis();
  ASSERT_OK_AND_ASSIGN(IssuedOAuthClient c, store.CreateClient("alice", now + 1000));
  EXPECT_THAT(store.IssueAccessToken(c.record.client_id, now + 2000, now + 60000),
              StatusIs(StatusCode::kUnauthenticated));
}

TEST_P(OAuthClientStoreTest, LiveAccessTokensPerClientAreBounded) {
  Populate();
  OAuthClientStore store = Store();
  ASSERT_OK_AND_ASSIGN(IssuedOAuthClient c, store.CreateClient("alice", std::nullopt));
  const int64_t now = NowMillis();
  std::vector<std::string> tokens;
  for (int i = 0; i < kMaxLiveAccessTokensPerClient + 3; ++i) {
    ASSERT_OK_AND_ASSIGN(IssuedToken t,
                         store.IssueAccessToken(c.record.client_id, now + i, now + 60000));
    tokens.push_back(t.token);
  }
  ASSERT_OK_AND_ASSIGN(auto live, db_->Query("SELECT COUNT(*) FROM recipient_tokens WHERE "
                                             "revoked_ms IS NULL"));
  EXPECT_EQ(live[0].Int(0), kMaxLiveAccessTokensPerClient);
  EXPECT_THAT(catalog_->Authenticate(tokens.front()), StatusIs(StatusCode::kUnauthenticated));
  EXPECT_OK(catalog_->Authenticate(tokens.back()));
}

TEST_P(OAuthClientStoreTest, KeysAreValidatedAndListed) {
  Populate();
  OAuthClientStore store = Store();
  ASSERT_OK_AND_ASSIGN(IssuedOAuthClient c, store.CreateClient("alice", std::nullopt));
  JwtSigner rsa = JwtSigner::Rsa();
  JwtSigner ec = JwtSigner::Ec();
  ASSERT_OK_AND_ASSIGN(auto k1, store.AddKey("alice", c.record.client_id, "k1", rsa.PublicPem()));
  EXPECT_EQ(k1.algorithm, "RS256");
  ASSERT_OK_AND_ASSIGN(auto k2, store.AddKey("alice", c.record.client_id, "", ec.PublicJwk("ek")));
  EXPECT_EQ(k2.key_id, "ek");
  EXPECT_EQ(k2.algorithm, "ES256");
  EXPECT_THAT(store.AddKey("alice", c.record.client_id, "k1", ec.PublicPem()),
              StatusIs(StatusCode::kAlreadyExists));
  EXPECT_THAT(store.AddKey("alice", c.record.client_id, "k3", "junk"),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(store.AddKey("alice", "nope", "k3", ec.PublicPem()), StatusIs(StatusCode::kNotFound));
  ASSERT_OK_AND_ASSIGN(auto clients, store.ListClients("alice"));
  ASSERT_EQ(clients.size(), 1u);
  ASSERT_EQ(clients[0].keys.size(), 2u);
  ASSERT_OK(store.RemoveKey("alice", c.record.client_id, "k1"));
  EXPECT_THAT(store.RemoveKey("alice", c.record.client_id, "k1"), StatusIs(StatusCode::kNotFound));
  ASSERT_OK_AND_ASSIGN(std::optional<OAuthClientStore::Found> found,
                       store.FindClient(c.record.client_id));
  ASSERT_TRUE(found.has_value());
  std::vector<OAuthClientKeyRecord> keys = std::move(found).value().record.keys;
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(keys[0].key_id, "ek");
}

TEST_P(OAuthClientStoreTest, AssertionIdsAreSingleUseAcrossReplicas) {
  Populate();
  OAuthClientStore store = Store();
  OAuthClientStore replica(OpenAgain());
  ASSERT_OK_AND_ASSIGN(IssuedOAuthClient c, store.CreateClient("alice", std::nullopt));
  const int64_t now = NowMillis();
  ASSERT_OK_AND_ASSIGN(bool first,
                       store.RememberAssertionId(c.record.client_id, "j1", now + 60000, now));
  EXPECT_TRUE(first);
  ASSERT_OK_AND_ASSIGN(bool again,
                       replica.RememberAssertionId(c.record.client_id, "j1", now + 60000, now));
  EXPECT_FALSE(again);
  // Once expired it is forgotten (the assertion itself is refused by then).
  ASSERT_OK_AND_ASSIGN(
      bool later, store.RememberAssertionId(c.record.client_id, "j1", now + 200000, now + 120000));
  EXPECT_TRUE(later);
}

TEST_P(OAuthClientStoreTest, DeletingTheRecipientDeletesItsClients) {
  Populate();
  OAuthClientStore store = Store();
  ASSERT_OK_AND_ASSIGN(IssuedOAuthClient c, store.CreateClient("alice", std::nullopt));
  const int64_t now = NowMillis();
  ASSERT_OK(store.IssueAccessToken(c.record.client_id, now, now + 60000));
  ASSERT_OK(store.RememberAssertionId(c.record.client_id, "j", now + 1000, now));
  ASSERT_OK(admin_->DeleteRecipient("alice"));
  ASSERT_OK_AND_ASSIGN(auto found, store.FindClient(c.record.client_id));
  EXPECT_FALSE(found.has_value());
  ASSERT_OK_AND_ASSIGN(auto rows, db_->Query("SELECT COUNT(*) FROM oauth_assertion_ids"));
  EXPECT_EQ(rows[0].Int(0), 0);
}

LAKESHARE_INSTANTIATE_BACKENDS(OAuthClientStoreTest);

}  // namespace
}  // namespace lakeshare
