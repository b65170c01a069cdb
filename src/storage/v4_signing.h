// The "version 4" request signature shared by AWS (AWS4-HMAC-SHA256) and
// Google Cloud Storage (GOOG4-HMAC-SHA256 with HMAC keys, GOOG4-RSA-SHA256
// with service-account keys): canonical request, string to sign, signing
// key, and the two ways to attach a signature (Authorization header or query
// string, i.e. a pre-signed URL).
//
// Inputs are decoded: the path and query names/values as they are meant, not
// as they are written in a URL; the functions encode them the way the
// signature requires, and SignedRequest::Url() writes exactly what was
// signed. Pure functions, thread-safe. Nothing here logs (secrets pass
// through).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace lakeshare {

using NameValues = std::vector<std::pair<std::string, std::string>>;

// Names that differ between the AWS and Google flavours.
struct V4Flavor {
  std::string_view algorithm;      // "AWS4-HMAC-SHA256"
  std::string_view param_prefix;   // "X-Amz-" (query parameters)
  std::string_view header_prefix;  // "x-amz-" (headers)
  std::string_view key_prefix;     // "AWS4" (prepended to the secret)
  std::string_view terminator;     // "aws4_request"
};
extern const V4Flavor kAwsV4;
extern const V4Flavor kGoogHmacV4;
extern const V4Flavor kGoogRsaV4;

// What to sign. `headers` excludes Host (made from `host`).
struct V4Request {
  std::string method = "GET";
  std::string scheme = "https";
  std::string host;        // as in the Host header ("bucket.s3.amazonaws.com", "127.0.0.1:9000")
  std::string path = "/";  // decoded ("/bucket/a b.parquet")
  NameValues query;        // decoded names and values
  NameValues headers;
};

// An RSA private key parsed once (parsing costs more than a signature).
// Immutable, thread-safe.
class RsaPrivateKey {
 public:
  // PEM, PKCS#8 or PKCS#1. kInvalidArgument when OpenSSL cannot read it (the
  // message never contains the key).
  static Result<std::shared_ptr<const RsaPrivateKey>> FromPem(std::string_view pem);
  ~RsaPrivateKey();
  // RSASSA-PKCS1-v1_5 with SHA-256.
  Result<std::string> SignSha256(std::string_view data) const;

 private:
  explicit RsaPrivateKey(void* pkey) : pkey_(pkey) {}
  void* pkey_;  // EVP_PKEY*
};

// The credential and scope of one signature.
struct V4Credentials {
  std::string id;      // access key id, HMAC access id, or service-account e-mail
  std::string secret;  // HMAC secret (unused by the RSA flavour)
  std::shared_ptr<const RsaPrivateKey> rsa_key;  // the RSA flavour's key
  std::optional<std::string> session_token;      // AWS temporary credentials
};

struct V4Options {
  const V4Flavor* flavor = &kAwsV4;
  std::string region;   // "us-east-1"; "auto" for GCS
  std::string service;  // "s3", "storage"
  int64_t timestamp_s = 0;
  // Removes "." and ".." segments and repeated '/' (most AWS services; never S3).
  bool normalize_path = false;
  // The payload hash placed last in the canonical request.
  std::string payload_hash = "UNSIGNED-PAYLOAD";
  // Header form: also send and sign x-amz-content-sha256 (S3 requires it).
  bool add_content_sha256_header = false;
  // AWS: add the session token after signing (unsigned), as some services want.
  bool omit_session_token_from_signature = false;
};

// A signed request: what to send.
struct V4Signed {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;  // lower-case hex
  std::string canonical_uri;
  std::string query_string;  // encoded, in signing order, incl. the signature for the query form
  NameValues headers;  // headers to send (Host excluded), incl. Authorization for the header form

  // scheme://host + canonical_uri [+ "?" + query_string]
  std::string Url(const V4Request& r) const;
};

// Signs with an Authorization header.
Result<V4Signed> V4SignHeaders(const V4Request& request, const V4Credentials& credentials,
                               const V4Options& options);
// Signs in the query string (a pre-signed URL) valid for `expires_s` seconds.
Result<V4Signed> V4Presign(const V4Request& request, const V4Credentials& credentials,
                           const V4Options& options, int64_t expires_s);

// Building blocks, exposed for tests.
std::string V4CanonicalUri(std::string_view decoded_path, bool normalize);
std::string V4CanonicalQuery(const NameValues& decoded_params);
// Lower-cased, trimmed, inner whitespace runs collapsed, duplicates joined by ','.
// Returns {canonical header block (each "name:value\n"), signed header list}.
std::pair<std::string, std::string> V4CanonicalHeaders(const NameValues& headers);
std::string V4Timestamp(int64_t unix_s);  // "20150830T123600Z"

}  // namespace lakeshare
