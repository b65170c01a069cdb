// CatalogAdmin: the overview of the catalog (counts, tokens about to expire).
#include "catalog/sql_catalog_admin.h"
#include "catalog/sql_catalog_admin_internal.h"

namespace lakeshare {

using db::Transaction;

Result<CatalogOverview> CatalogAdmin::Overview(int64_t now_ms, int64_t until_ms, int max_expiring) {
  if (max_expiring < 1 || max_expiring > 1000) {
    return Status::InvalidArgument("at most 1 to 1000 expiring tokens");
  }
  CatalogOverview out;
  out.backend = std::string(db::DialectName(db_->dialect()));
  LS_RETURN_IF_ERROR(db_->Read([&](Transaction& tx) -> Status {
    LS_ASSIGN_OR_RETURN(
        auto counts,
        tx.QueryRow("SELECT (SELECT COUNT(*) FROM shares), (SELECT COUNT(*) FROM share_schemas), "
                    "(SELECT COUNT(*) FROM shared_tables), (SELECT COUNT(*) FROM recipients), "
                    "(SELECT COUNT(*) FROM recipient_tokens WHERE revoked_ms IS NULL AND "
                    "(expiration_ms IS NULL OR expiration_ms > ?) AND oauth_client_id IS NULL), "
                    "(SELECT COUNT(*) FROM recipient_tokens WHERE revoked_ms IS NULL AND "
                    "expiration_ms > ? AND oauth_client_id IS NOT NULL)",
                    {now_ms, now_ms}));
    if (!counts) return Status::Internal("overview: no row");
    out.shares = counts->Int(0);
    out.schemas = counts->Int(1);
    out.tables = counts->Int(2);
    out.recipients = counts->Int(3);
    out.active_tokens = counts->Int(4);
    out.oauth_access_tokens = counts->Int(5);
    LS_ASSIGN_OR_RETURN(
        auto rows,
        // Not OAuth access tokens: they live an hour and their clients fetch
        // new ones, so they would crowd out the tokens a provider must renew.
        tx.Query("SELECT r.name, t.id, t.expiration_ms FROM recipient_tokens t JOIN recipients r "
                 "ON r.id = t.recipient_id WHERE t.revoked_ms IS NULL AND t.expiration_ms > ? AND "
                 "t.expiration_ms <= ? AND t.oauth_client_id IS NULL "
                 "ORDER BY t.expiration_ms, t.id LIMIT ?",
                 {now_ms, until_ms, int64_t{max_expiring}}));
    out.expiring_tokens.clear();
    for (const auto& r : rows) {
      out.expiring_tokens.push_back({r.Text(0), r.Text(1), r.Int(2)});
    }
    return Status::OK();
  }));
  return out;
}

}  // namespace lakeshare
