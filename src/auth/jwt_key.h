// A public key that verifies JWT signatures (jwt.h): RSA (RS256, at least
// 2048 bits) or EC P-256 (ES256), read from a PEM "PUBLIC KEY" block or a
// JWK (RFC 7517, kty RSA or EC). The key fixes the algorithm: a JWT whose
// "alg" is not the key's is refused, whatever it claims. Input is bounded
// (kMaxPublicKeyBytes). Immutable after construction; copies share the
// OpenSSL key; thread-safe.
#pragma once

#include <boost/json/object.hpp>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "auth/jwt.h"
#include "common/status.h"

struct evp_pkey_st;

namespace lakeshare {

inline constexpr size_t kMaxPublicKeyBytes = 8 * 1024;

class JwtPublicKey {
 public:
  static Result<JwtPublicKey> FromPem(std::string_view pem);
  static Result<JwtPublicKey> FromJwk(const boost::json::object& jwk);
  // PEM when the text starts with "-----BEGIN", else a JWK's JSON text.
  static Result<JwtPublicKey> Parse(std::string_view text);

  const std::string& algorithm() const { return algorithm_; }  // "RS256" or "ES256"
  const std::string& key_id() const { return key_id_; }        // a JWK's "kid", else ""

  // kPermissionDenied when the signature does not verify or the JWT's
  // algorithm is not this key's.
  Status Verify(const Jwt& jwt) const;

 private:
  JwtPublicKey(std::shared_ptr<evp_pkey_st> key, std::string algorithm, std::string key_id)
      : key_(std::move(key)), algorithm_(std::move(algorithm)), key_id_(std::move(key_id)) {}

  std::shared_ptr<evp_pkey_st> key_;
  std::string algorithm_;
  std::string key_id_;
};

}  // namespace lakeshare
