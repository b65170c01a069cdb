#include "catalog/sql_catalog_admin.h"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "auth/token.h"
#include "catalog/sql_catalog_internal.h"
#include "catalog/sql_catalog_test_util.h"
#include "common/time_util.h"
#include "db/migrations.h"
#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

class CatalogAdminTest : public SqlCatalogFixture {
 protected:
  // sales/{default: [orders, items]}, hr/{people: [staff]}; alice granted sales.
  void Populate() {
    ASSERT_OK(admin_->CreateShare({"Sales", "Sales data", "q"}));
    ASSERT_OK(admin_->CreateShare({"hr"}));
    ASSERT_OK(admin_->CreateSchema("sales", "default"));
    ASSERT_OK(admin_->CreateSchema("hr", "people"));
    ASSERT_OK(admin_->AddTable("sales", "default", {"orders", "/data/orders"}));
    ASSERT_OK(admin_->AddTable("sales", "default", {"items", "/data/items"}));
    ASSERT_OK(admin_->AddTable("hr", "people", {"staff", "/data/staff"}));
    ASSERT_OK(admin_->CreateRecipient({"alice"}));
    ASSERT_OK(admin_->Grant("alice", "sales"));
  }
};

TEST_P(CatalogAdminTest, MigrationsAreAppliedAndReRunCleanly) {
  EXPECT_EQ(*db::SchemaVersion(*db_), CatalogMigrations().back().version);
  Populate();
  ASSERT_OK(MigrateCatalogSchema(*db_));
  ASSERT_OK(MigrateCatalogSchema(*OpenAgain()));
  EXPECT_EQ(admin_->ListShares()->size(), 2u);
  EXPECT_EQ(db_->Query("SELECT version FROM schema_migrations")->size(),
            CatalogMigrations().size());
}

TEST_P(CatalogAdminTest, SharesCrud) {
  auto created = admin_->CreateShare({"Sales", "Sales data", "quarterly"});
  ASSERT_OK(created);
  EXPECT_EQ(created->id.size(), 36u);
  EXPECT_EQ(created->version, 1);
  EXPECT_EQ(admin_->CreateShare({"SALES"}).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(admin_->CreateShare({"SALES"}).status().message(),
            "share 'SALES' (or its id) already exists");
  auto got = admin_->GetShare("sales");
  ASSERT_OK(got);
  EXPECT_EQ(got->name, "Sales");
  EXPECT_EQ(got->display_name, "Sales data");

  ShareUpdate u;
  u.name = "Revenue";
  u.comment = "";  // clears
  auto updated = admin_->UpdateShare("sales", u, created->version);
  ASSERT_OK(updated);
  EXPECT_EQ(updated->name, "Revenue");
  EXPECT_EQ(updated->comment, std::nullopt);
  EXPECT_EQ(updated->display_name, "Sales data");
  EXPECT_EQ(updated->version, 2);
  EXPECT_EQ(updated->id, created->id);
  // A stale version is refused.
  auto stale = admin_->UpdateShare("revenue", ShareUpdate{}, 1);
  EXPECT_EQ(stale.status().code(), StatusCode::kFailedPrecondition) << stale.status();
  EXPECT_EQ(admin_->GetShare("sales").status(), Status::NotFound("share 'sales' not found"));
  // Renaming onto another share's name is refused.
  ASSERT_OK(admin_->CreateShare({"other"}));
  ShareUpdate clash;
  clash.name = "REVENUE";
  EXPECT_EQ(admin_->UpdateShare("other", clash).status().code(), StatusCode::kFailedPrecondition);

  EXPECT_EQ(admin_->ListShares()->size(), 2u);
  ASSERT_OK(admin_->DeleteShare("REVENUE"));
  EXPECT_EQ(admin_->DeleteShare("revenue").code(), StatusCode::kNotFound);
  EXPECT_EQ(admin_->ListShares()->size(), 1u);
  // An explicit id is kept.
  ShareSpec with_id{"fixed"};
  with_id.id = "11111111-2222-3333-4444-555555555555";
  EXPECT_EQ(admin_->CreateShare(with_id)->id, *with_id.id);
}

TEST_P(CatalogAdminTest, SchemasAndTablesCrud) {
  ASSERT_OK(admin_->CreateShare({"s"}));
  ASSERT_OK(admin_->CreateSchema("S", "Default"));
  EXPECT_EQ(admin_->CreateSchema("s", "DEFAULT").status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(admin_->CreateSchema("nope", "x").status(), Status::NotFound("share 'nope' not found"));
  ASSERT_OK(admin_->CreateSchema("s", "other"));
  EXPECT_EQ(admin_->ListSchemas("s")->size(), 2u);

  TableSpec spec{"Orders", "s3://bucket/warehouse/orders_v7"};  // shared under another name
  spec.history_shared = true;
  spec.start_version = 3;
  spec.partition_filter = "region = 'EU'";
  spec.format = "DELTA";
  auto t = admin_->AddTable("s", "default", spec);
  ASSERT_OK(t);
  EXPECT_EQ(t->share, "s");
  EXPECT_EQ(t->schema, "Default");
  EXPECT_EQ(t->format, "delta");
  EXPECT_EQ(admin_->AddTable("s", "default", {"ORDERS", "/x"}).status().code(),
            StatusCode::kFailedPrecondition);
  // The same name in another schema is fine.
  EXPECT_OK(admin_->AddTable("s", "other", {"orders", "/x"}));

  auto got = admin_->GetTable("S", "DEFAULT", "orders");
  ASSERT_OK(got);
  EXPECT_EQ(got->location, "s3://bucket/warehouse/orders_v7");
  EXPECT_EQ(got->partition_filter, "region = 'EU'");
  EXPECT_TRUE(got->history_shared);
  EXPECT_EQ(got->start_version, 3);

  TableUpdate u;
  u.location = "/new";
  u.history_shared = false;
  u.partition_filter = "";
  auto updated = admin_->UpdateTable("s", "default", "orders", u, got->version);
  ASSERT_OK(updated);
  EXPECT_EQ(updated->location, "/new");
  EXPECT_FALSE(updated->history_shared);
  EXPECT_EQ(updated->partition_filter, std::nullopt);
  EXPECT_EQ(updated->start_version, 3);
  EXPECT_EQ(admin_->UpdateTable("s", "default", "orders", u, got->version).status().code(),
            StatusCode::kFailedPrecondition);

  EXPECT_EQ(admin_->ListTables("s")->size(), 2u);
  EXPECT_EQ(admin_->ListTables("s", "other")->size(), 1u);
  auto renamed = admin_->RenameSchema("s", "other", "archive");
  ASSERT_OK(renamed);
  EXPECT_EQ(admin_->GetTable("s", "archive", "orders")->schema, "archive");
  ASSERT_OK(admin_->RemoveTable("s", "default", "orders"));
  EXPECT_EQ(admin_->GetTable("s", "default", "orders").status(),
            Status::NotFound("table 'orders' not found"));
  // Deleting a schema, then a share, takes their contents along.
  ASSERT_OK(admin_->DeleteSchema("s", "archive"));
  EXPECT_TRUE(admin_->ListTables("s")->empty());
  ASSERT_OK(admin_->AddTable("s", "default", {"t", "/t"}));
  ASSERT_OK(admin_->DeleteShare("s"));
  EXPECT_EQ(db_->Query("SELECT COUNT(*) FROM shared_tables")->front().Int(0), 0);
  EXPECT_EQ(db_->Query("SELECT COUNT(*) FROM share_schemas")->front().Int(0), 0);
}

TEST_P(CatalogAdminTest, RecipientsTokensAndGrants) {
  Populate();
  EXPECT_EQ(admin_->CreateRecipient({"ALICE"}).status().code(), StatusCode::kFailedPrecondition);
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

TEST_P(CatalogAdminTest, AdminUsersAndPasswords) {
  auto u = admin_->CreateAdminUser("Root", "correct horse battery", AdminRole::kAdmin);
  ASSERT_OK(u);
  EXPECT_EQ(admin_->CreateAdminUser("root", "another password", AdminRole::kViewer).status().code(),
            StatusCode::kFailedPrecondition);
  auto stored = db_->Query("SELECT password_hash FROM admin_users");
  ASSERT_EQ(stored->size(), 1u);
  EXPECT_TRUE(stored->front().Text(0).starts_with("$argon2id$")) << stored->front().Text(0);
  EXPECT_EQ(stored->front().Text(0).find("correct horse"), std::string::npos);

  auto ok = admin_->VerifyAdminPassword("ROOT", "correct horse battery");
  ASSERT_OK(ok);
  EXPECT_EQ(ok->name, "Root");
  EXPECT_EQ(ok->role, AdminRole::kAdmin);
  auto wrong = admin_->VerifyAdminPassword("root", "wrong password!");
  auto unknown = admin_->VerifyAdminPassword("nobody", "correct horse battery");
  EXPECT_EQ(wrong.status(), Status::Unauthenticated("invalid user name or password"));
  EXPECT_EQ(unknown.status(), wrong.status());

  EXPECT_EQ(admin_->CreateAdminUser("v", "short", AdminRole::kViewer).status().code(),
            StatusCode::kInvalidArgument);
  ASSERT_OK(admin_->CreateAdminUser("viewer1", "viewer password", AdminRole::kViewer));
  ASSERT_OK(admin_->ChangeAdminPassword("viewer1", "new viewer password"));
  EXPECT_FALSE(admin_->VerifyAdminPassword("viewer1", "viewer password").ok());
  EXPECT_EQ(admin_->VerifyAdminPassword("viewer1", "new viewer password")->role,
            AdminRole::kViewer);

  // The last admin cannot be demoted or deleted.
  EXPECT_EQ(admin_->SetAdminRole("root", AdminRole::kViewer).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(admin_->DeleteAdminUser("root").code(), StatusCode::kFailedPrecondition);
  auto promoted = admin_->SetAdminRole("viewer1", AdminRole::kAdmin);
  ASSERT_OK(promoted);
  EXPECT_EQ(promoted->role, AdminRole::kAdmin);
  ASSERT_OK(admin_->SetAdminRole("root", AdminRole::kViewer));
  ASSERT_OK(admin_->DeleteAdminUser("root"));
  EXPECT_EQ(admin_->ListAdminUsers()->size(), 1u);
  EXPECT_EQ(admin_->GetAdminUser("root").status(), Status::NotFound("user 'root' not found"));
  EXPECT_EQ(ParseAdminRole("VIEWER").ValueOr(AdminRole::kAdmin), AdminRole::kViewer);
  EXPECT_FALSE(ParseAdminRole("owner").ok());
}

TEST_P(CatalogAdminTest, AuditFiltersAndPaging) {
  const int64_t t0 = 1'700'000'000'000;
  for (int i = 0; i < 30; ++i) {
    AuditEntry e;
    e.time_ms = t0 + i * 1000;
    e.actor_kind = i % 3 == 0 ? "admin" : "recipient";
    e.actor_name = i % 2 == 0 ? "alice" : "bob";
    e.action = i % 5 == 0 ? "createShare" : "queryTable";
    e.object = "sales.default.orders";
    e.outcome = i % 7 == 0 ? "denied" : "ok";
    e.num_files = i;
    e.remote_address = "10.0.0.1";
    e.request_id = "req-" + std::to_string(i);
    auto id = admin_->AppendAudit(e);
    ASSERT_OK(id);
  }
  // Paging through everything, newest first, no duplicates or gaps.
  AuditQuery q;
  q.limit = 7;
  std::vector<int64_t> seen;
  int pages = 0;
  for (;;) {
    auto page = admin_->QueryAudit(q);
    ASSERT_OK(page);
    ++pages;
    for (const auto& e : page->entries) seen.push_back(*e.num_files);
    if (!page->next_page_token) break;
    q.page_token = page->next_page_token;
  }
  EXPECT_EQ(pages, 5);
  ASSERT_EQ(seen.size(), 30u);
  for (int i = 0; i < 30; ++i) EXPECT_EQ(seen[i], 29 - i);

  AuditQuery f;
  f.actor_name = "alice";
  f.action = "queryTable";
  auto page = admin_->QueryAudit(f);
  // Even i, not a multiple of 5: 0..28 even = 15, minus 0,10,20 = 12.
  EXPECT_EQ(page->entries.size(), 12u);
  for (const auto& e : page->entries) {
    EXPECT_EQ(e.actor_name, "alice");
    EXPECT_EQ(e.action, "queryTable");
    EXPECT_EQ(e.object, "sales.default.orders");
    EXPECT_EQ(e.remote_address, "10.0.0.1");
  }
  AuditQuery range;
  range.from_ms = t0 + 10'000;
  range.to_ms = t0 + 20'000;
  range.outcome = "ok";
  auto in_range = admin_->QueryAudit(range);
  // i in [10, 20) minus 14 (denied).
  EXPECT_EQ(in_range->entries.size(), 9u);
  AuditQuery kind;
  kind.actor_kind = "admin";
  EXPECT_EQ(admin_->QueryAudit(kind)->entries.size(), 10u);

  // Garbage is recorded, cleaned; a bad query is refused.
  AuditEntry odd;
  odd.actor_kind = "recipient";
  odd.action = "queryTable";
  odd.outcome = "error";
  odd.detail = std::string("bad \xff bytes ") + std::string(10000, 'x');
  ASSERT_OK(admin_->AppendAudit(odd));
  AuditQuery last;
  last.limit = 1;
  auto newest = admin_->QueryAudit(last);
  ASSERT_EQ(newest->entries.size(), 1u);
  EXPECT_TRUE(newest->entries[0].detail->starts_with("bad ? bytes"));
  EXPECT_LE(newest->entries[0].detail->size(), 4096u);
  EXPECT_NEAR(static_cast<double>(newest->entries[0].time_ms), static_cast<double>(NowMillis()),
              60'000.0);
  AuditQuery big;
  big.limit = 5000;
  EXPECT_EQ(admin_->QueryAudit(big).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(admin_->AppendAudit(AuditEntry{}).status().code(), StatusCode::kInvalidArgument);
}

TEST_P(CatalogAdminTest, ActivationLinksWorkOnce) {
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
      } else if (r.status().code() == StatusCode::kFailedPrecondition) {
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

// ------------------------------------------------------------ admin sessions

constexpr int64_t kT0 = 1'700'000'000'000;  // the callers' clock
constexpr int64_t kTtl = 3'600'000;

TEST_P(CatalogAdminTest, AdminSessionsAreSharedByReplicasAndEndOnLogout) {
  auto root = admin_->CreateAdminUser("Root", "correct horse battery", AdminRole::kAdmin);
  ASSERT_OK(root);
  CatalogAdmin replica(OpenAgain(), AdminOptions());

  auto s = admin_->CreateAdminSession(*root, kT0, kTtl);
  ASSERT_OK(s);
  EXPECT_GE(s->token.size(), 32u);
  EXPECT_EQ(s->record.user, "Root");
  EXPECT_EQ(s->record.expires_ms, kT0 + kTtl);
  // Only the hash is stored.
  auto stored = db_->Query("SELECT token_hash, role FROM admin_sessions");
  ASSERT_EQ(stored->size(), 1u);
  EXPECT_EQ(stored->front().Text(0), HashToken(s->token));
  EXPECT_EQ(stored->front().Text(1), "admin");

  // The other replica knows the session.
  auto found = replica.FindAdminSession(s->token, kT0 + 1);
  ASSERT_OK(found);
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->user, "Root");
  EXPECT_EQ((*found)->user_id, root->id);
  EXPECT_EQ((*found)->role, AdminRole::kAdmin);
  EXPECT_EQ((*found)->created_ms, kT0);
  EXPECT_EQ((*found)->expires_ms, kT0 + kTtl);
  EXPECT_EQ(*replica.CountAdminSessions(kT0), 1);

  // Unknown and odd tokens are no session, not errors.
  for (const std::string& bad : {std::string(), std::string("garbage"), s->token + "x",
                                 HashToken(s->token), std::string(5000, 'a')}) {
    auto r = replica.FindAdminSession(bad, kT0 + 1);
    ASSERT_OK(r);
    EXPECT_FALSE(r->has_value()) << bad;
  }
  // The lifetime is absolute.
  EXPECT_TRUE(admin_->FindAdminSession(s->token, kT0 + kTtl - 1)->has_value());
  EXPECT_FALSE(admin_->FindAdminSession(s->token, kT0 + kTtl)->has_value());

  // Logout through one replica ends it on the other.
  EXPECT_TRUE(*replica.DeleteAdminSession(s->token));
  EXPECT_FALSE(admin_->FindAdminSession(s->token, kT0 + 2)->has_value());
  EXPECT_FALSE(*replica.DeleteAdminSession(s->token));
  EXPECT_EQ(*admin_->CountAdminSessions(kT0), 0);
  EXPECT_EQ(admin_->CreateAdminSession(*root, kT0, 0).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_P(CatalogAdminTest, LastUsedIsRefreshedAtMostOncePerInterval) {
  auto root = admin_->CreateAdminUser("root", "correct horse battery", AdminRole::kAdmin);
  ASSERT_OK(root);
  auto s = admin_->CreateAdminSession(*root, kT0, kTtl);
  ASSERT_OK(s);
  auto last_used = [&] {
    return db_->Query("SELECT last_used_ms FROM admin_sessions")->front().Int(0);
  };
  EXPECT_EQ((*admin_->FindAdminSession(s->token, kT0 + 1000))->last_used_ms, kT0);
  EXPECT_EQ(last_used(), kT0);
  const int64_t later = kT0 + kAdminSessionTouchMs;
  EXPECT_EQ((*admin_->FindAdminSession(s->token, later))->last_used_ms, later);
  EXPECT_EQ(last_used(), later);
  EXPECT_EQ((*admin_->FindAdminSession(s->token, later + 5))->last_used_ms, later);
  EXPECT_EQ(last_used(), later);
  // Use does not extend the lifetime.
  EXPECT_EQ((*admin_->FindAdminSession(s->token, later + 5))->expires_ms, kT0 + kTtl);
}

TEST_P(CatalogAdminTest, UserChangesEndSessionsAtOnce) {
  ASSERT_OK(admin_->CreateAdminUser("root", "correct horse battery", AdminRole::kAdmin));
  auto v = admin_->CreateAdminUser("vera", "vera's password", AdminRole::kViewer);
  ASSERT_OK(v);
  CatalogAdmin replica(OpenAgain(), AdminOptions());
  auto live = [&](const IssuedAdminSession& s) {
    auto r = replica.FindAdminSession(s.token, kT0 + 1);
    EXPECT_OK(r);
    return r.ok() && r->has_value();
  };

  // A password change ends the user's other sessions, not the one it keeps.
  auto s1 = admin_->CreateAdminSession(*v, kT0, kTtl);
  auto s2 = admin_->CreateAdminSession(*v, kT0, kTtl);
  ASSERT_OK(s1);
  ASSERT_OK(s2);
  ASSERT_OK(admin_->ChangeAdminPassword("vera", "vera's new password", s1->token));
  EXPECT_TRUE(live(*s1));
  EXPECT_FALSE(live(*s2));
  ASSERT_OK(admin_->ChangeAdminPassword("VERA", "vera's third password"));
  EXPECT_FALSE(live(*s1));

  // A role change ends them; setting the same role does not.
  auto s3 = admin_->CreateAdminSession(*v, kT0, kTtl);
  ASSERT_OK(s3);
  ASSERT_OK(admin_->SetAdminRole("vera", AdminRole::kViewer));
  EXPECT_TRUE(live(*s3));
  auto promoted = admin_->SetAdminRole("vera", AdminRole::kAdmin);
  ASSERT_OK(promoted);
  EXPECT_FALSE(live(*s3));
  // Opening a session with the role the user no longer has is refused.
  EXPECT_EQ(admin_->CreateAdminSession(*v, kT0, kTtl).status().code(),
            StatusCode::kUnauthenticated);

  // Even a role changed behind the API's back (another program, an older
  // server) ends the session: the lookup joins the user's current role.
  auto s4 = admin_->CreateAdminSession(*promoted, kT0, kTtl);
  ASSERT_OK(s4);
  EXPECT_TRUE(live(*s4));
  ASSERT_OK(db_->Write([&](db::Transaction& tx) {
           return tx.Exec("UPDATE admin_users SET role = 'viewer' WHERE id = ?", {v->id}).status();
         }));
  EXPECT_FALSE(live(*s4));
  ASSERT_OK(db_->Write([&](db::Transaction& tx) {
           return tx.Exec("UPDATE admin_users SET role = 'admin' WHERE id = ?", {v->id}).status();
         }));
  EXPECT_TRUE(live(*s4));

  // Deleting the user deletes its sessions (and a new user of the same name
  // does not inherit them).
  ASSERT_OK(admin_->DeleteAdminUser("vera"));
  EXPECT_FALSE(live(*s4));
  EXPECT_EQ(db_->Query("SELECT COUNT(*) FROM admin_sessions")->front().Int(0), 0);
  auto again = admin_->CreateAdminUser("vera", "vera's password", AdminRole::kAdmin);
  ASSERT_OK(again);
  EXPECT_FALSE(live(*s4));
  EXPECT_EQ(admin_->CreateAdminSession(*promoted, kT0, kTtl).status().code(),
            StatusCode::kUnauthenticated);  // the old user's id is gone
}

TEST_P(CatalogAdminTest, ExpiredSessionsArePruned) {
  auto root = admin_->CreateAdminUser("root", "correct horse battery", AdminRole::kAdmin);
  ASSERT_OK(root);
  std::vector<IssuedAdminSession> sessions;
  for (int64_t ttl : {int64_t{1000}, int64_t{2000}, int64_t{3000}, kTtl}) {
    auto s = admin_->CreateAdminSession(*root, kT0, ttl);
    ASSERT_OK(s);
    sessions.push_back(*s);
  }
  EXPECT_EQ(*admin_->CountAdminSessions(kT0 + 1500), 3);
  EXPECT_EQ(*admin_->PruneAdminSessions(kT0 + 2000), 2);  // expiry is exclusive
  EXPECT_EQ(db_->Query("SELECT COUNT(*) FROM admin_sessions")->front().Int(0), 2);
  EXPECT_TRUE(admin_->FindAdminSession(sessions[2].token, kT0 + 2000)->has_value());
  EXPECT_EQ(*admin_->PruneAdminSessions(kT0 + 2000), 0);
  EXPECT_EQ(*admin_->PruneAdminSessions(kT0 + kTtl), 2);
  EXPECT_EQ(*admin_->CountAdminSessions(kT0), 0);
}

// An authenticated admin request costs one query: it must stay an index
// lookup (the primary keys of both tables), never a scan.
TEST_P(CatalogAdminTest, SessionLookupIsAnIndexLookup) {
  std::vector<std::string> plan;
  Status st = db_->Read([&](db::Transaction& tx) -> Status {
    plan.clear();
    const db::Params params = {HashToken("some token"), kT0};
    if (tx.dialect() == db::Dialect::kSqlite) {
      LS_ASSIGN_OR_RETURN(auto rows, tx.Query(std::string("EXPLAIN QUERY PLAN ") +
                                                  sql_catalog_internal::kFindAdminSessionSql,
                                              params));
      for (const auto& r : rows) plan.push_back(r.Text(r.size() - 1));
    } else {
      // Tiny tables are cheapest to scan: forbid it, so only a missing
      // index could still make the plan a scan.
      LS_RETURN_IF_ERROR(tx.ExecScript("SET LOCAL enable_seqscan = off"));
      LS_ASSIGN_OR_RETURN(
          auto rows,
          tx.Query(std::string("EXPLAIN ") + sql_catalog_internal::kFindAdminSessionSql, params));
      for (const auto& r : rows) plan.push_back(r.Text(0));
    }
    return Status::OK();
  });
  ASSERT_OK(st);
  std::string text;
  for (const auto& line : plan) text += line + "\n";
  ASSERT_FALSE(plan.empty());
  if (db_->dialect() == db::Dialect::kSqlite) {
    EXPECT_EQ(text.find("SCAN"), std::string::npos) << text;
    EXPECT_NE(text.find("token_hash=?"), std::string::npos) << text;
    EXPECT_NE(text.find("id=?"), std::string::npos) << text;
  } else {
    EXPECT_EQ(text.find("Seq Scan"), std::string::npos) << text;
    EXPECT_NE(text.find("admin_sessions_pkey"), std::string::npos) << text;
    EXPECT_NE(text.find("admin_users_pkey"), std::string::npos) << text;
  }
}

TEST_P(CatalogAdminTest, SessionsMigrationUpgradesAnOlderDatabase) {
  auto t = testing::TestDatabase::Create(GetParam());
  ASSERT_OK(t);
  auto d = db::Database::Open((*t)->url());
  ASSERT_OK(d);
  const auto& all = CatalogMigrations();
  ASSERT_GE(all.size(), 2u);
  ASSERT_OK(db::ApplyMigrations(**d, {all.front()}));
  CatalogAdmin old(*d, AdminOptions());
  auto root = old.CreateAdminUser("root", "correct horse battery", AdminRole::kAdmin);
  ASSERT_OK(root);
  EXPECT_FALSE(old.CreateAdminSession(*root, kT0, kTtl).ok());  // no table yet

  ASSERT_OK(MigrateCatalogSchema(**d));
  EXPECT_EQ(*db::SchemaVersion(**d), all.back().version);
  auto s = old.CreateAdminSession(*root, kT0, kTtl);
  ASSERT_OK(s);
  EXPECT_TRUE(old.FindAdminSession(s->token, kT0 + 1)->has_value());
  EXPECT_OK(old.VerifyAdminPassword("root", "correct horse battery"));
}

LAKESHARE_INSTANTIATE_BACKENDS(CatalogAdminTest);

}  // namespace
}  // namespace lakeshare
