#include "storage/azure_store.h"

#include <algorithm>
#include <map>

#include "common/crypto.h"
#include "common/encoding.h"
#include "common/strings.h"
#include "common/time_util.h"
#include "storage/http_date.h"
#include "storage/s3_store.h"
#include "storage/xml_reader.h"

namespace lakeshare {
namespace {

constexpr int64_t kMaxRead = int64_t{1} << 31;
constexpr int64_t kMaxListingPage = 64 << 20;
constexpr int kMaxListingPages = 1'000'000;
constexpr int64_t kMaxSasLifetimeS = 7 * 24 * 3600;  // user delegation keys live at most 7 days

std::optional<std::string> Base64Decode(std::string s) {
  for (char& c : s) {
    if (c == '+')
      c = '-';
    else if (c == '/')
      c = '_';
  }
  return Base64UrlDecode(s);
}

std::string HeaderValue(const NameValues& headers, const std::string& lower_name) {
  for (const auto& [k, v] : headers) {
    if (AsciiLower(k) == lower_name) return v;
  }
  return "";
}

std::string EncodeQuery(const NameValues& q) {
  std::string out;
  for (const auto& [k, v] : q) {
    if (!out.empty()) out += '&';
    out += PercentEncode(k) + "=" + PercentEncode(v);
  }
  return out;
}

}  // namespace

std::string AzureSharedKeyStringToSign(const std::string& method, const std::string& account,
                                       const std::string& encoded_path, const NameValues& query,
                                       const NameValues& headers) {
  std::string length = HeaderValue(headers, "content-length");
  if (length == "0") length.clear();
  std::string s = method + "\n";
  s += HeaderValue(headers, "content-encoding") + "\n";
  s += HeaderValue(headers, "content-language") + "\n";
  s += length + "\n";
  s += HeaderValue(headers, "content-md5") + "\n";
  s += HeaderValue(headers, "content-type") + "\n";
  s += HeaderValue(headers, "date") + "\n";
  s += HeaderValue(headers, "if-modified-since") + "\n";
  s += HeaderValue(headers, "if-match") + "\n";
  s += HeaderValue(headers, "if-none-match") + "\n";
  s += HeaderValue(headers, "if-unmodified-since") + "\n";
  s += HeaderValue(headers, "range") + "\n";
  std::map<std::string, std::string> ms;
  for (const auto& [k, v] : headers) {
    std::string name = AsciiLower(k);
    if (name.rfind("x-ms-", 0) == 0) ms[name] = std::string(TrimWhitespace(v));
  }
  for (const auto& [k, v] : ms) s += k + ":" + v + "\n";
  s += "/" + account + encoded_path;
  std::map<std::string, std::vector<std::string>> params;
  for (const auto& [k, v] : query) params[AsciiLower(k)].push_back(v);
  for (auto& [k, vs] : params) {
    std::sort(vs.begin(), vs.end());
    s += "\n" + k + ":";
    for (size_t i = 0; i < vs.size(); ++i) s += (i ? "," : "") + vs[i];
  }
  return s;
}

std::string AzureServiceSasStringToSign(const std::string& permissions, const std::string& start,
                                        const std::string& expiry,
                                        const std::string& canonical_resource,
                                        const std::string& protocol, const std::string& version) {
  // sp, st, se, canonicalizedResource, si, sip, spr, sv, sr, snapshot time,
  // encryption scope, rscc, rscd, rsce, rscl, rsct.
  return permissions + "\n" + start + "\n" + expiry + "\n" + canonical_resource + "\n" + "\n" +
         "\n" + protocol + "\n" + version + "\n" + "b" + "\n" + "\n" + "\n" + "\n" + "\n" + "\n" +
         "\n";
}

std::string AzureUserDelegationSasStringToSign(const std::string& permissions,
                                               const std::string& start, const std::string& expiry,
                                               const std::string& canonical_resource,
                                               const AzureUserDelegationKey& key,
                                               const std::string& protocol,
                                               const std::string& version) {
  // sp, st, se, canonicalizedResource, skoid, sktid, skt, ske, sks, skv,
  // saoid, suoid, scid, sip, spr, sv, sr, snapshot time, encryption scope,
  // rscc, rscd, rsce, rscl, rsct.
  return permissions + "\n" + start + "\n" + expiry + "\n" + canonical_resource + "\n" +
         key.signed_oid + "\n" + key.signed_tid + "\n" + key.signed_start + "\n" +
         key.signed_expiry + "\n" + key.signed_service + "\n" + key.signed_version + "\n" + "\n" +
         "\n" + "\n" + "\n" + protocol + "\n" + version + "\n" + "b" + "\n" + "\n" + "\n" + "\n" +
         "\n" + "\n" + "\n";
}

Status ApplyAzureConnectionString(const std::string& text, AzureStoreSettings* s) {
  std::map<std::string, std::string> kv;
  size_t start = 0;
  while (start < text.size()) {
    size_t semi = text.find(';', start);
    if (semi == std::string::npos) semi = text.size();
    std::string part = text.substr(start, semi - start);
    size_t eq = part.find('=');
    if (eq != std::string::npos) {
      kv[AsciiLower(TrimWhitespace(part.substr(0, eq)))] =
          std::string(TrimWhitespace(part.substr(eq + 1)));
    }
    start = semi + 1;
  }
  if (kv["usedevelopmentstorage"] == "true") {
    s->account = "devstoreaccount1";
    // The emulator's published, well-known key.
    kv["accountkey"] =
        "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/"
        "K1SZFPTOtr/KBHBeksoGMGw==";
    if (kv["blobendpoint"].empty()) kv["blobendpoint"] = "http://127.0.0.1:10000/devstoreaccount1";
  }
  if (!kv["accountname"].empty()) s->account = kv["accountname"];
  if (!kv["blobendpoint"].empty()) s->endpoint = kv["blobendpoint"];
  while (!s->endpoint.empty() && s->endpoint.back() == '/') s->endpoint.pop_back();
  if (!kv["endpointsuffix"].empty()) s->endpoint_suffix = kv["endpointsuffix"];
  if (s->endpoint.empty() && kv["defaultendpointsprotocol"] == "http" && !s->account.empty()) {
    s->endpoint = "http://" + s->account + ".blob." + s->endpoint_suffix;
  }
  if (!kv["accountkey"].empty()) {
    auto key = Base64Decode(kv["accountkey"]);
    if (!key || key->empty()) {
      return Status::InvalidArgument("the connection string's AccountKey is not base64");
    }
    s->account_key = *key;
    s->auth = AzureStoreSettings::Auth::kSharedKey;
  } else if (!kv["sharedaccesssignature"].empty()) {
    s->sas_token = kv["sharedaccesssignature"];
    if (!s->sas_token.empty() && s->sas_token[0] == '?') s->sas_token.erase(0, 1);
    s->auth = AzureStoreSettings::Auth::kSasToken;
  }
  if (s->account.empty())
    return Status::InvalidArgument("the connection string names no AccountName");
  return Status::OK();
}

AzureStore::AzureStore(AzureStoreSettings settings, std::shared_ptr<HttpClient> http)
    : settings_(std::move(settings)), account_mac_(settings_.account_key), http_(std::move(http)) {}

Result<AzureStore::Target> AzureStore::Locate(const std::string& path) const {
  Target t;
  LS_ASSIGN_OR_RETURN(t.where, ParseObjectLocation(path));
  if (t.where.type != CloudType::kAzure) {
    return Status::InvalidArgument("'" + path + "' is not an Azure location");
  }
  std::string account = t.where.account.empty() ? settings_.account : t.where.account;
  if (account.empty()) {
    // The provider's configuration, not the store, is at fault: no retry helps.
    return Status::PermissionDenied(path +
                                    ": no Azure storage account is configured for this location");
  }
  std::string endpoint = settings_.endpoint;
  if (endpoint.empty()) {
    std::string suffix = settings_.endpoint_suffix;
    // abfss://c@acct.dfs.<suffix>: the same cloud's blob endpoint.
    size_t dfs = t.where.host.find(".dfs.");
    size_t blob = t.where.host.find(".blob.");
    if (dfs != std::string::npos) suffix = t.where.host.substr(dfs + 5);
    if (blob != std::string::npos) suffix = t.where.host.substr(blob + 6);
    endpoint = "https://" + account + ".blob." + suffix;
  }
  size_t sep = endpoint.find("://");
  t.scheme = endpoint.substr(0, sep);
  std::string rest = endpoint.substr(sep + 3);
  size_t slash = rest.find('/');
  t.host = rest.substr(0, slash);
  std::string base = slash == std::string::npos ? "" : rest.substr(slash);
  t.path = base + "/" + t.where.bucket + (t.where.key.empty() ? "" : "/" + t.where.key);
  return t;
}

Result<HttpCall> AzureStore::BuildCall(const std::string& method, const Target& t,
                                       const NameValues& query, NameValues headers, int64_t now_s) {
  HttpCall call;
  call.metrics = settings_.metrics;
  call.method = method;
  call.what = t.where.Full();
  std::string encoded_path = PercentEncode(t.path, /*keep_slash=*/true);
  headers.emplace_back("x-ms-version", settings_.api_version);
  headers.emplace_back("x-ms-date", FormatHttpDate(now_s));
  std::string q = EncodeQuery(query);
  switch (settings_.auth) {
    case AzureStoreSettings::Auth::kSharedKey: {
      std::string account = t.where.account.empty() ? settings_.account : t.where.account;
      std::string sts = AzureSharedKeyStringToSign(method, account, encoded_path, query, headers);
      headers.emplace_back("Authorization",
                           "SharedKey " + account + ":" + Base64Encode(account_mac_.Mac({sts})));
      break;
    }
    case AzureStoreSettings::Auth::kSasToken:
      q += (q.empty() ? "" : "&") + settings_.sas_token;
      break;
    case AzureStoreSettings::Auth::kEntraApplication: {
      LS_ASSIGN_OR_RETURN(std::string token, BearerToken());
      headers.emplace_back("Authorization", "Bearer " + token);
      break;
    }
    case AzureStoreSettings::Auth::kAnonymous:
      break;
  }
  call.url = t.scheme + "://" + t.host + encoded_path + (q.empty() ? "" : "?" + q);
  call.headers = std::move(headers);
  return call;
}

Result<HttpAnswer> AzureStore::Call(const std::string& method, const Target& t,
                                    const NameValues& query, const NameValues& headers,
                                    int64_t max_bytes, const std::string& what,
                                    std::string_view body) {
  return http_->Send([&]() -> Result<HttpCall> {
    LS_ASSIGN_OR_RETURN(HttpCall call, BuildCall(method, t, query, headers, NowMillis() / 1000));
    call.max_response_bytes = max_bytes;
    if (!what.empty()) call.what = what;
    call.body.assign(body.data(), body.size());
    return call;
  });
}

Status AzureStore::ErrorFor(const std::string& what, const HttpAnswer& answer) const {
  std::string code, message;
  if (const std::string* c = answer.Header("x-ms-error-code")) code = *c;
  if (!answer.body.empty() && answer.body.size() < (1 << 20)) {
    auto x = ParseXml(answer.body, what);
    if (x.ok() && x->name == "Error") {
      if (code.empty()) code = x->ChildText("Code");
      message = x->ChildText("Message");
      message = message.substr(0, message.find('\n'));  // drop RequestId/Time lines
      if (message.size() > 200) message.resize(200);
    }
  }
  return StoreErrorStatus("Azure Blob Storage", what, answer, code, message);
}

Result<std::string> AzureStore::Read(const std::string& path) {
  LS_ASSIGN_OR_RETURN(Target t, Locate(path));
  LS_ASSIGN_OR_RETURN(HttpAnswer a, Call("GET", t, {}, {}, kMaxRead));
  if (a.status != 200) return ErrorFor(path, a);
  return std::move(a.body);
}

Result<std::string> AzureStore::ReadRange(const std::string& path, int64_t offset, int64_t length) {
  if (offset < 0 || length < 0) return Status::InvalidArgument("negative range");
  LS_ASSIGN_OR_RETURN(Target t, Locate(path));
  if (length == 0) return std::string();
  NameValues headers{{"x-ms-range", "bytes=" + std::to_string(offset) + "-" +
                                        std::to_string(offset + length - 1)}};
  LS_ASSIGN_OR_RETURN(HttpAnswer a, Call("GET", t, {}, headers, kMaxRead));
  if (a.status == 206) {
    if (static_cast<int64_t>(a.body.size()) > length) a.body.resize(static_cast<size_t>(length));
    return std::move(a.body);
  }
  if (a.status == 200) {
    if (offset >= static_cast<int64_t>(a.body.size())) return std::string();
    return a.body.substr(static_cast<size_t>(offset), static_cast<size_t>(length));
  }
  if (a.status == 416) return std::string();
  return ErrorFor(path, a);
}

Result<FileInfo> AzureStore::Head(const std::string& path) {
  LS_ASSIGN_OR_RETURN(Target t, Locate(path));
  if (t.where.key.empty() || t.where.key.back() == '/') {
    return Status::NotFound(path + ": not a blob");
  }
  LS_ASSIGN_OR_RETURN(HttpAnswer a, Call("HEAD", t, {}, {}));
  if (a.status != 200) return ErrorFor(path, a);
  return FileInfoFromHead(path, a);
}

Status AzureStore::Write(const std::string& path, std::string_view bytes) {
  LS_ASSIGN_OR_RETURN(Target t, Locate(path));
  if (t.where.key.empty() || t.where.key.back() == '/') {
    return Status::InvalidArgument(path + ": not a blob name");
  }
  NameValues headers{{"x-ms-blob-type", "BlockBlob"},
                     {"Content-Type", "application/octet-stream"},
                     {"Content-Length", std::to_string(bytes.size())}};
  LS_ASSIGN_OR_RETURN(HttpAnswer a, Call("PUT", t, {}, headers, 1 << 20, "", bytes));
  if (a.status != 201) return ErrorFor(path, a);
  return Status::OK();
}

Status AzureStore::Delete(const std::string& path) {
  LS_ASSIGN_OR_RETURN(Target t, Locate(path));
  if (t.where.key.empty() || t.where.key.back() == '/') {
    return Status::InvalidArgument(path + ": not a blob name");
  }
  LS_ASSIGN_OR_RETURN(HttpAnswer a, Call("DELETE", t, {}, {}, 1 << 20));
  if (a.status == 202 || a.status == 200 || a.status == 404) return Status::OK();
  return ErrorFor(path, a);
}

Status AzureStore::Touch(const std::string& path) {
  LS_ASSIGN_OR_RETURN(Target t, Locate(path));
  if (t.where.key.empty() || t.where.key.back() == '/') {
    return Status::InvalidArgument(path + ": not a blob name");
  }
  NameValues headers{{"x-ms-meta-lakeshareused", std::to_string(NowMillis())},
                     {"Content-Type", "application/octet-stream"},
                     {"Content-Length", "0"}};
  LS_ASSIGN_OR_RETURN(HttpAnswer a, Call("PUT", t, {{"comp", "metadata"}}, headers, 1 << 20));
  if (a.status != 200) return ErrorFor(path, a);
  return Status::OK();
}

Result<std::vector<FileInfo>> AzureStore::ListDirectory(const std::string& dir) {
  return List(dir, nullptr);
}

Result<std::vector<std::string>> AzureStore::ListSubfolders(const std::string& dir) {
  std::vector<std::string> folders;
  LS_RETURN_IF_ERROR(List(dir, &folders).status());
  std::sort(folders.begin(), folders.end());
  folders.erase(std::unique(folders.begin(), folders.end()), folders.end());
  return folders;
}

Result<std::vector<FileInfo>> AzureStore::List(const std::string& dir,
                                               std::vector<std::string>* folders) {
  LS_ASSIGN_OR_RETURN(Target t, Locate(dir));
  std::string prefix = t.where.key;
  if (!prefix.empty() && prefix.back() != '/') prefix += '/';
  Target container = t;
  container.where.key.clear();
  container.path = t.path.substr(0, t.path.size() - t.where.key.size());
  while (container.path.size() > 1 && container.path.back() == '/') container.path.pop_back();
  std::vector<FileInfo> out;
  bool any_prefix = false;
  std::string marker;
  for (int page = 0;; ++page) {
    if (page >= kMaxListingPages) return Status::Corruption(dir + ": listing never ends");
    NameValues q{{"restype", "container"},
                 {"comp", "list"},
                 {"delimiter", "/"},
                 {"prefix", prefix},
                 {"maxresults", "5000"}};
    if (!marker.empty()) q.emplace_back("marker", marker);
    LS_ASSIGN_OR_RETURN(HttpAnswer a, Call("GET", container, q, {}, kMaxListingPage, dir));
    if (a.status != 200) return ErrorFor(dir, a);
    LS_ASSIGN_OR_RETURN(XmlElement x, ParseXml(a.body, dir));
    if (x.name != "EnumerationResults") {
      return Status::Corruption(dir + ": unexpected listing answer <" + x.name + ">");
    }
    if (const XmlElement* blobs = x.Child("Blobs")) {
      for (const XmlElement* b : blobs->Children("Blob")) {
        std::string name = b->ChildText("Name");
        if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) continue;
        if (name.find('/', prefix.size()) != std::string::npos) continue;
        const XmlElement* props = b->Child("Properties");
        if (props == nullptr) return Status::Corruption(dir + ": a listed blob has no properties");
        // ADLS Gen2 lists its directories as blobs marked hdi_isfolder.
        if (props->ChildText("ResourceType") == "directory") {
          any_prefix = true;
          if (folders != nullptr) folders->push_back(t.where.root + name);
          continue;
        }
        FileInfo info;
        info.path = t.where.root + name;
        std::optional<int64_t> size =
            ParseNumber<int64_t>(TrimWhitespace(props->ChildText("Content-Length")));
        if (!size) {
          return Status::Corruption(dir + ": listing has an invalid size for '" + name + "'");
        }
        info.size = *size;
        info.modification_time_ms =
            ParseHttpDateMillis(props->ChildText("Last-Modified")).value_or(0);
        out.push_back(std::move(info));
      }
      any_prefix = any_prefix || blobs->Child("BlobPrefix") != nullptr;
      if (folders != nullptr) {
        for (const XmlElement* p : blobs->Children("BlobPrefix")) {
          std::string name = p->ChildText("Name");
          if (name.size() <= prefix.size() + 1 || name.compare(0, prefix.size(), prefix) != 0) {
            continue;
          }
          if (name.back() == '/') name.pop_back();
          folders->push_back(t.where.root + name);
        }
      }
    }
    marker = x.ChildText("NextMarker");
    if (marker.empty()) break;
  }
  if (out.empty() && !any_prefix) return Status::NotFound(dir + ": no such folder");
  std::sort(out.begin(), out.end(),
            [](const FileInfo& a, const FileInfo& b) { return a.path < b.path; });
  return out;
}

Result<std::string> AzureStore::BearerToken() {
  int64_t now = NowMillis();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!token_.empty() && token_expiry_ms_ - 300000 > now) return token_;
  }
  std::string authority = settings_.authority_url;
  while (!authority.empty() && authority.back() == '/') authority.pop_back();
  HttpCall call;
  call.metrics = settings_.metrics;
  call.method = "POST";
  call.url = authority + "/" + PercentEncode(settings_.tenant_id) + "/oauth2/v2.0/token";
  call.what = "the Entra ID token endpoint of tenant " + settings_.tenant_id;
  call.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  call.body = "grant_type=client_credentials&client_id=" + PercentEncode(settings_.client_id) +
              "&client_secret=" + PercentEncode(settings_.client_secret) +
              "&scope=" + PercentEncode("https://storage.azure.com/.default");
  call.max_response_bytes = 1 << 20;
  LS_ASSIGN_OR_RETURN(HttpAnswer a, http_->Send(call));
  if (a.status != 200) {
    return Status::IOError(call.what + " refused the application's credentials (HTTP " +
                           std::to_string(a.status) + ")");
  }
  // {"token_type":"Bearer","expires_in":3599,"access_token":"..."}: a
  // minimal scan, the answer is a flat JSON object.
  auto field = [&](const std::string& name) -> std::string {
    size_t k = a.body.find("\"" + name + "\"");
    if (k == std::string::npos) return "";
    size_t colon = a.body.find(':', k);
    if (colon == std::string::npos) return "";
    size_t v = a.body.find_first_not_of(" \t\r\n", colon + 1);
    if (v == std::string::npos) return "";
    if (a.body[v] == '"') {
      size_t end = a.body.find('"', v + 1);
      return end == std::string::npos ? "" : a.body.substr(v + 1, end - v - 1);
    }
    size_t end = a.body.find_first_of(",} \t\r\n", v);
    return a.body.substr(v, end == std::string::npos ? std::string::npos : end - v);
  };
  std::string token = field("access_token");
  int64_t expires_in = ParseNumber<int64_t>(TrimWhitespace(field("expires_in"))).value_or(0);
  if (token.empty() || expires_in <= 0) {
    return Status::IOError(call.what + " sent an answer without a usable access token");
  }
  std::lock_guard<std::mutex> lock(mu_);
  token_ = token;
  token_expiry_ms_ = now + expires_in * 1000;
  return token_;
}

Result<AzureUserDelegationKey> AzureStore::DelegationKey(int64_t needed_until_ms) {
  int64_t now = NowMillis();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!key_.value.empty() && key_.expiry_ms >= needed_until_ms) return key_;
  }
  // A fresh key valid for the longest SAS we may sign.
  int64_t start_s = now / 1000 - 300;
  int64_t expiry_s = now / 1000 + kMaxSasLifetimeS;
  Target t;
  LS_ASSIGN_OR_RETURN(t, Locate(std::string("az://x/")));
  t.path = t.path.substr(0, t.path.size() - 2);  // the service root: drop "/x"
  if (t.path.empty()) t.path = "/";
  NameValues q{{"restype", "service"}, {"comp", "userdelegationkey"}};
  std::string body = "<?xml version=\"1.0\" encoding=\"utf-8\"?><KeyInfo><Start>" +
                     FormatIsoSeconds(start_s) + "</Start><Expiry>" + FormatIsoSeconds(expiry_s) +
                     "</Expiry></KeyInfo>";
  LS_ASSIGN_OR_RETURN(HttpAnswer a, http_->Send([&]() -> Result<HttpCall> {
    LS_ASSIGN_OR_RETURN(
        HttpCall call,
        BuildCall("POST", t, q, {{"Content-Type", "application/xml"}}, NowMillis() / 1000));
    call.body = body;
    call.what = "the user delegation key of account " + settings_.account;
    call.max_response_bytes = 1 << 20;
    return call;
  }));
  std::string what = "the user delegation key of account " + settings_.account;
  if (a.status != 200) return ErrorFor(what, a);
  LS_ASSIGN_OR_RETURN(XmlElement x, ParseXml(a.body, what));
  AzureUserDelegationKey k;
  k.signed_oid = x.ChildText("SignedOid");
  k.signed_tid = x.ChildText("SignedTid");
  k.signed_start = x.ChildText("SignedStart");
  k.signed_expiry = x.ChildText("SignedExpiry");
  k.signed_service = x.ChildText("SignedService");
  k.signed_version = x.ChildText("SignedVersion");
  auto value = Base64Decode(x.ChildText("Value"));
  auto expiry = ParseTimestampMillis(k.signed_expiry);
  if (!value || value->empty() || k.signed_oid.empty() || !expiry.ok()) {
    return Status::IOError(what + ": the answer is incomplete");
  }
  k.value = *value;
  k.expiry_ms = *expiry;
  std::lock_guard<std::mutex> lock(mu_);
  key_ = k;
  return k;
}

int64_t AzureStore::ClampExpiration(int64_t now_ms, int64_t wanted_ms) const {
  int64_t now_s = now_ms / 1000;
  int64_t ms = wanted_ms;
  if (settings_.auth == AzureStoreSettings::Auth::kEntraApplication) {
    ms = std::min(ms, (now_s + kMaxSasLifetimeS - 600) * 1000);
  }
  ms -= ms % 1000;  // se has whole seconds
  return std::max(ms, (now_s + 1) * 1000);
}

Result<PresignedUrl> AzureStore::Presign(const std::string& path, int64_t expiration_ms,
                                         const SignContext&) {
  LS_ASSIGN_OR_RETURN(Target t, Locate(path));
  if (t.where.key.empty()) return Status::InvalidArgument(path + ": not a blob");
  int64_t expiry_s = expiration_ms / 1000;
  std::string se = FormatIsoSeconds(expiry_s);
  std::string account = t.where.account.empty() ? settings_.account : t.where.account;
  std::string resource = "/blob/" + account + "/" + t.where.bucket + "/" + t.where.key;
  // HTTPS only, unless the store itself is plain HTTP (an emulator).
  std::string protocol = t.scheme == "https" ? "https" : "https,http";
  const std::string& sv = settings_.api_version;
  NameValues q{{"sv", sv}, {"se", se}, {"sr", "b"}, {"sp", "r"}, {"spr", protocol}};
  switch (settings_.auth) {
    case AzureStoreSettings::Auth::kSharedKey: {
      std::string sts = AzureServiceSasStringToSign("r", "", se, resource, protocol, sv);
      q.emplace_back("sig", Base64Encode(account_mac_.Mac({sts})));
      break;
    }
    case AzureStoreSettings::Auth::kEntraApplication: {
      LS_ASSIGN_OR_RETURN(AzureUserDelegationKey k, DelegationKey(expiry_s * 1000));
      std::string sts = AzureUserDelegationSasStringToSign("r", "", se, resource, k, protocol, sv);
      q.emplace_back("skoid", k.signed_oid);
      q.emplace_back("sktid", k.signed_tid);
      q.emplace_back("skt", k.signed_start);
      q.emplace_back("ske", k.signed_expiry);
      q.emplace_back("sks", k.signed_service);
      q.emplace_back("skv", k.signed_version);
      q.emplace_back("sig", Base64Encode(HmacSha256(k.value, sts)));
      break;
    }
    case AzureStoreSettings::Auth::kSasToken:
      return Status::IOError(path +
                             ": the location is configured with a SAS token only, which "
                             "cannot make URLs for single files; configure the account "
                             "key or an Entra ID application to share it");
    case AzureStoreSettings::Auth::kAnonymous:
      return Status::IOError(path +
                             ": no Azure credentials are configured for this location, "
                             "so its files cannot be pre-signed");
  }
  PresignedUrl url;
  url.url = t.scheme + "://" + t.host + PercentEncode(t.path, true) + "?" + EncodeQuery(q);
  url.expiration_ms = expiry_s * 1000;
  return url;
}

}  // namespace lakeshare
