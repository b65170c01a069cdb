// CatalogAdmin as a whole: migrations, bad input, concurrent writers.
#include "catalog/sql_catalog_admin.h"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "auth/token.h"
#include "catalog/sql_catalog_admin_test_util.h"
#include "catalog/sql_catalog_internal.h"
#include "catalog/sql_catalog_test_util.h"
#include "common/time_util.h"
#include "db/migrations.h"
#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

using CatalogAdminTest = testing::CatalogAdminFixture;

TEST_P(CatalogAdminTest, MigrationsAreAppliedAndReRunCleanly) {
  EXPECT_EQ(*db::SchemaVersion(*db_), CatalogMigrations().back().version);
  Populate();
  ASSERT_OK(MigrateCatalogSchema(*db_));
  ASSERT_OK(MigrateCatalogSchema(*OpenAgain()));
  EXPECT_EQ(admin_->ListShares()->size(), 2u);
  EXPECT_EQ(db_->Query("SELECT version FROM schema_migrations")->size(),
            CatalogMigrations().size());
}

TEST_P(CatalogAdminTest, GarbageInputsAreInvalidArguments) {
  Populate();
  auto invalid = [](const Status& st) { return st.code() == StatusCode::kInvalidArgument; };
  for (std::string name :
       {std::string(""), std::string("a b"), std::string("a/b"), std::string(256, 'x'),
        std::string("tab\there"), std::string("nul\0x", 5)}) {
    SCOPED_TRACE(name);
    EXPECT_TRUE(invalid(admin_->CreateShare({name}).status()));
    EXPECT_TRUE(invalid(admin_->CreateSchema("sales", name).status()));
    EXPECT_TRUE(invalid(admin_->AddTable("sales", "default", {name, "/x"}).status()));
    EXPECT_TRUE(invalid(admin_->CreateRecipient({name}).status()));
    EXPECT_TRUE(
        invalid(admin_->CreateAdminUser(name, "long enough pw", AdminRole::kAdmin).status()));
  }
  EXPECT_TRUE(invalid(admin_->CreateSchema("sales", "a.b").status()));
  EXPECT_TRUE(invalid(admin_->CreateShare({"ok", std::nullopt, std::string(5000, 'c')}).status()));
  EXPECT_TRUE(invalid(admin_->CreateShare({"ok", std::string(300, 'd')}).status()));
  EXPECT_TRUE(invalid(admin_->CreateShare({"ok", std::nullopt, std::string("\xc3\x28")}).status()));
  EXPECT_TRUE(invalid(admin_->AddTable("sales", "default", {"t", ""}).status()));
  EXPECT_TRUE(
      invalid(admin_->AddTable("sales", "default", {"t", std::string(5000, 'l')}).status()));
  TableSpec bad_format{"t", "/x"};
  bad_format.format = "parquet";
  EXPECT_TRUE(invalid(admin_->AddTable("sales", "default", bad_format).status()));
  TableSpec negative{"t", "/x"};
  negative.start_version = -1;
  EXPECT_TRUE(invalid(admin_->AddTable("sales", "default", negative).status()));
  RecipientSpec bad_ip{"r"};
  bad_ip.ip_allowlist = {"10.0.0.0/33"};
  EXPECT_TRUE(invalid(admin_->CreateRecipient(bad_ip).status()));
  bad_ip.ip_allowlist = {"not-an-ip"};
  EXPECT_TRUE(invalid(admin_->CreateRecipient(bad_ip).status()));
  EXPECT_TRUE(invalid(admin_->RotateToken("alice", std::nullopt, -5).status()));
  // Nothing was created by any of it.
  EXPECT_EQ(admin_->ListShares()->size(), 2u);
  EXPECT_EQ(admin_->ListRecipients()->size(), 1u);
  EXPECT_EQ(admin_->ListTables("sales")->size(), 2u);
}

TEST_P(CatalogAdminTest, ConcurrentWritersLoseNoUpdate) {
  ASSERT_OK(admin_->CreateShare({"counter", std::nullopt, std::string("")}));
  ASSERT_OK(admin_->CreateRecipient({"r"}));
  constexpr int kThreads = 4, kPerThread = 10;
  std::atomic<int> unexpected{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        // Optimistic read-modify-write through the API, as a REST client
        // with ETags would do it: re-read and retry on a version conflict.
        for (;;) {
          auto cur = admin_->GetShare("counter");
          if (!cur.ok()) {
            ++unexpected;
            break;
          }
          ShareUpdate u;
          u.comment = cur->comment.value_or("") + "x";
          auto r = admin_->UpdateShare("counter", u, cur->version);
          if (r.ok()) break;
          if (r.status().code() != StatusCode::kFailedPrecondition) {
            ADD_FAILURE() << r.status();
            ++unexpected;
            break;
          }
        }
        // Independent writes in parallel: new shares, grants and tokens.
        std::string name = "s" + std::to_string(t) + "_" + std::to_string(i);
        Status st = admin_->CreateShare({name}).status();
        if (st.ok()) st = admin_->Grant("r", name);
        if (st.ok()) st = admin_->CreateToken("r").status();
        if (!st.ok()) {
          ADD_FAILURE() << st;
          ++unexpected;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(unexpected.load(), 0);
  EXPECT_EQ(admin_->GetShare("counter")->comment->size(), size_t{kThreads * kPerThread});
  EXPECT_EQ(admin_->GetShare("counter")->version, 1 + kThreads * kPerThread);
  EXPECT_EQ(admin_->ListShares()->size(), size_t{1 + kThreads * kPerThread});
  EXPECT_EQ(admin_->ListGrants("r")->size(), size_t{kThreads * kPerThread});
  auto tokens = admin_->ListTokens("r");
  EXPECT_EQ(tokens->size(), size_t{kThreads * kPerThread});
}

TEST_P(CatalogAdminTest, RacingCreatesOfOneNameYieldOneWinner) {
  std::atomic<int> wins{0}, exists{0}, other{0};
  std::vector<std::thread> threads;
  auto other_db = OpenAgain();  // half the writers come from another "replica"
  CatalogAdmin replica(other_db, AdminOptions());
  for (int i = 0; i < 6; ++i) {
    threads.emplace_back([&, i] {
      CatalogAdmin& a = i % 2 == 0 ? *admin_ : replica;
      auto r = a.CreateShare({i % 3 == 0 ? "Same" : "SAME"});
      if (r.ok()) {
        ++wins;
      } else if (r.status().code() == StatusCode::kAlreadyExists) {
        ++exists;
      } else {
        ADD_FAILURE() << r.status();
        ++other;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(wins.load(), 1);
  EXPECT_EQ(exists.load(), 5);
  EXPECT_EQ(other.load(), 0);
}

LAKESHARE_INSTANTIATE_BACKENDS(CatalogAdminTest);

}  // namespace
}  // namespace lakeshare
