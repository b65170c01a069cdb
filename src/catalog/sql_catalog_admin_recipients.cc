// CatalogAdmin: recipients, their tokens and grants.
#include <algorithm>

#include "auth/token.h"
#include "catalog/catalog_schema.h"
#include "catalog/sql_catalog_admin.h"
#include "catalog/sql_catalog_admin_internal.h"
#include "catalog/sql_catalog_internal.h"
#include "common/names.h"
#include "common/time_util.h"
#include "db/uuid.h"

namespace lakeshare {

using db::Row;
using db::Transaction;

// -------------------------------------------------------------- recipients

namespace {

// A rate limit override: requests a second 0 (unlimited) up to the limit,
// and a burst of at least 1 that only makes sense with a rate.
Status ValidateRateLimit(std::optional<int64_t> per_second, std::optional<int64_t> burst) {
  constexpr int64_t kMax = CatalogAdminLimits::kRateLimitPerSecond;
  if (per_second && (*per_second < 0 || *per_second > kMax)) {
    return Status::InvalidArgument("rate limit must be 0 (unlimited) to " + std::to_string(kMax) +
                                   " requests per second");
  }
  if (burst && (*burst < 1 || *burst > kMax)) {
    return Status::InvalidArgument("rate limit burst must be 1 to " + std::to_string(kMax));
  }
  if (burst && !per_second) {
    return Status::InvalidArgument("a rate limit burst needs a rate limit (requests per second)");
  }
  return Status::OK();
}

Status ValidateRecipient(const RecipientSpec& spec) {
  LS_RETURN_IF_ERROR(ValidateName(spec.name, NameKind::kRecipient));
  if (spec.comment) LS_RETURN_IF_ERROR(ValidateText("comment", *spec.comment, kMaxComment));
  LS_RETURN_IF_ERROR(ValidateRateLimit(spec.rate_limit_per_second, spec.rate_limit_burst));
  return EncodeAllowlist(spec.ip_allowlist).status();
}

Result<RecipientRecord> InsertRecipient(Transaction& tx, const RecipientSpec& spec, int64_t now) {
  LS_ASSIGN_OR_RETURN(std::optional<std::string> allowlist, EncodeAllowlist(spec.ip_allowlist));
  RecipientRecord out{db::NewUuid(),
                      spec.name,
                      EmptyToNull(spec.comment),
                      spec.ip_allowlist,
                      spec.all_shares,
                      now,
                      now,
                      1,
                      spec.rate_limit_per_second,
                      spec.rate_limit_burst};
  auto r = tx.Exec(
      "INSERT INTO recipients (id, name, name_key, comment, ip_allowlist, "
      "all_shares, created_ms, updated_ms, version, rate_limit_per_second, rate_limit_burst) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)",
      {out.id, out.name, NameKey(out.name), out.comment, allowlist, out.all_shares, now, now,
       out.rate_limit_per_second, out.rate_limit_burst});
  LS_RETURN_IF_ERROR(
      IfDuplicate(tx, r.status(), "recipient " + Quote(spec.name) + " already exists"));
  return out;
}

Status InsertGrant(Transaction& tx, const std::string& recipient_id, const std::string& share_id,
                   int64_t now) {
  return tx
      .Exec(
          "INSERT INTO share_grants (recipient_id, share_id, created_ms) VALUES (?, ?, ?) "
          "ON CONFLICT (recipient_id, share_id) DO NOTHING",
          {recipient_id, share_id, now})
      .status();
}

}  // namespace

Result<RecipientRecord> CatalogAdmin::CreateRecipient(const RecipientSpec& spec) {
  LS_RETURN_IF_ERROR(ValidateRecipient(spec));
  RecipientRecord out;
  LS_RETURN_IF_ERROR(db_->Write([&](Transaction& tx) -> Status {
    LS_ASSIGN_OR_RETURN(out, InsertRecipient(tx, spec, NowMillis()));
    return Status::OK();
  }));
  return out;
}

Result<OnboardedRecipient> CatalogAdmin::OnboardRecipient(const RecipientOnboarding& spec) {
  LS_RETURN_IF_ERROR(ValidateRecipient(spec.recipient));
  if (spec.token && spec.activation_link) {
    return Status::InvalidArgument("give either a token or an activation link, not both");
  }
  if (spec.shares.size() > CatalogAdminLimits::kOnboardingShares) {
    return Status::InvalidArgument("at most " +
                                   std::to_string(CatalogAdminLimits::kOnboardingShares) +
                                   " shares can be granted at once");
  }
  const int64_t now = NowMillis();
  if (spec.token) LS_RETURN_IF_ERROR(ValidateExpiration(spec.token->expiration_ms, now));
  if (spec.activation_link) LS_RETURN_IF_ERROR(ValidateActivationLink(*spec.activation_link, now));
  OnboardedRecipient out;
  LS_RETURN_IF_ERROR(db_->Write([&](Transaction& tx) -> Status {
    out = OnboardedRecipient{};
    LS_ASSIGN_OR_RETURN(out.recipient, InsertRecipient(tx, spec.recipient, now));
    const RecipientRecord& r = out.recipient;
    for (const std::string& share : spec.shares) {
      LS_ASSIGN_OR_RETURN(ShareRecord s, LoadShare(tx, share));
      LS_RETURN_IF_ERROR(InsertGrant(tx, r.id, s.id, now));
      if (std::find(out.shares.begin(), out.shares.end(), s.name) == out.shares.end()) {
        out.shares.push_back(s.name);
      }
    }
    if (spec.token) {
      LS_ASSIGN_OR_RETURN(out.token,
                          InsertToken(tx, r.id, r.name, spec.token->expiration_ms, "api", now));
    }
    if (spec.activation_link) {
      LS_ASSIGN_OR_RETURN(out.activation_link,
                          InsertActivationLink(tx, r.id, r.name, *spec.activation_link, now));
    }
    return Status::OK();
  }));
  return out;
}

Result<RecipientRecord> CatalogAdmin::GetRecipient(std::string_view recipient) {
  RecipientRecord out;
  LS_RETURN_IF_ERROR(db_->Read([&](Transaction& tx) -> Status {
    LS_ASSIGN_OR_RETURN(out, LoadRecipient(tx, recipient));
    return Status::OK();
  }));
  return out;
}

Result<std::vector<RecipientRecord>> CatalogAdmin::ListRecipients() {
  LS_ASSIGN_OR_RETURN(
      auto rows,
      db_->Query(Sql({"SELECT ", kRecipientCols, " FROM recipients r ORDER BY r.name_key"})));
  std::vector<RecipientRecord> out;
  for (const Row& r : rows) {
    LS_ASSIGN_OR_RETURN(RecipientRecord rec, ToRecipient(r));
    out.push_back(std::move(rec));
  }
  return out;
}

Result<RecipientRecord> CatalogAdmin::UpdateRecipient(std::string_view recipient,
                                                      const RecipientUpdate& update,
                                                      std::optional<int64_t> expected_version) {
  if (update.name) LS_RETURN_IF_ERROR(ValidateName(*update.name, NameKind::kRecipient));
  if (update.comment) LS_RETURN_IF_ERROR(ValidateText("comment", *update.comment, kMaxComment));
  if (update.ip_allowlist) LS_RETURN_IF_ERROR(EncodeAllowlist(*update.ip_allowlist).status());
  const bool clear_rate = update.rate_limit_per_second == RecipientUpdate::kClearRateLimit;
  if (clear_rate && update.rate_limit_burst) {
    return Status::InvalidArgument(
        "a rate limit burst cannot be set while clearing the rate limit");
  }
  if (!clear_rate) {
    LS_RETURN_IF_ERROR(ValidateRateLimit(update.rate_limit_per_second, std::nullopt));
    if (update.rate_limit_burst) LS_RETURN_IF_ERROR(ValidateRateLimit(1, update.rate_limit_burst));
  }
  RecipientRecord out;
  LS_RETURN_IF_ERROR(db_->Write([&](Transaction& tx) -> Status {
    LS_ASSIGN_OR_RETURN(RecipientRecord cur, LoadRecipient(tx, recipient));
    std::string what = "recipient " + Quote(cur.name);
    LS_RETURN_IF_ERROR(CheckVersion(what, cur.version, expected_version));
    out = cur;
    if (update.name) out.name = *update.name;
    if (update.comment) out.comment = EmptyToNull(update.comment);
    if (update.ip_allowlist) out.ip_allowlist = *update.ip_allowlist;
    if (update.all_shares) out.all_shares = *update.all_shares;
    if (clear_rate) {
      out.rate_limit_per_second.reset();
      out.rate_limit_burst.reset();
    } else {
      if (update.rate_limit_per_second) out.rate_limit_per_second = update.rate_limit_per_second;
      if (update.rate_limit_burst) out.rate_limit_burst = update.rate_limit_burst;
      LS_RETURN_IF_ERROR(ValidateRateLimit(out.rate_limit_per_second, out.rate_limit_burst));
    }
    LS_ASSIGN_OR_RETURN(std::optional<std::string> allowlist, EncodeAllowlist(out.ip_allowlist));
    out.updated_ms = NowMillis();
    out.version = cur.version + 1;
    auto r = tx.Exec(
        "UPDATE recipients SET name = ?, name_key = ?, comment = ?, ip_allowlist = ?, "
        "all_shares = ?, updated_ms = ?, rate_limit_per_second = ?, rate_limit_burst = ?, "
        "version = version + 1 WHERE id = ? AND version = ?",
        {out.name, NameKey(out.name), out.comment, allowlist, out.all_shares, out.updated_ms,
         out.rate_limit_per_second, out.rate_limit_burst, cur.id, cur.version});
    LS_RETURN_IF_ERROR(
        IfDuplicate(tx, r.status(), "recipient " + Quote(out.name) + " already exists"));
    return CheckUpdated(what, *r);
  }));
  return out;
}

Status CatalogAdmin::DeleteRecipient(std::string_view recipient) {
  return db_->Write([&](Transaction& tx) -> Status {
    LS_ASSIGN_OR_RETURN(RecipientRecord cur, LoadRecipient(tx, recipient));
    return tx.Exec("DELETE FROM recipients WHERE id = ?", {cur.id}).status();
  });
}

// ------------------------------------------------------------------ tokens

Result<IssuedToken> CatalogAdmin::CreateToken(std::string_view recipient,
                                              std::optional<int64_t> expiration_ms) {
  LS_RETURN_IF_ERROR(ValidateExpiration(expiration_ms, NowMillis()));
  IssuedToken out;
  LS_RETURN_IF_ERROR(db_->Write([&](Transaction& tx) -> Status {
    LS_ASSIGN_OR_RETURN(RecipientRecord r, LoadRecipient(tx, recipient));
    LS_ASSIGN_OR_RETURN(out, InsertToken(tx, r.id, r.name, expiration_ms, "api", NowMillis()));
    return Status::OK();
  }));
  return out;
}

Result<IssuedToken> CatalogAdmin::RotateToken(std::string_view recipient,
                                              std::optional<int64_t> expiration_ms,
                                              int64_t grace_ms) {
  LS_RETURN_IF_ERROR(ValidateExpiration(expiration_ms, NowMillis()));
  if (grace_ms < 0) return Status::InvalidArgument("grace period must not be negative");
  IssuedToken out;
  LS_RETURN_IF_ERROR(db_->Write([&](Transaction& tx) -> Status {
    LS_ASSIGN_OR_RETURN(RecipientRecord r, LoadRecipient(tx, recipient));
    int64_t now = NowMillis();
    if (grace_ms == 0) {
      LS_RETURN_IF_ERROR(
          tx.Exec("UPDATE recipient_tokens SET revoked_ms = ? WHERE "
                  "recipient_id = ? AND revoked_ms IS NULL",
                  {now, r.id}));
    } else {
      int64_t until = now + grace_ms;
      LS_RETURN_IF_ERROR(
          tx.Exec("UPDATE recipient_tokens SET expiration_ms = ? WHERE "
                  "recipient_id = ? AND revoked_ms IS NULL AND "
                  "(expiration_ms IS NULL OR expiration_ms > ?)",
                  {until, r.id, until}));
    }
    LS_ASSIGN_OR_RETURN(out, InsertToken(tx, r.id, r.name, expiration_ms, "api", now));
    return Status::OK();
  }));
  return out;
}

Status CatalogAdmin::RevokeToken(std::string_view recipient, std::string_view token_id) {
  return db_->Write([&](Transaction& tx) -> Status {
    LS_ASSIGN_OR_RETURN(RecipientRecord r, LoadRecipient(tx, recipient));
    LS_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT revoked_ms FROM recipient_tokens WHERE "
                                              "id = ? AND recipient_id = ?",
                                              {token_id, r.id}));
    if (!row) {
      return Status::NotFound("token " + Quote(token_id) + " of recipient " + Quote(r.name) +
                              " not found");
    }
    if (!row->IsNull(0)) return Status::OK();
    return tx
        .Exec("UPDATE recipient_tokens SET revoked_ms = ? WHERE id = ?", {NowMillis(), token_id})
        .status();
  });
}

Result<int64_t> CatalogAdmin::RevokeAllTokens(std::string_view recipient) {
  int64_t n = 0;
  LS_RETURN_IF_ERROR(db_->Write([&](Transaction& tx) -> Status {
    LS_ASSIGN_OR_RETURN(RecipientRecord r, LoadRecipient(tx, recipient));
    int64_t now = NowMillis();
    LS_ASSIGN_OR_RETURN(n, tx.Exec("UPDATE recipient_tokens SET revoked_ms = ? WHERE "
                                   "recipient_id = ? AND revoked_ms IS NULL AND "
                                   "(expiration_ms IS NULL OR expiration_ms > ?)",
                                   {now, r.id, now}));
    return Status::OK();
  }));
  return n;
}

Result<std::vector<TokenRecord>> CatalogAdmin::ListTokens(std::string_view recipient) {
  std::vector<TokenRecord> out;
  LS_RETURN_IF_ERROR(db_->Read([&](Transaction& tx) -> Status {
    LS_ASSIGN_OR_RETURN(RecipientRecord r, LoadRecipient(tx, recipient));
    LS_ASSIGN_OR_RETURN(out, QueryRecords(tx,
                                          Sql({"SELECT ", kTokenCols,
                                               " FROM recipient_tokens t JOIN recipients r ON "
                                               "r.id = t.recipient_id WHERE t.recipient_id = ? "
                                               // OAuth access tokens: see its clients
                                               "AND t.oauth_client_id IS NULL "
                                               "ORDER BY t.created_ms, t.id"}),
                                          {r.id}, ToToken));
    return Status::OK();
  }));
  return out;
}

// ------------------------------------------------------------------ grants

Status CatalogAdmin::Grant(std::string_view recipient, std::string_view share) {
  return db_->Write([&](Transaction& tx) -> Status {
    LS_ASSIGN_OR_RETURN(RecipientRecord r, LoadRecipient(tx, recipient));
    LS_ASSIGN_OR_RETURN(ShareRecord s, LoadShare(tx, share));
    return InsertGrant(tx, r.id, s.id, NowMillis());
  });
}

Status CatalogAdmin::RevokeGrant(std::string_view recipient, std::string_view share) {
  return db_->Write([&](Transaction& tx) -> Status {
    LS_ASSIGN_OR_RETURN(RecipientRecord r, LoadRecipient(tx, recipient));
    LS_ASSIGN_OR_RETURN(ShareRecord s, LoadShare(tx, share));
    LS_ASSIGN_OR_RETURN(int64_t n, tx.Exec("DELETE FROM share_grants WHERE recipient_id = ? AND "
                                           "share_id = ?",
                                           {r.id, s.id}));
    if (n == 0) {
      return Status::NotFound("recipient " + Quote(r.name) + " has no grant on share " +
                              Quote(s.name));
    }
    return Status::OK();
  });
}

Result<std::vector<std::string>> CatalogAdmin::ListGrants(std::string_view recipient) {
  std::vector<std::string> out;
  LS_RETURN_IF_ERROR(db_->Read([&](Transaction& tx) -> Status {
    LS_ASSIGN_OR_RETURN(RecipientRecord r, LoadRecipient(tx, recipient));
    LS_ASSIGN_OR_RETURN(out, QueryRecords(tx,
                                          "SELECT s.name FROM share_grants g JOIN shares s ON "
                                          "s.id = g.share_id WHERE g.recipient_id = ? "
                                          "ORDER BY s.name_key",
                                          {r.id}, FirstText));
    return Status::OK();
  }));
  return out;
}

Result<std::vector<std::string>> CatalogAdmin::ListShareRecipients(std::string_view share) {
  std::vector<std::string> out;
  LS_RETURN_IF_ERROR(db_->Read([&](Transaction& tx) -> Status {
    LS_ASSIGN_OR_RETURN(ShareRecord s, LoadShare(tx, share));
    LS_ASSIGN_OR_RETURN(out, QueryRecords(tx,
                                          "SELECT r.name FROM share_grants g JOIN recipients r "
                                          "ON r.id = g.recipient_id WHERE g.share_id = ? "
                                          "ORDER BY r.name_key",
                                          {s.id}, FirstText));
    return Status::OK();
  }));
  return out;
}

}  // namespace lakeshare
