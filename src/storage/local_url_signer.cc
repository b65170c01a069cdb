#include "storage/local_url_signer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>

#include "common/crypto.h"
#include "common/encoding.h"

namespace lakeshare {
namespace {

std::string_view BaseName(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// Absolute, no empty, "." or ".." segments: the only paths we ever sign.
bool IsCleanAbsolutePath(std::string_view path) {
  if (path.empty() || path[0] != '/' || path.find('\0') != std::string_view::npos) return false;
  size_t start = 1;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    std::string_view seg(path.data() + start, end - start);
    if (seg.empty() || seg == "." || seg == "..") return false;
    start = end + 1;
  }
  return true;
}

}  // namespace

LocalUrlSigner::LocalUrlSigner(std::string key)
    : mac_key_(key),
      seal_key_(HmacSha256(key, "lakeshare-file-url-seal")),
      iv_key_(HmacSha256(key, "lakeshare-file-url-iv")) {}

void LocalUrlSigner::AppendSealed(std::string* out, std::string_view path) const {
  // Small paths stay on the stack; this runs once per file of an answer.
  char stack[512];
  std::string heap;
  char* buf = stack;
  if (16 + path.size() > sizeof(stack)) {
    heap.resize(16 + path.size());
    buf = heap.data();
  }
  unsigned char mac[32];
  iv_key_.Mac({path}, mac);
  std::memcpy(buf, mac, 16);
  if (!seal_key_.Apply(std::string_view(buf, 16), path, buf + 16)) {
    std::abort();  // OpenSSL failing on a fixed key: nothing sane to hand out
  }
  AppendBase64Url(out, std::string_view(buf, 16 + path.size()));
}

std::optional<std::string> LocalUrlSigner::Unseal(std::string_view sealed) const {
  auto raw = Base64UrlDecode(sealed);
  if (!raw || raw->size() <= 16) return std::nullopt;
  std::string_view iv = std::string_view(*raw).substr(0, 16);
  std::string path(raw->size() - 16, '\0');
  if (!seal_key_.Apply(iv, std::string_view(*raw).substr(16), path.data())) return std::nullopt;
  unsigned char mac[32];
  iv_key_.Mac({path}, mac);
  if (!ConstantTimeEquals(iv, std::string_view(reinterpret_cast<char*>(mac), 16))) {
    return std::nullopt;
  }
  return path;
}

void LocalUrlSigner::AppendMac(std::string* out, std::string_view path,
                               std::string_view expiration) const {
  unsigned char mac[32];
  mac_key_.Mac({"lakeshare-file-url-v1\n", path, "\n", expiration}, mac);
  AppendBase64Url(out, std::string_view(reinterpret_cast<char*>(mac), sizeof(mac)));
}

Result<PresignedUrl> LocalUrlSigner::Presign(const std::string& path, int64_t expiration_ms,
                                             const SignContext& context) {
  if (!IsCleanAbsolutePath(path)) {
    return Status::InvalidArgument("refusing to sign a non-normalized local path: " + path);
  }
  char exp_buf[24];
  auto [end, ec] = std::to_chars(exp_buf, exp_buf + sizeof(exp_buf), expiration_ms);
  std::string_view exp(exp_buf, static_cast<size_t>(end - exp_buf));
  PresignedUrl out;
  out.expiration_ms = expiration_ms;
  std::string& url = out.url;
  url.reserve(context.server_base_url.size() + path.size() * 2 + 120);
  url += context.server_base_url;
  url += "/files/";
  AppendSealed(&url, path);
  url += '/';
  AppendPercentEncoded(&url, BaseName(path));
  url += "?expires=";
  url += exp;
  url += "&signature=";
  AppendMac(&url, path, exp);
  return out;
}

Result<std::string> LocalUrlSigner::Verify(std::string_view encoded_path,
                                           std::string_view file_name, std::string_view expires,
                                           std::string_view signature, int64_t now_ms) const {
  auto denied = [] { return Status::PermissionDenied("invalid or expired file URL"); };
  auto path = Unseal(encoded_path);
  auto sig = Base64UrlDecode(signature);
  int64_t exp = 0;
  auto [ptr, ec] = std::from_chars(expires.data(), expires.data() + expires.size(), exp);
  if (!path || !sig || ec != std::errc() || ptr != expires.data() + expires.size()) {
    return denied();
  }
  std::string mac;
  AppendMac(&mac, *path, std::to_string(exp));
  auto expected = Base64UrlDecode(mac);
  if (!expected || !ConstantTimeEquals(*sig, *expected)) return denied();
  if (!IsCleanAbsolutePath(*path) || BaseName(*path) != file_name) return denied();
  if (exp <= now_ms) return Status::PermissionDenied("the file URL has expired");
  return *path;
}

Result<std::string> LoadOrCreateSigningKey(const std::string& path) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    std::ifstream in(path);
    if (in) {
      std::stringstream ss;
      ss << in.rdbuf();
      std::string key = ss.str();
      while (!key.empty() && (key.back() == '\n' || key.back() == '\r' || key.back() == ' ')) {
        key.pop_back();
      }
      if (key.size() < 32) {
        // A concurrent creator may not have finished writing yet.
        if (attempt == 0) {
          ::usleep(100000);
          continue;
        }
        return Status::InvalidArgument("URL signing key file '" + path +
                                       "' holds fewer than 32 characters");
      }
      return key;
    }
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
      if (errno == EEXIST) continue;  // somebody else created it: read theirs
      return Status::IOError("cannot create URL signing key file '" + path +
                             "': " + std::strerror(errno));
    }
    std::string key = HexEncode(RandomBytes(32)) + "\n";
    bool ok = ::write(fd, key.data(), key.size()) == static_cast<ssize_t>(key.size());
    ok = ::fsync(fd) == 0 && ok;
    ::close(fd);
    if (!ok) return Status::IOError("cannot write URL signing key file '" + path + "'");
    key.pop_back();
    return key;
  }
  return Status::IOError("cannot read URL signing key file '" + path + "'");
}

}  // namespace lakeshare
