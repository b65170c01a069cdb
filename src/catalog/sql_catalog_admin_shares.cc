// CatalogAdmin: shares, their schemas and their tables.
#include "catalog/catalog_schema.h"
#include "catalog/sql_catalog_admin.h"
#include "catalog/sql_catalog_admin_internal.h"
#include "catalog/sql_catalog_internal.h"
#include "common/names.h"
#include "common/time_util.h"
#include "db/uuid.h"
#include "predicate/partition_filter.h"

namespace lakeshare {

using db::Row;
using db::Transaction;

namespace {

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

}  // namespace

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

namespace {

Result<SchemaRecord> InsertSchema(Transaction& tx, std::string_view share,
                                  std::string_view schema) {
  LS_ASSIGN_OR_RETURN(ShareRecord s, LoadShare(tx, share));
  int64_t now = NowMillis();
  SchemaRecord out{db::NewUuid(), s.name, std::string(schema), now, now, 1};
  auto r = tx.Exec(
      "INSERT INTO share_schemas (id, share_id, name, name_key, created_ms, "
      "updated_ms, version) VALUES (?, ?, ?, ?, ?, ?, 1)",
      {out.id, s.id, out.name, NameKey(out.name), now, now});
  LS_RETURN_IF_ERROR(IfDuplicate(
      tx, r.status(), "schema " + Quote(schema) + " already exists in share " + Quote(s.name)));
  return out;
}

}  // namespace

Result<SchemaRecord> CatalogAdmin::CreateSchema(std::string_view share, std::string_view schema) {
  LS_RETURN_IF_ERROR(ValidateName(schema, NameKind::kSchema));
  SchemaRecord out;
  LS_RETURN_IF_ERROR(db_->Write([&](Transaction& tx) -> Status {
    LS_ASSIGN_OR_RETURN(out, InsertSchema(tx, share, schema));
    return Status::OK();
  }));
  return out;
}

Result<std::vector<SchemaRecord>> CatalogAdmin::ListSchemas(std::string_view share) {
  std::vector<SchemaRecord> out;
  LS_RETURN_IF_ERROR(db_->Read([&](Transaction& tx) -> Status {
    LS_ASSIGN_OR_RETURN(ShareRecord s, LoadShare(tx, share));
    LS_ASSIGN_OR_RETURN(out,
                        QueryRecords(tx,
                                     Sql({"SELECT ", kSchemaCols,
                                          " FROM share_schemas c JOIN shares s ON s.id = "
                                          "c.share_id WHERE c.share_id = ? ORDER BY c.name_key"}),
                                     {s.id}, ToSchema));
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

Status ValidateTableFormatSettings(std::string format, std::string hudi_view,
                                   const TableLocationMap& location_map) {
  LS_RETURN_IF_ERROR(ValidateFormat(&format));
  LS_RETURN_IF_ERROR(ValidateHudiView(format, &hudi_view));
  return ValidateTableLocationMap(format, location_map, kMaxLocation);
}

Result<TableRecord> CatalogAdmin::AddTable(std::string_view share, std::string_view schema,
                                           const TableSpec& spec) {
  LS_RETURN_IF_ERROR(ValidateName(spec.name, NameKind::kTable));
  std::string format = spec.format;
  LS_RETURN_IF_ERROR(ValidateFormat(&format));
  std::string hudi_view = spec.hudi_view;
  LS_RETURN_IF_ERROR(ValidateHudiView(format, &hudi_view));
  LS_RETURN_IF_ERROR(ValidateTableLocationMap(format, spec.location_map, kMaxLocation));
  LS_RETURN_IF_ERROR(
      ValidateTableFields(spec.location, spec.partition_filter, spec.comment, spec.start_version));
  if (spec.id) LS_RETURN_IF_ERROR(ValidateId(*spec.id));
  if (spec.create_schema) LS_RETURN_IF_ERROR(ValidateName(schema, NameKind::kSchema));
  TableRecord out;
  LS_RETURN_IF_ERROR(db_->Write([&](Transaction& tx) -> Status {
    Result<SchemaRecord> found = LoadSchema(tx, share, schema);
    if (spec.create_schema && found.status().code() == StatusCode::kNotFound) {
      found = InsertSchema(tx, share, schema);  // kNotFound if the share is missing too
    }
    LS_ASSIGN_OR_RETURN(SchemaRecord c, std::move(found));
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
                      1,
                      hudi_view,
                      spec.location_map};
    auto r = tx.Exec(
        "INSERT INTO shared_tables (id, schema_id, name, name_key, location, format, "
        "history_shared, start_version, partition_filter, comment, created_ms, updated_ms, "
        "version, hudi_view, location_map) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)",
        {out.id, c.id, out.name, NameKey(out.name), out.location, out.format, out.history_shared,
         out.start_version, out.partition_filter, out.comment, now, now,
         HudiViewColumn(out.hudi_view), LocationMapColumn(out.location_map)});
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
    if (schema) {
      LS_ASSIGN_OR_RETURN(SchemaRecord c, LoadSchema(tx, share, *schema));
      LS_ASSIGN_OR_RETURN(out, QueryRecords(tx,
                                            Sql({"SELECT ", kTableCols, kTableFrom,
                                                 "WHERE t.schema_id = ? ORDER BY t.name_key"}),
                                            {c.id}, ToTable));
    } else {
      LS_ASSIGN_OR_RETURN(ShareRecord s, LoadShare(tx, share));
      LS_ASSIGN_OR_RETURN(out, QueryRecords(tx,
                                            Sql({"SELECT ", kTableCols, kTableFrom,
                                                 "WHERE s.id = ? ORDER BY c.name_key, t.name_key"}),
                                            {s.id}, ToTable));
    }
    return Status::OK();
  }));
  return out;
}

Result<std::vector<TableRecord>> CatalogAdmin::ListTablesPage(std::string_view share,
                                                              std::string_view schema,
                                                              const NameRange& range) {
  // Bytewise order on both backends, as the pages' tokens assume
  // (PostgreSQL would otherwise sort by the database's locale).
  const bool pg = db_->dialect() == db::Dialect::kPostgres;
  const std::string collate = pg ? " COLLATE \"C\"" : "";
  std::string pattern = "%";
  for (char ch : range.search) {
    if (ch == '%' || ch == '_' || ch == '\\') pattern += '\\';
    pattern += ch;
  }
  pattern += "%";
  std::vector<TableRecord> out;
  LS_RETURN_IF_ERROR(db_->Read([&](Transaction& tx) -> Status {
    LS_ASSIGN_OR_RETURN(SchemaRecord c, LoadSchema(tx, share, schema));
    LS_ASSIGN_OR_RETURN(
        out,
        QueryRecords(tx,
                     Sql({"SELECT ", kTableCols, kTableFrom, "WHERE t.schema_id = ? AND t.name_key",
                          collate, " > ? AND t.name_key LIKE ? ESCAPE '\\' ORDER BY t.name_key",
                          collate, " LIMIT ?"}),
                     {c.id, range.after.value_or(""), pattern, static_cast<int64_t>(range.limit)},
                     ToTable));
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
    if (update.hudi_view) out.hudi_view = *update.hudi_view;
    // The final pair is checked: moving a read-optimized table away from
    // hudi needs hudiView snapshot in the same update.
    LS_RETURN_IF_ERROR(ValidateHudiView(out.format, &out.hudi_view));
    // Likewise a table with a location map stays iceberg unless the map goes.
    if (update.location_map) out.location_map = *update.location_map;
    LS_RETURN_IF_ERROR(ValidateTableLocationMap(out.format, out.location_map, kMaxLocation));
    LS_RETURN_IF_ERROR(
        ValidateTableFields(out.location, out.partition_filter, out.comment, out.start_version));
    out.updated_ms = NowMillis();
    out.version = cur.version + 1;
    auto r = tx.Exec(
        "UPDATE shared_tables SET name = ?, name_key = ?, location = ?, format = ?, "
        "history_shared = ?, start_version = ?, partition_filter = ?, comment = ?, "
        "hudi_view = ?, location_map = ?, updated_ms = ?, version = version + 1 "
        "WHERE id = ? AND version = ?",
        {out.name, NameKey(out.name), out.location, out.format, out.history_shared,
         out.start_version, out.partition_filter, out.comment, HudiViewColumn(out.hudi_view),
         LocationMapColumn(out.location_map), out.updated_ms, cur.id, cur.version});
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

}  // namespace lakeshare
