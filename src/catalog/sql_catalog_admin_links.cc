// CatalogAdmin: one-time activation links.
#include "auth/token.h"
#include "catalog/catalog_schema.h"
#include "catalog/sql_catalog_admin.h"
#include "catalog/sql_catalog_admin_internal.h"
#include "catalog/sql_catalog_internal.h"
#include "common/crypto.h"
#include "common/time_util.h"
#include "db/uuid.h"

namespace lakeshare {

using db::Row;
using db::Transaction;

// -------------------------------------------------------- activation links

Result<IssuedActivationLink> CatalogAdmin::CreateActivationLink(std::string_view recipient,
                                                                const ActivationLinkSpec& spec) {
  LS_RETURN_IF_ERROR(ValidateActivationLink(spec, NowMillis()));
  IssuedActivationLink out;
  LS_RETURN_IF_ERROR(db_->Write([&](Transaction& tx) -> Status {
    LS_ASSIGN_OR_RETURN(RecipientRecord r, LoadRecipient(tx, recipient));
    LS_ASSIGN_OR_RETURN(out, InsertActivationLink(tx, r.id, r.name, spec, NowMillis()));
    return Status::OK();
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

Result<ActivationLinkRecord> CatalogAdmin::PeekActivationLink(std::string_view secret,
                                                              int64_t now_ms) {
  const Status gone = Status::NotFound("activation link not found, used or expired");
  if (secret.empty() || secret.size() > 1024) return gone;
  std::string hash = HashToken(secret);
  ActivationLinkRecord out;
  LS_RETURN_IF_ERROR(db_->Read([&](Transaction& tx) -> Status {
    LS_ASSIGN_OR_RETURN(auto row,
                        tx.QueryRow(Sql({"SELECT ", kLinkCols, ", l.recipient_id, l.secret_hash",
                                         " FROM activation_links l JOIN recipients r ON r.id = "
                                         "l.recipient_id WHERE l.secret_hash = ?"}),
                                    {hash}));
    if (!row || !ConstantTimeEquals(row->Text(9), hash)) return gone;
    out = ToLink(*row);
    if (out.used_ms || out.expiration_ms <= now_ms) return gone;
    return Status::OK();
  }));
  return out;
}

Status CatalogAdmin::DeleteActivationLink(std::string_view recipient, std::string_view id) {
  return db_->Write([&](Transaction& tx) -> Status {
    LS_ASSIGN_OR_RETURN(RecipientRecord r, LoadRecipient(tx, recipient));
    LS_ASSIGN_OR_RETURN(int64_t n, tx.Exec("DELETE FROM activation_links WHERE id = ? AND "
                                           "recipient_id = ? AND used_ms IS NULL",
                                           {std::string(id), r.id}));
    if (n == 0) return Status::NotFound("no unused activation link " + Quote(id));
    return Status::OK();
  });
}

Result<std::vector<ActivationLinkRecord>> CatalogAdmin::ListActivationLinks(
    std::string_view recipient) {
  std::vector<ActivationLinkRecord> out;
  LS_RETURN_IF_ERROR(db_->Read([&](Transaction& tx) -> Status {
    LS_ASSIGN_OR_RETURN(RecipientRecord r, LoadRecipient(tx, recipient));
    LS_ASSIGN_OR_RETURN(out, QueryRecords(tx,
                                          Sql({"SELECT ", kLinkCols,
                                               " FROM activation_links l JOIN recipients r ON "
                                               "r.id = l.recipient_id WHERE l.recipient_id = ? "
                                               "ORDER BY l.created_ms, l.id"}),
                                          {r.id}, ToLink));
    return Status::OK();
  }));
  return out;
}

}  // namespace lakeshare
