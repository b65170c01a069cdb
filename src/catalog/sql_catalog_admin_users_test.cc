// CatalogAdmin: admin users and their sessions.
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

using CatalogAdminUsersTest = testing::CatalogAdminFixture;

constexpr int64_t kT0 = 1'700'000'000'000;  // the callers' clock
constexpr int64_t kTtl = 3'600'000;

TEST_P(CatalogAdminUsersTest, AdminUsersAndPasswords) {
  auto u = admin_->CreateAdminUser("Root", "correct horse battery", AdminRole::kAdmin);
  ASSERT_OK(u);
  EXPECT_EQ(admin_->CreateAdminUser("root", "another password", AdminRole::kViewer).status().code(),
            StatusCode::kAlreadyExists);
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

TEST_P(CatalogAdminUsersTest, AdminSessionsAreSharedByReplicasAndEndOnLogout) {
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

TEST_P(CatalogAdminUsersTest, LastUsedIsRefreshedAtMostOncePerInterval) {
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

TEST_P(CatalogAdminUsersTest, UserChangesEndSessionsAtOnce) {
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

TEST_P(CatalogAdminUsersTest, ExpiredSessionsArePruned) {
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

TEST_P(CatalogAdminUsersTest, SessionLookupIsAnIndexLookup) {
  std::vector<std::string> plan;
  Status st = db_->Read([&](db::Transaction& tx) -> Status {
    plan.clear();
    const db::Params params = {HashToken("some token"), kT0};
    if (tx.dialect() == db::Dialect::kSqlite) {
      LS_ASSIGN_OR_RETURN(
          auto rows, tx.Query(std::string("EXPLAIN QUERY PLAN ") + kFindAdminSessionSql, params));
      for (const auto& r : rows) plan.push_back(r.Text(r.size() - 1));
    } else {
      // Tiny tables are cheapest to scan: forbid it, so only a missing
      // index could still make the plan a scan.
      LS_RETURN_IF_ERROR(tx.ExecScript("SET LOCAL enable_seqscan = off"));
      LS_ASSIGN_OR_RETURN(auto rows,
                          tx.Query(std::string("EXPLAIN ") + kFindAdminSessionSql, params));
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

TEST_P(CatalogAdminUsersTest, SessionsMigrationUpgradesAnOlderDatabase) {
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

LAKESHARE_INSTANTIATE_BACKENDS(CatalogAdminUsersTest);

}  // namespace
}  // namespace lakeshare
