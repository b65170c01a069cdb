#include "server/tls_context.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <array>
#include <cstdio>
#include <exception>
#include <utility>

namespace lakeshare {

namespace ssl = boost::asio::ssl;

namespace {

// Mozilla's "intermediate" TLS 1.2 suites without DHE: ECDHE key exchange
// (forward secrecy) and AEAD ciphers only. TLS 1.3 suites are all AEAD.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
constexpr int kSelfSignedDays = 365;

std::string OpenSslError(const std::string& what) {
  std::string out = what;
  while (unsigned long e = ERR_get_error()) {  // NOLINT(google-runtime-int): OpenSSL's type
    std::array<char, 256> buf{};
    ERR_error_string_n(e, buf.data(), buf.size());
    out += ": ";
    out += buf.data();
  }
  return out;
}

Result<std::shared_ptr<ssl::context>> NewContext() {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = ctx->native_handle();
  if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_cipher_list(native, kTls12Ciphers) != 1) {
    return Status::Internal(OpenSslError("tls: cannot configure the protocol versions"));
  }
  SSL_CTX_set_options(native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                                  SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_SINGLE_ECDH_USE);
  SSL_CTX_set_mode(native, SSL_MODE_RELEASE_BUFFERS);  // idle connections hold no buffers
  return ctx;
}

// An EC P-256 key and a certificate for `host` (and the loopback addresses),
// valid for a year, signed by itself.
Status UseSelfSigned(SSL_CTX* ctx, const std::string& host) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
  if (!key || !cert) return Status::Internal(OpenSslError("tls: cannot make a key"));
  std::array<unsigned char, 16> serial{};
  if (RAND_bytes(serial.data(), static_cast<int>(serial.size())) != 1) {
    return Status::Internal(OpenSslError("tls: no random serial"));
  }
  serial[0] &= 0x7f;  // positive
  std::unique_ptr<BIGNUM, decltype(&BN_free)> bn(
      BN_bin2bn(serial.data(), static_cast<int>(serial.size()), nullptr), BN_free);
  X509_NAME* name = X509_get_subject_name(cert.get());
  std::string alt_names = "DNS:" + host + ",DNS:localhost,IP:127.0.0.1,IP:::1";
  X509V3_CTX v3{};
  bool ok = bn && X509_set_version(cert.get(), 2) == 1 &&
            BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert.get())) != nullptr &&
            X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60) != nullptr &&
            X509_gmtime_adj(X509_getm_notAfter(cert.get()), 86400L * kSelfSignedDays) != nullptr &&
            X509_set_pubkey(cert.get(), key.get()) == 1 &&
            X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                       reinterpret_cast<const unsigned char*>(host.c_str()), -1, -1,
                                       0) == 1 &&
            X509_set_issuer_name(cert.get(), name) == 1;
  if (ok) {
    X509V3_set_ctx(&v3, cert.get(), cert.get(), nullptr, nullptr, 0);
    X509_EXTENSION* ext =
        X509V3_EXT_conf_nid(nullptr, &v3, NID_subject_alt_name, alt_names.c_str());
    ok = ext != nullptr && X509_add_ext(cert.get(), ext, -1) == 1;
    X509_EXTENSION_free(ext);
  }
  ok = ok && X509_sign(cert.get(), key.get(), EVP_sha256()) > 0 &&
       SSL_CTX_use_certificate(ctx, cert.get()) == 1 && SSL_CTX_use_PrivateKey(ctx, key.get()) == 1;
  if (!ok) return Status::Internal(OpenSslError("tls: cannot make a self-signed certificate"));
  return Status::OK();
}

Status UseFiles(ssl::context* ctx, const TlsOptions& options) {
  if (options.certificate_file.empty() || options.key_file.empty()) {
    return Status::InvalidArgument(
        "tls: needs both a certificate file and a key file (or selfSigned: true)");
  }
  // Called by OpenSSL while the key is read; the password stays in memory.
  std::string password = options.key_password;
  ctx->set_password_callback(
      [password](std::size_t, ssl::context::password_purpose) { return password; });
  boost::system::error_code ec;
  ctx->use_certificate_chain_file(options.certificate_file, ec);
  if (ec) {
    return Status::InvalidArgument("tls: cannot use certificate file '" + options.certificate_file +
                                   "': " + ec.message());
  }
  ctx->use_private_key_file(options.key_file, ssl::context::pem, ec);
  if (ec) {
    return Status::InvalidArgument(
        "tls: cannot use key file '" + options.key_file +
        "' (wrong password, or not the certificate's key?): " + ec.message());
  }
  if (SSL_CTX_check_private_key(ctx->native_handle()) != 1) {
    return Status::InvalidArgument("tls: key file '" + options.key_file +
                                   "' does not match certificate file '" +
                                   options.certificate_file + "'");
  }
  return Status::OK();
}

std::string FingerprintOf(SSL_CTX* ctx) {
  X509* cert = SSL_CTX_get0_certificate(ctx);
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int n = 0;
  if (cert == nullptr || X509_digest(cert, EVP_sha256(), md.data(), &n) != 1) return "";
  std::string out;
  for (unsigned int i = 0; i < n; ++i) {
    std::array<char, 4> hex{};
    std::snprintf(hex.data(), hex.size(), i == 0 ? "%02X" : ":%02X", md[i]);
    out += hex.data();
  }
  return out;
}

Result<std::shared_ptr<ssl::context>> Build(const TlsOptions& options) {
  try {
    LS_ASSIGN_OR_RETURN(std::shared_ptr<ssl::context> ctx, NewContext());
    if (options.self_signed) {
      LS_RETURN_IF_ERROR(UseSelfSigned(ctx->native_handle(), options.self_signed_host));
    } else {
      LS_RETURN_IF_ERROR(UseFiles(ctx.get(), options));
    }
    return ctx;
  } catch (const std::exception& e) {
    return Status::Internal(std::string("tls: ") + e.what());
  }
}

}  // namespace

Result<std::unique_ptr<TlsContextStore>> TlsContextStore::Create(TlsOptions options) {
  std::unique_ptr<TlsContextStore> store(new TlsContextStore(std::move(options)));
  LS_ASSIGN_OR_RETURN(store->current_, Build(store->options_));
  store->fingerprint_ = FingerprintOf(store->current_->native_handle());
  return store;
}

std::shared_ptr<ssl::context> TlsContextStore::Current() const {
  std::lock_guard<std::mutex> lock(mu_);
  return current_;
}

Status TlsContextStore::Reload() {
  if (options_.self_signed) return Status::OK();
  LS_ASSIGN_OR_RETURN(std::shared_ptr<ssl::context> ctx, Build(options_));
  std::string fingerprint = FingerprintOf(ctx->native_handle());
  std::lock_guard<std::mutex> lock(mu_);
  current_ = std::move(ctx);
  fingerprint_ = std::move(fingerprint);
  return Status::OK();
}

std::string TlsContextStore::Fingerprint() const {
  std::lock_guard<std::mutex> lock(mu_);
  return fingerprint_;
}

}  // namespace lakeshare
