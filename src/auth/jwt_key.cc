#include "auth/jwt_key.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <exception>

#include "common/encoding.h"

namespace lakeshare {
namespace {

namespace json = boost::json;

constexpr int kMinRsaBits = 2048;
constexpr int kMaxRsaBits = 8192;
constexpr size_t kEs256CoordinateBytes = 32;

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct CtxFree {
  void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
struct BldFree {
  void operator()(OSSL_PARAM_BLD* b) const { OSSL_PARAM_BLD_free(b); }
};
struct ParamFree {
  void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
};
struct BnFree {
  void operator()(BIGNUM* b) const { BN_free(b); }
};
struct SigFree {
  void operator()(ECDSA_SIG* s) const { ECDSA_SIG_free(s); }
};

std::shared_ptr<EVP_PKEY> Own(EVP_PKEY* key) { return {key, EVP_PKEY_free}; }

// The algorithm a key is for, or an error for keys we do not accept.
Result<std::string> AlgorithmOf(EVP_PKEY* key) {
  int id = EVP_PKEY_get_base_id(key);
  if (id == EVP_PKEY_RSA) {
    int bits = EVP_PKEY_get_bits(key);
    if (bits < kMinRsaBits || bits > kMaxRsaBits) {
      return Status::InvalidArgument("RSA keys must have 2048 to 8192 bits");
    }
    return std::string("RS256");
  }
  if (id == EVP_PKEY_EC) {
    char group[64] = {0};
    size_t len = 0;
    if (EVP_PKEY_get_group_name(key, group, sizeof group, &len) != 1 ||
        std::string_view(group, len) != "prime256v1") {
      return Status::InvalidArgument("EC keys must be on the P-256 curve (ES256)");
    }
    return std::string("ES256");
  }
  return Status::InvalidArgument("the key is neither RSA nor EC P-256");
}

Result<std::string> JwkBytes(const json::object& jwk, std::string_view name) {
  const json::value* v = jwk.if_contains(name);
  if (v == nullptr || !v->is_string()) {
    return Status::InvalidArgument("the JWK has no \"" + std::string(name) + "\"");
  }
  std::optional<std::string> bytes = Base64UrlDecode(v->as_string());
  if (!bytes || bytes->empty()) {
    return Status::InvalidArgument("the JWK's \"" + std::string(name) + "\" is not base64url");
  }
  return std::move(*bytes);
}

Result<EVP_PKEY*> FromParams(const char* type, OSSL_PARAM_BLD* bld) {
  std::unique_ptr<OSSL_PARAM, ParamFree> params(OSSL_PARAM_BLD_to_param(bld));
  std::unique_ptr<EVP_PKEY_CTX, CtxFree> ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* key = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    ERR_clear_error();  // the queue is per thread: leave nothing for the next TLS call
    return Status::InvalidArgument("the JWK does not describe a valid public key");
  }
  return key;
}

Result<EVP_PKEY*> RsaFromJwk(const json::object& jwk) {
  LS_ASSIGN_OR_RETURN(std::string n, JwkBytes(jwk, "n"));
  LS_ASSIGN_OR_RETURN(std::string e, JwkBytes(jwk, "e"));
  if (n.size() > kMaxRsaBits / 8 || e.size() > 8) {
    return Status::InvalidArgument("the JWK's RSA numbers are too large");
  }
  std::unique_ptr<BIGNUM, BnFree> bn_n(BN_bin2bn(reinterpret_cast<const unsigned char*>(n.data()),
                                                 static_cast<int>(n.size()), nullptr));
  std::unique_ptr<BIGNUM, BnFree> bn_e(BN_bin2bn(reinterpret_cast<const unsigned char*>(e.data()),
                                                 static_cast<int>(e.size()), nullptr));
  std::unique_ptr<OSSL_PARAM_BLD, BldFree> bld(OSSL_PARAM_BLD_new());
  if (!bn_n || !bn_e || !bld ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()) != 1) {
    return Status::InvalidArgument("the JWK does not describe a valid RSA key");
  }
  return FromParams("RSA", bld.get());
}

Result<EVP_PKEY*> EcFromJwk(const json::object& jwk) {
  const json::value* crv = jwk.if_contains("crv");
  if (crv == nullptr || !crv->is_string() || crv->as_string() != "P-256") {
    return Status::InvalidArgument("EC JWKs must be on curve P-256");
  }
  LS_ASSIGN_OR_RETURN(std::string x, JwkBytes(jwk, "x"));
  LS_ASSIGN_OR_RETURN(std::string y, JwkBytes(jwk, "y"));
  if (x.size() != kEs256CoordinateBytes || y.size() != kEs256CoordinateBytes) {
    return Status::InvalidArgument("the JWK's P-256 coordinates must be 32 bytes each");
  }
  std::string point = "\x04" + x + y;  // uncompressed SEC1 point
  std::unique_ptr<OSSL_PARAM_BLD, BldFree> bld(OSSL_PARAM_BLD_new());
  if (!bld ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) !=
          1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1) {
    return Status::InvalidArgument("the JWK does not describe a valid EC key");
  }
  return FromParams("EC", bld.get());
}

// JWS ES256 signatures are r || s (32 bytes each); OpenSSL wants DER.
Result<std::string> EcdsaDer(std::string_view raw) {
  if (raw.size() != 2 * kEs256CoordinateBytes) {
    return Status::PermissionDenied("the JWT's ES256 signature is not 64 bytes");
  }
  const auto* bytes = reinterpret_cast<const unsigned char*>(raw.data());
  std::unique_ptr<ECDSA_SIG, SigFree> sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(bytes, kEs256CoordinateBytes, nullptr);
  BIGNUM* s = BN_bin2bn(bytes + kEs256CoordinateBytes, kEs256CoordinateBytes, nullptr);
  if (!sig || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return Status::Internal("cannot build an ECDSA signature");
  }
  unsigned char* der = nullptr;
  int len = i2d_ECDSA_SIG(sig.get(), &der);
  if (len <= 0) return Status::Internal("cannot encode an ECDSA signature");
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return out;
}

}  // namespace

Result<JwtPublicKey> JwtPublicKey::FromPem(std::string_view pem) {
  if (pem.size() > kMaxPublicKeyBytes)
    return Status::InvalidArgument("the public key is too large");
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return Status::Internal("cannot allocate a BIO");
  EVP_PKEY* raw = PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr);
  if (raw == nullptr) {
    ERR_clear_error();
    return Status::InvalidArgument("not a PEM public key (\"-----BEGIN PUBLIC KEY-----\")");
  }
  std::shared_ptr<EVP_PKEY> key = Own(raw);
  LS_ASSIGN_OR_RETURN(std::string alg, AlgorithmOf(key.get()));
  return JwtPublicKey(std::move(key), std::move(alg), "");
}

Result<JwtPublicKey> JwtPublicKey::FromJwk(const json::object& jwk) {
  const json::value* kty = jwk.if_contains("kty");
  if (kty == nullptr || !kty->is_string()) return Status::InvalidArgument("the JWK has no kty");
  std::string key_id;
  if (const json::value* kid = jwk.if_contains("kid")) {
    if (!kid->is_string() || kid->as_string().size() > 256) {
      return Status::InvalidArgument("the JWK's kid is not a short string");
    }
    key_id = std::string(kid->as_string());
  }
  EVP_PKEY* raw = nullptr;
  if (kty->as_string() == "RSA") {
    LS_ASSIGN_OR_RETURN(raw, RsaFromJwk(jwk));
  } else if (kty->as_string() == "EC") {
    LS_ASSIGN_OR_RETURN(raw, EcFromJwk(jwk));
  } else {
    return Status::InvalidArgument("JWK kty must be RSA or EC");
  }
  std::shared_ptr<EVP_PKEY> key = Own(raw);
  LS_ASSIGN_OR_RETURN(std::string alg, AlgorithmOf(key.get()));
  if (const json::value* a = jwk.if_contains("alg")) {
    if (!a->is_string() || a->as_string() != alg) {
      return Status::InvalidArgument("the JWK's alg does not match its key (" + alg + ")");
    }
  }
  return JwtPublicKey(std::move(key), std::move(alg), std::move(key_id));
}

Result<JwtPublicKey> JwtPublicKey::Parse(std::string_view text) {
  if (text.size() > kMaxPublicKeyBytes) {
    return Status::InvalidArgument("the public key is too large");
  }
  size_t start = text.find_first_not_of(" \t\r\n");
  if (start != std::string_view::npos && text.substr(start, 10) == "-----BEGIN") {
    return FromPem(text);
  }
  json::value v;
  try {
    boost::system::error_code ec;
    v = json::parse(text, ec);
    if (ec || !v.is_object()) {
      return Status::InvalidArgument("the public key is neither PEM nor a JWK object");
    }
  } catch (const std::exception&) {
    return Status::InvalidArgument("the public key is neither PEM nor a JWK object");
  }
  return FromJwk(v.as_object());
}

Status JwtPublicKey::Verify(const Jwt& jwt) const {
  if (jwt.algorithm != algorithm_) {
    return Status::PermissionDenied("the JWT's algorithm " + jwt.algorithm + " is not its key's (" +
                                    algorithm_ + ")");
  }
  std::string der;
  std::string_view signature = jwt.signature;
  if (algorithm_ == "ES256") {
    LS_ASSIGN_OR_RETURN(der, EcdsaDer(jwt.signature));
    signature = der;
  }
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_.get()) != 1) {
    return Status::Internal("cannot set up signature verification");
  }
  int ok = EVP_DigestVerify(
      ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
      reinterpret_cast<const unsigned char*>(jwt.signing_input.data()), jwt.signing_input.size());
  if (ok != 1) {
    ERR_clear_error();
    return Status::PermissionDenied("the JWT's signature does not verify");
  }
  return Status::OK();
}

}  // namespace lakeshare
