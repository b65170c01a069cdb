// Identity federation: JWT access tokens issued by a recipient's own identity
// provider accepted as sharing bearer tokens. Each configured issuer names
// its JWKS URL (jwks_cache.h), the audience its tokens must carry, and the
// claim that names the recipient (directly, or through a map of claim values
// to recipient names).
//
// A bearer token is federated when it looks like a JWT (three base64url
// parts, at most kMaxJwtBytes) and its "iss" is a configured issuer; any
// other token is not this class's (Verify answers nullopt) and keeps the
// catalog's lookup. Checked: the algorithm (RS256/ES256 and the issuer's
// allowed list; the key fixes it, so "none" and HS256 confusion fail), the
// signature by the key its "kid" names (exactly one signature check per
// token), iss exactly, aud (string or array) containing the audience, exp
// (required), nbf and iat with the issuer's clock skew, and the recipient
// claim. Not checked: revocation at the provider (a token lives until its
// exp), scopes, "azp"/"client_id", token binding.
//
// Errors: every refusal is kUnauthenticated (a 401); kUnavailable when the
// provider's keys cannot be fetched and none are known. Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/jwks_cache.h"
#include "common/status.h"
#include "storage/http_client.h"

namespace lakeshare {

// One `federation:` entry of the configuration.
struct FederationIssuerConfig {
  std::string issuer;  // "iss", compared exactly
  std::string jwks_url;
  std::string audience;
  std::string recipient_claim = "sub";
  // Claim value → recipient name; empty: the claim's value is the name.
  std::map<std::string, std::string> recipients;
  std::vector<std::string> allowed_algorithms;  // empty: RS256 and ES256
  int64_t clock_skew_seconds = 60;
  // An unknown "kid" refetches the JWKS at most this often.
  int64_t jwks_refetch_seconds = 30;
  // Bounds of the JWKS cache time (the provider's Cache-Control max-age,
  // else jwks_default_cache_seconds, is clamped to them).
  int64_t jwks_min_cache_seconds = 60;
  int64_t jwks_max_cache_seconds = 24 * 3600;
  int64_t jwks_default_cache_seconds = 300;
  bool allow_insecure_http = false;  // http:// JWKS URLs beyond loopback hosts

  bool operator==(const FederationIssuerConfig&) const = default;
};

// Who a federated token proved to be.
struct FederatedIdentity {
  std::string issuer;
  std::string subject;  // "sub", or "" when absent
  std::string recipient;
  int64_t expires_ms = 0;
};

class Federation {
 public:
  // `http` fetches the JWKS documents; `clock` gives milliseconds since the
  // epoch (tests inject their own).
  Federation(std::vector<FederationIssuerConfig> issuers, std::shared_ptr<HttpClient> http,
             JwksCache::Clock clock = {});

  // nullopt when `token` is not a federated one (see above); else the
  // identity it proves, or why not.
  std::optional<Result<FederatedIdentity>> Verify(std::string_view token) const;

  const std::vector<FederationIssuerConfig>& issuers() const { return issuers_; }
  // The JWKS cache of issuer `i` (for tests and metrics).
  const JwksCache& jwks(size_t i) const { return *caches_[i]; }

 private:
  Result<FederatedIdentity> VerifyFor(size_t issuer, std::string_view token) const;
  int64_t NowMs() const;

  const std::vector<FederationIssuerConfig> issuers_;
  std::vector<std::unique_ptr<JwksCache>> caches_;  // one per issuer
  JwksCache::Clock clock_;
};

// True if `token` has the shape of a compact JWS: three non-empty
// base64url parts separated by '.', at most kMaxJwtBytes.
bool LooksLikeJwt(std::string_view token);

}  // namespace lakeshare
