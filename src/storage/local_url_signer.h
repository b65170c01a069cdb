// URLs for local files that this server serves itself, signed with
// HMAC-SHA256 and expiring: the local stand-in for a cloud pre-signed URL.
//
//   {base}/files/{sealed path}/{file name}?expires={ms}&signature={base64url(mac)}
//
// The signature (HMAC-SHA256) covers the full path and the expiry, so a URL
// reaches exactly one file until it expires. The path is sealed (AES-256-CTR
// with a synthetic IV = HMAC of the path, checked on the way back) so a URL
// does not reveal where the server keeps its tables. Thread-safe (immutable).
#pragma once

#include <optional>
#include <string>

#include "common/crypto.h"
#include "storage/storage.h"

namespace lakeshare {

class LocalUrlSigner : public UrlSigner {
 public:
  // `key`: the secret (at least 16 bytes).
  explicit LocalUrlSigner(std::string key);

  Result<PresignedUrl> Presign(const std::string& path, int64_t expiration_ms,
                               const SignContext& context) override;

  // Checks the parts of a URL made by Presign and returns the file path.
  // kPermissionDenied for a bad signature, a changed path or name, a path
  // that is not absolute and normalized, or an expired URL.
  Result<std::string> Verify(std::string_view encoded_path, std::string_view file_name,
                             std::string_view expires, std::string_view signature,
                             int64_t now_ms) const;

 private:
  // Appends base64url(MAC of path and expiry).
  void AppendMac(std::string* out, std::string_view path, std::string_view expiration) const;
  // Appends base64url(synthetic IV + AES-CTR(path)).
  void AppendSealed(std::string* out, std::string_view path) const;
  std::optional<std::string> Unseal(std::string_view sealed) const;
  HmacSha256Key mac_key_;
  Aes256CtrKey seal_key_;  // derived from the key
  HmacSha256Key iv_key_;   // derived from the key
};

// Reads the key in `path`, or creates it (32 random bytes, hex, mode 0600)
// when it does not exist. Safe against two processes creating it at once.
Result<std::string> LoadOrCreateSigningKey(const std::string& path);

}  // namespace lakeshare
