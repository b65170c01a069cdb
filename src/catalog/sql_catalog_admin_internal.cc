#include "catalog/sql_catalog_admin_internal.h"

#include "auth/token.h"
#include "catalog/catalog_schema.h"
#include "catalog/sql_catalog_internal.h"
#include "db/uuid.h"

namespace lakeshare {

using db::Row;
using db::Transaction;

// ------------------------------------------------------------ row mapping

std::string Sql(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (auto p : parts) out += p;
  return out;
}

ShareRecord ToShare(const Row& r) {
  return ShareRecord{r.Text(0), r.Text(1), r.OptText(2), r.OptText(3),
                     r.Int(4),  r.Int(5),  r.Int(6)};
}

SchemaRecord ToSchema(const Row& r) {
  return SchemaRecord{r.Text(0), r.Text(1), r.Text(2), r.Int(3), r.Int(4), r.Int(5)};
}

TableRecord ToTable(const Row& r) {
  TableRecord t;
  t.id = r.Text(0);
  t.share = r.Text(1);
  t.schema = r.Text(2);
  t.name = r.Text(3);
  t.location = r.Text(4);
  t.format = r.Text(5);
  t.history_shared = r.Bool(6);
  t.start_version = r.Int(7);
  t.partition_filter = r.OptText(8);
  t.comment = r.OptText(9);
  t.created_ms = r.Int(10);
  t.updated_ms = r.Int(11);
  t.version = r.Int(12);
  t.hudi_view = r.OptText(13).value_or("snapshot");
  // Written by ValidateTableLocationMap'd code only; a damaged value reads as none.
  if (auto map = r.OptText(14)) {
    if (auto decoded = DecodeTableLocationMap(*map); decoded.ok()) t.location_map = *decoded;
  }
  return t;
}

Result<RecipientRecord> ToRecipient(const Row& r) {
  RecipientRecord rec;
  rec.id = r.Text(0);
  rec.name = r.Text(1);
  rec.comment = r.OptText(2);
  LS_ASSIGN_OR_RETURN(rec.ip_allowlist, DecodeAllowlist(r.OptText(3)));
  rec.all_shares = r.Bool(4);
  rec.created_ms = r.Int(5);
  rec.updated_ms = r.Int(6);
  rec.version = r.Int(7);
  rec.rate_limit_per_second = r.OptInt(8);
  rec.rate_limit_burst = r.OptInt(9);
  return rec;
}

TokenRecord ToToken(const Row& r) {
  return TokenRecord{r.Text(0), r.Text(1), r.Int(2), r.OptInt(3), r.OptInt(4), r.Text(5)};
}

Result<UserRow> ToUser(const Row& r) {
  UserRow u;
  u.record.id = r.Text(0);
  u.record.name = r.Text(1);
  auto role = ParseAdminRole(r.Text(2));
  if (!role.ok()) return Status::Corruption("stored admin role is invalid");
  u.record.role = *role;
  u.record.created_ms = r.Int(3);
  u.record.updated_ms = r.Int(4);
  u.record.version = r.Int(5);
  u.password_hash = r.Text(6);
  return u;
}

AuditEntry ToAudit(const Row& r) {
  AuditEntry e;
  e.id = r.Int(0);
  e.time_ms = r.Int(1);
  e.actor_kind = r.Text(2);
  e.actor_name = r.OptText(3);
  e.action = r.Text(4);
  e.object = r.OptText(5);
  e.outcome = r.Text(6);
  e.detail = r.OptText(7);
  e.num_files = r.OptInt(8);
  e.remote_address = r.OptText(9);
  e.request_id = r.OptText(10);
  return e;
}

ActivationLinkRecord ToLink(const Row& r) {
  return ActivationLinkRecord{r.Text(0),   r.Text(1),    r.Int(2),    r.Int(3),
                              r.OptInt(4), r.OptText(5), r.OptInt(6), r.OptText(7)};
}

// ---------------------------------------------------------------- lookups

std::string Quote(std::string_view name) { return "'" + SanitizeText(name, 300) + "'"; }

Status NotFound(std::string_view kind, std::string_view name) {
  return Status::NotFound(std::string(kind) + " " + Quote(name) + " not found");
}

// A unique violation becomes `message`; anything else passes through.
Status IfDuplicate(const Transaction& tx, const Status& st, const std::string& message) {
  if (!st.ok() && tx.last_error_kind() == db::ErrorKind::kUnique) {
    return Status::AlreadyExists(message);
  }
  return st;
}

Status CheckVersion(std::string_view what, int64_t actual, std::optional<int64_t> expected) {
  if (expected && *expected != actual) {
    return Status::FailedPrecondition(std::string(what) + " was modified concurrently (version " +
                                      std::to_string(actual) + ", expected " +
                                      std::to_string(*expected) + ")");
  }
  return Status::OK();
}

// An UPDATE guarded by "AND version = ?" that changed nothing lost a race.
Status CheckUpdated(std::string_view what, int64_t affected) {
  if (affected != 1)
    return Status::FailedPrecondition(std::string(what) + " was modified concurrently");
  return Status::OK();
}

Result<ShareRecord> LoadShare(Transaction& tx, std::string_view share) {
  LS_ASSIGN_OR_RETURN(
      auto row, tx.QueryRow(Sql({"SELECT ", kShareCols, " FROM shares s WHERE s.name_key = ?"}),
                            {NameKey(share)}));
  if (!row) return NotFound("share", share);
  return ToShare(*row);
}

Result<SchemaRecord> LoadSchema(Transaction& tx, std::string_view share, std::string_view schema) {
  LS_ASSIGN_OR_RETURN(ShareRecord s, LoadShare(tx, share));
  LS_ASSIGN_OR_RETURN(auto row,
                      tx.QueryRow(Sql({"SELECT ", kSchemaCols,
                                       " FROM share_schemas c JOIN shares s ON s.id = c.share_id"
                                       " WHERE c.share_id = ? AND c.name_key = ?"}),
                                  {s.id, NameKey(schema)}));
  if (!row) return NotFound("schema", schema);
  return ToSchema(*row);
}

Result<TableRecord> LoadTable(Transaction& tx, std::string_view share, std::string_view schema,
                              std::string_view table) {
  LS_ASSIGN_OR_RETURN(SchemaRecord c, LoadSchema(tx, share, schema));
  LS_ASSIGN_OR_RETURN(auto row, tx.QueryRow(Sql({"SELECT ", kTableCols, kTableFrom,
                                                 "WHERE t.schema_id = ? AND t.name_key = ?"}),
                                            {c.id, NameKey(table)}));
  if (!row) return NotFound("table", table);
  return ToTable(*row);
}

Result<RecipientRecord> LoadRecipient(Transaction& tx, std::string_view recipient) {
  LS_ASSIGN_OR_RETURN(
      auto row,
      tx.QueryRow(Sql({"SELECT ", kRecipientCols, " FROM recipients r WHERE r.name_key = ?"}),
                  {NameKey(recipient)}));
  if (!row) return NotFound("recipient", recipient);
  return ToRecipient(*row);
}

Result<UserRow> LoadUser(Transaction& tx, std::string_view name) {
  LS_ASSIGN_OR_RETURN(
      auto row, tx.QueryRow(Sql({"SELECT ", kUserCols, " FROM admin_users WHERE name_key = ?"}),
                            {NameKey(name)}));
  if (!row) return NotFound("user", name);
  return ToUser(*row);
}

// Inserts a token row for `recipient_id`; returns the issued token.
Result<IssuedToken> InsertToken(Transaction& tx, const std::string& recipient_id,
                                const std::string& recipient, std::optional<int64_t> expiration_ms,
                                std::string_view origin, int64_t now) {
  IssuedToken out;
  out.token = GenerateToken();
  out.record =
      TokenRecord{db::NewUuid(), recipient, now, expiration_ms, std::nullopt, std::string(origin)};
  LS_RETURN_IF_ERROR(
      tx.Exec("INSERT INTO recipient_tokens (id, recipient_id, token_hash, "
              "created_ms, expiration_ms, origin) VALUES (?, ?, ?, ?, ?, ?)",
              {out.record.id, recipient_id, HashToken(out.token), now, expiration_ms,
               std::string(origin)}));
  return out;
}

Status ValidateExpiration(std::optional<int64_t> expiration_ms, int64_t now) {
  if (expiration_ms && *expiration_ms <= now) {
    return Status::InvalidArgument("expiration time is in the past");
  }
  return Status::OK();
}

Status ValidateActivationLink(const ActivationLinkSpec& spec, int64_t now) {
  if (spec.expiration_ms <= now) {
    return Status::InvalidArgument("activation link expiration time is in the past");
  }
  LS_RETURN_IF_ERROR(ValidateExpiration(spec.token_expiration_ms, now));
  if (spec.profile_ref) {
    LS_RETURN_IF_ERROR(ValidateText("profile reference", *spec.profile_ref, kMaxProfileRef));
  }
  return Status::OK();
}

Result<IssuedActivationLink> InsertActivationLink(Transaction& tx, const std::string& recipient_id,
                                                  const std::string& recipient,
                                                  const ActivationLinkSpec& spec, int64_t now) {
  IssuedActivationLink out;
  out.secret = GenerateToken();
  out.record = ActivationLinkRecord{db::NewUuid(),
                                    recipient,
                                    now,
                                    spec.expiration_ms,
                                    std::nullopt,
                                    std::nullopt,
                                    spec.token_expiration_ms,
                                    spec.profile_ref};
  LS_RETURN_IF_ERROR(
      tx.Exec("INSERT INTO activation_links (id, secret_hash, recipient_id, token_expiration_ms, "
              "profile_ref, created_ms, expiration_ms) VALUES (?, ?, ?, ?, ?, ?, ?)",
              {out.record.id, HashToken(out.secret), recipient_id, spec.token_expiration_ms,
               spec.profile_ref, out.record.created_ms, spec.expiration_ms})
          .status());
  return out;
}

}  // namespace lakeshare
