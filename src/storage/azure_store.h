// Storage and URL signing for Azure Blob Storage and ADLS Gen2 (through the
// Blob API, which hierarchical-namespace accounts serve too).
//
// Requests are authorised with the account's Shared Key, a configured SAS
// token (reads only: it cannot make other URLs), or an Entra ID application
// (OAuth client credentials; bearer tokens are cached until shortly before
// they expire). Pre-signed URLs are blob SAS URLs granting read of one blob:
// a service SAS signed with the account key, or a user-delegation SAS signed
// with a user delegation key fetched (and cached) with the application's
// token. Listing is List Blobs with prefix and delimiter '/', following
// NextMarker. Ranged reads use x-ms-range.
//
// Errors as S3Store: kNotFound, kUnavailable (unreachable / throttled
// through the retries), kIOError (refusals and the rest), kCorruption
// (unreadable listing). Messages name the location, never a key, token or
// signature. Thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "common/crypto.h"
#include "storage/http_client.h"
#include "storage/object_location.h"
#include "storage/storage.h"
#include "storage/v4_signing.h"

namespace lakeshare {

struct AzureStoreSettings {
  enum class Auth { kAnonymous, kSharedKey, kSasToken, kEntraApplication };
  Auth auth = Auth::kAnonymous;
  std::string account;      // the storage account
  std::string account_key;  // decoded (raw bytes) for kSharedKey
  std::string sas_token;    // without '?', for kSasToken
  // Blob endpoint "scheme://host[:port][/path]" (the emulator puts the
  // account in the path); empty: https://<account>.blob.<suffix>.
  std::string endpoint;
  std::string endpoint_suffix = "core.windows.net";
  // Entra ID application (kEntraApplication).
  std::string tenant_id, client_id, client_secret;
  std::string authority_url = "https://login.microsoftonline.com";
  std::string api_version = "2022-11-02";      // x-ms-version and SAS sv
  const HttpClientMetrics* metrics = nullptr;  // counts every request; may be null
};

// The string to sign of a blob service SAS (read of one blob), sv 2020-12-06
// and later. `canonical_resource` is "/blob/<account>/<container>/<blob>".
std::string AzureServiceSasStringToSign(const std::string& permissions, const std::string& start,
                                        const std::string& expiry,
                                        const std::string& canonical_resource,
                                        const std::string& protocol, const std::string& version);

struct AzureUserDelegationKey {
  std::string signed_oid, signed_tid, signed_start, signed_expiry, signed_service, signed_version;
  std::string value;  // decoded key bytes
  int64_t expiry_ms = 0;
};

// The string to sign of a user-delegation SAS (read of one blob), sv
// 2020-12-06 and later.
std::string AzureUserDelegationSasStringToSign(const std::string& permissions,
                                               const std::string& start, const std::string& expiry,
                                               const std::string& canonical_resource,
                                               const AzureUserDelegationKey& key,
                                               const std::string& protocol,
                                               const std::string& version);

// Shared Key string to sign of a Blob service request (version 2015-02-21+):
// `headers` are all request headers; `encoded_path` the URL path.
std::string AzureSharedKeyStringToSign(const std::string& method, const std::string& account,
                                       const std::string& encoded_path, const NameValues& query,
                                       const NameValues& headers);

class AzureStore : public Storage, public UrlSigner {
 public:
  AzureStore(AzureStoreSettings settings, std::shared_ptr<HttpClient> http);

  Result<std::string> Read(const std::string& path) override;
  Result<std::string> ReadRange(const std::string& path, int64_t offset, int64_t length) override;
  Result<FileInfo> Head(const std::string& path) override;
  Result<std::vector<FileInfo>> ListDirectory(const std::string& dir) override;
  Result<std::vector<std::string>> ListSubfolders(const std::string& dir) override;
  // Put Blob (a block blob in one request), Delete Blob, and Set Blob
  // Metadata for Touch (it moves the blob's Last-Modified). A SAS token
  // must grant write and delete for these.
  Status Write(const std::string& path, std::string_view bytes) override;
  Status Delete(const std::string& path) override;
  Status Touch(const std::string& path) override;

  Result<PresignedUrl> Presign(const std::string& path, int64_t expiration_ms,
                               const SignContext& context) override;
  int64_t ClampExpiration(int64_t now_ms, int64_t wanted_ms) const override;

  const AzureStoreSettings& settings() const { return settings_; }

 private:
  struct Target {
    ObjectLocation where;
    std::string scheme, host, path;  // path: decoded, "/[acct/]container/blob"
  };
  Result<Target> Locate(const std::string& path) const;
  Result<HttpCall> BuildCall(const std::string& method, const Target& t, const NameValues& query,
                             NameValues headers, int64_t now_s);
  // `body`: sent with a PUT (its Content-Length is signed).
  Result<HttpAnswer> Call(const std::string& method, const Target& t, const NameValues& query,
                          const NameValues& headers, int64_t max_bytes = int64_t{1} << 31,
                          const std::string& what = "", std::string_view body = {});
  Status ErrorFor(const std::string& what, const HttpAnswer& answer) const;
  // ListDirectory, and into `folders` (when set) the folders.
  Result<std::vector<FileInfo>> List(const std::string& dir, std::vector<std::string>* folders);
  Result<std::string> BearerToken();
  Result<AzureUserDelegationKey> DelegationKey(int64_t needed_until_ms);

  AzureStoreSettings settings_;
  // Keyed once: a large answer signs a SAS per file with the account key.
  HmacSha256Key account_mac_;
  std::shared_ptr<HttpClient> http_;
  std::mutex mu_;
  std::string token_;            // guarded by mu_
  int64_t token_expiry_ms_ = 0;  // guarded by mu_
  AzureUserDelegationKey key_;   // guarded by mu_
};

// Parses an Azure Storage connection string (AccountName, AccountKey,
// BlobEndpoint, DefaultEndpointsProtocol, EndpointSuffix,
// SharedAccessSignature, UseDevelopmentStorage=true) into `settings`.
Status ApplyAzureConnectionString(const std::string& text, AzureStoreSettings* settings);

}  // namespace lakeshare
