// The write side of the database catalog, for the admin REST layer: shares,
// schemas, tables, recipients, their tokens and grants, admin users, the
// audit log and activation links. SqlCatalog (sql_catalog.h) is the read side
// the sharing protocol uses; both work on the same db::Database.
//
// Semantics:
//  - Names follow common/names.h and are unique case-insensitively (in their
//    parent); lookups ignore case, records carry the stored spelling.
//  - Every method is one transaction: it happens wholly or not at all, and
//    conflicting concurrent writers are retried by the database layer, so no
//    update is lost. Update* methods also take an optional
//    `expected_version`: the version the caller read (e.g. an ETag); a
//    record changed since is refused with kFailedPrecondition.
//  - Plain secrets (tokens, activation-link secrets) are returned once and
//    never stored: only "sha256:<hex>" hashes are. Passwords are stored as
//    Argon2id hashes.
//  - Errors: kInvalidArgument for bad input (invalid names, overlong text,
//    bad addresses), kNotFound for a missing object ("share 'x' not found"),
//    kFailedPrecondition for an existing name, a stale expected_version or a
//    used activation link, kUnauthenticated for a wrong password, plus the
//    database's kUnavailable/kCorruption/kIOError.
//
// Thread-safe; each call may block on the database. The operations are
// implemented one kind of object per file: sql_catalog_admin_shares.cc
// (shares, schemas, tables), _recipients.cc (recipients, tokens, grants),
// _users.cc (admin users, sessions), _audit.cc and _links.cc.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/password_hash.h"
#include "catalog/table_location_map.h"
#include "common/status.h"
#include "db/database.h"

namespace lakeshare {

// What CatalogAdmin accepts at most, in bytes (the allow-list: entries);
// more is kInvalidArgument. Names are limited by common/names.h. Public so
// that the admin API can document and check them before any transaction.
struct CatalogAdminLimits {
  static constexpr size_t kDisplayName = 255;
  static constexpr size_t kComment = 4096;
  static constexpr size_t kLocation = 4096;
  static constexpr size_t kPartitionFilter = 64 * 1024;
  static constexpr size_t kId = 255;
  static constexpr size_t kAllowlistEntries = 256;
  static constexpr size_t kOnboardingShares = 256;  // shares granted by one OnboardRecipient
  static constexpr int64_t kRateLimitPerSecond = 1'000'000;  // and burst
};

// ------------------------------------------------------------------ records

struct ShareRecord {
  std::string id{};
  std::string name{};
  std::optional<std::string> display_name{};
  std::optional<std::string> comment{};
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
  int64_t version = 0;
};

struct ShareSpec {
  std::string name{};
  std::optional<std::string> display_name{};
  std::optional<std::string> comment{};
  std::optional<std::string> id{};  // default: a new UUID
};

// Fields left unset are kept; an empty display name or comment clears it.
struct ShareUpdate {
  std::optional<std::string> name{};  // rename
  std::optional<std::string> display_name{};
  std::optional<std::string> comment{};
};

struct SchemaRecord {
  std::string id{};
  std::string share{};
  std::string name{};
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
  int64_t version = 0;
};

struct TableRecord {
  std::string id{};
  std::string share{};
  std::string schema{};
  std::string name{};  // the name it is shared under (may differ from the source)
  std::string location{};
  std::string format = "delta";
  bool history_shared = false;
  int64_t start_version = 0;
  std::optional<std::string> partition_filter{};  // predicate/partition_filter.h syntax
  std::optional<std::string> comment{};
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
  int64_t version = 0;
  // Hudi tables: "snapshot" (log files applied) or "read_optimized" (base
  // files only); always "snapshot" for other formats.
  std::string hudi_view = "snapshot";
  // Iceberg tables: recorded location prefixes -> real locations, in order.
  TableLocationMap location_map{};
};

struct TableSpec {
  std::string name{};
  std::string location{};
  std::string format = "delta";
  bool history_shared = false;
  int64_t start_version = 0;
  std::string hudi_view = "snapshot";  // any case; read_optimized for hudi only
  TableLocationMap location_map{};     // iceberg only (table_location_map.h rules)
  std::optional<std::string> partition_filter{};
  std::optional<std::string> comment{};
  std::optional<std::string> id{};  // default: a new UUID
  bool create_schema = false;       // a missing schema is created with it (the share must exist)
};

// A page of a named list, cut by the database: the records whose name in
// ASCII lower case sorts (bytewise) after `after` and contains `search`
// (lower case), in that order, at most `limit`.
struct NameRange {
  std::string search{};
  std::optional<std::string> after{};
  size_t limit = 100;
};

// Unset fields are kept; an empty partition filter or comment clears it.
struct TableUpdate {
  std::optional<std::string> name{};
  std::optional<std::string> location{};
  std::optional<std::string> format{};
  std::optional<bool> history_shared{};
  std::optional<int64_t> start_version{};
  std::optional<std::string> hudi_view{};
  std::optional<TableLocationMap> location_map{};  // empty clears
  std::optional<std::string> partition_filter{};
  std::optional<std::string> comment{};
};

// A table's format and format-specific settings (any case) checked as
// AddTable and UpdateTable check them, so that the admin API can refuse a
// bad setting as such before it reads the table through it.
Status ValidateTableFormatSettings(std::string format, std::string hudi_view,
                                   const TableLocationMap& location_map);

struct RecipientRecord {
  std::string id{};
  std::string name{};
  std::optional<std::string> comment{};
  // Addresses or CIDR ranges ("10.0.0.0/8", "2001:db8::/32"); empty = any.
  std::vector<std::string> ip_allowlist{};
  bool all_shares = false;  // granted every share, present and future ("*")
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
  int64_t version = 0;
  // The recipient's own request rate (requests a second, 0: unlimited) and
  // burst, replacing the server's default; unset: the default.
  std::optional<int64_t> rate_limit_per_second{};
  std::optional<int64_t> rate_limit_burst{};
};

struct RecipientSpec {
  std::string name{};
  std::optional<std::string> comment{};
  std::vector<std::string> ip_allowlist{};
  bool all_shares = false;
  std::optional<int64_t> rate_limit_per_second{};
  std::optional<int64_t> rate_limit_burst{};  // only with rate_limit_per_second
};

struct RecipientUpdate {
  std::optional<std::string> name{};
  std::optional<std::string> comment{};  // "" clears
  std::optional<std::vector<std::string>> ip_allowlist{};
  std::optional<bool> all_shares{};
  // kClearRateLimit drops the override (the server's default applies again).
  std::optional<int64_t> rate_limit_per_second{};
  std::optional<int64_t> rate_limit_burst{};
  static constexpr int64_t kClearRateLimit = -1;
};

struct TokenRecord {
  std::string id{};
  std::string recipient{};
  int64_t created_ms = 0;
  std::optional<int64_t> expiration_ms{};
  std::optional<int64_t> revoked_ms{};
  std::string origin{};  // "api", "config" (imported) or "activation"
  bool live(int64_t now_ms) const {
    return !revoked_ms && (!expiration_ms || *expiration_ms > now_ms);
  }
};

// A token as issued: `token` is the bearer token in plain text, returned
// this once.
struct IssuedToken {
  TokenRecord record{};
  std::string token{};
};

enum class AdminRole { kAdmin, kViewer };
std::string_view AdminRoleName(AdminRole role);  // "admin" / "viewer"
Result<AdminRole> ParseAdminRole(std::string_view text);

struct AdminUserRecord {
  std::string id{};
  std::string name{};
  AdminRole role = AdminRole::kViewer;
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
  int64_t version = 0;
};

// An admin login session, as stored: the token is known only by its hash.
struct AdminSessionRecord {
  std::string user{};  // the user's name
  std::string user_id{};
  AdminRole role = AdminRole::kViewer;  // the role logged in with (= the user's now)
  int64_t created_ms = 0;
  int64_t expires_ms = 0;
  int64_t last_used_ms = 0;  // updated at most every kAdminSessionTouchMs
};

// A session as opened: `token` is the bearer token in plain text, returned
// this once.
struct IssuedAdminSession {
  AdminSessionRecord record{};
  std::string token{};
};

// How stale a session's last_used_ms may get before a request refreshes it:
// a write per session per minute at most, not one per request.
inline constexpr int64_t kAdminSessionTouchMs = 60'000;

struct AuditEntry {
  int64_t id = 0;            // assigned on append
  int64_t time_ms = 0;       // 0 on append: now
  std::string actor_kind{};  // e.g. "recipient", "admin", "system"
  std::optional<std::string> actor_name{};
  std::string action{};                 // e.g. "queryTable", "createShare"
  std::optional<std::string> object{};  // e.g. "share.schema.table"
  std::string outcome{};                // e.g. "ok", "denied", "error"
  std::optional<std::string> detail{};  // status or error message
  std::optional<int64_t> num_files{};
  std::optional<std::string> remote_address{};
  std::optional<std::string> request_id{};
};

// Filters are exact matches and combine with AND; the time range is
// [from_ms, to_ms). Results are newest first.
struct AuditQuery {
  std::optional<std::string> actor_kind{};
  std::optional<std::string> actor_name{};
  std::optional<std::string> action{};
  std::optional<std::string> object{};
  std::optional<std::string> outcome{};
  std::optional<int64_t> from_ms{};
  std::optional<int64_t> to_ms{};
  int limit = 100;                      // 1..1000
  std::optional<int64_t> page_token{};  // next_page_token of the previous page
};

struct AuditPage {
  std::vector<AuditEntry> entries{};
  std::optional<int64_t> next_page_token{};  // set when more entries may follow
};

struct ActivationLinkRecord {
  std::string id{};
  std::string recipient{};
  int64_t created_ms = 0;
  int64_t expiration_ms = 0;  // the link's own expiry
  std::optional<int64_t> used_ms{};
  std::optional<std::string> token_id{};         // the token issued on redemption
  std::optional<int64_t> token_expiration_ms{};  // expiry of that token
  std::optional<std::string> profile_ref{};      // opaque reference for the caller
};

struct ActivationLinkSpec {
  int64_t expiration_ms = 0;  // absolute; must be in the future
  std::optional<int64_t> token_expiration_ms{};
  std::optional<std::string> profile_ref{};
};

struct IssuedActivationLink {
  ActivationLinkRecord record{};
  std::string secret{};  // plain, returned this once; goes into the link URL
};

// A recipient made ready in one transaction: created, granted `shares` and
// given a token or an activation link (or neither). Any failure (a share
// that does not exist, a name taken) leaves nothing behind.
struct TokenIssue {
  std::optional<int64_t> expiration_ms{};
};
struct RecipientOnboarding {
  RecipientSpec recipient{};
  std::vector<std::string> shares{};  // granted explicitly
  std::optional<TokenIssue> token{};
  std::optional<ActivationLinkSpec> activation_link{};
};

struct OnboardedRecipient {
  RecipientRecord recipient{};
  std::vector<std::string> shares{};  // as granted, in the order given
  std::optional<IssuedToken> token{};
  std::optional<IssuedActivationLink> activation_link{};
};

// What redeeming a link yields: a fresh token for the link's recipient.
struct Redemption {
  ActivationLinkRecord link{};
  IssuedToken token{};
};

struct CatalogAdminOptions {
  PasswordHashParams password_hash{};
};

// What the console's first page shows: the catalog's size and the tokens
// about to expire.
struct ExpiringToken {
  std::string recipient;
  std::string id;
  int64_t expiration_ms = 0;
};
struct CatalogOverview {
  int64_t shares = 0;
  int64_t schemas = 0;
  int64_t tables = 0;
  int64_t recipients = 0;
  int64_t active_tokens = 0;  // bearer tokens neither revoked nor expired
  // Live OAuth access tokens (recipient_tokens of an OAuth client), counted
  // apart: they last an hour, so they are never among expiring_tokens.
  int64_t oauth_access_tokens = 0;
  std::string backend;                         // "sqlite" or "postgresql"
  std::vector<ExpiringToken> expiring_tokens;  // bearer tokens only, soonest first
};

// ------------------------------------------------------------------- admin

class CatalogAdmin {
 public:
  // `db` must carry the catalog schema (MigrateCatalogSchema).
  explicit CatalogAdmin(std::shared_ptr<db::Database> db, CatalogAdminOptions options = {});
  // The catalog database (for stores of their own, e.g. oauth_client_store.h).
  const std::shared_ptr<db::Database>& database() const { return db_; }

  // Shares. Deleting a share deletes its schemas, tables and grants.
  Result<ShareRecord> CreateShare(const ShareSpec& spec);
  Result<ShareRecord> GetShare(std::string_view share);
  Result<std::vector<ShareRecord>> ListShares();
  Result<ShareRecord> UpdateShare(std::string_view share, const ShareUpdate& update,
                                  std::optional<int64_t> expected_version = std::nullopt);
  Status DeleteShare(std::string_view share);

  // Schemas. Deleting a schema deletes its tables.
  Result<SchemaRecord> CreateSchema(std::string_view share, std::string_view schema);
  Result<std::vector<SchemaRecord>> ListSchemas(std::string_view share);
  Result<SchemaRecord> RenameSchema(std::string_view share, std::string_view schema,
                                    std::string_view new_name,
                                    std::optional<int64_t> expected_version = std::nullopt);
  Status DeleteSchema(std::string_view share, std::string_view schema);

  // Tables.
  Result<TableRecord> AddTable(std::string_view share, std::string_view schema,
                               const TableSpec& spec);
  Result<TableRecord> GetTable(std::string_view share, std::string_view schema,
                               std::string_view table);
  // Every table of the share, or of one schema when `schema` is set.
  Result<std::vector<TableRecord>> ListTables(std::string_view share,
                                              std::optional<std::string_view> schema = {});
  // One page of a schema's tables (a schema may hold thousands: the console
  // pages through them without loading them all).
  Result<std::vector<TableRecord>> ListTablesPage(std::string_view share, std::string_view schema,
                                                  const NameRange& range);
  Result<TableRecord> UpdateTable(std::string_view share, std::string_view schema,
                                  std::string_view table, const TableUpdate& update,
                                  std::optional<int64_t> expected_version = std::nullopt);
  Status RemoveTable(std::string_view share, std::string_view schema, std::string_view table);

  // Recipients. Deleting one deletes its tokens, grants and links.
  Result<RecipientRecord> CreateRecipient(const RecipientSpec& spec);
  // Creates, grants and issues a token or link in one transaction (all or
  // nothing); giving both a token and a link is kInvalidArgument.
  Result<OnboardedRecipient> OnboardRecipient(const RecipientOnboarding& spec);
  Result<RecipientRecord> GetRecipient(std::string_view recipient);
  Result<std::vector<RecipientRecord>> ListRecipients();
  Result<RecipientRecord> UpdateRecipient(std::string_view recipient, const RecipientUpdate& update,
                                          std::optional<int64_t> expected_version = std::nullopt);
  Status DeleteRecipient(std::string_view recipient);

  // Tokens. A recipient may hold several live tokens.
  Result<IssuedToken> CreateToken(std::string_view recipient,
                                  std::optional<int64_t> expiration_ms = std::nullopt);
  // Issues a new token; the recipient's other live tokens stop working now
  // (grace_ms == 0) or after `grace_ms`, so clients can switch over.
  Result<IssuedToken> RotateToken(std::string_view recipient,
                                  std::optional<int64_t> expiration_ms = std::nullopt,
                                  int64_t grace_ms = 0);
  // Revoking a revoked token is a no-op; an unknown id is kNotFound.
  Status RevokeToken(std::string_view recipient, std::string_view token_id);
  // Returns how many live tokens were revoked.
  Result<int64_t> RevokeAllTokens(std::string_view recipient);
  Result<std::vector<TokenRecord>> ListTokens(std::string_view recipient);

  // Grants (idempotent). Revoking a grant that does not exist is kNotFound.
  Status Grant(std::string_view recipient, std::string_view share);
  Status RevokeGrant(std::string_view recipient, std::string_view share);
  // The shares explicitly granted to a recipient (not those of all_shares).
  Result<std::vector<std::string>> ListGrants(std::string_view recipient);
  // The recipients explicitly granted a share.
  Result<std::vector<std::string>> ListShareRecipients(std::string_view share);

  // Admin users. The last user with role admin cannot be deleted or demoted.
  Result<AdminUserRecord> CreateAdminUser(std::string_view name, std::string_view password,
                                          AdminRole role);
  // The user if the password is right; kUnauthenticated (same message for an
  // unknown user, in about the same time) otherwise.
  Result<AdminUserRecord> VerifyAdminPassword(std::string_view name, std::string_view password);
  Result<AdminUserRecord> GetAdminUser(std::string_view name);
  Result<std::vector<AdminUserRecord>> ListAdminUsers();
  // Also ends the user's sessions, in the same transaction, except the one
  // of `keep_session_token` (the caller's own, when users change their own
  // password).
  Status ChangeAdminPassword(std::string_view name, std::string_view new_password,
                             std::optional<std::string_view> keep_session_token = std::nullopt);
  // A role that changes ends the user's sessions (in the same transaction).
  Result<AdminUserRecord> SetAdminRole(std::string_view name, AdminRole role,
                                       std::optional<int64_t> expected_version = std::nullopt);
  // Deletes the user and its sessions.
  Status DeleteAdminUser(std::string_view name);

  // Admin sessions, shared by every server on the database. Times are the
  // caller's clock (milliseconds since the epoch). Opening one for a user
  // that no longer exists, or whose role is no longer `user.role`, is
  // kUnauthenticated.
  Result<IssuedAdminSession> CreateAdminSession(const AdminUserRecord& user, int64_t now_ms,
                                                int64_t ttl_ms);
  // The live session of `token`, or nullopt (unknown, expired, logged out,
  // user deleted or its role changed). One indexed query; when last_used_ms
  // is older than kAdminSessionTouchMs it is also refreshed (best effort).
  Result<std::optional<AdminSessionRecord>> FindAdminSession(std::string_view token,
                                                             int64_t now_ms);
  // Logout: ends the session of `token`; true if there was one.
  Result<bool> DeleteAdminSession(std::string_view token);
  // Deletes sessions expired by `now_ms` (an indexed range delete); returns
  // how many.
  Result<int64_t> PruneAdminSessions(int64_t now_ms);
  // Live sessions (for tests and metrics).
  Result<int64_t> CountAdminSessions(int64_t now_ms);

  // Audit log. Append never fails for odd text: overlong fields are cut and
  // invalid UTF-8 replaced; only empty actor_kind/action/outcome are refused.
  Result<int64_t> AppendAudit(const AuditEntry& entry);
  // Several entries in one transaction (all or none), in order.
  Status AppendAuditBatch(const std::vector<AuditEntry>& entries);
  Result<AuditPage> QueryAudit(const AuditQuery& query);
  // Deletes up to `max_rows` (1..100000) of the oldest entries written
  // before `before_ms`; returns how many. Callers repeat while it returns
  // `max_rows`, so no single transaction holds the table long.
  Result<int64_t> PruneAudit(int64_t before_ms, int64_t max_rows);

  // The counts as of `now_ms` and the live tokens expiring by `until_ms`
  // (at most `max_expiring`, 1..1000), in one read transaction.
  Result<CatalogOverview> Overview(int64_t now_ms, int64_t until_ms, int max_expiring);

  // Activation links: one-time. Redeeming issues a new token for the
  // recipient; a second redemption, or one after expiry, is refused
  // (kFailedPrecondition); an unknown secret is kNotFound.
  Result<IssuedActivationLink> CreateActivationLink(std::string_view recipient,
                                                    const ActivationLinkSpec& spec);
  Result<Redemption> RedeemActivationLink(std::string_view secret);
  // The link of `secret` if it could be redeemed at `now_ms`, without
  // redeeming it; kNotFound (one message) for an unknown, used or expired one.
  Result<ActivationLinkRecord> PeekActivationLink(std::string_view secret, int64_t now_ms);
  // Revokes (deletes) an unused link of `recipient`; kNotFound if there is
  // no such unused link.
  Status DeleteActivationLink(std::string_view recipient, std::string_view id);
  Result<std::vector<ActivationLinkRecord>> ListActivationLinks(std::string_view recipient);

 private:
  std::shared_ptr<db::Database> db_;
  CatalogAdminOptions options_;
};

}  // namespace lakeshare
