// Helpers shared by CatalogAdmin's files (sql_catalog_admin_*.cc): the
// columns each record is read from and how a row becomes a record, lookups
// by name inside a transaction, and the checks every kind of object makes.
// Internal to src/catalog.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "catalog/sql_catalog_admin.h"
#include "common/status.h"
#include "db/database.h"

namespace lakeshare {

// ------------------------------------------------------------ columns

inline constexpr const char* kShareCols =
    "s.id, s.name, s.display_name, s.comment, s.created_ms, s.updated_ms, s.version";
inline constexpr const char* kSchemaCols =
    "c.id, s.name, c.name, c.created_ms, c.updated_ms, c.version";
inline constexpr const char* kTableCols =
    "t.id, s.name, c.name, t.name, t.location, t.format, t.history_shared, t.start_version, "
    "t.partition_filter, t.comment, t.created_ms, t.updated_ms, t.version, t.hudi_view, "
    "t.location_map";
inline constexpr const char* kTableFrom =
    " FROM shared_tables t JOIN share_schemas c ON c.id = t.schema_id"
    " JOIN shares s ON s.id = c.share_id ";
inline constexpr const char* kRecipientCols =
    "r.id, r.name, r.comment, r.ip_allowlist, r.all_shares, r.created_ms, r.updated_ms, "
    "r.version, r.rate_limit_per_second, r.rate_limit_burst";
inline constexpr const char* kTokenCols =
    "t.id, r.name, t.created_ms, t.expiration_ms, t.revoked_ms, t.origin";
inline constexpr const char* kUserCols =
    "id, name, role, created_ms, updated_ms, version, password_hash";
inline constexpr const char* kAuditCols =
    "id, time_ms, actor_kind, actor_name, action, object, outcome, detail, num_files, "
    "remote_address, request_id";
inline constexpr const char* kLinkCols =
    "l.id, r.name, l.created_ms, l.expiration_ms, l.used_ms, l.token_id, l.token_expiration_ms, "
    "l.profile_ref";

std::string Sql(std::initializer_list<std::string_view> parts);

// ------------------------------------------------------------ row mapping

ShareRecord ToShare(const db::Row& r);
SchemaRecord ToSchema(const db::Row& r);
TableRecord ToTable(const db::Row& r);
Result<RecipientRecord> ToRecipient(const db::Row& r);
TokenRecord ToToken(const db::Row& r);
struct UserRow {
  AdminUserRecord record;
  std::string password_hash;
};
Result<UserRow> ToUser(const db::Row& r);
AuditEntry ToAudit(const db::Row& r);
ActivationLinkRecord ToLink(const db::Row& r);

// A row's first column as text (a list of names).
inline std::string FirstText(const db::Row& r) { return r.Text(0); }

// The rows of `sql`, each made a record by `convert` (one of the above, or
// any function of a row).
template <typename Convert>
auto QueryRecords(db::Transaction& tx, std::string_view sql, const db::Params& params,
                  Convert convert)
    -> Result<std::vector<decltype(convert(std::declval<const db::Row&>()))>> {
  LS_ASSIGN_OR_RETURN(std::vector<db::Row> rows, tx.Query(sql, params));
  std::vector<decltype(convert(std::declval<const db::Row&>()))> out;
  out.reserve(rows.size());
  for (const db::Row& row : rows) out.push_back(convert(row));
  return out;
}

// ------------------------------------------------------------ lookups and checks

// A name for a message: quoted, cleaned and cut.
std::string Quote(std::string_view name);
// kNotFound: "<kind> '<name>' not found".
Status NotFound(std::string_view kind, std::string_view name);
// A unique violation becomes kAlreadyExists `message` (409); anything else
// passes through.
Status IfDuplicate(const db::Transaction& tx, const Status& st, const std::string& message);
// kFailedPrecondition if `expected` is set and is not `actual`.
Status CheckVersion(std::string_view what, int64_t actual, std::optional<int64_t> expected);
// An UPDATE guarded by "AND version = ?" that changed nothing lost a race.
Status CheckUpdated(std::string_view what, int64_t affected);

// The record of a name (any case), or kNotFound.
Result<ShareRecord> LoadShare(db::Transaction& tx, std::string_view share);
Result<SchemaRecord> LoadSchema(db::Transaction& tx, std::string_view share,
                                std::string_view schema);
Result<TableRecord> LoadTable(db::Transaction& tx, std::string_view share, std::string_view schema,
                              std::string_view table);
Result<RecipientRecord> LoadRecipient(db::Transaction& tx, std::string_view recipient);
Result<UserRow> LoadUser(db::Transaction& tx, std::string_view name);

// Inserts a token row for `recipient_id`; returns the issued token.
Result<IssuedToken> InsertToken(db::Transaction& tx, const std::string& recipient_id,
                                const std::string& recipient, std::optional<int64_t> expiration_ms,
                                std::string_view origin, int64_t now);
// Inserts an activation link for `recipient_id` (spec validated with
// ValidateActivationLink); returns it with its one-time secret.
Result<IssuedActivationLink> InsertActivationLink(db::Transaction& tx,
                                                  const std::string& recipient_id,
                                                  const std::string& recipient,
                                                  const ActivationLinkSpec& spec, int64_t now);
Status ValidateActivationLink(const ActivationLinkSpec& spec, int64_t now);
// kInvalidArgument for an expiration time not after `now`.
Status ValidateExpiration(std::optional<int64_t> expiration_ms, int64_t now);

}  // namespace lakeshare
