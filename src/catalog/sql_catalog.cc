#include "catalog/sql_catalog.h"

#include <algorithm>

#include "auth/token.h"
#include "catalog/catalog_schema.h"
#include "catalog/sql_catalog_internal.h"
#include "catalog/table_location_map.h"
#include "common/crypto.h"
#include "common/time_util.h"

namespace lakeshare {

using db::Row;
using db::Transaction;

namespace {

constexpr const char* kAnonymous = "anonymous";

// The messages YamlCatalog uses, so both catalogs answer alike.
Status ShareNotFound(std::string_view share) {
  return Status::NotFound("share '" + std::string(share) + "' not found");
}

Status TableNotFound(std::string_view share, std::string_view schema, std::string_view table) {
  return Status::NotFound("[Share/Schema/Table] '" + std::string(share) + "/" +
                          std::string(schema) + "/" + std::string(table) +
                          "' does not exist, please contact your share provider for further "
                          "information.");
}

// Visibility of share `s` to recipient `r`: granted explicitly or all shares.
constexpr const char* kGranted =
    "(r.all_shares OR EXISTS (SELECT 1 FROM share_grants g WHERE g.recipient_id = r.id "
    "AND g.share_id = s.id))";

constexpr const char* kTableCols =
    "t.name, c.name, t.id, t.location, t.format, t.history_shared, t.start_version, "
    "t.partition_filter, t.hudi_view, t.location_map";

TableInfo ToTableInfo(const Row& r, const std::string& share, const std::string& share_id) {
  TableInfo info;
  info.name = r.Text(0);
  info.schema = r.Text(1);
  info.share = share;
  info.id = r.Text(2);
  info.share_id = share_id;
  info.location = r.Text(3);
  info.format = r.Text(4);
  info.history_shared = r.Bool(5);
  info.start_version = r.Int(6);
  info.partition_filter = r.OptText(7);
  if (auto view = r.OptText(8)) info.format_options["hudiView"] = *view;
  if (auto map = r.OptText(9)) info.format_options[kLocationMapOption] = *map;
  return info;
}

ShareInfo ToShareInfo(const Row& r) {
  return ShareInfo{r.Text(1), r.Text(0), r.OptText(2), r.OptText(3)};
}

}  // namespace

struct SqlCatalog::VisibleShare {
  std::string id;
  ShareInfo info;
};

SqlCatalog::SqlCatalog(std::shared_ptr<db::Database> db, SqlCatalogOptions options)
    : db_(std::move(db)), options_(options) {}

Result<bool> SqlCatalog::AnonymousMode(Transaction* tx) {
  if (!options_.allow_anonymous) return false;
  constexpr const char* kAny = "SELECT 1 FROM recipients LIMIT 1";
  // Inside a transaction, use its connection: taking a second one from the
  // pool while holding the first could deadlock under load.
  LS_ASSIGN_OR_RETURN(auto rows, tx != nullptr ? tx->Query(kAny) : db_->Query(kAny));
  return rows.empty();
}

Result<Principal> SqlCatalog::Authenticate(std::string_view bearer_token) {
  return DoAuthenticate(bearer_token, nullptr);
}

Result<Principal> SqlCatalog::AuthenticateFrom(std::string_view bearer_token,
                                               std::string_view remote_address) {
  return DoAuthenticate(bearer_token, &remote_address);
}

Result<Principal> SqlCatalog::DoAuthenticate(std::string_view bearer_token,
                                             const std::string_view* remote_address) {
  LS_ASSIGN_OR_RETURN(bool anonymous, AnonymousMode(nullptr));
  if (anonymous) return Principal{kAnonymous, std::nullopt};
  if (bearer_token.empty()) return Status::Unauthenticated("missing bearer token");
  std::string hash = HashToken(bearer_token);
  LS_ASSIGN_OR_RETURN(
      auto rows,
      db_->Query("SELECT t.token_hash, t.expiration_ms, t.revoked_ms, r.name, r.ip_allowlist, "
                 "r.rate_limit_per_second, r.rate_limit_burst "
                 "FROM recipient_tokens t JOIN recipients r ON r.id = t.recipient_id "
                 "WHERE t.token_hash = ?",
                 {hash}));
  if (rows.empty() || !ConstantTimeEquals(rows[0].Text(0), hash)) {
    return Status::Unauthenticated("invalid bearer token");
  }
  const Row& row = rows[0];
  if (!row.IsNull(2)) return Status::Unauthenticated("the bearer token has been revoked");
  std::optional<int64_t> expiration = row.OptInt(1);
  if (expiration && *expiration <= NowMillis()) {
    return Status::Unauthenticated("the bearer token has expired");
  }
  if (remote_address != nullptr) {
    LS_ASSIGN_OR_RETURN(auto allowlist, DecodeAllowlist(row.OptText(4)));
    if (!AddressAllowed(allowlist, *remote_address)) {
      return Status::PermissionDenied(
          "requests from this address are not allowed for the "
          "recipient");
    }
  }
  Principal who{row.Text(3), expiration};
  if (std::optional<int64_t> per_second = row.OptInt(5)) {
    // No burst of its own: a second's worth.
    int64_t burst = row.OptInt(6).value_or(std::max<int64_t>(*per_second, 1));
    who.rate_limit = RateLimit{static_cast<double>(*per_second), burst};
  }
  return who;
}

Result<Principal> SqlCatalog::RecipientPrincipal(std::string_view name,
                                                 std::string_view remote_address) {
  LS_ASSIGN_OR_RETURN(auto rows, db_->Query("SELECT name, ip_allowlist, rate_limit_per_second, "
                                            "rate_limit_burst FROM recipients WHERE name_key = ?",
                                            {NameKey(name)}));
  if (rows.empty()) return Status::Unauthenticated("no recipient '" + std::string(name) + "'");
  const Row& row = rows[0];
  LS_ASSIGN_OR_RETURN(auto allowlist, DecodeAllowlist(row.OptText(1)));
  if (!AddressAllowed(allowlist, remote_address)) {
    return Status::PermissionDenied("requests from this address are not allowed for the recipient");
  }
  Principal who{row.Text(0), std::nullopt};
  if (std::optional<int64_t> per_second = row.OptInt(2)) {
    int64_t burst = row.OptInt(3).value_or(std::max<int64_t>(*per_second, 1));
    who.rate_limit = RateLimit{static_cast<double>(*per_second), burst};
  }
  return who;
}

Result<SqlCatalog::VisibleShare> SqlCatalog::FindShare(Transaction& tx, const Principal& who,
                                                       std::string_view share) {
  std::optional<Row> row;
  bool anonymous = false;
  if (who.recipient == kAnonymous) {
    LS_ASSIGN_OR_RETURN(anonymous, AnonymousMode(&tx));
  }
  if (anonymous) {
    LS_ASSIGN_OR_RETURN(row, tx.QueryRow("SELECT s.id, s.name, s.display_name, s.comment "
                                         "FROM shares s WHERE s.name_key = ?",
                                         {NameKey(share)}));
  } else {
    LS_ASSIGN_OR_RETURN(row, tx.QueryRow(std::string("SELECT s.id, s.name, s.display_name, "
                                                     "s.comment FROM shares s JOIN recipients r "
                                                     "ON r.name_key = ? WHERE s.name_key = ? "
                                                     "AND ") +
                                             kGranted,
                                         {NameKey(who.recipient), NameKey(share)}));
  }
  if (!row) return ShareNotFound(share);
  return VisibleShare{row->Text(0), ToShareInfo(*row)};
}

Result<std::vector<ShareInfo>> SqlCatalog::ListShares(const Principal& who) {
  bool anonymous = false;
  if (who.recipient == kAnonymous) {
    LS_ASSIGN_OR_RETURN(anonymous, AnonymousMode(nullptr));
  }
  std::vector<Row> rows;
  if (anonymous) {
    LS_ASSIGN_OR_RETURN(rows, db_->Query("SELECT s.id, s.name, s.display_name, s.comment FROM "
                                         "shares s ORDER BY s.name_key"));
  } else {
    LS_ASSIGN_OR_RETURN(rows, db_->Query(std::string("SELECT s.id, s.name, s.display_name, "
                                                     "s.comment FROM shares s JOIN recipients r "
                                                     "ON r.name_key = ? WHERE ") +
                                             kGranted + " ORDER BY s.name_key",
                                         {NameKey(who.recipient)}));
  }
  std::vector<ShareInfo> out;
  for (const Row& r : rows) out.push_back(ToShareInfo(r));
  return out;
}

Result<ShareInfo> SqlCatalog::GetShare(const Principal& who, std::string_view share) {
  ShareInfo out;
  LS_RETURN_IF_ERROR(db_->Read([&](Transaction& tx) -> Status {
    LS_ASSIGN_OR_RETURN(VisibleShare s, FindShare(tx, who, share));
    out = s.info;
    return Status::OK();
  }));
  return out;
}

Result<std::vector<SchemaInfo>> SqlCatalog::ListSchemas(const Principal& who,
                                                        std::string_view share) {
  std::vector<SchemaInfo> out;
  LS_RETURN_IF_ERROR(db_->Read([&](Transaction& tx) -> Status {
    out.clear();
    LS_ASSIGN_OR_RETURN(VisibleShare s, FindShare(tx, who, share));
    LS_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT name FROM share_schemas WHERE share_id = ? "
                                            "ORDER BY name_key",
                                            {s.id}));
    for (const Row& r : rows) out.push_back(SchemaInfo{r.Text(0), s.info.name});
    return Status::OK();
  }));
  return out;
}

Result<std::vector<TableInfo>> SqlCatalog::ListTables(const Principal& who, std::string_view share,
                                                      std::string_view schema) {
  std::vector<TableInfo> out;
  LS_RETURN_IF_ERROR(db_->Read([&](Transaction& tx) -> Status {
    out.clear();
    LS_ASSIGN_OR_RETURN(VisibleShare s, FindShare(tx, who, share));
    LS_ASSIGN_OR_RETURN(auto c, tx.QueryRow("SELECT id FROM share_schemas WHERE share_id = ? AND "
                                            "name_key = ?",
                                            {s.id, NameKey(schema)}));
    if (!c) return Status::NotFound("schema '" + std::string(schema) + "' not found");
    LS_ASSIGN_OR_RETURN(auto rows,
                        tx.Query(std::string("SELECT ") + kTableCols +
                                     " FROM shared_tables t JOIN share_schemas c ON c.id = "
                                     "t.schema_id WHERE t.schema_id = ? ORDER BY t.name_key",
                                 {c->Text(0)}));
    for (const Row& r : rows) out.push_back(ToTableInfo(r, s.info.name, s.id));
    return Status::OK();
  }));
  return out;
}

Result<std::vector<TableInfo>> SqlCatalog::ListAllTables(const Principal& who,
                                                         std::string_view share) {
  std::vector<TableInfo> out;
  LS_RETURN_IF_ERROR(db_->Read([&](Transaction& tx) -> Status {
    out.clear();
    LS_ASSIGN_OR_RETURN(VisibleShare s, FindShare(tx, who, share));
    LS_ASSIGN_OR_RETURN(auto rows,
                        tx.Query(std::string("SELECT ") + kTableCols +
                                     " FROM shared_tables t JOIN share_schemas c ON c.id = "
                                     "t.schema_id WHERE c.share_id = ? "
                                     "ORDER BY c.name_key, t.name_key",
                                 {s.id}));
    for (const Row& r : rows) out.push_back(ToTableInfo(r, s.info.name, s.id));
    return Status::OK();
  }));
  return out;
}

Result<TableInfo> SqlCatalog::GetTable(const Principal& who, std::string_view share,
                                       std::string_view schema, std::string_view table) {
  TableInfo out;
  Status st = db_->Read([&](Transaction& tx) -> Status {
    auto s = FindShare(tx, who, share);
    if (!s.ok()) {
      if (s.status().code() == StatusCode::kNotFound) return TableNotFound(share, schema, table);
      return s.status();
    }
    LS_ASSIGN_OR_RETURN(auto row,
                        tx.QueryRow(std::string("SELECT ") + kTableCols +
                                        " FROM shared_tables t JOIN share_schemas c ON c.id = "
                                        "t.schema_id WHERE c.share_id = ? AND c.name_key = ? "
                                        "AND t.name_key = ?",
                                    {s->id, NameKey(schema), NameKey(table)}));
    if (!row) return TableNotFound(share, schema, table);
    out = ToTableInfo(*row, s->info.name, s->id);
    return Status::OK();
  });
  LS_RETURN_IF_ERROR(st);
  return out;
}

}  // namespace lakeshare
