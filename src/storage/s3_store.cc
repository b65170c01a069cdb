#include "storage/s3_store.h"

#include <algorithm>

#include "common/crypto.h"
#include "common/encoding.h"
#include "common/strings.h"
#include "common/time_util.h"
#include "storage/http_date.h"
#include "storage/xml_reader.h"

namespace lakeshare {
namespace {

constexpr int64_t kMaxRead = int64_t{1} << 31;
constexpr int64_t kMaxListingPage = 64 << 20;
constexpr int kMaxListingPages = 1'000'000;
constexpr int64_t kQueryAuthLifetimeS = 900;

const std::string& EmptyHash() {
  static const std::string kEmptyHash = HexEncode(Sha256(""));
  return kEmptyHash;
}

}  // namespace

Status StoreErrorStatus(const std::string& store, const std::string& what, const HttpAnswer& answer,
                        const std::string& code, const std::string& message) {
  std::string detail = "HTTP " + std::to_string(answer.status);
  if (!code.empty()) detail += " " + code;
  if (!message.empty()) detail += ": " + message;
  std::string tries =
      answer.attempts > 1 ? " after " + std::to_string(answer.attempts) + " attempts" : "";
  if (answer.status == 404) return Status::NotFound(what + ": not found (" + detail + ")");
  if (HttpClient::IsRetryableStatus(answer.status)) {
    return Status::Unavailable(what + ": " + store + " is unavailable or throttling (" + detail +
                               ")" + tries);
  }
  if (answer.status == 401 || answer.status == 403) {
    return Status::IOError(what + ": " + store + " refused access (" + detail +
                           "); check the credentials configured for this location");
  }
  if (answer.status == 301 || answer.status == 307 || code == "PermanentRedirect" ||
      code == "AuthorizationHeaderMalformed") {
    return Status::IOError(what + ": " + store + " redirected the request (" + detail +
                           "); the bucket may be in another region: set 'region' or 'endpoint'");
  }
  return Status::IOError(what + ": " + store + " answered " + detail);
}

S3Store::S3Store(S3StoreSettings settings, std::shared_ptr<HttpClient> http)
    : settings_(std::move(settings)), http_(std::move(http)) {
  std::string ep = settings_.endpoint;
  if (ep.empty()) {
    endpoint_.scheme = "https";
    endpoint_.host = "s3." + settings_.region + ".amazonaws.com";
  } else {
    size_t sep = ep.find("://");
    endpoint_.scheme = sep == std::string::npos ? "https" : ep.substr(0, sep);
    std::string rest = sep == std::string::npos ? ep : ep.substr(sep + 3);
    size_t slash = rest.find('/');
    endpoint_.host = rest.substr(0, slash);
    if (slash != std::string::npos) endpoint_.base_path = rest.substr(slash);
    while (!endpoint_.base_path.empty() && endpoint_.base_path.back() == '/') {
      endpoint_.base_path.pop_back();
    }
  }
}

Result<ObjectLocation> S3Store::Locate(const std::string& path) const {
  LS_ASSIGN_OR_RETURN(ObjectLocation where, ParseObjectLocation(path));
  if (where.type != CloudType::kS3 && where.type != CloudType::kGcs) {
    return Status::InvalidArgument("'" + path + "' is not an " + settings_.name + " location");
  }
  return where;
}

V4Request S3Store::RequestFor(const std::string& method, const ObjectLocation& where) const {
  V4Request r;
  r.method = method;
  r.scheme = endpoint_.scheme;
  // Bucket names with dots do not fit a TLS wildcard certificate.
  bool path_style = settings_.path_style ||
                    (endpoint_.scheme == "https" && where.bucket.find('.') != std::string::npos);
  if (path_style) {
    r.host = endpoint_.host;
    r.path = endpoint_.base_path + "/" + where.bucket + (where.key.empty() ? "" : "/" + where.key);
  } else {
    r.host = where.bucket + "." + endpoint_.host;
    r.path = endpoint_.base_path + "/" + where.key;
  }
  return r;
}

Result<HttpCall> S3Store::BuildCall(const std::string& method, const ObjectLocation& where,
                                    const NameValues& query, NameValues headers, int64_t now_s,
                                    const std::string& payload_sha256) const {
  V4Request r = RequestFor(method, where);
  r.query = query;
  r.headers = std::move(headers);
  HttpCall call;
  call.method = method;
  call.what = where.Full();
  call.metrics = settings_.metrics;
  V4Options o;
  o.flavor = settings_.flavor;
  o.region = settings_.region;
  o.service = settings_.service;
  o.timestamp_s = now_s;
  switch (settings_.auth) {
    case S3StoreSettings::Auth::kAnonymous: {
      call.url = r.scheme + "://" + r.host + V4CanonicalUri(r.path, false);
      std::string q = V4CanonicalQuery(r.query);
      if (!q.empty()) call.url += "?" + q;
      call.headers = r.headers;
      break;
    }
    case S3StoreSettings::Auth::kAwsV4Header: {
      o.payload_hash = payload_sha256.empty() ? EmptyHash() : payload_sha256;
      o.add_content_sha256_header = true;
      LS_ASSIGN_OR_RETURN(V4Signed s, V4SignHeaders(r, settings_.credentials, o));
      call.url = s.Url(r);
      call.headers = std::move(s.headers);
      break;
    }
    case S3StoreSettings::Auth::kGoogV4Query: {
      LS_ASSIGN_OR_RETURN(V4Signed s, V4Presign(r, settings_.credentials, o, kQueryAuthLifetimeS));
      call.url = s.Url(r);
      call.headers = std::move(s.headers);
      break;
    }
  }
  return call;
}

Result<HttpAnswer> S3Store::Call(const std::string& method, const ObjectLocation& where,
                                 const NameValues& query, const NameValues& headers,
                                 int64_t max_bytes, const std::string& what) {
  return http_->Send([&]() -> Result<HttpCall> {
    LS_ASSIGN_OR_RETURN(HttpCall call,
                        BuildCall(method, where, query, headers, NowMillis() / 1000));
    call.max_response_bytes = max_bytes;
    if (!what.empty()) call.what = what;
    return call;
  });
}

Result<HttpAnswer> S3Store::CallWithBody(const std::string& method, const ObjectLocation& where,
                                         const NameValues& headers, std::string_view body) {
  const std::string hash = HexEncode(Sha256(body));
  return http_->Send([&]() -> Result<HttpCall> {
    LS_ASSIGN_OR_RETURN(HttpCall call,
                        BuildCall(method, where, {}, headers, NowMillis() / 1000, hash));
    call.body.assign(body.data(), body.size());
    call.max_response_bytes = 1 << 20;
    return call;
  });
}

Status S3Store::ErrorFor(const std::string& what, const HttpAnswer& answer) const {
  std::string code, message;
  if (!answer.body.empty() && answer.body.size() < (1 << 20)) {
    auto x = ParseXml(answer.body, what);
    if (x.ok() && x->name == "Error") {
      code = x->ChildText("Code");
      message = x->ChildText("Message");
      if (message.size() > 200) message.resize(200);
    }
  }
  return StoreErrorStatus(settings_.name, what, answer, code, message);
}

Result<std::string> S3Store::Read(const std::string& path) {
  LS_ASSIGN_OR_RETURN(ObjectLocation where, Locate(path));
  LS_ASSIGN_OR_RETURN(HttpAnswer a, Call("GET", where, {}, {}, kMaxRead));
  if (a.status != 200) return ErrorFor(path, a);
  return std::move(a.body);
}

Result<std::string> S3Store::ReadRange(const std::string& path, int64_t offset, int64_t length) {
  if (offset < 0 || length < 0) return Status::InvalidArgument("negative range");
  LS_ASSIGN_OR_RETURN(ObjectLocation where, Locate(path));
  if (length == 0) return std::string();
  NameValues headers{
      {"Range", "bytes=" + std::to_string(offset) + "-" + std::to_string(offset + length - 1)}};
  LS_ASSIGN_OR_RETURN(HttpAnswer a, Call("GET", where, {}, headers, kMaxRead));
  if (a.status == 206) {
    if (static_cast<int64_t>(a.body.size()) > length) a.body.resize(static_cast<size_t>(length));
    return std::move(a.body);
  }
  if (a.status == 200) {  // the store ignored the range
    if (offset >= static_cast<int64_t>(a.body.size())) return std::string();
    return a.body.substr(static_cast<size_t>(offset), static_cast<size_t>(length));
  }
  if (a.status == 416) return std::string();  // offset at or past the end
  return ErrorFor(path, a);
}

Result<FileInfo> S3Store::Head(const std::string& path) {
  LS_ASSIGN_OR_RETURN(ObjectLocation where, Locate(path));
  if (where.key.empty() || where.key.back() == '/') {
    return Status::NotFound(path + ": not an object");
  }
  LS_ASSIGN_OR_RETURN(HttpAnswer a, Call("HEAD", where, {}, {}));
  if (a.status != 200) return ErrorFor(path, a);
  return FileInfoFromHead(path, a);
}

Result<std::vector<FileInfo>> S3Store::ListDirectory(const std::string& dir) {
  return List(dir, "");
}

Result<std::vector<FileInfo>> S3Store::ListDirectoryAfter(const std::string& dir,
                                                          const std::string& start_after) {
  return List(dir, start_after);
}

Result<std::vector<std::string>> S3Store::ListSubfolders(const std::string& dir) {
  std::vector<std::string> folders;
  LS_RETURN_IF_ERROR(List(dir, "", &folders).status());
  std::sort(folders.begin(), folders.end());
  return folders;
}

Result<std::vector<FileInfo>> S3Store::List(const std::string& dir, const std::string& start_after,
                                            std::vector<std::string>* folders) {
  LS_ASSIGN_OR_RETURN(ObjectLocation where, Locate(dir));
  std::string prefix = where.key;
  if (!prefix.empty() && prefix.back() != '/') prefix += '/';
  ObjectLocation bucket = where;
  bucket.key.clear();
  std::vector<FileInfo> out;
  bool any_prefix = false;
  std::string token;
  for (int page = 0;; ++page) {
    if (page >= kMaxListingPages) return Status::Corruption(dir + ": listing never ends");
    NameValues q{{"list-type", "2"}, {"delimiter", "/"}, {"prefix", prefix}};
    if (!token.empty()) {
      q.emplace_back("continuation-token", token);
    } else if (!start_after.empty()) {
      q.emplace_back("start-after", prefix + start_after);
    }
    LS_ASSIGN_OR_RETURN(HttpAnswer a, Call("GET", bucket, q, {}, kMaxListingPage, dir));
    if (a.status != 200) return ErrorFor(dir, a);
    LS_ASSIGN_OR_RETURN(XmlElement x, ParseXml(a.body, dir));
    if (x.name != "ListBucketResult") {
      return Status::Corruption(dir + ": unexpected listing answer <" + x.name + ">");
    }
    for (const XmlElement* c : x.Children("Contents")) {
      std::string key = c->ChildText("Key");
      if (key.size() <= prefix.size() || key.compare(0, prefix.size(), prefix) != 0) continue;
      if (key.find('/', prefix.size()) != std::string::npos) continue;
      FileInfo info;
      info.path = where.root + key;
      std::optional<int64_t> size = ParseNumber<int64_t>(TrimWhitespace(c->ChildText("Size")));
      if (!size) return Status::Corruption(dir + ": listing has an invalid size for '" + key + "'");
      info.size = *size;
      auto ms = ParseTimestampMillis(c->ChildText("LastModified"));
      info.modification_time_ms = ms.ok() ? *ms : 0;
      out.push_back(std::move(info));
    }
    any_prefix = any_prefix || x.Child("CommonPrefixes") != nullptr;
    if (folders != nullptr) {
      for (const XmlElement* c : x.Children("CommonPrefixes")) {
        std::string p = c->ChildText("Prefix");
        if (p.size() <= prefix.size() + 1 || p.compare(0, prefix.size(), prefix) != 0) continue;
        if (p.back() == '/') p.pop_back();
        folders->push_back(where.root + p);
      }
    }
    if (x.ChildText("IsTruncated") != "true") break;
    token = x.ChildText("NextContinuationToken");
    if (token.empty()) return Status::Corruption(dir + ": truncated listing without a token");
  }
  if (out.empty() && !any_prefix && start_after.empty()) {
    return Status::NotFound(dir + ": no such folder");
  }
  std::sort(out.begin(), out.end(),
            [](const FileInfo& a, const FileInfo& b) { return a.path < b.path; });
  return out;
}

Status S3Store::Write(const std::string& path, std::string_view bytes) {
  LS_ASSIGN_OR_RETURN(ObjectLocation where, Locate(path));
  if (where.key.empty() || where.key.back() == '/') {
    return Status::InvalidArgument(path + ": not an object name");
  }
  LS_ASSIGN_OR_RETURN(
      HttpAnswer a,
      CallWithBody("PUT", where, {{"Content-Type", "application/octet-stream"}}, bytes));
  if (a.status != 200) return ErrorFor(path, a);
  return Status::OK();
}

Status S3Store::Delete(const std::string& path) {
  LS_ASSIGN_OR_RETURN(ObjectLocation where, Locate(path));
  if (where.key.empty() || where.key.back() == '/') {
    return Status::InvalidArgument(path + ": not an object name");
  }
  LS_ASSIGN_OR_RETURN(HttpAnswer a, Call("DELETE", where, {}, {}, 1 << 20));
  if (a.status == 204 || a.status == 200 || a.status == 404) return Status::OK();
  return ErrorFor(path, a);
}

Status S3Store::Touch(const std::string& path) {
  LS_ASSIGN_OR_RETURN(ObjectLocation where, Locate(path));
  if (where.key.empty() || where.key.back() == '/') {
    return Status::InvalidArgument(path + ": not an object name");
  }
  // GCS's XML API names these headers x-goog-; S3 and its look-alikes x-amz-.
  const std::string prefix = settings_.service == "storage" ? "x-goog-" : "x-amz-";
  NameValues headers{
      {prefix + "copy-source", "/" + where.bucket + "/" + PercentEncode(where.key, true)},
      {prefix + "metadata-directive", "REPLACE"},
      {"Content-Type", "application/octet-stream"}};
  LS_ASSIGN_OR_RETURN(HttpAnswer a, CallWithBody("PUT", where, headers, ""));
  if (a.status != 200) return ErrorFor(path, a);
  // A copy can fail after its 200 (the error is in the body).
  if (a.body.find("<Error>") != std::string::npos) {
    return Status::IOError(path + ": the store failed to refresh the object (CopyObject)");
  }
  return Status::OK();
}

int64_t S3Store::ClampExpiration(int64_t now_ms, int64_t wanted_ms) const {
  int64_t now_s = now_ms / 1000;
  int64_t cap_ms = (now_s + settings_.max_url_lifetime_s) * 1000;
  int64_t ms = std::min(wanted_ms, cap_ms);
  ms -= ms % 1000;
  return std::max(ms, (now_s + 1) * 1000);
}

Result<PresignedUrl> S3Store::Presign(const std::string& path, int64_t expiration_ms,
                                      const SignContext&) {
  if (settings_.auth == S3StoreSettings::Auth::kAnonymous) {
    // The provider's configuration, not the store, is at fault.
    return Status::PermissionDenied(path + ": no " + settings_.name +
                                    " credentials are configured for this location, so its "
                                    "files cannot be pre-signed");
  }
  LS_ASSIGN_OR_RETURN(ObjectLocation where, Locate(path));
  int64_t now_s = NowMillis() / 1000;
  int64_t expires = expiration_ms / 1000 - now_s;
  expires = std::clamp<int64_t>(expires, 1, settings_.max_url_lifetime_s);
  V4Request r = RequestFor("GET", where);
  V4Options o;
  o.flavor = settings_.flavor;
  o.region = settings_.region;
  o.service = settings_.service;
  o.timestamp_s = now_s;
  o.payload_hash = "UNSIGNED-PAYLOAD";
  LS_ASSIGN_OR_RETURN(V4Signed s, V4Presign(r, settings_.credentials, o, expires));
  PresignedUrl url;
  url.url = s.Url(r);
  url.expiration_ms = (now_s + expires) * 1000;
  return url;
}

}  // namespace lakeshare
