// Test helper: a private key made by the test (RSA 2048 or EC P-256) that
// signs JWTs, and its public half as PEM or JWK, so JWT verification is
// tested against real signatures. Not thread-safe; tests only.
#pragma once

#include <memory>
#include <string>
#include <string_view>

struct evp_pkey_st;

namespace lakeshare::testing {

class JwtSigner {
 public:
  static JwtSigner Rsa();
  static JwtSigner Ec();

  std::string PublicPem() const;
  // The public key as a JWK JSON object's text, with "kid" when not empty.
  std::string PublicJwk(std::string_view kid = "") const;
  // "<b64url(header)>.<b64url(claims)>.<b64url(signature)>": the header and
  // claims JSON are signed as given (so tests can send any "alg"), with this
  // key's own algorithm.
  std::string Sign(std::string_view header_json, std::string_view claims_json) const;
  const char* algorithm() const { return rsa_ ? "RS256" : "ES256"; }

 private:
  JwtSigner(std::shared_ptr<evp_pkey_st> key, bool rsa) : key_(std::move(key)), rsa_(rsa) {}
  std::shared_ptr<evp_pkey_st> key_;
  bool rsa_;
};

}  // namespace lakeshare::testing
