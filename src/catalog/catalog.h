// The catalog boundary: who may read what. Two implementations: YamlCatalog
// (the server's YAML file, immutable) and SqlCatalog (the catalog database,
// SQLite or PostgreSQL, written through CatalogAdmin), with the same
// semantics; the sharing service sees only this interface.
//
// Names are matched case-insensitively; returned objects carry the catalog's
// own spelling. An object the principal may not see is reported exactly like
// a missing one (kNotFound with the same message). Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/token_bucket.h"

namespace lakeshare {

struct Principal {
  std::string recipient;                       // recipient name (for logs and audit)
  std::optional<int64_t> token_expiration_ms;  // when the presented token expires, if ever
  // The recipient's own request rate limit, replacing the server's default
  // (protocol/rate_limiter.h); unset: the default applies.
  std::optional<RateLimit> rate_limit;
  // How the principal was proved when not by the catalog's own token, for
  // the audit ("federation issuer=... subject=..."); empty otherwise.
  std::string origin;
};

struct ShareInfo {
  std::string name;
  std::optional<std::string> id;
  std::optional<std::string> display_name;
  std::optional<std::string> comment;
};

struct SchemaInfo {
  std::string name;
  std::string share;
};

struct TableInfo {
  std::string name;
  std::string schema;
  std::string share;
  std::optional<std::string> id;
  std::optional<std::string> share_id;
  std::string location;  // where the table lives (local path or URI)
  // A name of the table-format registry ("delta", "iceberg", "hudi"), which
  // opens the reader (table/table_format_registry.h).
  std::string format = "delta";
  bool history_shared = false;
  int64_t start_version = 0;
  // Format-specific options of the table, by their YAML name (Hudi's
  // "hudiView": "read_optimized"); the format's factory reads them.
  std::map<std::string, std::string> format_options;
  // The share's partition filter (predicate/partition_filter.h syntax): only
  // files whose partition values satisfy it may be served. Unset: all files.
  std::optional<std::string> partition_filter;
};

class Catalog {
 public:
  virtual ~Catalog() = default;

  // kUnauthenticated for a missing, unknown, expired or revoked token. Tokens
  // are compared by hash (auth/token.h), in constant time.
  virtual Result<Principal> Authenticate(std::string_view bearer_token) = 0;
  // Authenticate for a request from `remote_address` (the client's IP
  // address as text): a catalog with per-recipient network restrictions
  // answers kPermissionDenied for a valid token presented from elsewhere.
  // Catalogs without such restrictions (YAML) need not override it.
  virtual Result<Principal> AuthenticateFrom(std::string_view bearer_token,
                                             std::string_view remote_address) {
    return Authenticate(bearer_token);
  }

  // Recipient `name` for a request from `remote_address`, vouched for by a
  // credential the catalog does not hold (a federated identity,
  // auth/federation.h): its rate limit, and kPermissionDenied from outside
  // its IP allow-list. kUnauthenticated when there is no such recipient.
  virtual Result<Principal> RecipientPrincipal(std::string_view name,
                                               std::string_view remote_address) {
    return Status::Unauthenticated("this catalog has no recipient '" + std::string(name) + "'");
  }

  virtual Result<std::vector<ShareInfo>> ListShares(const Principal& who) = 0;
  virtual Result<ShareInfo> GetShare(const Principal& who, std::string_view share) = 0;
  virtual Result<std::vector<SchemaInfo>> ListSchemas(const Principal& who,
                                                      std::string_view share) = 0;
  virtual Result<std::vector<TableInfo>> ListTables(const Principal& who, std::string_view share,
                                                    std::string_view schema) = 0;
  virtual Result<std::vector<TableInfo>> ListAllTables(const Principal& who,
                                                       std::string_view share) = 0;
  virtual Result<TableInfo> GetTable(const Principal& who, std::string_view share,
                                     std::string_view schema, std::string_view table) = 0;
};

}  // namespace lakeshare
