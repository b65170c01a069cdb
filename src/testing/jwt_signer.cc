#include "testing/jwt_signer.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <cstdlib>
#include <vector>

#include "common/encoding.h"

namespace lakeshare::testing {
namespace {

std::string BnBytes(const EVP_PKEY* key, const char* name, int pad) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &bn) != 1) std::abort();
  int size = pad > 0 ? pad : BN_num_bytes(bn);
  std::string out(static_cast<size_t>(size), '\0');
  BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), size);
  BN_free(bn);
  return out;
}

}  // namespace

JwtSigner JwtSigner::Rsa() { return {{EVP_RSA_gen(2048), EVP_PKEY_free}, true}; }

JwtSigner JwtSigner::Ec() { return {{EVP_EC_gen("P-256"), EVP_PKEY_free}, false}; }

std::string JwtSigner::PublicPem() const {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, key_.get());
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(len));
  BIO_free(bio);
  return pem;
}

std::string JwtSigner::PublicJwk(std::string_view kid) const {
  std::string jwk;
  if (rsa_) {
    jwk = R"({"kty":"RSA","n":")" + Base64UrlEncode(BnBytes(key_.get(), OSSL_PKEY_PARAM_RSA_N, 0)) +
          R"(","e":")" + Base64UrlEncode(BnBytes(key_.get(), OSSL_PKEY_PARAM_RSA_E, 0)) + "\"";
  } else {
    jwk = R"({"kty":"EC","crv":"P-256","x":")" +
          Base64UrlEncode(BnBytes(key_.get(), OSSL_PKEY_PARAM_EC_PUB_X, 32)) + R"(","y":")" +
          Base64UrlEncode(BnBytes(key_.get(), OSSL_PKEY_PARAM_EC_PUB_Y, 32)) + "\"";
  }
  if (!kid.empty()) jwk += R"(,"kid":")" + std::string(kid) + "\"";
  return jwk + "}";
}

std::string JwtSigner::Sign(std::string_view header_json, std::string_view claims_json) const {
  std::string input = Base64UrlEncode(header_json) + "." + Base64UrlEncode(claims_json);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  size_t len = 0;
  EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key_.get());
  EVP_DigestSign(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()),
                 input.size());
  std::vector<unsigned char> sig(len);
  EVP_DigestSign(ctx, sig.data(), &len, reinterpret_cast<const unsigned char*>(input.data()),
                 input.size());
  EVP_MD_CTX_free(ctx);
  std::string signature(reinterpret_cast<char*>(sig.data()), len);
  if (!rsa_) {  // DER -> r || s
    const unsigned char* p = sig.data();
    ECDSA_SIG* es = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(len));
    signature.assign(64, '\0');
    BN_bn2binpad(ECDSA_SIG_get0_r(es), reinterpret_cast<unsigned char*>(signature.data()), 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(es), reinterpret_cast<unsigned char*>(signature.data()) + 32, 32);
    ECDSA_SIG_free(es);
  }
  return input + "." + Base64UrlEncode(signature);
}

}  // namespace lakeshare::testing
