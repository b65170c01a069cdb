// OAuth 2.0 clients of recipients (profile format version 2), in the catalog
// database (catalog_schema.h, migration 4): each client belongs to one
// recipient and authenticates to the token endpoint
// (protocol/oauth_token_endpoint.h) with its secret (client_credentials) or
// with a JWT signed by one of its registered public keys (RFC 7523). The
// access tokens it is issued are rows of recipient_tokens (origin "oauth",
// linked to the client), so they authenticate sharing requests exactly as a
// recipient's bearer token does — same grants, IP allow-list and audit — and
// revoking or deleting the client ends them.
//
// Secrets are 256-bit random values kept as SHA-256 hashes (auth/token.h),
// like bearer tokens: with that much entropy a slow hash adds nothing, and
// Argon2id on the token endpoint would let anyone make the server burn CPU.
// Assertion ids (jti) are remembered in the database until the assertion
// expires, so every replica refuses a replay.
//
// Thread-safe (all state is in the database). Errors: kNotFound for an
// unknown recipient, client or key; kInvalidArgument for a bad public key.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/sql_catalog_admin.h"
#include "common/status.h"
#include "db/database.h"

namespace lakeshare {

struct OAuthClientKeyRecord {
  std::string key_id{};
  std::string algorithm{};   // "RS256" or "ES256", from the key
  std::string public_key{};  // PEM or JWK text, as registered
  int64_t created_ms = 0;
};

struct OAuthClientRecord {
  std::string client_id{};
  std::string recipient{};
  int64_t created_ms = 0;
  std::optional<int64_t> expiration_ms{};
  std::optional<int64_t> revoked_ms{};
  std::vector<OAuthClientKeyRecord> keys{};
  bool live(int64_t now_ms) const {
    return !revoked_ms && (!expiration_ms || *expiration_ms > now_ms);
  }
};

// A client as created: `secret` in plain text, returned this once.
struct IssuedOAuthClient {
  OAuthClientRecord record{};
  std::string secret{};
};

inline constexpr size_t kMaxOAuthKeysPerClient = 8;
inline constexpr size_t kMaxOAuthKeyIdLength = 128;
// Live access tokens per client; issuing one more retires the oldest, so a
// client looping on the token endpoint cannot grow the table without bound.
inline constexpr int64_t kMaxLiveAccessTokensPerClient = 32;

class OAuthClientStore {
 public:
  explicit OAuthClientStore(std::shared_ptr<db::Database> db) : db_(std::move(db)) {}

  // ---- administration
  Result<IssuedOAuthClient> CreateClient(std::string_view recipient,
                                         std::optional<int64_t> expiration_ms);
  Result<std::vector<OAuthClientRecord>> ListClients(std::string_view recipient);
  // Also revokes the access tokens it was issued. Revoking twice is a no-op.
  Status RevokeClient(std::string_view recipient, std::string_view client_id);
  // `public_key`: PEM or JWK text (auth/jwt_key.h). `key_id` "" takes the
  // JWK's "kid", else "default". A taken key id is kFailedPrecondition.
  Result<OAuthClientKeyRecord> AddKey(std::string_view recipient, std::string_view client_id,
                                      std::string_view key_id, std::string_view public_key);
  Status RemoveKey(std::string_view recipient, std::string_view client_id, std::string_view key_id);

  // ---- the token endpoint
  // The client with its keys, and the hash of its secret; nullopt if unknown.
  struct Found {
    OAuthClientRecord record;
    std::string secret_hash;
  };
  Result<std::optional<Found>> FindClient(std::string_view client_id);
  // Records assertion id `jti` of `client_id` until `expires_ms`; false if it
  // was seen before (a replay). Forgets expired ids on the way.
  Result<bool> RememberAssertionId(std::string_view client_id, std::string_view jti,
                                   int64_t expires_ms, int64_t now_ms);
  // A new access token for the client, expiring at `expiration_ms`; refused
  // (kUnauthenticated) if the client was revoked or expired meanwhile.
  Result<IssuedToken> IssueAccessToken(std::string_view client_id, int64_t now_ms,
                                       int64_t expiration_ms);

 private:
  std::shared_ptr<db::Database> db_;
};

}  // namespace lakeshare
