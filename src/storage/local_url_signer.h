// URLs for local files that this server serves itself, signed with
// HMAC-SHA256 and expiring: the local stand-in for a cloud pre-signed URL.
//
//   {base}/files/{sealed path}?expires={ms}&signature={base64url(mac)}
//
// (No file name in the URL: it would make every line of a large answer
// longer; downloads name the file in Content-Disposition instead.)
//
// One HMAC-SHA256 covers the full path and the expiry, so a URL reaches
// exactly one file until it expires: half of it is the signature, the other
// half the synthetic IV with which the path is sealed (AES-256-CTR), so a URL
// does not reveal where the server keeps its tables and a changed sealed path
// fails the same check. Thread-safe (immutable).
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
  // Signs with root_length 0: the folder is "/".
  Status PresignInto(const std::string& path, int64_t expiration_ms, const SignContext& context,
                     PresignedUrl* out) override;
  // The URL also seals the folder path[0, root_length) the file must be
  // read without leaving (VerifyFile returns it).
  Status PresignBeneathInto(const std::string& path, size_t root_length, int64_t expiration_ms,
                            const SignContext& context, PresignedUrl* out) override;

  // Checks the parts of a URL made by Presign and returns the file path.
  // kPermissionDenied for a bad signature, a changed path or name, a path
  // that is not absolute and normalized, or an expired URL.
  Result<std::string> Verify(std::string_view encoded_path, std::string_view expires,
                             std::string_view signature, int64_t now_ms) const;
  // As Verify, with the folder the URL was signed for.
  struct VerifiedFile {
    std::string path;
    std::string root;  // a prefix of path ("/" when signed without one)
  };
  Result<VerifiedFile> VerifyFile(std::string_view encoded_path, std::string_view expires,
                                  std::string_view signature, int64_t now_ms) const;

 private:
  // HMAC over expiry and payload ("<root length>:<path>"): its first half
  // is the synthetic IV of the sealed payload, its second half the URL's
  // signature (one MAC per URL).
  void Mac(std::string_view payload, std::string_view expiration, unsigned char out[32]) const;
  HmacSha256Key mac_key_;  // derived from the key
  Aes256CtrKey seal_key_;  // derived from the key
};

// Reads the key in `path`, or creates it (32 random bytes, hex, mode 0600)
// when it does not exist. Safe against two processes creating it at once.
Result<std::string> LoadOrCreateSigningKey(const std::string& path);

}  // namespace lakeshare
