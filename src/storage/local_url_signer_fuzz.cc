// libFuzzer target: the parts of a local file URL as a client may send them
// (sealed path, expires, signature), verified as the file route verifies
// them (LocalUrlSigner::VerifyFile); and, from the same bytes, a path signed
// and verified back, which must give the same path and folder. The input is
// split at its first two newlines. Any crash, sanitizer report or leak is a
// bug, and so is a forged URL that verifies or a signed one that does not.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/status.h"
#include "storage/local_url_signer.h"

namespace {

constexpr int64_t kNow = 1'700'000'000'000;

std::string_view NextPart(std::string_view* rest) {
  size_t newline = rest->find('\n');
  std::string_view part = rest->substr(0, newline);
  *rest = newline == std::string_view::npos ? std::string_view() : rest->substr(newline + 1);
  return part;
}

// The three parts of a URL "{base}/files/{sealed}?expires=…&signature=…".
bool SplitUrl(const std::string& url, std::string* sealed, std::string* expires,
              std::string* signature) {
  size_t files = url.find("/files/");
  size_t q = url.find("?expires=");
  size_t s = url.find("&signature=");
  if (files == std::string::npos || q == std::string::npos || s == std::string::npos) return false;
  *sealed = url.substr(files + 7, q - files - 7);
  *expires = url.substr(q + 9, s - q - 9);
  *signature = url.substr(s + 11);
  return true;
}

void RoundTrip(lakeshare::LocalUrlSigner& signer, std::string_view path, size_t root_length) {
  lakeshare::PresignedUrl url;
  std::string p(path);
  if (!signer
           .PresignBeneathInto(p, root_length % (p.size() + 1), kNow + 60'000, {"http://h:1/ds"},
                               &url)
           .ok()) {
    return;
  }
  std::string sealed, expires, signature;
  if (!SplitUrl(url.url, &sealed, &expires, &signature)) std::abort();
  lakeshare::Result<lakeshare::LocalUrlSigner::VerifiedFile> back =
      signer.VerifyFile(sealed, expires, signature, kNow);
  // Verify refuses paths that are not absolute and normalized; any path it
  // accepts must come back exactly.
  if (back.ok() && back->path != p) std::abort();
  // Expired, the same URL is refused.
  if (signer.VerifyFile(sealed, expires, signature, kNow + 120'000).ok()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static lakeshare::LocalUrlSigner signer("0123456789abcdef0123456789abcdef");
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  std::string_view sealed = NextPart(&rest);
  std::string_view expires = NextPart(&rest);
  std::string_view signature = rest;
  // Random bytes never carry a valid MAC (2^-128).
  if (signer.VerifyFile(sealed, expires, signature, kNow).ok()) std::abort();
  (void)signer.Verify(sealed, expires, signature, kNow);
  RoundTrip(signer, std::string_view(reinterpret_cast<const char*>(data), size), size);
  return 0;
}
