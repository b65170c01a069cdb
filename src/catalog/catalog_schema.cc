#include "catalog/catalog_schema.h"

namespace lakeshare {

using db::Database;
using db::DatabaseOptions;
using db::Migration;

const std::vector<Migration>& CatalogMigrations() {
  static const std::vector<Migration> kMigrations = {
      {1,
       "catalog entities",
       {
           R"(CREATE TABLE IF NOT EXISTS shares (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                name_key TEXT NOT NULL,
                display_name TEXT,
                comment TEXT,
                created_ms BIGINT NOT NULL,
                updated_ms BIGINT NOT NULL,
                version BIGINT NOT NULL DEFAULT 1,
                CONSTRAINT shares_name_key_unique UNIQUE (name_key)))",
           R"(CREATE TABLE IF NOT EXISTS share_schemas (
                id TEXT PRIMARY KEY,
                share_id TEXT NOT NULL REFERENCES shares (id) ON DELETE CASCADE,
                name TEXT NOT NULL,
                name_key TEXT NOT NULL,
                created_ms BIGINT NOT NULL,
                updated_ms BIGINT NOT NULL,
                version BIGINT NOT NULL DEFAULT 1,
                CONSTRAINT share_schemas_name_key_unique UNIQUE (share_id, name_key)))",
           R"(CREATE TABLE IF NOT EXISTS shared_tables (
                id TEXT PRIMARY KEY,
                schema_id TEXT NOT NULL REFERENCES share_schemas (id) ON DELETE CASCADE,
                name TEXT NOT NULL,
                name_key TEXT NOT NULL,
                location TEXT NOT NULL,
                format TEXT NOT NULL DEFAULT 'delta',
                history_shared BOOLEAN NOT NULL DEFAULT FALSE,
                start_version BIGINT NOT NULL DEFAULT 0,
                partition_filter TEXT,
                comment TEXT,
                created_ms BIGINT NOT NULL,
                updated_ms BIGINT NOT NULL,
                version BIGINT NOT NULL DEFAULT 1,
                CONSTRAINT shared_tables_name_key_unique UNIQUE (schema_id, name_key),
                CONSTRAINT shared_tables_start_version_check CHECK (start_version >= 0)))",
           R"(CREATE TABLE IF NOT EXISTS recipients (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                name_key TEXT NOT NULL,
                comment TEXT,
                ip_allowlist TEXT,
                all_shares BOOLEAN NOT NULL DEFAULT FALSE,
                created_ms BIGINT NOT NULL,
                updated_ms BIGINT NOT NULL,
                version BIGINT NOT NULL DEFAULT 1,
                CONSTRAINT recipients_name_key_unique UNIQUE (name_key)))",
           R"(CREATE TABLE IF NOT EXISTS recipient_tokens (
                id TEXT PRIMARY KEY,
                recipient_id TEXT NOT NULL REFERENCES recipients (id) ON DELETE CASCADE,
                token_hash TEXT NOT NULL,
                created_ms BIGINT NOT NULL,
                expiration_ms BIGINT,
                revoked_ms BIGINT,
                origin TEXT NOT NULL DEFAULT 'api',
                CONSTRAINT recipient_tokens_hash_unique UNIQUE (token_hash)))",
           "CREATE INDEX IF NOT EXISTS recipient_tokens_recipient ON recipient_tokens "
           "(recipient_id)",
           R"(CREATE TABLE IF NOT EXISTS share_grants (
                recipient_id TEXT NOT NULL REFERENCES recipients (id) ON DELETE CASCADE,
                share_id TEXT NOT NULL REFERENCES shares (id) ON DELETE CASCADE,
                created_ms BIGINT NOT NULL,
                PRIMARY KEY (recipient_id, share_id)))",
           "CREATE INDEX IF NOT EXISTS share_grants_share ON share_grants (share_id)",
           R"(CREATE TABLE IF NOT EXISTS admin_users (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                name_key TEXT NOT NULL,
                password_hash TEXT NOT NULL,
                role TEXT NOT NULL,
                created_ms BIGINT NOT NULL,
                updated_ms BIGINT NOT NULL,
                version BIGINT NOT NULL DEFAULT 1,
                CONSTRAINT admin_users_name_key_unique UNIQUE (name_key),
                CONSTRAINT admin_users_role_check CHECK (role IN ('admin', 'viewer'))))",
           R"(CREATE TABLE IF NOT EXISTS audit_log (
                id {AUTO_ID},
                time_ms BIGINT NOT NULL,
                actor_kind TEXT NOT NULL,
                actor_name TEXT,
                action TEXT NOT NULL,
                object TEXT,
                outcome TEXT NOT NULL,
                detail TEXT,
                num_files BIGINT,
                remote_address TEXT,
                request_id TEXT))",
           "CREATE INDEX IF NOT EXISTS audit_log_time ON audit_log (time_ms)",
           "CREATE INDEX IF NOT EXISTS audit_log_actor ON audit_log (actor_name, id)",
           "CREATE INDEX IF NOT EXISTS audit_log_action ON audit_log (action, id)",
           R"(CREATE TABLE IF NOT EXISTS activation_links (
                id TEXT PRIMARY KEY,
                secret_hash TEXT NOT NULL,
                recipient_id TEXT NOT NULL REFERENCES recipients (id) ON DELETE CASCADE,
                token_id TEXT REFERENCES recipient_tokens (id) ON DELETE SET NULL,
                token_expiration_ms BIGINT,
                profile_ref TEXT,
                created_ms BIGINT NOT NULL,
                expiration_ms BIGINT NOT NULL,
                used_ms BIGINT,
                CONSTRAINT activation_links_secret_unique UNIQUE (secret_hash)))",
           "CREATE INDEX IF NOT EXISTS activation_links_recipient ON activation_links "
           "(recipient_id)",
       }},
      // Admin sessions in the database, so that every replica knows every
      // login. Keyed by the token's hash (the token itself is never
      // stored); `role` is the role logged in with: a session is valid only
      // while its user still has it. Deleting the user deletes its sessions.
      {2,
       "admin sessions",
       {
           R"(CREATE TABLE IF NOT EXISTS admin_sessions (
                token_hash TEXT PRIMARY KEY,
                user_id TEXT NOT NULL REFERENCES admin_users (id) ON DELETE CASCADE,
                role TEXT NOT NULL,
                created_ms BIGINT NOT NULL,
                expires_ms BIGINT NOT NULL,
                last_used_ms BIGINT NOT NULL,
                CONSTRAINT admin_sessions_role_check CHECK (role IN ('admin', 'viewer'))))",
           "CREATE INDEX IF NOT EXISTS admin_sessions_user ON admin_sessions (user_id)",
           "CREATE INDEX IF NOT EXISTS admin_sessions_expiry ON admin_sessions (expires_ms)",
       }},
      // Limits. A recipient's own request rate (NULL: the server's default;
      // 0 requests a second: unlimited). Failed logins counted per key (a
      // user name or a client address) in the database, so replicas sharing
      // it share one count (auth/login_throttle.h).
      {3,
       "rate limits and shared login throttling",
       {
           "ALTER TABLE recipients ADD COLUMN rate_limit_per_second BIGINT",
           "ALTER TABLE recipients ADD COLUMN rate_limit_burst BIGINT",
           R"(CREATE TABLE IF NOT EXISTS login_failures (
                throttle_key TEXT PRIMARY KEY,
                failures BIGINT NOT NULL,
                last_failure_ms BIGINT NOT NULL,
                allowed_from_ms BIGINT NOT NULL DEFAULT 0))",
           "CREATE INDEX IF NOT EXISTS login_failures_last ON login_failures (last_failure_ms)",
       }},
      // OAuth 2.0 clients of recipients (oauth_client_store.h). Their access
      // tokens are recipient_tokens rows linked to the client, so revoking or
      // deleting it ends them. Assertion ids (jti) are kept until their
      // assertion expires, so every replica refuses a replay.
      {4,
       "oauth clients",
       {
           R"(CREATE TABLE IF NOT EXISTS oauth_clients (
                id TEXT PRIMARY KEY,
                recipient_id TEXT NOT NULL REFERENCES recipients (id) ON DELETE CASCADE,
                secret_hash TEXT NOT NULL,
                created_ms BIGINT NOT NULL,
                expiration_ms BIGINT,
                revoked_ms BIGINT))",
           "CREATE INDEX IF NOT EXISTS oauth_clients_recipient ON oauth_clients (recipient_id)",
           R"(CREATE TABLE IF NOT EXISTS oauth_client_keys (
                client_id TEXT NOT NULL REFERENCES oauth_clients (id) ON DELETE CASCADE,
                key_id TEXT NOT NULL,
                algorithm TEXT NOT NULL,
                public_key TEXT NOT NULL,
                created_ms BIGINT NOT NULL,
                PRIMARY KEY (client_id, key_id)))",
           R"(CREATE TABLE IF NOT EXISTS oauth_assertion_ids (
                client_id TEXT NOT NULL REFERENCES oauth_clients (id) ON DELETE CASCADE,
                jti TEXT NOT NULL,
                expires_ms BIGINT NOT NULL,
                PRIMARY KEY (client_id, jti)))",
           "CREATE INDEX IF NOT EXISTS oauth_assertion_ids_expiry ON oauth_assertion_ids "
           "(expires_ms)",
           "ALTER TABLE recipient_tokens ADD COLUMN oauth_client_id TEXT "
           "REFERENCES oauth_clients (id) ON DELETE CASCADE",
           "CREATE INDEX IF NOT EXISTS recipient_tokens_oauth_client ON recipient_tokens "
           "(oauth_client_id)",
       }},
      // A Hudi table's view: NULL is the snapshot view (log files applied),
      // 'read_optimized' serves base files only.
      {5,
       "hudi view",
       {
           "ALTER TABLE shared_tables ADD COLUMN hudi_view TEXT",
       }},
      // An Iceberg table's location map: the "locationMap" format option's
      // text ("from\tto" lines, catalog/table_location_map.h); NULL: none.
      {6,
       "iceberg location map",
       {
           "ALTER TABLE shared_tables ADD COLUMN location_map TEXT",
       }},
      // Iceberg catalog connections (iceberg_catalog_store.h): the config's
      // `icebergCatalogs:` entries, written through the admin API. The
      // secret columns hold what the server sends (plain text); NULL: unset.
      {7,
       "iceberg catalog connections",
       {
           R"(CREATE TABLE IF NOT EXISTS iceberg_catalogs (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                name_key TEXT NOT NULL,
                type TEXT NOT NULL,
                uri TEXT NOT NULL,
                catalog_id TEXT,
                auth_kind TEXT NOT NULL,
                token TEXT,
                client_id TEXT,
                client_secret TEXT,
                scope TEXT,
                token_endpoint TEXT,
                signing_name TEXT,
                region TEXT,
                access_key_id TEXT,
                secret_access_key TEXT,
                session_token TEXT,
                created_ms BIGINT NOT NULL,
                updated_ms BIGINT NOT NULL,
                version BIGINT NOT NULL DEFAULT 1,
                CONSTRAINT iceberg_catalogs_name_key_unique UNIQUE (name_key),
                CONSTRAINT iceberg_catalogs_type_check CHECK (type IN ('rest', 'glue')),
                CONSTRAINT iceberg_catalogs_auth_check
                  CHECK (auth_kind IN ('none', 'bearer', 'oauth2', 'sigv4'))))",
       }},
  };
  return kMigrations;
}

Status MigrateCatalogSchema(Database& db) { return ApplyMigrations(db, CatalogMigrations()); }

Result<std::shared_ptr<Database>> OpenCatalogDatabase(std::string_view url,
                                                      const DatabaseOptions& options) {
  LS_ASSIGN_OR_RETURN(auto db, Database::Open(url, options));
  LS_RETURN_IF_ERROR(MigrateCatalogSchema(*db));
  return db;
}

std::string NameKey(std::string_view name) {
  std::string key(name);
  for (char& c : key) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return key;
}

}  // namespace lakeshare
