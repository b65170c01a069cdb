// A Catalog read from the catalog database (catalog/catalog_schema.h), with
// exactly YamlCatalog's semantics: names match case-insensitively and come
// back in the catalog's spelling; a share, schema or table the recipient was
// not granted is reported exactly like a missing one (same code, same
// message); unknown, revoked and expired tokens are kUnauthenticated.
//
// Nothing is cached: every call reads the database, so a change committed by
// any process (another replica's admin API, an import) — above all a token
// revocation — applies to the very next request. Authenticate is a single
// indexed lookup of the token's SHA-256 hash (the tokens are 256-bit random
// values, so probing the index leaks nothing useful; the hash found is still
// compared in constant time).
//
// Thread-safe. The write side is CatalogAdmin (sql_catalog_admin.h).
#pragma once

#include <memory>
#include <string_view>

#include "catalog/catalog.h"
#include "db/database.h"

namespace lakeshare {

struct SqlCatalogOptions {
  // As YamlCatalog's allowAnonymous: while the database has no recipients
  // at all, every request is the principal "anonymous" and sees everything.
  bool allow_anonymous = false;
};

class SqlCatalog : public Catalog {
 public:
  // `db` must carry the catalog schema (MigrateCatalogSchema).
  explicit SqlCatalog(std::shared_ptr<db::Database> db, SqlCatalogOptions options = {});

  Result<Principal> Authenticate(std::string_view bearer_token) override;
  // The recipient by name (case-insensitively), with its IP allow-list.
  Result<Principal> RecipientPrincipal(std::string_view name,
                                       std::string_view remote_address) override;
  // Authenticate, plus the recipient's IP allow-list: a token presented from
  // an address outside it is kPermissionDenied.
  Result<Principal> AuthenticateFrom(std::string_view bearer_token,
                                     std::string_view remote_address) override;

  Result<std::vector<ShareInfo>> ListShares(const Principal& who) override;
  Result<ShareInfo> GetShare(const Principal& who, std::string_view share) override;
  Result<std::vector<SchemaInfo>> ListSchemas(const Principal& who,
                                              std::string_view share) override;
  Result<std::vector<TableInfo>> ListTables(const Principal& who, std::string_view share,
                                            std::string_view schema) override;
  Result<std::vector<TableInfo>> ListAllTables(const Principal& who,
                                               std::string_view share) override;
  Result<TableInfo> GetTable(const Principal& who, std::string_view share, std::string_view schema,
                             std::string_view table) override;

 private:
  struct VisibleShare;
  Result<bool> AnonymousMode(db::Transaction* tx);
  Result<Principal> DoAuthenticate(std::string_view bearer_token,
                                   const std::string_view* remote_address);
  // The share if it exists and `who` may read it; otherwise the same
  // kNotFound either way.
  Result<VisibleShare> FindShare(db::Transaction& tx, const Principal& who, std::string_view share);

  std::shared_ptr<db::Database> db_;
  SqlCatalogOptions options_;
};

}  // namespace lakeshare
