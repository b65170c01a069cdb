// The OAuth 2.0 token endpoint of profile format version 2: POST
// {prefix}/oauth/token (application/x-www-form-urlencoded). It issues
// short-lived access tokens to a recipient's OAuth clients
// (catalog/oauth_client_store.h) for
//  - grant_type=client_credentials (RFC 6749 §4.4), the client
//    authenticating with id + secret by HTTP Basic or in the body
//    (client_id, client_secret), or with a private-key JWT
//    (client_assertion_type=urn:ietf:params:oauth:client-assertion-type:
//    jwt-bearer, RFC 7523 §2.2);
//  - grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer with an
//    `assertion` (RFC 7523 §2.1), as the Delta Sharing clients'
//    oauth_jwt_bearer_private_key_jwt profiles send it.
// An assertion must be signed by one of the client's registered keys (by its
// "kid", or the only key), have iss (and sub, when present) = the client id,
// aud = this endpoint's URL, a bounded exp, and a jti never seen before.
// The answer is RFC 6749 §5.1's {"access_token", "token_type": "Bearer",
// "expires_in"}; errors are §5.2's (server/errors.h OAuthErrorResponse).
// Thread-safe; the state is in the catalog database.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "catalog/oauth_client_store.h"
#include "common/status.h"
#include "server/http.h"

namespace lakeshare {

struct OAuthTokenOptions {
  int64_t access_token_ttl_seconds = 3600;
  // An assertion may be valid for at most this long from now.
  int64_t max_assertion_lifetime_seconds = 300;
  int64_t clock_skew_seconds = 60;
};

class OAuthTokenEndpoint {
 public:
  OAuthTokenEndpoint(std::shared_ptr<OAuthClientStore> clients, OAuthTokenOptions options)
      : clients_(std::move(clients)), options_(options) {}

  // `token_url`: this endpoint's public URL (an assertion's audience).
  // Sets *recipient (if not null) to the recipient served.
  HttpResponse Handle(const HttpRequest& request, const std::string& token_url,
                      std::string* recipient) const;

  struct Issued {
    std::string access_token;
    int64_t expires_in = 0;
    std::string recipient;
  };
  // The grant without the HTTP around it (a Status for every refusal).
  Result<Issued> Grant(const HttpRequest& request, const std::string& token_url) const;

 private:
  // The client an assertion proves, or an error (kPermissionDenied).
  Result<OAuthClientStore::Found> VerifyAssertion(std::string_view assertion,
                                                  const std::string& token_url,
                                                  int64_t now_ms) const;
  Result<OAuthClientStore::Found> VerifySecret(std::string_view client_id, std::string_view secret,
                                               int64_t now_ms) const;

  std::shared_ptr<OAuthClientStore> clients_;
  OAuthTokenOptions options_;
};

}  // namespace lakeshare
