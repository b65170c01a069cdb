#include "catalog/sql_catalog_admin.h"

#include "auth/token.h"
#include "predicate/partition_filter.h"
#include "catalog/sql_catalog_internal.h"
#include "common/crypto.h"
#include "common/names.h"
#include "common/time_util.h"
#include "catalog/catalog_schema.h"
#include "db/uuid.h"

namespace lakeshare {

using db::Row;
using db::Transaction;
using namespace sql_catalog_internal;  // NOLINT(google-build-using-namespace)

namespace {

// ------------------------------------------------------------ row mapping

constexpr const char* kShareCols =
    "s.id, s.name, s.display_name, s.comment, s.created_ms, s.updated_ms, s.version";
constexpr const char* kSchemaCols = "c.id, s.name, c.name, c.created_ms, c.updated_ms, c.version";
constexpr const char* kTableCols =
    "t.id, s.name, c.name, t.name, t.location, t.format, t.history_shared, t.start_version, "
    "t.partition_filter, t.comment, t.created_ms, t.updated_ms, t.version";
constexpr const char* kTableFrom =
    " FROM shared_tables t JOIN share_schemas c ON c.id = t.schema_id"
    " JOIN shares s ON s.id = c.share_id ";
constexpr const char* kRecipientCols =
    "r.id, r.name, r.comment, r.ip_allowlist, r.all_shares, r.created_ms, r.updated_ms, "
    "r.version";
constexpr const char* kTokenCols =
    "t.id, r.name, t.created_ms, t.expiration_ms, t.revoked_ms, t.origin";
constexpr const char* kUserCols = "id, name, role, created_ms, updated_ms, version, password_hash";
constexpr const char* kAuditCols =
    "id, time_ms, actor_kind, actor_name, action, object, outcome, detail, num_files, "
    "remote_address, request_id";
constexpr const char* kLinkCols =
    "l.id, r.name, l.created_ms, l.expiration_ms, l.used_ms, l.token_id, l.token_expiration_ms, "
    "l.profile_ref";

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
  return rec;
}

TokenRecord ToToken(const Row& r) {
  return TokenRecord{r.Text(0), r.Text(1), r.Int(2), r.OptInt(3), r.OptInt(4), r.Text(5)};
}

struct UserRow {
  AdminUserRecord record;
  std::string password_hash;
};

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
    return Status::FailedPrecondition(message);
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

Status ValidateShareText(const std::optional<std::string>& display_name,
                         const std::optional<std::string>& comment) {
  if (display_name)
    LS_RETURN_IF_ERROR(ValidateText("display name", *display_name, kMaxDisplayName));
  if (comment) LS_RETURN_IF_ERROR(ValidateText("comment", *comment, kMaxComment));
  return Status::OK();
}

Status ValidateTableFields(const std::string& location, const std::optional<std::string>& filter,
                           const std::optional<std::string>& comment, int64_t start_version) {
  if (location.empty()) return Status::InvalidArgument("table location must not be empty");
  LS_RETURN_IF_ERROR(ValidateText("table location", location, kMaxLocation));
  if (filter) {
    LS_RETURN_IF_ERROR(ValidateText("partition filter", *filter, kMaxPartitionFilter));
    LS_RETURN_IF_ERROR(PartitionFilter::Parse(*filter).status());
  }
  if (comment) LS_RETURN_IF_ERROR(ValidateText("comment", *comment, kMaxComment));
  if (start_version < 0) return Status::InvalidArgument("start version must not be negative");
  return Status::OK();
}

Result<int64_t> CountOtherAdmins(Transaction& tx, const std::string& user_id) {
  LS_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT COUNT(*) FROM admin_users WHERE role = "
                                            "'admin' AND id <> ?",
                                            {user_id}));
  return row ? row->Int(0) : 0;
}

}  // namespace

std::string_view AdminRoleName(AdminRole role) {
  return role == AdminRole::kAdmin ? "admin" : "viewer";
}

Result<AdminRole> ParseAdminRole(std::string_view text) {
  if (EqualsIgnoreCase(text, "admin")) return AdminRole::kAdmin;
  if (EqualsIgnoreCase(text, "viewer")) return AdminRole::kViewer;
  return Status::InvalidArgument("role must be 'admin' or 'viewer'");
}

CatalogAdmin::CatalogAdmin(std::shared_ptr<db::Database> db, CatalogAdminOptions options)
    : db_(std::move(db)), options_(options) {}

// ------------------------------------------------------------------ shares

Result<ShareRecord> CatalogAdmin::CreateShare(const ShareSpec& spec) {
  LS_RETURN_IF_ERROR(ValidateName(spec.name, NameKind::kShare));
  LS_RETURN_IF_ERROR(ValidateShareText(spec.display_name, spec.comment));
  if (spec.id) LS_RETURN_IF_ERROR(ValidateId(*spec.id));
  ShareRecord out;
  LS_RETURN_IF_ERROR(db_->Write([&](Transaction& tx) -> Status {
    int64_t now = NowMillis();
    out = ShareRecord{spec.id.value_or(db::NewUuid()),
                      spec.name,
                      EmptyToNull(spec.display_name),
                      EmptyToNull(spec.comment),
                      now,
                      now,
                      1};
    auto r = tx.Exec(
        "INSERT INTO shares (id, name, name_key, display_name, comment, created_ms, "
        "updated_ms, version) VALUES (?, ?, ?, ?, ?, ?, ?, 1)",
        {out.id, out.name, NameKey(out.name), out.display_name, out.comment, now, now});
    return IfDuplicate(tx, r.status(), "share " + Quote(spec.name) + " (or its id) already exists");
  }));
  return out;
}

Result<ShareRecord> CatalogAdmin::GetShare(std::string_view share) {
  ShareRecord out;
  LS_RETURN_IF_ERROR(db_->Read([&](Transaction& tx) -> Status {
    LS_ASSIGN_OR_RETURN(out, LoadShare(tx, share));
    return Status::OK();
  }));
  return out;
}

Result<std::vector<ShareRecord>> CatalogAdmin::ListShares() {
  LS_ASSIGN_OR_RETURN(
      auto rows, db_->Query(Sql({"SELECT ", kShareCols, " FROM shares s ORDER BY s.name_key"})));
  std::vector<ShareRecord> out;
  for (const Row& r : rows) out.push_back(ToShare(r));
  return out;
}

Result<ShareRecord> CatalogAdmin::UpdateShare(std::string_view share, const ShareUpdate& update,
                                              std::optional<int64_t> expected_version) {
  if (update.name) LS_RETURN_IF_ERROR(ValidateName(*update.name, NameKind::kShare));
  LS_RETURN_IF_ERROR(ValidateShareText(update.display_name, update.comment));
  ShareRecord out;
  LS_RETURN_IF_ERROR(db_->Write([&](Transaction& tx) -> Status {
    LS_ASSIGN_OR_RETURN(ShareRecord cur, LoadShare(tx, share));
    std::string what = "share " + Quote(cur.name);
    LS_RETURN_IF_ERROR(CheckVersion(what, cur.version, expected_version));
    out = cur;
    if (update.name) out.name = *update.name;
    if (update.display_name) out.display_name = EmptyToNull(update.display_name);
    if (update.comment) out.comment = EmptyToNull(update.comment);
    out.updated_ms = NowMillis();
    out.version = cur.version + 1;
    auto r = tx.Exec(
        "UPDATE shares SET name = ?, name_key = ?, display_name = ?, comment = ?, "
        "updated_ms = ?, version = version + 1 WHERE id = ? AND version = ?",
        {out.name, NameKey(out.name), out.display_name, out.comment, out.updated_ms, cur.id,
         cur.version});
    LS_RETURN_IF_ERROR(IfDuplicate(tx, r.status(), "share " + Quote(out.name) + " already exists"));
    return CheckUpdated(what, *r);
  }));
  return out;
}

Status CatalogAdmin::DeleteShare(std::string_view share) {
  return db_->Write([&](Transaction& tx) -> Status {
    LS_ASSIGN_OR_RETURN(ShareRecord cur, LoadShare(tx, share));
    return tx.Exec("DELETE FROM shares WHERE id = ?", {cur.id}).status();
  });
}

// ----------------------------------------------------------------- schemas

Result<SchemaRecord> CatalogAdmin::CreateSchema(std::string_view share, std::string_view schema) {
  LS_RETURN_IF_ERROR(ValidateName(schema, NameKind::kSchema));
  SchemaRecord out;
  LS_RETURN_IF_ERROR(db_->Write([&](Transaction& tx) -> Status {
    LS_ASSIGN_OR_RETURN(ShareRecord s, LoadShare(tx, share));
    int64_t now = NowMillis();
    out = SchemaRecord{db::NewUuid(), s.name, std::string(schema), now, now, 1};
    auto r = tx.Exec(
        "INSERT INTO share_schemas (id, share_id, name, name_key, created_ms, "
        "updated_ms, version) VALUES (?, ?, ?, ?, ?, ?, 1)",
        {out.id, s.id, out.name, NameKey(out.name), now, now});
    return IfDuplicate(tx, r.status(),
                       "schema " + Quote(schema) + " already exists in share " + Quote(s.name));
  }));
  return out;
}

Result<std::vector<SchemaRecord>> CatalogAdmin::ListSchemas(std::string_view share) {
  std::vector<SchemaRecord> out;
  LS_RETURN_IF_ERROR(db_->Read([&](Transaction& tx) -> Status {
    out.clear();
    LS_ASSIGN_OR_RETURN(ShareRecord s, LoadShare(tx, share));
    LS_ASSIGN_OR_RETURN(auto rows,
                        tx.Query(Sql({"SELECT ", kSchemaCols,
                                      " FROM share_schemas c JOIN shares s ON s.id = c.share_id"
                                      " WHERE c.share_id = ? ORDER BY c.name_key"}),
                                 {s.id}));
    for (const Row& r : rows) out.push_back(ToSchema(r));
    return Status::OK();
  }));
  return out;
}

Result<SchemaRecord> CatalogAdmin::RenameSchema(std::string_view share, std::string_view schema,
                                                std::string_view new_name,
                                                std::optional<int64_t> expected_version) {
  LS_RETURN_IF_ERROR(ValidateName(new_name, NameKind::kSchema));
  SchemaRecord out;
  LS_RETURN_IF_ERROR(db_->Write([&](Transaction& tx) -> Status {
    LS_ASSIGN_OR_RETURN(SchemaRecord cur, LoadSchema(tx, share, schema));
    std::string what = "schema " + Quote(cur.name);
    LS_RETURN_IF_ERROR(CheckVersion(what, cur.version, expected_version));
    out = cur;
    out.name = std::string(new_name);
    out.updated_ms = NowMillis();
    out.version = cur.version + 1;
    auto r = tx.Exec(
        "UPDATE share_schemas SET name = ?, name_key = ?, updated_ms = ?, "
        "version = version + 1 WHERE id = ? AND version = ?",
        {out.name, NameKey(out.name), out.updated_ms, cur.id, cur.version});
    LS_RETURN_IF_ERROR(
        IfDuplicate(tx, r.status(),
                    "schema " + Quote(new_name) + " already exists in share " + Quote(cur.share)));
    return CheckUpdated(what, *r);
  }));
  return out;
}

Status CatalogAdmin::DeleteSchema(std::string_view share, std::string_view schema) {
  return db_->Write([&](Transaction& tx) -> Status {
    LS_ASSIGN_OR_RETURN(SchemaRecord cur, LoadSchema(tx, share, schema));
    return tx.Exec("DELETE FROM share_schemas WHERE id = ?", {cur.id}).status();
  });
}

// ------------------------------------------------------------------ tables

Result<TableRecord> CatalogAdmin::AddTable(std::string_view share, std::string_view schema,
                                           const TableSpec& spec) {
  LS_RETURN_IF_ERROR(ValidateName(spec.name, NameKind::kTable));
  std::string format = spec.format;
  LS_RETURN_IF_ERROR(ValidateFormat(&format));
  LS_RETURN_IF_ERROR(
      ValidateTableFields(spec.location, spec.partition_filter, spec.comment, spec.start_version));
  if (spec.id) LS_RETURN_IF_ERROR(ValidateId(*spec.id));
  TableRecord out;
  LS_RETURN_IF_ERROR(db_->Write([&](Transaction& tx) -> Status {
    LS_ASSIGN_OR_RETURN(SchemaRecord c, LoadSchema(tx, share, schema));
    int64_t now = NowMillis();
    out = TableRecord{spec.id.value_or(db::NewUuid()),
                      c.share,
                      c.name,
                      spec.name,
                      spec.location,
                      format,
                      spec.history_shared,
                      spec.start_version,
                      EmptyToNull(spec.partition_filter),
                      EmptyToNull(spec.comment),
                      now,
                      now,
                      1};
    auto r = tx.Exec(
        "INSERT INTO shared_tables (id, schema_id, name, name_key, location, format, "
        "history_shared, start_version, partition_filter, comment, created_ms, updated_ms, "
        "version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
        {out.id, c.id, out.name, NameKey(out.name), out.location, out.format, out.history_shared,
         out.start_version, out.partition_filter, out.comment, now, now});
    return IfDuplicate(
        tx, r.status(),
        "table " + Quote(spec.name) + " (or its id) already exists in schema " + Quote(c.name));
  }));
  return out;
}

Result<TableRecord> CatalogAdmin::GetTable(std::string_view share, std::string_view schema,
                                           std::string_view table) {
  TableRecord out;
  LS_RETURN_IF_ERROR(db_->Read([&](Transaction& tx) -> Status {
    LS_ASSIGN_OR_RETURN(out, LoadTable(tx, share, schema, table));
    return Status::OK();
  }));
  return out;
}

Result<std::vector<TableRecord>> CatalogAdmin::ListTables(std::string_view share,
                                                          std::optional<std::string_view> schema) {
  std::vector<TableRecord> out;
  LS_RETURN_IF_ERROR(db_->Read([&](Transaction& tx) -> Status {
    out.clear();
    std::vector<Row> rows;
    if (schema) {
      LS_ASSIGN_OR_RETURN(SchemaRecord c, LoadSchema(tx, share, *schema));
      LS_ASSIGN_OR_RETURN(rows, tx.Query(Sql({"SELECT ", kTableCols, kTableFrom,
                                              "WHERE t.schema_id = ? ORDER BY t.name_key"}),
                                         {c.id}));
    } else {
      LS_ASSIGN_OR_RETURN(ShareRecord s, LoadShare(tx, share));
      LS_ASSIGN_OR_RETURN(rows, tx.Query(Sql({"SELECT ", kTableCols, kTableFrom,
                                              "WHERE s.id = ? ORDER BY c.name_key, t.name_key"}),
                                         {s.id}));
    }
    for (const Row& r : rows) out.push_back(ToTable(r));
    return Status::OK();
  }));
  return out;
}

Result<TableRecord> CatalogAdmin::UpdateTable(std::string_view share, std::string_view schema,
                                              std::string_view table, const TableUpdate& update,
                                              std::optional<int64_t> expected_version) {
  if (update.name) LS_RETURN_IF_ERROR(ValidateName(*update.name, NameKind::kTable));
  std::optional<std::string> format = update.format;
  if (format) LS_RETURN_IF_ERROR(ValidateFormat(&*format));
  TableRecord out;
  LS_RETURN_IF_ERROR(db_->Write([&](Transaction& tx) -> Status {
    LS_ASSIGN_OR_RETURN(TableRecord cur, LoadTable(tx, share, schema, table));
    std::string what = "table " + Quote(cur.name);
    LS_RETURN_IF_ERROR(CheckVersion(what, cur.version, expected_version));
    out = cur;
    if (update.name) out.name = *update.name;
    if (update.location) out.location = *update.location;
    if (format) out.format = *format;
    if (update.history_shared) out.history_shared = *update.history_shared;
    if (update.start_version) out.start_version = *update.start_version;
    if (update.partition_filter) out.partition_filter = EmptyToNull(update.partition_filter);
    if (update.comment) out.comment = EmptyToNull(update.comment);
    LS_RETURN_IF_ERROR(
        ValidateTableFields(out.location, out.partition_filter, out.comment, out.start_version));
    out.updated_ms = NowMillis();
    out.version = cur.version + 1;
    auto r = tx.Exec(
        "UPDATE shared_tables SET name = ?, name_key = ?, location = ?, format = ?, "
        "history_shared = ?, start_version = ?, partition_filter = ?, comment = ?, "
        "updated_ms = ?, version = version + 1 WHERE id = ? AND version = ?",
        {out.name, NameKey(out.name), out.location, out.format, out.history_shared,
         out.start_version, out.partition_filter, out.comment, out.updated_ms, cur.id,
         cur.version});
    LS_RETURN_IF_ERROR(
        IfDuplicate(tx, r.status(),
                    "table " + Quote(out.name) + " already exists in schema " + Quote(cur.schema)));
    return CheckUpdated(what, *r);
  }));
  return out;
}

Status CatalogAdmin::RemoveTable(std::string_view share, std::string_view schema,
                                 std::string_view table) {
  return db_->Write([&](Transaction& tx) -> Status {
    LS_ASSIGN_OR_RETURN(TableRecord cur, LoadTable(tx, share, schema, table));
    return tx.Exec("DELETE FROM shared_tables WHERE id = ?", {cur.id}).status();
  });
}

// -------------------------------------------------------------- recipients

Result<RecipientRecord> CatalogAdmin::CreateRecipient(const RecipientSpec& spec) {
  LS_RETURN_IF_ERROR(ValidateName(spec.name, NameKind::kRecipient));
  if (spec.comment) LS_RETURN_IF_ERROR(ValidateText("comment", *spec.comment, kMaxComment));
  LS_ASSIGN_OR_RETURN(std::optional<std::string> allowlist, EncodeAllowlist(spec.ip_allowlist));
  RecipientRecord out;
  LS_RETURN_IF_ERROR(db_->Write([&](Transaction& tx) -> Status {
    int64_t now = NowMillis();
    out = RecipientRecord{db::NewUuid(),
                          spec.name,
                          EmptyToNull(spec.comment),
                          spec.ip_allowlist,
                          spec.all_shares,
                          now,
                          now,
                          1};
    auto r = tx.Exec(
        "INSERT INTO recipients (id, name, name_key, comment, ip_allowlist, "
        "all_shares, created_ms, updated_ms, version) VALUES (?, ?, ?, ?, ?, ?, ?, "
        "?, 1)",
        {out.id, out.name, NameKey(out.name), out.comment, allowlist, out.all_shares, now, now});
    return IfDuplicate(tx, r.status(), "recipient " + Quote(spec.name) + " already exists");
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
    LS_ASSIGN_OR_RETURN(std::optional<std::string> allowlist, EncodeAllowlist(out.ip_allowlist));
    out.updated_ms = NowMillis();
    out.version = cur.version + 1;
    auto r = tx.Exec(
        "UPDATE recipients SET name = ?, name_key = ?, comment = ?, ip_allowlist = ?, "
        "all_shares = ?, updated_ms = ?, version = version + 1 "
        "WHERE id = ? AND version = ?",
        {out.name, NameKey(out.name), out.comment, allowlist, out.all_shares, out.updated_ms,
         cur.id, cur.version});
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
    out.clear();
    LS_ASSIGN_OR_RETURN(RecipientRecord r, LoadRecipient(tx, recipient));
    LS_ASSIGN_OR_RETURN(auto rows,
                        tx.Query(Sql({"SELECT ", kTokenCols,
                                      " FROM recipient_tokens t JOIN recipients r ON r.id = "
                                      "t.recipient_id WHERE t.recipient_id = ? "
                                      "ORDER BY t.created_ms, t.id"}),
                                 {r.id}));
    for (const Row& row : rows) out.push_back(ToToken(row));
    return Status::OK();
  }));
  return out;
}

// ------------------------------------------------------------------ grants

Status CatalogAdmin::Grant(std::string_view recipient, std::string_view share) {
  return db_->Write([&](Transaction& tx) -> Status {
    LS_ASSIGN_OR_RETURN(RecipientRecord r, LoadRecipient(tx, recipient));
    LS_ASSIGN_OR_RETURN(ShareRecord s, LoadShare(tx, share));
    return tx
        .Exec(
            "INSERT INTO share_grants (recipient_id, share_id, created_ms) VALUES (?, ?, ?) "
            "ON CONFLICT (recipient_id, share_id) DO NOTHING",
            {r.id, s.id, NowMillis()})
        .status();
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
    out.clear();
    LS_ASSIGN_OR_RETURN(RecipientRecord r, LoadRecipient(tx, recipient));
    LS_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT s.name FROM share_grants g JOIN shares s ON "
                                            "s.id = g.share_id WHERE g.recipient_id = ? "
                                            "ORDER BY s.name_key",
                                            {r.id}));
    for (const Row& row : rows) out.push_back(row.Text(0));
    return Status::OK();
  }));
  return out;
}

Result<std::vector<std::string>> CatalogAdmin::ListShareRecipients(std::string_view share) {
  std::vector<std::string> out;
  LS_RETURN_IF_ERROR(db_->Read([&](Transaction& tx) -> Status {
    out.clear();
    LS_ASSIGN_OR_RETURN(ShareRecord s, LoadShare(tx, share));
    LS_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT r.name FROM share_grants g JOIN recipients r "
                                            "ON r.id = g.recipient_id WHERE g.share_id = ? "
                                            "ORDER BY r.name_key",
                                            {s.id}));
    for (const Row& row : rows) out.push_back(row.Text(0));
    return Status::OK();
  }));
  return out;
}

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

// ------------------------------------------------------------------- audit

namespace {

constexpr const char* kAuditInsertCols =
    "INSERT INTO audit_log (time_ms, actor_kind, actor_name, action, object, outcome, detail, "
    "num_files, remote_address, request_id) VALUES ";
constexpr const char* kAuditRowPlaceholders = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

Status CheckAuditEntry(const AuditEntry& e) {
  if (e.actor_kind.empty() || e.action.empty() || e.outcome.empty()) {
    return Status::InvalidArgument("audit entries need an actor kind, an action and an outcome");
  }
  return Status::OK();
}

// The bound values of one audit row, cut and cleaned.
void AddAuditParams(const AuditEntry& e, int64_t now, db::Params* params) {
  auto opt = [](const std::optional<std::string>& v, size_t max) -> std::optional<std::string> {
    if (!v) return std::nullopt;
    return SanitizeText(*v, max);
  };
  params->emplace_back(e.time_ms != 0 ? e.time_ms : now);
  params->emplace_back(SanitizeText(e.actor_kind, 64));
  params->emplace_back(opt(e.actor_name, 255));
  params->emplace_back(SanitizeText(e.action, 128));
  params->emplace_back(opt(e.object, 1024));
  params->emplace_back(SanitizeText(e.outcome, 64));
  params->emplace_back(opt(e.detail, 4096));
  params->emplace_back(e.num_files);
  params->emplace_back(opt(e.remote_address, 128));
  params->emplace_back(opt(e.request_id, 128));
}

}  // namespace

Result<int64_t> CatalogAdmin::AppendAudit(const AuditEntry& e) {
  LS_RETURN_IF_ERROR(CheckAuditEntry(e));
  db::Params params;
  AddAuditParams(e, NowMillis(), &params);
  int64_t id = 0;
  LS_RETURN_IF_ERROR(db_->Write([&](Transaction& tx) -> Status {
    LS_ASSIGN_OR_RETURN(
        auto row,
        tx.QueryRow(Sql({kAuditInsertCols, kAuditRowPlaceholders, " RETURNING id"}), params));
    id = row ? row->Int(0) : 0;
    return Status::OK();
  }));
  return id;
}

Status CatalogAdmin::AppendAuditBatch(const std::vector<AuditEntry>& entries) {
  for (const AuditEntry& e : entries) LS_RETURN_IF_ERROR(CheckAuditEntry(e));
  if (entries.empty()) return Status::OK();
  int64_t now = NowMillis();
  // Multi-row INSERTs of a few fixed sizes: few round trips, and few
  // distinct statements in the connections' prepared-statement caches.
  std::vector<std::pair<size_t, db::Params>> chunks;  // (rows, values)
  size_t next = 0;
  for (size_t rows :
       {size_t{64}, size_t{32}, size_t{16}, size_t{8}, size_t{4}, size_t{2}, size_t{1}}) {
    while (entries.size() - next >= rows) {
      db::Params params;
      for (size_t i = 0; i < rows; ++i) AddAuditParams(entries[next + i], now, &params);
      chunks.emplace_back(rows, std::move(params));
      next += rows;
    }
  }
  return db_->Write([&](Transaction& tx) -> Status {
    for (const auto& [rows, params] : chunks) {
      std::string sql = kAuditInsertCols;
      for (size_t i = 0; i < rows; ++i) {
        if (i > 0) sql += ", ";
        sql += kAuditRowPlaceholders;
      }
      LS_RETURN_IF_ERROR(tx.Exec(sql, params).status());
    }
    return Status::OK();
  });
}

Result<AuditPage> CatalogAdmin::QueryAudit(const AuditQuery& q) {
  if (q.limit < 1 || q.limit > 1000) {
    return Status::InvalidArgument("audit page size must be between 1 and 1000");
  }
  // The WHERE clause is assembled from fixed fragments; values are bound.
  std::string sql = Sql({"SELECT ", kAuditCols, " FROM audit_log WHERE 1 = 1"});
  db::Params params;
  auto eq = [&](const char* column, const std::optional<std::string>& v) {
    if (!v) return;
    sql += std::string(" AND ") + column + " = ?";
    params.emplace_back(*v);
  };
  eq("actor_kind", q.actor_kind);
  eq("actor_name", q.actor_name);
  eq("action", q.action);
  eq("object", q.object);
  eq("outcome", q.outcome);
  if (q.from_ms) {
    sql += " AND time_ms >= ?";
    params.emplace_back(*q.from_ms);
  }
  if (q.to_ms) {
    sql += " AND time_ms < ?";
    params.emplace_back(*q.to_ms);
  }
  if (q.page_token) {
    sql += " AND id < ?";
    params.emplace_back(*q.page_token);
  }
  sql += " ORDER BY id DESC LIMIT ?";
  params.emplace_back(static_cast<int64_t>(q.limit) + 1);
  LS_ASSIGN_OR_RETURN(auto rows, db_->Query(sql, params));
  AuditPage page;
  for (const Row& r : rows) {
    if (static_cast<int>(page.entries.size()) == q.limit) {
      page.next_page_token = page.entries.back().id;
      break;
    }
    page.entries.push_back(ToAudit(r));
  }
  return page;
}

// -------------------------------------------------------- activation links

Result<IssuedActivationLink> CatalogAdmin::CreateActivationLink(std::string_view recipient,
                                                                const ActivationLinkSpec& spec) {
  int64_t now = NowMillis();
  if (spec.expiration_ms <= now) {
    return Status::InvalidArgument("activation link expiration time is in the past");
  }
  LS_RETURN_IF_ERROR(ValidateExpiration(spec.token_expiration_ms, now));
  if (spec.profile_ref) {
    LS_RETURN_IF_ERROR(ValidateText("profile reference", *spec.profile_ref, kMaxProfileRef));
  }
  IssuedActivationLink out;
  LS_RETURN_IF_ERROR(db_->Write([&](Transaction& tx) -> Status {
    LS_ASSIGN_OR_RETURN(RecipientRecord r, LoadRecipient(tx, recipient));
    out.secret = GenerateToken();
    out.record = ActivationLinkRecord{db::NewUuid(),
                                      r.name,
                                      NowMillis(),
                                      spec.expiration_ms,
                                      std::nullopt,
                                      std::nullopt,
                                      spec.token_expiration_ms,
                                      spec.profile_ref};
    return tx
        .Exec(
            "INSERT INTO activation_links (id, secret_hash, recipient_id, token_expiration_ms, "
            "profile_ref, created_ms, expiration_ms) VALUES (?, ?, ?, ?, ?, ?, ?)",
            {out.record.id, HashToken(out.secret), r.id, spec.token_expiration_ms, spec.profile_ref,
             out.record.created_ms, spec.expiration_ms})
        .status();
  }));
  return out;
}

Result<Redemption> CatalogAdmin::RedeemActivationLink(std::string_view secret) {
  if (secret.empty() || secret.size() > 1024) return Status::NotFound("activation link not found");
  std::string hash = HashToken(secret);
  Redemption out;
  LS_RETURN_IF_ERROR(db_->Write([&](Transaction& tx) -> Status {
    LS_ASSIGN_OR_RETURN(auto row,
                        tx.QueryRow(Sql({"SELECT ", kLinkCols, ", l.recipient_id, l.secret_hash",
                                         " FROM activation_links l JOIN recipients r ON r.id = "
                                         "l.recipient_id WHERE l.secret_hash = ?"}),
                                    {hash}));
    if (!row || !ConstantTimeEquals(row->Text(9), hash)) {
      return Status::NotFound("activation link not found");
    }
    ActivationLinkRecord link = ToLink(*row);
    int64_t now = NowMillis();
    if (link.used_ms) return Status::FailedPrecondition("activation link has already been used");
    if (link.expiration_ms <= now) return Status::FailedPrecondition("activation link has expired");
    std::optional<int64_t> token_exp = link.token_expiration_ms;
    if (token_exp && *token_exp <= now) {
      return Status::FailedPrecondition("activation link's token would already be expired");
    }
    LS_ASSIGN_OR_RETURN(
        out.token, InsertToken(tx, row->Text(8), link.recipient, token_exp, "activation", now));
    // Guarded by "used_ms IS NULL": of two concurrent redemptions one wins.
    LS_ASSIGN_OR_RETURN(int64_t n, tx.Exec("UPDATE activation_links SET used_ms = ?, token_id = ? "
                                           "WHERE id = ? AND used_ms IS NULL",
                                           {now, out.token.record.id, link.id}));
    if (n != 1) return Status::FailedPrecondition("activation link has already been used");
    link.used_ms = now;
    link.token_id = out.token.record.id;
    out.link = link;
    return Status::OK();
  }));
  return out;
}

Result<std::vector<ActivationLinkRecord>> CatalogAdmin::ListActivationLinks(
    std::string_view recipient) {
  std::vector<ActivationLinkRecord> out;
  LS_RETURN_IF_ERROR(db_->Read([&](Transaction& tx) -> Status {
    out.clear();
    LS_ASSIGN_OR_RETURN(RecipientRecord r, LoadRecipient(tx, recipient));
    LS_ASSIGN_OR_RETURN(auto rows, tx.Query(Sql({"SELECT ", kLinkCols,
                                                 " FROM activation_links l JOIN recipients r ON "
                                                 "r.id = l.recipient_id WHERE l.recipient_id = ? "
                                                 "ORDER BY l.created_ms, l.id"}),
                                            {r.id}));
    for (const Row& row : rows) out.push_back(ToLink(row));
    return Status::OK();
  }));
  return out;
}

}  // namespace lakeshare
