// CatalogAdmin: activation links.
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

using CatalogAdminLinksTest = testing::CatalogAdminFixture;

TEST_P(CatalogAdminLinksTest, ActivationLinksWorkOnce) {
  Populate();
  ActivationLinkSpec spec;
  spec.expiration_ms = NowMillis() + 60'000;
  spec.token_expiration_ms = NowMillis() + 3'600'000;
  spec.profile_ref = "profile-v1";
  auto link = admin_->CreateActivationLink("alice", spec);
  ASSERT_OK(link);
  EXPECT_EQ(
      db_->Query("SELECT COUNT(*) FROM activation_links WHERE secret_hash = ?", {link->secret})
          ->front()
          .Int(0),
      0);  // only the hash is stored

  auto redeemed = admin_->RedeemActivationLink(link->secret);
  ASSERT_OK(redeemed);
  EXPECT_EQ(redeemed->link.recipient, "alice");
  EXPECT_EQ(redeemed->link.profile_ref, "profile-v1");
  EXPECT_EQ(redeemed->token.record.origin, "activation");
  EXPECT_EQ(redeemed->token.record.expiration_ms, spec.token_expiration_ms);
  auto who = catalog_->Authenticate(redeemed->token.token);
  ASSERT_OK(who);
  EXPECT_EQ(who->recipient, "alice");

  auto again = admin_->RedeemActivationLink(link->secret);
  EXPECT_EQ(again.status(), Status::FailedPrecondition("activation link has already been used"));
  EXPECT_EQ(admin_->RedeemActivationLink("not-a-secret").status().code(), StatusCode::kNotFound);
  auto listed = admin_->ListActivationLinks("alice");
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_TRUE(listed->front().used_ms.has_value());
  EXPECT_EQ(listed->front().token_id, redeemed->token.record.id);

  // Expired links are refused.
  ActivationLinkSpec brief;
  brief.expiration_ms = NowMillis() + 150;
  auto short_link = admin_->CreateActivationLink("alice", brief);
  ASSERT_OK(short_link);
  std::this_thread::sleep_for(std::chrono::milliseconds(250));
  EXPECT_EQ(admin_->RedeemActivationLink(short_link->secret).status(),
            Status::FailedPrecondition("activation link has expired"));
  brief.expiration_ms = NowMillis() - 1;
  EXPECT_EQ(admin_->CreateActivationLink("alice", brief).status().code(),
            StatusCode::kInvalidArgument);

  // Concurrent redemptions: exactly one wins.
  spec.expiration_ms = NowMillis() + 60'000;
  auto contested = admin_->CreateActivationLink("alice", spec);
  ASSERT_OK(contested);
  std::atomic<int> wins{0}, refusals{0}, other{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      auto r = admin_->RedeemActivationLink(contested->secret);
      if (r.ok()) {
        ++wins;
      } else if (r.status().code() == StatusCode::kFailedPrecondition) {
        ++refusals;
      } else {
        ADD_FAILURE() << r.status();
        ++other;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(wins.load(), 1);
  EXPECT_EQ(refusals.load(), 3);
  EXPECT_EQ(other.load(), 0);
}

LAKESHARE_INSTANTIATE_BACKENDS(CatalogAdminLinksTest);

}  // namespace
}  // namespace lakeshare
