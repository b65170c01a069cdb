// CatalogAdmin: the audit log.
#include "catalog/sql_catalog_admin.h"
#include "catalog/sql_catalog_admin_internal.h"
#include "catalog/sql_catalog_internal.h"
#include "common/time_util.h"

namespace lakeshare {

using db::Row;
using db::Transaction;

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

Result<int64_t> CatalogAdmin::PruneAudit(int64_t before_ms, int64_t max_rows) {
  if (max_rows < 1 || max_rows > 100000) {
    return Status::InvalidArgument("audit prune batch must be between 1 and 100000 rows");
  }
  int64_t deleted = 0;
  LS_RETURN_IF_ERROR(db_->Write([&](Transaction& tx) -> Status {
    LS_ASSIGN_OR_RETURN(deleted, tx.Exec("DELETE FROM audit_log WHERE id IN (SELECT id FROM "
                                         "audit_log WHERE time_ms < ? ORDER BY time_ms LIMIT ?)",
                                         {before_ms, max_rows}));
    return Status::OK();
  }));
  return deleted;
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

}  // namespace lakeshare
