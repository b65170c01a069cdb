// CatalogAdmin: users of the admin API and their sessions.
#include "auth/token.h"
#include "catalog/catalog_schema.h"
#include "catalog/sql_catalog_admin.h"
#include "catalog/sql_catalog_admin_internal.h"
#include "catalog/sql_catalog_internal.h"
#include "common/crypto.h"
#include "common/time_util.h"
#include "db/uuid.h"

namespace lakeshare {

using db::Row;
using db::Transaction;

namespace {

Result<int64_t> CountOtherAdmins(Transaction& tx, const std::string& user_id) {
  LS_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT COUNT(*) FROM admin_users WHERE role = "
                                            "'admin' AND id <> ?",
                                            {user_id}));
  return row ? row->Int(0) : 0;
}

}  // namespace

// ------------------------------------------------------------- admin users

Result<AdminUserRecord> CatalogAdmin::CreateAdminUser(std::string_view name,
                                                      std::string_view password, AdminRole role) {
  LS_RETURN_IF_ERROR(ValidateUserName(name));
  // Hashing is slow on purpose: do it before the transaction.
  LS_ASSIGN_OR_RETURN(std::string hash, HashPassword(password, options_.password_hash));
  AdminUserRecord out;
  LS_RETURN_IF_ERROR(db_->Write([&](Transaction& tx) -> Status {
    int64_t now = NowMillis();
    out = AdminUserRecord{db::NewUuid(), std::string(name), role, now, now, 1};
    auto r = tx.Exec(
        "INSERT INTO admin_users (id, name, name_key, password_hash, role, "
        "created_ms, updated_ms, version) VALUES (?, ?, ?, ?, ?, ?, ?, 1)",
        {out.id, out.name, NameKey(out.name), hash, AdminRoleName(role), now, now});
    return IfDuplicate(tx, r.status(), "user " + Quote(name) + " already exists");
  }));
  return out;
}

Result<AdminUserRecord> CatalogAdmin::VerifyAdminPassword(std::string_view name,
                                                          std::string_view password) {
  const Status denied = Status::Unauthenticated("invalid user name or password");
  std::optional<UserRow> user;
  LS_RETURN_IF_ERROR(db_->Read([&](Transaction& tx) -> Status {
    auto u = LoadUser(tx, name);
    if (u.ok()) {
      user = *u;
    } else if (u.status().code() != StatusCode::kNotFound) {
      return u.status();
    }
    return Status::OK();
  }));
  if (!user) {
    // Spend the same effort as for a real user, so timing does not tell
    // which names exist.
    static const std::string kDummy =
        HashPassword("lakeshare-dummy-password", options_.password_hash).ValueOr("");
    if (!kDummy.empty()) (void)VerifyPassword(password, kDummy);
    return denied;
  }
  LS_ASSIGN_OR_RETURN(bool ok, VerifyPassword(password, user->password_hash));
  if (!ok) return denied;
  return user->record;
}

Result<AdminUserRecord> CatalogAdmin::GetAdminUser(std::string_view name) {
  AdminUserRecord out;
  LS_RETURN_IF_ERROR(db_->Read([&](Transaction& tx) -> Status {
    LS_ASSIGN_OR_RETURN(UserRow u, LoadUser(tx, name));
    out = u.record;
    return Status::OK();
  }));
  return out;
}

Result<std::vector<AdminUserRecord>> CatalogAdmin::ListAdminUsers() {
  LS_ASSIGN_OR_RETURN(
      auto rows, db_->Query(Sql({"SELECT ", kUserCols, " FROM admin_users ORDER BY name_key"})));
  std::vector<AdminUserRecord> out;
  for (const Row& r : rows) {
    LS_ASSIGN_OR_RETURN(UserRow u, ToUser(r));
    out.push_back(u.record);
  }
  return out;
}

Status CatalogAdmin::ChangeAdminPassword(std::string_view name, std::string_view new_password,
                                         std::optional<std::string_view> keep_session_token) {
  LS_ASSIGN_OR_RETURN(std::string hash, HashPassword(new_password, options_.password_hash));
  // No stored hash has this form: "" keeps no session.
  const std::string keep = keep_session_token ? HashToken(*keep_session_token) : std::string();
  return db_->Write([&](Transaction& tx) -> Status {
    LS_ASSIGN_OR_RETURN(UserRow u, LoadUser(tx, name));
    LS_RETURN_IF_ERROR(
        tx.Exec("UPDATE admin_users SET password_hash = ?, updated_ms = ?, version = version + 1 "
                "WHERE id = ?",
                {hash, NowMillis(), u.record.id})
            .status());
    return tx
        .Exec("DELETE FROM admin_sessions WHERE user_id = ? AND token_hash <> ?",
              {u.record.id, keep})
        .status();
  });
}

Result<AdminUserRecord> CatalogAdmin::SetAdminRole(std::string_view name, AdminRole role,
                                                   std::optional<int64_t> expected_version) {
  AdminUserRecord out;
  LS_RETURN_IF_ERROR(db_->Write([&](Transaction& tx) -> Status {
    LS_ASSIGN_OR_RETURN(UserRow u, LoadUser(tx, name));
    std::string what = "user " + Quote(u.record.name);
    LS_RETURN_IF_ERROR(CheckVersion(what, u.record.version, expected_version));
    if (u.record.role == AdminRole::kAdmin && role != AdminRole::kAdmin) {
      LS_ASSIGN_OR_RETURN(int64_t others, CountOtherAdmins(tx, u.record.id));
      if (others == 0) return Status::FailedPrecondition("cannot demote the last admin user");
    }
    out = u.record;
    out.role = role;
    out.updated_ms = NowMillis();
    out.version = u.record.version + 1;
    LS_ASSIGN_OR_RETURN(
        int64_t n, tx.Exec("UPDATE admin_users SET role = ?, updated_ms = ?, "
                           "version = version + 1 WHERE id = ? AND version = ?",
                           {AdminRoleName(role), out.updated_ms, u.record.id, u.record.version}));
    LS_RETURN_IF_ERROR(CheckUpdated(what, n));
    if (role == u.record.role) return Status::OK();
    return tx.Exec("DELETE FROM admin_sessions WHERE user_id = ?", {u.record.id}).status();
  }));
  return out;
}

Status CatalogAdmin::DeleteAdminUser(std::string_view name) {
  return db_->Write([&](Transaction& tx) -> Status {
    LS_ASSIGN_OR_RETURN(UserRow u, LoadUser(tx, name));
    if (u.record.role == AdminRole::kAdmin) {
      LS_ASSIGN_OR_RETURN(int64_t others, CountOtherAdmins(tx, u.record.id));
      if (others == 0) return Status::FailedPrecondition("cannot delete the last admin user");
    }
    // The foreign key cascades too; explicit so it does not depend on it.
    LS_RETURN_IF_ERROR(
        tx.Exec("DELETE FROM admin_sessions WHERE user_id = ?", {u.record.id}).status());
    return tx.Exec("DELETE FROM admin_users WHERE id = ?", {u.record.id}).status();
  });
}

// ---------------------------------------------------------- admin sessions

Result<IssuedAdminSession> CatalogAdmin::CreateAdminSession(const AdminUserRecord& user,
                                                            int64_t now_ms, int64_t ttl_ms) {
  if (ttl_ms <= 0) return Status::InvalidArgument("session lifetime must be positive");
  IssuedAdminSession out;
  out.token = GenerateToken();
  const std::string hash = HashToken(out.token);
  out.record = AdminSessionRecord{user.name, user.id, user.role, now_ms, now_ms + ttl_ms, now_ms};
  LS_RETURN_IF_ERROR(db_->Write([&](Transaction& tx) -> Status {
    // The user may have gone, or changed role, since its password was checked.
    LS_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT name FROM admin_users WHERE id = ? AND "
                                              "role = ?",
                                              {user.id, AdminRoleName(user.role)}));
    if (!row) return Status::Unauthenticated("invalid user name or password");
    out.record.user = row->Text(0);
    return tx
        .Exec(
            "INSERT INTO admin_sessions (token_hash, user_id, role, created_ms, expires_ms, "
            "last_used_ms) VALUES (?, ?, ?, ?, ?, ?)",
            {hash, user.id, AdminRoleName(user.role), out.record.created_ms, out.record.expires_ms,
             out.record.last_used_ms})
        .status();
  }));
  return out;
}

Result<std::optional<AdminSessionRecord>> CatalogAdmin::FindAdminSession(std::string_view token,
                                                                         int64_t now_ms) {
  if (token.empty() || token.size() > 1024) return std::optional<AdminSessionRecord>{};
  const std::string hash = HashToken(token);
  LS_ASSIGN_OR_RETURN(auto rows, db_->Query(kFindAdminSessionSql, {hash, now_ms}));
  if (rows.empty() || !ConstantTimeEquals(rows[0].Text(0), hash)) {
    return std::optional<AdminSessionRecord>{};
  }
  const Row& r = rows[0];
  auto role = ParseAdminRole(r.Text(3));
  if (!role.ok()) return Status::Corruption("stored session role is invalid");
  AdminSessionRecord rec{r.Text(1), r.Text(2), *role, r.Int(4), r.Int(5), r.Int(6)};
  if (rec.last_used_ms + kAdminSessionTouchMs <= now_ms) {
    // Best effort: a failed refresh must not fail the request it serves.
    Status st = db_->Write([&](Transaction& tx) -> Status {
      return tx
          .Exec(
              "UPDATE admin_sessions SET last_used_ms = ? WHERE token_hash = ? AND "
              "last_used_ms < ?",
              {now_ms, hash, now_ms})
          .status();
    });
    if (st.ok()) rec.last_used_ms = now_ms;
  }
  return std::optional<AdminSessionRecord>(std::move(rec));
}

Result<bool> CatalogAdmin::DeleteAdminSession(std::string_view token) {
  if (token.empty() || token.size() > 1024) return false;
  const std::string hash = HashToken(token);
  int64_t n = 0;
  LS_RETURN_IF_ERROR(db_->Write([&](Transaction& tx) -> Status {
    LS_ASSIGN_OR_RETURN(n, tx.Exec("DELETE FROM admin_sessions WHERE token_hash = ?", {hash}));
    return Status::OK();
  }));
  return n > 0;
}

Result<int64_t> CatalogAdmin::PruneAdminSessions(int64_t now_ms) {
  int64_t n = 0;
  LS_RETURN_IF_ERROR(db_->Write([&](Transaction& tx) -> Status {
    LS_ASSIGN_OR_RETURN(n, tx.Exec("DELETE FROM admin_sessions WHERE expires_ms <= ?", {now_ms}));
    return Status::OK();
  }));
  return n;
}

Result<int64_t> CatalogAdmin::CountAdminSessions(int64_t now_ms) {
  LS_ASSIGN_OR_RETURN(
      auto rows,
      db_->Query("SELECT COUNT(*) FROM admin_sessions s JOIN admin_users u ON u.id = s.user_id "
                 "AND u.role = s.role WHERE s.expires_ms > ?",
                 {now_ms}));
  return rows.empty() ? 0 : rows[0].Int(0);
}

}  // namespace lakeshare
