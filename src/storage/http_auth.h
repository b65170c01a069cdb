// Authenticated requests to a catalog service (an Iceberg REST catalog, AWS
// Glue): a static bearer token, OAuth2 client credentials, or AWS SigV4.
//
// OAuth2 (RFC 6749 4.4, as the Iceberg REST spec's /v1/oauth/tokens takes
// it): a form POST of grant_type=client_credentials, client_id,
// client_secret and scope; the answer's access_token is sent as
// `Authorization: Bearer`. The token is cached and fetched again shortly
// before its expires_in runs out (a tenth of its life, at most 60 s early),
// and once when the service answers 401 to it (then the call is sent once
// more). One fetch at a time: concurrent callers wait for it.
// SigV4: every attempt is signed at its own time (x-amz-date, the payload's
// SHA-256, x-amz-security-token for temporary keys), paths encoded twice as
// AWS services other than S3 expect.
//
// Errors: a token endpoint that refuses (any non-200) is kUnavailable naming
// the endpoint and status, an answer without a token kUnavailable; missing
// settings are Validate's kInvalidArgument. Messages and Describe() never
// carry a secret or a token. Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "common/status.h"
#include "storage/cloud_config.h"
#include "storage/http_client.h"

namespace lakeshare {

class HttpAuthenticator {
 public:
  using Clock = std::function<int64_t()>;  // ms since the epoch

  // `env` fills in SigV4 keys and region the config leaves out. `now_ms`
  // (tests) replaces the clock.
  HttpAuthenticator(HttpAuthConfig config, std::shared_ptr<HttpClient> http,
                    const CloudEnvironment& env, Clock now_ms = {});

  // kInvalidArgument naming `what` and the missing setting.
  static Status Validate(const HttpAuthConfig& config, const CloudEnvironment& env,
                         const std::string& what);

  // Sends `call` authenticated (see above). HTTP error statuses are the
  // caller's to map, as with HttpClient::Send.
  Result<HttpAnswer> Send(const HttpCall& call);

  // SigV4: `call` with the signature headers of the clock's current time
  // (what Send sends on an attempt).
  Result<HttpCall> Sign(const HttpCall& call) const;

  // "oauth2 (client 'x', token endpoint https://...)": never a secret.
  std::string Describe() const;
  // Tokens fetched so far (OAuth2).
  int64_t tokens_fetched() const { return tokens_fetched_.load(); }

 private:
  // A usable token; `rejected` (a token the service refused) is not reused.
  Result<std::string> AccessToken(const std::string& rejected);
  Result<std::string> FetchToken(int64_t* expiry_ms);
  int64_t Now() const;

  const HttpAuthConfig config_;
  const std::shared_ptr<HttpClient> http_;
  const Clock now_ms_;
  std::mutex fetch_mu_;        // one token fetch at a time
  mutable std::mutex mu_;      // guards the cached token
  std::string token_;          // guarded by mu_
  int64_t refresh_at_ms_ = 0;  // guarded by mu_: fetch again from then
  std::atomic<int64_t> tokens_fetched_{0};
};

// The parts of an http(s) URL SigV4 signs. kInvalidArgument when `url` is
// not one. Exposed for tests.
struct UrlParts {
  std::string scheme;
  std::string host;   // with the port when the URL has one
  std::string path;   // as written (still percent-encoded), "/" when empty
  std::string query;  // as written, without '?'
};
Result<UrlParts> SplitHttpUrl(const std::string& url);

}  // namespace lakeshare
