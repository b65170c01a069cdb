#include "storage/local_url_signer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>

#include "common/crypto.h"
#include "common/encoding.h"
#include "common/strings.h"

namespace lakeshare {
namespace {

// Absolute, no empty, "." or ".." segments: the only paths we ever sign.
bool IsCleanAbsolutePathSlow(std::string_view path) {
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

// The same, checked once per signed URL: a path with no NUL and no '/'
// followed by '/', '.' or its end is clean (16 bytes at a time); any other
// path, rare, takes the segment walk above.
bool IsCleanAbsolutePath(std::string_view path) {
  const char* p = path.data();
  const size_t n = path.size();
  if (n == 0 || p[0] != '/') return false;
  size_t i = 0;
#if defined(__SSE2__)
  const __m128i slash = _mm_set1_epi8('/'), dot = _mm_set1_epi8('.'), zero = _mm_setzero_si128();
  for (; i + 17 <= n; i += 16) {
    const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i + 1));
    const __m128i suspect =
        _mm_or_si128(_mm_and_si128(_mm_cmpeq_epi8(a, slash),
                                   _mm_or_si128(_mm_cmpeq_epi8(b, slash), _mm_cmpeq_epi8(b, dot))),
                     _mm_cmpeq_epi8(a, zero));
    if (_mm_movemask_epi8(suspect) != 0) return IsCleanAbsolutePathSlow(path);
  }
#endif
  for (; i < n; ++i) {
    if (p[i] == '\0' || (p[i] == '/' && (i + 1 == n || p[i + 1] == '/' || p[i + 1] == '.'))) {
      return IsCleanAbsolutePathSlow(path);
    }
  }
  return true;
}

}  // namespace

LocalUrlSigner::LocalUrlSigner(std::string key)
    : mac_key_(HmacSha256(key, "lakeshare-file-url-mac-v2")),
      seal_key_(HmacSha256(key, "lakeshare-file-url-seal")) {}

void LocalUrlSigner::Mac(std::string_view payload, std::string_view expiration,
                         unsigned char out[32]) const {
  mac_key_.Mac({"lakeshare-file-url-v3\n", expiration, "\n", payload}, out);
}

Result<PresignedUrl> LocalUrlSigner::Presign(const std::string& path, int64_t expiration_ms,
                                             const SignContext& context) {
  PresignedUrl out;
  LS_RETURN_IF_ERROR(PresignInto(path, expiration_ms, context, &out));
  return out;
}

Status LocalUrlSigner::PresignInto(const std::string& path, int64_t expiration_ms,
                                   const SignContext& context, PresignedUrl* out) {
  return PresignBeneathInto(path, 0, expiration_ms, context, out);
}

Status LocalUrlSigner::PresignBeneathInto(const std::string& path, size_t root_length,
                                          int64_t expiration_ms, const SignContext& context,
                                          PresignedUrl* out) {
  if (!IsCleanAbsolutePath(path)) {
    return Status::InvalidArgument("refusing to sign a non-normalized local path: " + path);
  }
  if (root_length >= path.size() || (root_length > 0 && path[root_length] != '/')) {
    return Status::InvalidArgument("refusing to sign a local path outside its folder: " + path);
  }
  char exp_buf[24];
  auto [end, ec] = std::to_chars(exp_buf, exp_buf + sizeof(exp_buf), expiration_ms);
  std::string_view exp(exp_buf, static_cast<size_t>(end - exp_buf));
  // The payload: "<root length>:<path>". Small ones stay on the stack; this
  // runs once per file of an answer.
  char stack[512];
  std::string heap;
  char* sealed = stack;
  if (16 + 21 + path.size() > sizeof(stack)) {
    heap.resize(16 + 21 + path.size());
    sealed = heap.data();
  }
  char* payload = sealed + 16;
  auto [len_end, len_ec] = std::to_chars(payload, payload + 20, root_length);
  *len_end = ':';
  std::memcpy(len_end + 1, path.data(), path.size());
  const size_t payload_size = static_cast<size_t>(len_end + 1 - payload) + path.size();
  std::string_view plain(payload, payload_size);
  unsigned char mac[32];
  Mac(plain, exp, mac);
  std::memcpy(sealed, mac, 16);
  // In place: CTR mode reads each byte before it writes it.
  if (!seal_key_.Apply(std::string_view(sealed, 16), plain, payload)) {
    return Status::Internal("cannot seal a file URL");  // OpenSSL failing on a fixed key
  }
  out->expiration_ms = expiration_ms;
  std::string& url = out->url;
  url.clear();
  url.reserve(context.server_base_url.size() + payload_size * 2 + 120);
  url += context.server_base_url;
  url += "/files/";
  AppendBase64Url(&url, std::string_view(sealed, 16 + payload_size));
  url += "?expires=";
  url += exp;
  url += "&signature=";
  AppendBase64Url(&url, std::string_view(reinterpret_cast<char*>(mac) + 16, 16));
  return Status::OK();
}

Result<std::string> LocalUrlSigner::Verify(std::string_view encoded_path, std::string_view expires,
                                           std::string_view signature, int64_t now_ms) const {
  LS_ASSIGN_OR_RETURN(VerifiedFile file, VerifyFile(encoded_path, expires, signature, now_ms));
  return std::move(file.path);
}

Result<LocalUrlSigner::VerifiedFile> LocalUrlSigner::VerifyFile(std::string_view encoded_path,
                                                                std::string_view expires,
                                                                std::string_view signature,
                                                                int64_t now_ms) const {
  auto denied = [] { return Status::PermissionDenied("invalid or expired file URL"); };
  auto raw = Base64UrlDecode(encoded_path);
  auto sig = Base64UrlDecode(signature);
  std::optional<int64_t> parsed_exp = ParseNumber<int64_t>(expires);
  const int64_t exp = parsed_exp.value_or(0);
  if (!raw || raw->size() <= 16 || !sig || sig->size() != 16 || !parsed_exp ||
      expires.size() > 20 || (expires.size() > 1 && expires[0] == '0')) {
    return denied();
  }
  std::string_view iv = std::string_view(*raw).substr(0, 16);
  std::string payload(raw->size() - 16, '\0');
  if (!seal_key_.Apply(iv, std::string_view(*raw).substr(16), payload.data())) return denied();
  unsigned char mac[32];
  Mac(payload, expires, mac);
  // The IV and the signature are the two halves of one MAC over payload and expiry.
  bool ok = ConstantTimeEquals(iv, std::string_view(reinterpret_cast<char*>(mac), 16));
  ok = ConstantTimeEquals(*sig, std::string_view(reinterpret_cast<char*>(mac) + 16, 16)) && ok;
  if (!ok) return denied();
  size_t colon = payload.find(':');
  std::optional<size_t> root_length =
      colon == std::string::npos ? std::nullopt
                                 : ParseNumber<size_t>(std::string_view(payload).substr(0, colon));
  if (!root_length) return denied();
  VerifiedFile file;
  file.path = payload.substr(colon + 1);
  if (!IsCleanAbsolutePath(file.path) || *root_length >= file.path.size() ||
      (*root_length > 0 && file.path[*root_length] != '/')) {
    return denied();
  }
  file.root = *root_length == 0 ? "/" : file.path.substr(0, *root_length);
  if (exp <= now_ms) return Status::PermissionDenied("the file URL has expired");
  return file;
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
