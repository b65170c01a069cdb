// JSON Web Tokens (RFC 7519) in compact JWS form: parsing and claim checks.
// Signatures are checked by JwtPublicKey (jwt_key.h). Only asymmetric
// algorithms exist here (RS256, ES256): "none" and every HMAC algorithm are
// refused at parse time, so a public key can never be used as an HMAC
// secret. Input is bounded (kMaxJwtBytes) before any decoding; every refusal
// is a Status (kInvalidArgument for a malformed token, kPermissionDenied for
// a well-formed one whose claims do not hold). Pure functions, thread-safe.
#pragma once

#include <boost/json/object.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace lakeshare {

inline constexpr size_t kMaxJwtBytes = 8 * 1024;

struct Jwt {
  std::string algorithm;  // header "alg": "RS256" or "ES256"
  std::string key_id;     // header "kid"; "" when absent
  boost::json::object claims;
  std::string signing_input;  // "<header>.<payload>" as sent
  std::string signature;      // decoded bytes
};

Result<Jwt> ParseJwt(std::string_view compact);

// What CheckJwtClaims demands. Times are seconds since the epoch.
struct JwtClaimRules {
  std::string issuer;                  // "iss" must equal it
  std::optional<std::string> subject;  // if set: "sub", when present, must equal it
  bool require_subject = false;        // "sub" must be present (and equal `subject` if set)
  std::string audience;                // "aud" (string or array) must contain it
  int64_t now_s = 0;
  int64_t leeway_s = 60;  // clock skew allowed on exp, nbf and iat
  // exp may be at most this far after now; 0: no bound.
  int64_t max_lifetime_s = 0;
  bool require_jti = false;
};

// Checks iss, sub, aud, exp (always required), nbf and iat (when present)
// and, if asked, the presence of jti.
Status CheckJwtClaims(const Jwt& jwt, const JwtClaimRules& rules);

// A string claim, or nullopt when absent or not a string.
std::optional<std::string> StringClaim(const Jwt& jwt, std::string_view name);

}  // namespace lakeshare
