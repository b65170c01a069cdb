#include "storage/v4_signing.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <algorithm>
#include <ctime>
#include <optional>

#include "common/crypto.h"
#include "common/encoding.h"
#include "common/strings.h"

namespace lakeshare {

const V4Flavor kAwsV4{"AWS4-HMAC-SHA256", "X-Amz-", "x-amz-", "AWS4", "aws4_request"};
const V4Flavor kGoogHmacV4{"GOOG4-HMAC-SHA256", "X-Goog-", "x-goog-", "GOOG4", "goog4_request"};
const V4Flavor kGoogRsaV4{"GOOG4-RSA-SHA256", "X-Goog-", "x-goog-", "", "goog4_request"};

namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Trims and collapses every run of whitespace (incl. folded lines) to one space.
std::string CanonicalHeaderValue(std::string_view v) {
  std::string out;
  bool pending_space = false;
  for (char c : v) {
    if (IsSpace(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += c;
  }
  return out;
}

// The signing key of a secret, date and scope: four HMACs that every URL of
// an answer would repeat (with OpenSSL's per-call setup each). Each thread
// keeps the last one, with what it was derived from (wiped when replaced).
struct DerivedKey {
  std::string inputs;  // prefix + secret, date, region, service, terminator
  std::optional<HmacSha256Key> key;
  ~DerivedKey() { OPENSSL_cleanse(inputs.data(), inputs.size()); }
};
thread_local DerivedKey derived_key;

const HmacSha256Key& SigningKey(const V4Credentials& creds, const V4Options& o,
                                const std::string& date) {
  std::string inputs;
  inputs.reserve(o.flavor->key_prefix.size() + creds.secret.size() + date.size() + o.region.size() +
                 o.service.size() + o.flavor->terminator.size() + 4);
  inputs.append(o.flavor->key_prefix).append(creds.secret);
  for (std::string_view part : {std::string_view(date), std::string_view(o.region),
                                std::string_view(o.service), o.flavor->terminator}) {
    inputs.push_back('\0');  // no part holds a NUL that could shift the others
    inputs.append(part);
  }
  DerivedKey& cached = derived_key;
  if (!cached.key || cached.inputs != inputs) {
    std::string key = HmacSha256(std::string(o.flavor->key_prefix) + creds.secret, date);
    key = HmacSha256(key, o.region);
    key = HmacSha256(key, o.service);
    key = HmacSha256(key, o.flavor->terminator);
    cached.key.emplace(key);
    OPENSSL_cleanse(key.data(), key.size());
    OPENSSL_cleanse(cached.inputs.data(), cached.inputs.size());
    cached.inputs = std::move(inputs);
  } else {
    OPENSSL_cleanse(inputs.data(), inputs.size());
  }
  return *cached.key;
}

Result<std::string> Signature(const V4Credentials& creds, const V4Options& o,
                              const std::string& date, const std::string& string_to_sign) {
  if (o.flavor == &kGoogRsaV4) {
    if (!creds.rsa_key) return Status::InvalidArgument("RSA signing needs a private key");
    LS_ASSIGN_OR_RETURN(std::string sig, creds.rsa_key->SignSha256(string_to_sign));
    return HexEncode(sig);
  }
  return HexEncode(SigningKey(creds, o, date).Mac({string_to_sign}));
}

struct Prepared {
  std::string timestamp, date, scope, canonical_uri;
};

Result<Prepared> Prepare(const V4Request& r, const V4Credentials& creds, const V4Options& o) {
  if (o.flavor == nullptr) return Status::InvalidArgument("no signature flavour");
  if (r.host.empty()) return Status::InvalidArgument("signing a request without a host");
  if (creds.id.empty()) return Status::InvalidArgument("signing without a credential id");
  Prepared p;
  p.timestamp = V4Timestamp(o.timestamp_s);
  p.date = p.timestamp.substr(0, 8);
  p.scope = p.date + "/" + o.region + "/" + o.service + "/" + std::string(o.flavor->terminator);
  p.canonical_uri = V4CanonicalUri(r.path, o.normalize_path);
  return p;
}

std::string Join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += sep;
    out += parts[i];
  }
  return out;
}

}  // namespace

Result<std::shared_ptr<const RsaPrivateKey>> RsaPrivateKey::FromPem(std::string_view pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  if (bio == nullptr) return Status::Internal("out of memory");
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (key == nullptr) return Status::InvalidArgument("the private key is not a readable PEM key");
  if (EVP_PKEY_base_id(key) != EVP_PKEY_RSA) {
    EVP_PKEY_free(key);
    return Status::InvalidArgument("the private key is not an RSA key");
  }
  return std::shared_ptr<const RsaPrivateKey>(new RsaPrivateKey(key));
}

RsaPrivateKey::~RsaPrivateKey() { EVP_PKEY_free(static_cast<EVP_PKEY*>(pkey_)); }

Result<std::string> RsaPrivateKey::SignSha256(std::string_view data) const {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx == nullptr) return Status::Internal("out of memory");
  std::string sig;
  size_t len = 0;
  bool ok =
      EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, static_cast<EVP_PKEY*>(pkey_)) == 1 &&
      EVP_DigestSign(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(data.data()),
                     data.size()) == 1;
  if (ok) {
    sig.resize(len);
    ok = EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len,
                        reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
    sig.resize(len);
  }
  EVP_MD_CTX_free(ctx);
  if (!ok) return Status::Internal("RSA signing failed");
  return sig;
}

std::string V4Timestamp(int64_t unix_s) {
  std::time_t t = static_cast<std::time_t>(unix_s);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

std::string V4CanonicalUri(std::string_view path, bool normalize) {
  std::string p(path.empty() ? std::string_view("/") : path);
  if (normalize) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= p.size()) {
      size_t slash = p.find('/', start);
      if (slash == std::string::npos) slash = p.size();
      std::string seg = p.substr(start, slash - start);
      if (seg == "..") {
        if (!out.empty()) out.pop_back();
      } else if (!seg.empty() && seg != ".") {
        out.push_back(std::move(seg));
      }
      start = slash + 1;
    }
    std::string n = "/" + Join(out, "/");
    if (!out.empty() && p.back() == '/') n += '/';
    p = std::move(n);
  }
  return PercentEncode(p, /*keep_slash=*/true);
}

std::string V4CanonicalQuery(const NameValues& params) {
  std::vector<std::pair<std::string, std::string>> enc;
  enc.reserve(params.size());
  for (const auto& [k, v] : params) enc.emplace_back(PercentEncode(k), PercentEncode(v));
  std::sort(enc.begin(), enc.end());
  std::string out;
  for (const auto& [k, v] : enc) {
    if (!out.empty()) out += '&';
    out += k;
    out += '=';
    out += v;
  }
  return out;
}

std::pair<std::string, std::string> V4CanonicalHeaders(const NameValues& headers) {
  std::vector<std::pair<std::string, std::string>> items;  // stable: keeps value order
  for (const auto& [k, v] : headers)
    items.emplace_back(AsciiLower(CanonicalHeaderValue(k)), CanonicalHeaderValue(v));
  std::stable_sort(items.begin(), items.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string block, names;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0 && items[i].first == items[i - 1].first) {
      block.pop_back();  // the '\n'
      block += ',' + items[i].second + '\n';
      continue;
    }
    if (!names.empty()) names += ';';
    names += items[i].first;
    block += items[i].first + ':' + items[i].second + '\n';
  }
  return {block, names};
}

std::string V4Signed::Url(const V4Request& r) const {
  std::string url = r.scheme + "://" + r.host + canonical_uri;
  if (!query_string.empty()) url += "?" + query_string;
  return url;
}

Result<V4Signed> V4SignHeaders(const V4Request& r, const V4Credentials& creds, const V4Options& o) {
  LS_ASSIGN_OR_RETURN(Prepared p, Prepare(r, creds, o));
  std::string hp(o.flavor->header_prefix);
  V4Signed s;
  s.canonical_uri = p.canonical_uri;
  s.headers = r.headers;
  s.headers.emplace_back(hp + "date", p.timestamp);
  if (o.add_content_sha256_header) s.headers.emplace_back(hp + "content-sha256", o.payload_hash);
  if (creds.session_token && !o.omit_session_token_from_signature) {
    s.headers.emplace_back(hp + "security-token", *creds.session_token);
  }
  NameValues to_sign = s.headers;
  to_sign.emplace_back("host", r.host);
  auto [block, names] = V4CanonicalHeaders(to_sign);
  s.query_string = V4CanonicalQuery(r.query);
  s.canonical_request = r.method + "\n" + p.canonical_uri + "\n" + s.query_string + "\n" + block +
                        "\n" + names + "\n" + o.payload_hash;
  s.string_to_sign = std::string(o.flavor->algorithm) + "\n" + p.timestamp + "\n" + p.scope + "\n" +
                     HexEncode(Sha256(s.canonical_request));
  LS_ASSIGN_OR_RETURN(s.signature, Signature(creds, o, p.date, s.string_to_sign));
  if (creds.session_token && o.omit_session_token_from_signature) {
    s.headers.emplace_back(hp + "security-token", *creds.session_token);
  }
  s.headers.emplace_back("Authorization",
                         std::string(o.flavor->algorithm) + " Credential=" + creds.id + "/" +
                             p.scope + ", SignedHeaders=" + names + ", Signature=" + s.signature);
  return s;
}

Result<V4Signed> V4Presign(const V4Request& r, const V4Credentials& creds, const V4Options& o,
                           int64_t expires_s) {
  LS_ASSIGN_OR_RETURN(Prepared p, Prepare(r, creds, o));
  std::string qp(o.flavor->param_prefix);
  NameValues to_sign = r.headers;
  to_sign.emplace_back("host", r.host);
  auto [block, names] = V4CanonicalHeaders(to_sign);
  NameValues params = r.query;
  params.emplace_back(qp + "Algorithm", std::string(o.flavor->algorithm));
  params.emplace_back(qp + "Credential", creds.id + "/" + p.scope);
  params.emplace_back(qp + "Date", p.timestamp);
  params.emplace_back(qp + "Expires", std::to_string(expires_s));
  params.emplace_back(qp + "SignedHeaders", names);
  if (creds.session_token && !o.omit_session_token_from_signature) {
    params.emplace_back(qp + "Security-Token", *creds.session_token);
  }
  V4Signed s;
  s.canonical_uri = p.canonical_uri;
  s.headers = r.headers;
  std::string query = V4CanonicalQuery(params);
  s.canonical_request = r.method + "\n" + p.canonical_uri + "\n" + query + "\n" + block + "\n" +
                        names + "\n" + o.payload_hash;
  s.string_to_sign = std::string(o.flavor->algorithm) + "\n" + p.timestamp + "\n" + p.scope + "\n" +
                     HexEncode(Sha256(s.canonical_request));
  LS_ASSIGN_OR_RETURN(s.signature, Signature(creds, o, p.date, s.string_to_sign));
  s.query_string = query + "&" + qp + "Signature=" + s.signature;
  if (creds.session_token && o.omit_session_token_from_signature) {
    s.query_string += "&" + qp + "Security-Token=" + PercentEncode(*creds.session_token);
  }
  return s;
}

}  // namespace lakeshare
