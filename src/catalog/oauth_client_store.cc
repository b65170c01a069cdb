#include "catalog/oauth_client_store.h"

#include "auth/jwt_key.h"
#include "auth/token.h"
#include "catalog/sql_catalog_admin_internal.h"
#include "common/time_util.h"
#include "db/uuid.h"

namespace lakeshare {

using db::Row;
using db::Transaction;

namespace {

constexpr const char* kClientCols =
    "o.id, r.name, o.created_ms, o.expiration_ms, o.revoked_ms, o.secret_hash, o.recipient_id";

OAuthClientRecord ToClient(const Row& r) {
  return OAuthClientRecord{r.Text(0), r.Text(1), r.Int(2), r.OptInt(3), r.OptInt(4), {}};
}

OAuthClientKeyRecord ToKey(const Row& r) {
  return OAuthClientKeyRecord{r.Text(0), r.Text(1), r.Text(2), r.Int(3)};
}

Result<std::vector<OAuthClientKeyRecord>> LoadKeys(Transaction& tx, const std::string& client_id) {
  return QueryRecords(tx,
                      "SELECT key_id, algorithm, public_key, created_ms FROM oauth_client_keys "
                      "WHERE client_id = ? ORDER BY created_ms, key_id",
                      {client_id}, ToKey);
}

// The client `client_id` of `recipient`, or kNotFound.
Result<OAuthClientRecord> LoadClient(Transaction& tx, std::string_view recipient,
                                     std::string_view client_id) {
  LS_ASSIGN_OR_RETURN(RecipientRecord r, LoadRecipient(tx, recipient));
  LS_ASSIGN_OR_RETURN(auto row, tx.QueryRow(Sql({"SELECT ", kClientCols,
                                                 " FROM oauth_clients o JOIN recipients r ON "
                                                 "r.id = o.recipient_id WHERE o.id = ? AND "
                                                 "o.recipient_id = ?"}),
                                            {client_id, r.id}));
  if (!row) {
    return Status::NotFound("OAuth client " + Quote(client_id) + " of recipient " + Quote(r.name) +
                            " not found");
  }
  return ToClient(*row);
}

}  // namespace

Result<IssuedOAuthClient> OAuthClientStore::CreateClient(std::string_view recipient,
                                                         std::optional<int64_t> expiration_ms) {
  LS_RETURN_IF_ERROR(ValidateExpiration(expiration_ms, NowMillis()));
  IssuedOAuthClient out;
  LS_RETURN_IF_ERROR(db_->Write([&](Transaction& tx) -> Status {
    LS_ASSIGN_OR_RETURN(RecipientRecord r, LoadRecipient(tx, recipient));
    int64_t now = NowMillis();
    out.secret = GenerateToken();
    out.record = OAuthClientRecord{db::NewUuid(), r.name, now, expiration_ms, std::nullopt, {}};
    return tx
        .Exec(
            "INSERT INTO oauth_clients (id, recipient_id, secret_hash, created_ms, "
            "expiration_ms) VALUES (?, ?, ?, ?, ?)",
            {out.record.client_id, r.id, HashToken(out.secret), now, expiration_ms})
        .status();
  }));
  return out;
}

Result<std::vector<OAuthClientRecord>> OAuthClientStore::ListClients(std::string_view recipient) {
  std::vector<OAuthClientRecord> out;
  LS_RETURN_IF_ERROR(db_->Read([&](Transaction& tx) -> Status {
    LS_ASSIGN_OR_RETURN(RecipientRecord r, LoadRecipient(tx, recipient));
    LS_ASSIGN_OR_RETURN(out, QueryRecords(tx,
                                          Sql({"SELECT ", kClientCols,
                                               " FROM oauth_clients o JOIN recipients r ON "
                                               "r.id = o.recipient_id WHERE o.recipient_id = ? "
                                               "ORDER BY o.created_ms, o.id"}),
                                          {r.id}, ToClient));
    for (OAuthClientRecord& c : out) {
      LS_ASSIGN_OR_RETURN(c.keys, LoadKeys(tx, c.client_id));
    }
    return Status::OK();
  }));
  return out;
}

Status OAuthClientStore::RevokeClient(std::string_view recipient, std::string_view client_id) {
  return db_->Write([&](Transaction& tx) -> Status {
    LS_ASSIGN_OR_RETURN(OAuthClientRecord c, LoadClient(tx, recipient, client_id));
    if (c.revoked_ms) return Status::OK();
    int64_t now = NowMillis();
    LS_RETURN_IF_ERROR(
        tx.Exec("UPDATE oauth_clients SET revoked_ms = ? WHERE id = ?", {now, c.client_id}));
    return tx
        .Exec(
            "UPDATE recipient_tokens SET revoked_ms = ? WHERE oauth_client_id = ? AND "
            "revoked_ms IS NULL",
            {now, c.client_id})
        .status();
  });
}

Result<OAuthClientKeyRecord> OAuthClientStore::AddKey(std::string_view recipient,
                                                      std::string_view client_id,
                                                      std::string_view key_id,
                                                      std::string_view public_key) {
  LS_ASSIGN_OR_RETURN(JwtPublicKey key, JwtPublicKey::Parse(public_key));
  OAuthClientKeyRecord out{std::string(key_id), key.algorithm(), std::string(public_key),
                           NowMillis()};
  if (out.key_id.empty()) out.key_id = key.key_id().empty() ? "default" : key.key_id();
  if (out.key_id.size() > kMaxOAuthKeyIdLength) {
    return Status::InvalidArgument("a key id has at most " + std::to_string(kMaxOAuthKeyIdLength) +
                                   " characters");
  }
  LS_RETURN_IF_ERROR(db_->Write([&](Transaction& tx) -> Status {
    LS_ASSIGN_OR_RETURN(OAuthClientRecord c, LoadClient(tx, recipient, client_id));
    LS_ASSIGN_OR_RETURN(auto n, tx.QueryRow("SELECT COUNT(*) FROM oauth_client_keys WHERE "
                                            "client_id = ?",
                                            {c.client_id}));
    if (n && n->Int(0) >= static_cast<int64_t>(kMaxOAuthKeysPerClient)) {
      return Status::FailedPrecondition("a client has at most " +
                                        std::to_string(kMaxOAuthKeysPerClient) + " keys");
    }
    auto r = tx.Exec(
        "INSERT INTO oauth_client_keys (client_id, key_id, algorithm, public_key, created_ms) "
        "VALUES (?, ?, ?, ?, ?)",
        {c.client_id, out.key_id, out.algorithm, out.public_key, out.created_ms});
    return IfDuplicate(tx, r.status(), "the client already has a key " + Quote(out.key_id));
  }));
  return out;
}

Status OAuthClientStore::RemoveKey(std::string_view recipient, std::string_view client_id,
                                   std::string_view key_id) {
  return db_->Write([&](Transaction& tx) -> Status {
    LS_ASSIGN_OR_RETURN(OAuthClientRecord c, LoadClient(tx, recipient, client_id));
    LS_ASSIGN_OR_RETURN(int64_t n, tx.Exec("DELETE FROM oauth_client_keys WHERE client_id = ? "
                                           "AND key_id = ?",
                                           {c.client_id, key_id}));
    if (n == 0) return Status::NotFound("the client has no key " + Quote(key_id));
    return Status::OK();
  });
}

Result<std::optional<OAuthClientStore::Found>> OAuthClientStore::FindClient(
    std::string_view client_id) {
  std::optional<Found> out;
  LS_RETURN_IF_ERROR(db_->Read([&](Transaction& tx) -> Status {
    LS_ASSIGN_OR_RETURN(auto row, tx.QueryRow(Sql({"SELECT ", kClientCols,
                                                   " FROM oauth_clients o JOIN recipients r ON "
                                                   "r.id = o.recipient_id WHERE o.id = ?"}),
                                              {client_id}));
    if (!row) return Status::OK();
    out = Found{ToClient(*row), row->Text(5)};
    LS_ASSIGN_OR_RETURN(out->record.keys, LoadKeys(tx, out->record.client_id));
    return Status::OK();
  }));
  return out;
}

Result<bool> OAuthClientStore::RememberAssertionId(std::string_view client_id, std::string_view jti,
                                                   int64_t expires_ms, int64_t now_ms) {
  bool fresh = false;
  LS_RETURN_IF_ERROR(db_->Write([&](Transaction& tx) -> Status {
    LS_RETURN_IF_ERROR(
        tx.Exec("DELETE FROM oauth_assertion_ids WHERE expires_ms < ?", {now_ms}).status());
    LS_ASSIGN_OR_RETURN(int64_t n,
                        tx.Exec("INSERT INTO oauth_assertion_ids (client_id, jti, expires_ms) "
                                "VALUES (?, ?, ?) ON CONFLICT (client_id, jti) DO NOTHING",
                                {client_id, jti, expires_ms}));
    fresh = n == 1;
    return Status::OK();
  }));
  return fresh;
}

Result<IssuedToken> OAuthClientStore::IssueAccessToken(std::string_view client_id, int64_t now_ms,
                                                       int64_t expiration_ms) {
  IssuedToken out;
  LS_RETURN_IF_ERROR(db_->Write([&](Transaction& tx) -> Status {
    LS_ASSIGN_OR_RETURN(auto row, tx.QueryRow(Sql({"SELECT ", kClientCols,
                                                   " FROM oauth_clients o JOIN recipients r ON "
                                                   "r.id = o.recipient_id WHERE o.id = ?"}),
                                              {client_id}));
    if (!row || !ToClient(*row).live(now_ms)) {
      return Status::Unauthenticated("the client is unknown, revoked or expired");
    }
    const std::string recipient_id = row->Text(6);
    // Expired tokens of this client are of no use to anyone: drop them.
    LS_RETURN_IF_ERROR(tx.Exec("DELETE FROM recipient_tokens WHERE oauth_client_id = ? AND "
                               "expiration_ms <= ?",
                               {client_id, now_ms})
                           .status());
    LS_ASSIGN_OR_RETURN(auto live, tx.Query("SELECT id FROM recipient_tokens WHERE "
                                            "oauth_client_id = ? AND revoked_ms IS NULL "
                                            "ORDER BY created_ms DESC, id",
                                            {client_id}));
    for (auto i = static_cast<size_t>(kMaxLiveAccessTokensPerClient - 1); i < live.size(); ++i) {
      LS_RETURN_IF_ERROR(tx.Exec("UPDATE recipient_tokens SET revoked_ms = ? WHERE id = ?",
                                 {now_ms, live[i].Text(0)})
                             .status());
    }
    LS_ASSIGN_OR_RETURN(
        out, InsertToken(tx, recipient_id, row->Text(1), expiration_ms, "oauth", now_ms));
    return tx
        .Exec("UPDATE recipient_tokens SET oauth_client_id = ? WHERE id = ?",
              {client_id, out.record.id})
        .status();
  }));
  return out;
}

}  // namespace lakeshare
