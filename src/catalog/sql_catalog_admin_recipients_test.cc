// CatalogAdmin: recipients, tokens and grants.
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "auth/token.h"
#include "catalog/sql_catalog_admin.h"
#include "catalog/sql_catalog_admin_test_util.h"
#include "catalog/sql_catalog_internal.h"
#include "catalog/sql_catalog_test_util.h"
#include "common/time_util.h"
#include "db/migrations.h"
#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

using testing::StatusIs;
using CatalogAdminRecipientsTest = testing::CatalogAdminFixture;

TEST_P(CatalogAdminRecipientsTest, RecipientsTokensAndGrants) {
  Populate();
  EXPECT_EQ(admin_->CreateRecipient({"ALICE"}).status().code(), StatusCode::kAlreadyExists);
  RecipientUpdate ru;
  ru.comment = "partner";
  ru.ip_allowlist = std::vector<std::string>{"10.0.0.0/8"};
  auto r = admin_->UpdateRecipient("alice", ru);
  ASSERT_OK(r);
  EXPECT_EQ(r->comment, "partner");
  EXPECT_EQ(admin_->GetRecipient("Alice")->ip_allowlist, std::vector<std::string>{"10.0.0.0/8"});

  auto t1 = admin_->CreateToken("alice");
  auto t2 = admin_->CreateToken("alice");
  ASSERT_OK(t1);
  ASSERT_OK(t2);
  EXPECT_NE(t1->token, t2->token);
  EXPECT_GE(t1->token.size(), 43u);  // 256 bits
  // Only hashes are stored.
  auto stored = db_->Query("SELECT token_hash FROM recipient_tokens");
  ASSERT_EQ(stored->size(), 2u);
  for (const auto& row : *stored) {
    EXPECT_TRUE(row.Text(0).starts_with("sha256:"));
    EXPECT_NE(row.Text(0), t1->token);
    EXPECT_NE(row.Text(0), t2->token);
  }
  EXPECT_EQ(admin_->CreateToken("alice", NowMillis() - 1).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(admin_->CreateToken("nobody").status(),
            Status::NotFound("recipient 'nobody' not found"));

  // Rotation with a grace period: old tokens keep working for a while.
  auto t3 = admin_->RotateToken("alice", std::nullopt, 60'000);
  ASSERT_OK(t3);
  EXPECT_OK(catalog_->Authenticate(t1->token));
  auto tokens = admin_->ListTokens("alice");
  ASSERT_EQ(tokens->size(), 3u);
  int64_t now = NowMillis();
  for (const auto& t : *tokens) {
    EXPECT_TRUE(t.live(now));
    if (t.id != t3->record.id) {
      EXPECT_TRUE(t.expiration_ms.has_value());
    }
  }
  // Rotation without grace: only the new one works.
  auto t4 = admin_->RotateToken("alice");
  ASSERT_OK(t4);
  EXPECT_FALSE(catalog_->Authenticate(t1->token).ok());
  EXPECT_FALSE(catalog_->Authenticate(t3->token).ok());
  EXPECT_OK(catalog_->Authenticate(t4->token));
  ASSERT_OK(admin_->RevokeToken("alice", t4->record.id));
  ASSERT_OK(admin_->RevokeToken("alice", t4->record.id));  // idempotent
  EXPECT_EQ(admin_->RevokeToken("alice", "no-such-id").code(), StatusCode::kNotFound);
  EXPECT_FALSE(catalog_->Authenticate(t4->token).ok());

  // Grants.
  EXPECT_EQ(*admin_->ListGrants("alice"), std::vector<std::string>{"Sales"});
  ASSERT_OK(admin_->Grant("alice", "HR"));
  ASSERT_OK(admin_->Grant("alice", "hr"));  // idempotent
  EXPECT_EQ(admin_->ListGrants("alice")->size(), 2u);
  EXPECT_EQ(*admin_->ListShareRecipients("hr"), std::vector<std::string>{"alice"});
  ASSERT_OK(admin_->RevokeGrant("alice", "hr"));
  EXPECT_EQ(admin_->RevokeGrant("alice", "hr").code(), StatusCode::kNotFound);
  EXPECT_EQ(admin_->Grant("alice", "nope").code(), StatusCode::kNotFound);

  // all_shares sees every share, also ones created later.
  ASSERT_OK(admin_->CreateRecipient({"root", std::nullopt, {}, true}));
  auto rt = admin_->CreateToken("root");
  Principal root = *catalog_->Authenticate(rt->token);
  ASSERT_OK(admin_->CreateShare({"later"}));
  EXPECT_EQ(catalog_->ListShares(root)->size(), 3u);

  // Deleting a recipient deletes its tokens and grants.
  ASSERT_OK(admin_->DeleteRecipient("alice"));
  EXPECT_EQ(db_->Query("SELECT COUNT(*) FROM recipient_tokens")->front().Int(0), 1);
  EXPECT_EQ(db_->Query("SELECT COUNT(*) FROM share_grants")->front().Int(0), 0);
}

TEST_P(CatalogAdminRecipientsTest, OnboardingGrantsAndIssuesInOneStep) {
  Populate();
  RecipientOnboarding spec;
  spec.recipient.name = "bob";
  spec.shares = {"SALES", "hr", "sales"};  // any case; a repeat is granted once
  spec.token = TokenIssue{NowMillis() + 3'600'000};
  ASSERT_OK_AND_ASSIGN(OnboardedRecipient bob, admin_->OnboardRecipient(spec));
  EXPECT_EQ(bob.recipient.name, "bob");
  EXPECT_EQ(bob.shares, (std::vector<std::string>{"Sales", "hr"}));
  ASSERT_TRUE(bob.token.has_value());
  EXPECT_FALSE(bob.activation_link.has_value());
  EXPECT_EQ(admin_->ListGrants("bob").value(), (std::vector<std::string>{"hr", "Sales"}));
  // The token reads what was granted.
  ASSERT_OK_AND_ASSIGN(Principal p, catalog_->Authenticate(bob.token->token));
  EXPECT_EQ(catalog_->ListShares(p)->size(), 2u);

  // An activation link instead of a token.
  RecipientOnboarding linked;
  linked.recipient.name = "carol";
  linked.shares = {"hr"};
  linked.activation_link = ActivationLinkSpec{.expiration_ms = NowMillis() + 60'000};
  ASSERT_OK_AND_ASSIGN(OnboardedRecipient carol, admin_->OnboardRecipient(linked));
  ASSERT_TRUE(carol.activation_link.has_value());
  EXPECT_FALSE(carol.token.has_value());
  ASSERT_OK_AND_ASSIGN(Redemption red, admin_->RedeemActivationLink(carol.activation_link->secret));
  EXPECT_EQ(red.link.recipient, "carol");
  EXPECT_TRUE(admin_->ListTokens("bob")->front().live(NowMillis()));
}

TEST_P(CatalogAdminRecipientsTest, OnboardingLeavesNothingBehindWhenAStepFails) {
  Populate();
  auto count = [this](const char* table) {
    return db_->Query(std::string("SELECT COUNT(*) FROM ") + table)->front().Int(0);
  };
  const int64_t recipients = count("recipients");
  const int64_t grants = count("share_grants");
  const int64_t tokens = count("recipient_tokens");

  // The second share does not exist: the recipient, the first grant and
  // the token are rolled back.
  RecipientOnboarding spec;
  spec.recipient.name = "dave";
  spec.shares = {"sales", "no_such_share"};
  spec.token = TokenIssue{};
  EXPECT_THAT(admin_->OnboardRecipient(spec), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(admin_->GetRecipient("dave"), StatusIs(StatusCode::kNotFound));
  EXPECT_EQ(count("recipients"), recipients);
  EXPECT_EQ(count("share_grants"), grants);
  EXPECT_EQ(count("recipient_tokens"), tokens);

  // A name taken is kAlreadyExists; nothing is granted to the existing one.
  RecipientOnboarding taken;
  taken.recipient.name = "ALICE";
  taken.shares = {"hr"};
  EXPECT_THAT(admin_->OnboardRecipient(taken), StatusIs(StatusCode::kAlreadyExists));
  EXPECT_EQ(admin_->ListGrants("alice").value(), std::vector<std::string>{"Sales"});

  // Both a token and a link, or an expiry in the past: refused before writing.
  RecipientOnboarding both;
  both.recipient.name = "erin";
  both.token = TokenIssue{};
  both.activation_link = ActivationLinkSpec{.expiration_ms = NowMillis() + 60'000};
  EXPECT_THAT(admin_->OnboardRecipient(both), StatusIs(StatusCode::kInvalidArgument));
  RecipientOnboarding past;
  past.recipient.name = "erin";
  past.token = TokenIssue{NowMillis() - 1000};
  EXPECT_THAT(admin_->OnboardRecipient(past), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(admin_->GetRecipient("erin"), StatusIs(StatusCode::kNotFound));
  EXPECT_EQ(count("recipients"), recipients);
}

LAKESHARE_INSTANTIATE_BACKENDS(CatalogAdminRecipientsTest);

}  // namespace
}  // namespace lakeshare

namespace lakeshare {
namespace {

TEST_P(CatalogAdminRecipientsTest, RateLimitOverrideReachesThePrincipal) {
  Populate();
  ASSERT_OK_AND_ASSIGN(IssuedToken token, admin_->CreateToken("alice"));
  // No override: the server's default applies.
  ASSERT_OK_AND_ASSIGN(Principal who, catalog_->Authenticate(token.token));
  EXPECT_EQ(who.rate_limit, std::nullopt);

  RecipientUpdate u;
  u.rate_limit_per_second = 5;
  ASSERT_OK_AND_ASSIGN(RecipientRecord r, admin_->UpdateRecipient("alice", u));
  EXPECT_EQ(r.rate_limit_per_second, 5);
  EXPECT_EQ(r.rate_limit_burst, std::nullopt);
  ASSERT_OK_AND_ASSIGN(who, catalog_->Authenticate(token.token));
  EXPECT_EQ(who.rate_limit, (RateLimit{5, 5}));  // burst: a second's worth

  u = RecipientUpdate{};
  u.rate_limit_burst = 20;  // the rate is kept
  ASSERT_OK(admin_->UpdateRecipient("alice", u));
  ASSERT_OK_AND_ASSIGN(who, catalog_->AuthenticateFrom(token.token, "10.1.2.3"));
  EXPECT_EQ(who.rate_limit, (RateLimit{5, 20}));

  u = RecipientUpdate{};
  u.rate_limit_per_second = 0;  // unlimited, whatever the default
  ASSERT_OK(admin_->UpdateRecipient("alice", u));
  ASSERT_OK_AND_ASSIGN(who, catalog_->Authenticate(token.token));
  ASSERT_TRUE(who.rate_limit.has_value());
  EXPECT_TRUE(who.rate_limit->unlimited());

  u = RecipientUpdate{};
  u.rate_limit_per_second = RecipientUpdate::kClearRateLimit;
  ASSERT_OK_AND_ASSIGN(r, admin_->UpdateRecipient("alice", u));
  EXPECT_EQ(r.rate_limit_per_second, std::nullopt);
  EXPECT_EQ(r.rate_limit_burst, std::nullopt);
  ASSERT_OK_AND_ASSIGN(who, catalog_->Authenticate(token.token));
  EXPECT_EQ(who.rate_limit, std::nullopt);
  ASSERT_OK_AND_ASSIGN(r, admin_->GetRecipient("alice"));
  EXPECT_EQ(r.rate_limit_per_second, std::nullopt);
}

TEST_P(CatalogAdminRecipientsTest, RateLimitValuesAreChecked) {
  RecipientSpec spec{"bob"};
  spec.rate_limit_per_second = 3;
  spec.rate_limit_burst = 7;
  ASSERT_OK_AND_ASSIGN(RecipientRecord r, admin_->CreateRecipient(spec));
  EXPECT_EQ(r.rate_limit_per_second, 3);
  EXPECT_EQ(r.rate_limit_burst, 7);
  ASSERT_OK_AND_ASSIGN(auto listed, admin_->ListRecipients());
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].rate_limit_burst, 7);

  RecipientSpec burst_alone{"carol"};
  burst_alone.rate_limit_burst = 2;
  EXPECT_THAT(admin_->CreateRecipient(burst_alone),
              testing::StatusIs(StatusCode::kInvalidArgument));
  RecipientSpec negative{"dave"};
  negative.rate_limit_per_second = -1;
  EXPECT_THAT(admin_->CreateRecipient(negative), testing::StatusIs(StatusCode::kInvalidArgument));
  for (RecipientUpdate bad :
       {RecipientUpdate{.rate_limit_per_second = -2},
        RecipientUpdate{.rate_limit_per_second = 2'000'000}, RecipientUpdate{.rate_limit_burst = 0},
        RecipientUpdate{.rate_limit_per_second = -1, .rate_limit_burst = 3}}) {
    EXPECT_THAT(admin_->UpdateRecipient("bob", bad),
                testing::StatusIs(StatusCode::kInvalidArgument));
  }
  // Clearing the rate takes the burst with it; a burst alone then has no rate.
  ASSERT_OK(admin_->UpdateRecipient("bob", {.rate_limit_per_second = -1}));
  EXPECT_THAT(admin_->UpdateRecipient("bob", {.rate_limit_burst = 3}),
              testing::StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace lakeshare
