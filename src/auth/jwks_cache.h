// The signing keys of one identity provider, from its JWKS document (RFC
// 7517 §5, `{"keys": [...]}`) at a URL, fetched through the project's HTTP
// client (storage/http_client.h) and cached.
//
// Bounds, so that neither a client nor the provider can make the server
// spend without limit: the document is at most `max_bytes` and
// `kMaxJwksKeys` keys; it is kept for the provider's Cache-Control max-age
// clamped to [min_ttl_s, max_ttl_s] (default_ttl_s without one); a key id
// the cache does not know triggers a refetch at most once per
// `refetch_interval_s` (a client sending random "kid"s gets refusals, not
// fetches), and a failed fetch is not retried sooner either. A failed
// refetch keeps the keys already known (until twice max_ttl_s). The URL must
// be https unless its host is a loopback address or `allow_insecure_http`.
// Keys the server cannot use (other types, RSA below 2048 bits, "use":
// "enc") are skipped; each key fixes its algorithm (jwt_key.h).
//
// Errors: kUnauthenticated for a key id the provider does not list (or an
// algorithm it does not allow); kUnavailable when the provider cannot be
// reached and no keys are known; kInvalidArgument for an unusable URL.
// Thread-safe: lookups share the current key set; one fetch at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "auth/jwt_key.h"
#include "common/status.h"
#include "storage/http_client.h"

namespace lakeshare {

inline constexpr size_t kMaxJwksKeys = 100;

struct JwksCacheOptions {
  std::string url;
  bool allow_insecure_http = false;
  size_t max_bytes = 64 * 1024;
  int64_t default_ttl_s = 300;
  int64_t min_ttl_s = 60;
  int64_t max_ttl_s = 24 * 3600;
  int64_t refetch_interval_s = 30;
  // The algorithms accepted ("RS256", "ES256"); empty: both.
  std::vector<std::string> allowed_algorithms;
};

// kInvalidArgument unless `url` is http(s) and, for http, names a loopback
// host ("localhost", 127.0.0.0/8, [::1]) or `allow_insecure_http`.
Status CheckJwksUrl(const std::string& url, bool allow_insecure_http);

class JwksCache {
 public:
  // Milliseconds; tests inject their own clock.
  using Clock = std::function<int64_t()>;

  JwksCache(JwksCacheOptions options, std::shared_ptr<HttpClient> http, Clock clock = {});

  // The key that verifies a JWT with header "kid" `key_id` ("" when absent:
  // then the provider's only usable key) and "alg" `algorithm`.
  Result<JwtPublicKey> KeyFor(const std::string& key_id, const std::string& algorithm);

  // Documents fetched (or tried) so far.
  int64_t fetches() const;
  const JwksCacheOptions& options() const { return options_; }

 private:
  struct KeySet {
    std::vector<JwtPublicKey> keys;
    int64_t fetched_ms = 0;
    int64_t expires_ms = 0;
  };

  int64_t Now() const;
  // Fetches the document unless another fetch happened within the refetch
  // interval (or `only_if_stale` and the cached set is still fresh).
  void Refresh(bool only_if_stale);
  Result<KeySet> Fetch(int64_t now_ms);
  std::shared_ptr<const KeySet> Current() const;
  Result<JwtPublicKey> Find(const KeySet& set, const std::string& key_id,
                            const std::string& algorithm) const;

  const JwksCacheOptions options_;
  std::shared_ptr<HttpClient> http_;
  Clock clock_;
  std::mutex fetch_mu_;                 // one fetch at a time
  int64_t last_attempt_ms_ = -1;        // guarded by fetch_mu_
  mutable std::mutex mu_;               // guards the members below
  std::shared_ptr<const KeySet> keys_;  // null until the first good fetch
  int64_t fetches_ = 0;
};

// Seconds of a Cache-Control header's max-age (s-maxage is for shared
// caches, not us), or -1 when absent; 0 for no-store / no-cache.
int64_t CacheControlMaxAge(const std::string& cache_control);

}  // namespace lakeshare
