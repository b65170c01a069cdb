// Iceberg catalog connections kept in the catalog database (catalog_schema.h,
// migration 7): the same entries as the config's `icebergCatalogs:`
// (storage/cloud_config.h CatalogConnectionConfig), written through the
// admin API, read by the server (iceberg_catalog_sync.h) beside the config's.
//
// Secrets (OAuth2 client secret, bearer token, SigV4 secret key and session
// token) are stored as given, in plain text: the server must send them, so
// they cannot be hashed, and the catalog has no key to encrypt them with
// (protect the database as the config file). They leave this class only
// inside records; the admin API's JSON shows only whether each is set.
//
// Rules: names are 1..128 of [A-Za-z0-9._-] (they stand in glue:// table
// locations), unique case-insensitively, and no config entry may have the
// name (kAlreadyExists); a REST uri is unique among the database's and the
// config's entries (kAlreadyExists); everything else is the config's rules
// (CatalogConnections::Validate, kInvalidArgument). Fields that do not belong
// to the auth kind are dropped. Deleting a connection a shared Iceberg table
// still names is kFailedPrecondition naming the tables.
//
// Thread-safe (all state is in the database); each call is one transaction.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "db/database.h"
#include "storage/cloud_config.h"

namespace lakeshare {

struct IcebergCatalogLimits {
  static constexpr size_t kName = 128;
  static constexpr size_t kUrl = 4096;      // uri, token endpoint
  static constexpr size_t kSecret = 16384;  // tokens and keys (a JWT may be long)
  static constexpr size_t kText = 1024;     // everything else
  static constexpr int64_t kConnections = 1000;
};

struct IcebergCatalogRecord {
  std::string id{};
  CatalogConnectionConfig config{};  // as stored: secrets included, defaults not filled in
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
  int64_t version = 0;
};

// Unset fields are kept; "" clears. A new auth kind drops the fields of the
// old one that it does not use.
struct IcebergCatalogUpdate {
  std::optional<std::string> type{};
  std::optional<std::string> uri{};
  std::optional<std::string> catalog_id{};
  std::optional<std::string> auth_kind{};  // none, bearer, oauth2, sigv4
  std::optional<std::string> token{};
  std::optional<std::string> client_id{};
  std::optional<std::string> client_secret{};
  std::optional<std::string> scope{};
  std::optional<std::string> token_endpoint{};
  std::optional<std::string> signing_name{};
  std::optional<std::string> region{};
  std::optional<std::string> access_key_id{};
  std::optional<std::string> secret_access_key{};
  std::optional<std::string> session_token{};
};

// "none", "bearer", "oauth2", "sigv4".
std::string_view AuthKindName(HttpAuthConfig::Kind kind);
// kInvalidArgument for another word (any case).
Result<HttpAuthConfig::Kind> ParseAuthKind(std::string_view text);

// import-config, inside its write transaction: the config entry `c` becomes
// the database entry of its name (created, or its settings replaced),
// checked as Create checks (clashes with the config aside: it is the
// config). Returns 0 if nothing changed, 1 if created, 2 if updated.
Result<int> ImportIcebergCatalog(db::Transaction& tx, CatalogConnectionConfig c,
                                 const CloudEnvironment& env);

class IcebergCatalogStore {
 public:
  // `config_entries`: the config file's `icebergCatalogs:` (their names and
  // uris are taken). `env` fills in what Validate may take from it (SigV4
  // keys and region), as at run time.
  IcebergCatalogStore(std::shared_ptr<db::Database> db,
                      std::vector<CatalogConnectionConfig> config_entries = {},
                      CloudEnvironment env = CloudEnvironment::FromProcess());

  // Stored as given (the config's defaults, e.g. an oauth2 scope of
  // "catalog", are the caller's to fill in).
  Result<IcebergCatalogRecord> Create(CatalogConnectionConfig spec);
  Result<IcebergCatalogRecord> Get(std::string_view name);
  // By name (ASCII lower case).
  Result<std::vector<IcebergCatalogRecord>> List();
  Result<IcebergCatalogRecord> Update(std::string_view name, const IcebergCatalogUpdate& update,
                                      std::optional<int64_t> expected_version = std::nullopt);
  Status Delete(std::string_view name);

  // What a connection must satisfy before it is stored (the rules above but
  // the database's own uniqueness). Exposed for import-config's check.
  Status Check(const CatalogConnectionConfig& c) const;

 private:
  std::shared_ptr<db::Database> db_;
  std::vector<CatalogConnectionConfig> config_entries_;
  CloudEnvironment env_;
};

}  // namespace lakeshare
