// Storage and URL signing for S3 and S3-compatible stores (MinIO, Ceph, R2,
// ...), and for Google Cloud Storage through its S3-compatible XML API.
//
// Reads are GET/HEAD with a byte range where asked; listing is
// ListObjectsV2 with prefix and delimiter '/', following continuation
// tokens, and with start-after for ListDirectoryAfter. S3 requests are
// signed with SigV4 in the Authorization header; GCS requests are signed in
// the query string (GOOG4-RSA-SHA256 with a service-account key, or
// GOOG4-HMAC-SHA256 with an HMAC key), so no OAuth token is needed.
// Pre-signed URLs are GETs of exactly one object, capped at the 7 days both
// clouds allow. Without credentials, requests are anonymous and Presign is an
// error.
//
// Errors: kNotFound for a missing object (or a folder with nothing in it);
// kUnavailable when the store cannot be reached, times out, or keeps
// throttling (429/5xx) through the retries; kIOError for refusals (403) and
// other failures; kCorruption for an unreadable listing. Messages name the
// location, never a key or signature. Thread-safe (immutable after
// construction; the HTTP client is thread-safe).
#pragma once

#include <memory>
#include <string>

#include "storage/http_client.h"
#include "storage/object_location.h"
#include "storage/storage.h"
#include "storage/v4_signing.h"

namespace lakeshare {

struct S3StoreSettings {
  enum class Auth { kAnonymous, kAwsV4Header, kGoogV4Query };
  Auth auth = Auth::kAnonymous;
  const V4Flavor* flavor = &kAwsV4;  // kGoogRsaV4 / kGoogHmacV4 for GCS
  std::string service = "s3";        // "storage" for GCS
  std::string region = "us-east-1";  // "auto" for GCS
  // scheme://host[:port][/base]; empty: https://s3.<region>.amazonaws.com
  std::string endpoint;
  bool path_style = false;
  V4Credentials credentials;
  std::string name = "S3";  // for messages
  int64_t max_url_lifetime_s = 7 * 24 * 3600;
  const HttpClientMetrics* metrics = nullptr;  // counts every request; may be null
};

class S3Store : public Storage, public UrlSigner {
 public:
  S3Store(S3StoreSettings settings, std::shared_ptr<HttpClient> http);

  Result<std::string> Read(const std::string& path) override;
  Result<std::string> ReadRange(const std::string& path, int64_t offset, int64_t length) override;
  Result<FileInfo> Head(const std::string& path) override;
  Result<std::vector<FileInfo>> ListDirectory(const std::string& dir) override;
  Result<std::vector<FileInfo>> ListDirectoryAfter(const std::string& dir,
                                                   const std::string& start_after) override;
  Result<std::vector<std::string>> ListSubfolders(const std::string& dir) override;
  // PutObject (the payload's SHA-256 signed); DeleteObject; Touch is a
  // copy of the object onto itself with its metadata replaced (CopyObject),
  // which is what moves an object's LastModified on S3 and GCS.
  Status Write(const std::string& path, std::string_view bytes) override;
  Status Delete(const std::string& path) override;
  Status Touch(const std::string& path) override;

  Result<PresignedUrl> Presign(const std::string& path, int64_t expiration_ms,
                               const SignContext& context) override;
  int64_t ClampExpiration(int64_t now_ms, int64_t wanted_ms) const override;

  // The request a GET of `path` would send (for tests). `payload_sha256`:
  // the hex SHA-256 of the body (default: of an empty one).
  Result<HttpCall> BuildCall(const std::string& method, const ObjectLocation& where,
                             const NameValues& query, NameValues headers, int64_t now_s,
                             const std::string& payload_sha256 = "") const;

  const S3StoreSettings& settings() const { return settings_; }

 private:
  struct Endpoint {
    std::string scheme, host, base_path;
  };
  Result<ObjectLocation> Locate(const std::string& path) const;
  V4Request RequestFor(const std::string& method, const ObjectLocation& where) const;
  // `what` names the request in messages (default: the object's location).
  Result<HttpAnswer> Call(const std::string& method, const ObjectLocation& where,
                          const NameValues& query, const NameValues& headers,
                          int64_t max_bytes = int64_t{1} << 31, const std::string& what = "");
  // A call with a body (PUT).
  Result<HttpAnswer> CallWithBody(const std::string& method, const ObjectLocation& where,
                                  const NameValues& headers, std::string_view body);
  Status ErrorFor(const std::string& what, const HttpAnswer& answer) const;
  // `folders`: when set, receives the common prefixes (as locations).
  Result<std::vector<FileInfo>> List(const std::string& dir, const std::string& start_after,
                                     std::vector<std::string>* folders = nullptr);

  S3StoreSettings settings_;
  Endpoint endpoint_;
  std::shared_ptr<HttpClient> http_;
};

// kIOError naming `what` from an HTTP error answer with an S3-style XML
// body (<Error><Code>..</Code><Message>..</Message></Error>), shared by the
// stores: 404 kNotFound, 429/5xx kUnavailable, other statuses kIOError.
Status StoreErrorStatus(const std::string& store, const std::string& what, const HttpAnswer& answer,
                        const std::string& code, const std::string& message);

}  // namespace lakeshare
