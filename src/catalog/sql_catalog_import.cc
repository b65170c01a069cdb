#include "catalog/sql_catalog_import.h"

#include <cmath>
#include <optional>
#include <set>

#include "auth/token.h"
#include "catalog/catalog_schema.h"
#include "catalog/iceberg_catalog_store.h"
#include "catalog/sql_catalog_admin.h"
#include "catalog/sql_catalog_internal.h"
#include "common/names.h"
#include "common/time_util.h"
#include "db/uuid.h"

namespace lakeshare {
namespace {

using db::Transaction;

// The catalog database keeps whole requests a second (the admin API's
// rateLimitPerSecond); a fractional YAML rate is refused rather than rounded.
Status ValidateImportedRateLimit(const RecipientConfig& r) {
  if (!r.rate_limit) return Status::OK();
  constexpr int64_t kMax = CatalogAdminLimits::kRateLimitPerSecond;
  const double per_second = r.rate_limit->per_second;
  if (per_second != std::floor(per_second) || per_second < 0 ||
      per_second > static_cast<double>(kMax)) {
    return Status::InvalidArgument(
        "recipient '" + r.name +
        "': rateLimit.requestsPerSecond must be a whole number from 0 to " + std::to_string(kMax) +
        " to be imported (the catalog database stores whole requests per second)");
  }
  if (r.rate_limit->burst < 1 || r.rate_limit->burst > kMax) {
    return Status::InvalidArgument("recipient '" + r.name + "': rateLimit.burst must be 1 to " +
                                   std::to_string(kMax));
  }
  return Status::OK();
}

Status ValidateConfig(const ServerConfig& config) {
  for (const ShareConfig& share : config.shares) {
    LS_RETURN_IF_ERROR(ValidateName(share.name, NameKind::kShare));
    if (share.id) LS_RETURN_IF_ERROR(ValidateId(*share.id));
    if (share.display_name) {
      LS_RETURN_IF_ERROR(ValidateText("display name", *share.display_name, kMaxDisplayName));
    }
    if (share.comment) LS_RETURN_IF_ERROR(ValidateText("comment", *share.comment, kMaxComment));
    for (const SchemaConfig& schema : share.schemas) {
      LS_RETURN_IF_ERROR(ValidateName(schema.name, NameKind::kSchema));
      for (const TableConfig& table : schema.tables) {
        LS_RETURN_IF_ERROR(ValidateName(table.name, NameKind::kTable));
        if (table.id) LS_RETURN_IF_ERROR(ValidateId(*table.id));
        std::string format = table.format;
        LS_RETURN_IF_ERROR(ValidateFormat(&format));
        std::string hudi_view = table.hudi_view;
        LS_RETURN_IF_ERROR(ValidateHudiView(format, &hudi_view));
        LS_RETURN_IF_ERROR(ValidateTableLocationMap(format, table.location_map, kMaxLocation));
        if (table.location.empty()) {
          return Status::InvalidArgument("table '" + table.name + "' has no location");
        }
        LS_RETURN_IF_ERROR(ValidateText("table location", table.location, kMaxLocation));
        if (table.start_version < 0) {
          return Status::InvalidArgument("start version must not be negative");
        }
      }
    }
  }
  for (const RecipientConfig& r : config.recipients) {
    LS_RETURN_IF_ERROR(ValidateName(r.name, NameKind::kRecipient));
    if (!IsTokenHash(r.token_hash)) {
      return Status::InvalidArgument("recipient '" + r.name +
                                     "' has a token hash not of the form sha256:<64 hex digits>");
    }
    LS_RETURN_IF_ERROR(ValidateImportedRateLimit(r));
  }
  return Status::OK();
}

Status ImportShare(Transaction& tx, const ShareConfig& share, int64_t now, ImportSummary* sum) {
  LS_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT id, name, display_name, comment FROM shares "
                                            "WHERE name_key = ?",
                                            {NameKey(share.name)}));
  std::string share_id;
  auto display = EmptyToNull(share.display_name);
  auto comment = EmptyToNull(share.comment);
  if (!row) {
    share_id = share.id.value_or(db::NewUuid());
    LS_RETURN_IF_ERROR(
        tx.Exec("INSERT INTO shares (id, name, name_key, display_name, comment, "
                "created_ms, updated_ms, version) VALUES (?, ?, ?, ?, ?, ?, ?, 1)",
                {share_id, share.name, NameKey(share.name), display, comment, now, now}));
    ++sum->shares_created;
  } else {
    share_id = row->Text(0);
    if (row->Text(1) != share.name || row->OptText(2) != display || row->OptText(3) != comment) {
      LS_RETURN_IF_ERROR(
          tx.Exec("UPDATE shares SET name = ?, display_name = ?, comment = ?, "
                  "updated_ms = ?, version = version + 1 WHERE id = ?",
                  {share.name, display, comment, now, share_id}));
      ++sum->shares_updated;
    }
    if (share.id && *share.id != share_id) {
      sum->warnings.push_back("share '" + share.name + "' keeps its id '" + share_id +
                              "' (the config says '" + *share.id + "')");
    }
  }

  for (const SchemaConfig& schema : share.schemas) {
    LS_ASSIGN_OR_RETURN(auto srow, tx.QueryRow("SELECT id, name FROM share_schemas WHERE "
                                               "share_id = ? AND name_key = ?",
                                               {share_id, NameKey(schema.name)}));
    std::string schema_id;
    if (!srow) {
      schema_id = db::NewUuid();
      LS_RETURN_IF_ERROR(
          tx.Exec("INSERT INTO share_schemas (id, share_id, name, name_key, "
                  "created_ms, updated_ms, version) VALUES (?, ?, ?, ?, ?, ?, 1)",
                  {schema_id, share_id, schema.name, NameKey(schema.name), now, now}));
      ++sum->schemas_created;
    } else {
      schema_id = srow->Text(0);
      if (srow->Text(1) != schema.name) {
        LS_RETURN_IF_ERROR(
            tx.Exec("UPDATE share_schemas SET name = ?, updated_ms = ?, "
                    "version = version + 1 WHERE id = ?",
                    {schema.name, now, schema_id}));
        ++sum->schemas_updated;
      }
    }

    for (const TableConfig& table : schema.tables) {
      std::string format = table.format;
      LS_RETURN_IF_ERROR(ValidateFormat(&format));
      std::string hudi_view = table.hudi_view;
      LS_RETURN_IF_ERROR(ValidateHudiView(format, &hudi_view));
      const std::optional<std::string> view_column = HudiViewColumn(hudi_view);
      LS_RETURN_IF_ERROR(ValidateTableLocationMap(format, table.location_map, kMaxLocation));
      const std::optional<std::string> map_column = LocationMapColumn(table.location_map);
      LS_ASSIGN_OR_RETURN(auto trow,
                          tx.QueryRow("SELECT id, name, location, format, history_shared, "
                                      "start_version, hudi_view, location_map FROM shared_tables "
                                      "WHERE schema_id = ? AND name_key = ?",
                                      {schema_id, NameKey(table.name)}));
      if (!trow) {
        LS_RETURN_IF_ERROR(
            tx.Exec("INSERT INTO shared_tables (id, schema_id, name, name_key, location, format, "
                    "history_shared, start_version, hudi_view, location_map, created_ms, "
                    "updated_ms, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
                    {table.id.value_or(db::NewUuid()), schema_id, table.name, NameKey(table.name),
                     table.location, format, table.history_shared, table.start_version, view_column,
                     map_column, now, now}));
        ++sum->tables_created;
        continue;
      }
      std::string table_id = trow->Text(0);
      if (trow->Text(1) != table.name || trow->Text(2) != table.location ||
          trow->Text(3) != format || trow->Bool(4) != table.history_shared ||
          trow->Int(5) != table.start_version || trow->OptText(6) != view_column ||
          trow->OptText(7) != map_column) {
        LS_RETURN_IF_ERROR(
            tx.Exec("UPDATE shared_tables SET name = ?, location = ?, format = ?, "
                    "history_shared = ?, start_version = ?, hudi_view = ?, location_map = ?, "
                    "updated_ms = ?, version = version + 1 WHERE id = ?",
                    {table.name, table.location, format, table.history_shared, table.start_version,
                     view_column, map_column, now, table_id}));
        ++sum->tables_updated;
      }
      if (table.id && *table.id != table_id) {
        sum->warnings.push_back("table '" + table.name + "' keeps its id '" + table_id +
                                "' (the config says '" + *table.id + "')");
      }
    }
  }
  return Status::OK();
}

Status ImportRecipient(Transaction& tx, const RecipientConfig& r, int64_t now, ImportSummary* sum) {
  bool all_shares = false;
  for (const std::string& s : r.shares) all_shares = all_shares || s == "*";

  LS_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT id, name, all_shares, rate_limit_per_second, "
                                            "rate_limit_burst FROM recipients WHERE name_key = ?",
                                            {NameKey(r.name)}));
  std::string recipient_id;
  // The file's rateLimit becomes the recipient's override; without one, an
  // override set through the admin API stays.
  std::optional<int64_t> per_second, burst;
  if (r.rate_limit) {
    per_second = static_cast<int64_t>(r.rate_limit->per_second);
    burst = r.rate_limit->burst;
  }
  if (!row) {
    recipient_id = db::NewUuid();
    LS_RETURN_IF_ERROR(tx.Exec(
        "INSERT INTO recipients (id, name, name_key, all_shares, created_ms, updated_ms, version, "
        "rate_limit_per_second, rate_limit_burst) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)",
        {recipient_id, r.name, NameKey(r.name), all_shares, now, now, per_second, burst}));
    ++sum->recipients_created;
  } else {
    recipient_id = row->Text(0);
    if (!r.rate_limit) {
      per_second = row->OptInt(3);
      burst = row->OptInt(4);
    }
    if (row->Text(1) != r.name || row->Bool(2) != all_shares || row->OptInt(3) != per_second ||
        row->OptInt(4) != burst) {
      LS_RETURN_IF_ERROR(
          tx.Exec("UPDATE recipients SET name = ?, all_shares = ?, rate_limit_per_second = ?, "
                  "rate_limit_burst = ?, updated_ms = ?, version = version + 1 WHERE id = ?",
                  {r.name, all_shares, per_second, burst, now, recipient_id}));
      ++sum->recipients_updated;
    }
  }

  // The token, by hash.
  LS_ASSIGN_OR_RETURN(auto trow, tx.QueryRow("SELECT t.id, t.recipient_id, t.expiration_ms, "
                                             "t.revoked_ms, r.name FROM recipient_tokens t JOIN "
                                             "recipients r ON r.id = t.recipient_id "
                                             "WHERE t.token_hash = ?",
                                             {r.token_hash}));
  if (!trow) {
    LS_RETURN_IF_ERROR(
        tx.Exec("INSERT INTO recipient_tokens (id, recipient_id, token_hash, "
                "created_ms, expiration_ms, origin) VALUES (?, ?, ?, ?, ?, "
                "'config')",
                {db::NewUuid(), recipient_id, r.token_hash, now, r.expiration_ms}));
    ++sum->tokens_added;
  } else if (trow->Text(1) != recipient_id) {
    return Status::FailedPrecondition("the token of recipient '" + r.name +
                                      "' already belongs to recipient '" + trow->Text(4) + "'");
  } else {
    if (trow->OptInt(2) != r.expiration_ms) {
      LS_RETURN_IF_ERROR(tx.Exec("UPDATE recipient_tokens SET expiration_ms = ? WHERE id = ?",
                                 {r.expiration_ms, trow->Text(0)}));
      ++sum->tokens_updated;
    }
    if (!trow->IsNull(3)) {
      sum->warnings.push_back("the token of recipient '" + r.name +
                              "' was revoked and stays revoked");
    }
  }
  // Tokens from an earlier version of the file that it no longer lists.
  LS_ASSIGN_OR_RETURN(int64_t revoked,
                      tx.Exec("UPDATE recipient_tokens SET revoked_ms = ? WHERE recipient_id = ? "
                              "AND origin = 'config' AND token_hash <> ? AND revoked_ms IS NULL",
                              {now, recipient_id, r.token_hash}));
  sum->tokens_revoked += static_cast<int>(revoked);

  // Grants: exactly the file's.
  std::set<std::string> wanted;
  for (const std::string& s : r.shares) {
    if (s == "*") continue;
    LS_ASSIGN_OR_RETURN(auto srow,
                        tx.QueryRow("SELECT id FROM shares WHERE name_key = ?", {NameKey(s)}));
    if (!srow) {
      return Status::InvalidArgument("recipient '" + r.name + "' is granted unknown share '" + s +
                                     "'");
    }
    wanted.insert(srow->Text(0));
  }
  LS_ASSIGN_OR_RETURN(auto grows, tx.Query("SELECT share_id FROM share_grants WHERE "
                                           "recipient_id = ?",
                                           {recipient_id}));
  std::set<std::string> have;
  for (const auto& g : grows) have.insert(g.Text(0));
  for (const std::string& id : wanted) {
    if (have.count(id)) continue;
    LS_RETURN_IF_ERROR(
        tx.Exec("INSERT INTO share_grants (recipient_id, share_id, created_ms) "
                "VALUES (?, ?, ?)",
                {recipient_id, id, now}));
    ++sum->grants_added;
  }
  for (const std::string& id : have) {
    if (wanted.count(id)) continue;
    LS_RETURN_IF_ERROR(tx.Exec("DELETE FROM share_grants WHERE recipient_id = ? AND share_id = ?",
                               {recipient_id, id}));
    ++sum->grants_removed;
  }
  return Status::OK();
}

}  // namespace

Result<ImportSummary> ImportServerConfig(db::Database& db, const ServerConfig& config) {
  LS_RETURN_IF_ERROR(ValidateConfig(config));
  ImportSummary summary;
  const CloudEnvironment env = CloudEnvironment::FromProcess();
  LS_RETURN_IF_ERROR(db.Write([&](Transaction& tx) -> Status {
    summary = ImportSummary();  // the callback may run more than once
    int64_t now = NowMillis();
    for (const ShareConfig& share : config.shares) {
      LS_RETURN_IF_ERROR(ImportShare(tx, share, now, &summary));
    }
    for (const RecipientConfig& r : config.recipients) {
      LS_RETURN_IF_ERROR(ImportRecipient(tx, r, now, &summary));
    }
    for (const CatalogConnectionConfig& c : config.iceberg_catalogs) {
      auto imported = ImportIcebergCatalog(tx, c, env);
      if (!imported.ok()) {
        return Status(imported.status().code(),
                      "icebergCatalogs '" + c.name + "': " + imported.status().message());
      }
      summary.iceberg_catalogs_created += *imported == 1 ? 1 : 0;
      summary.iceberg_catalogs_updated += *imported == 2 ? 1 : 0;
    }
    return Status::OK();
  }));
  return summary;
}

}  // namespace lakeshare
