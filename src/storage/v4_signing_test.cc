// AWS Signature V4 against the official test suite (aws-c-auth,
// tests/data/signing/aws/v4: header and pre-signed query forms) and
// GCS V4 signing against Google's conformance cases
// (tests/data/signing/gcs, RSA key of the dummy service account).
#include "storage/v4_signing.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/crypto.h"
#include "common/encoding.h"
#include "common/time_util.h"
#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

const std::string kSigningDir = std::string(LAKESHARE_TESTDATA_DIR) + "/signing";

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << p;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string TrimNewlines(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

struct SuiteRequest {
  V4Request request;
  std::string body;
};

// Parses request.txt: "METHOD PATH HTTP/1.1", "Name:value" lines (folded
// continuation lines keep their line break), a blank line, the body.
SuiteRequest ParseRequest(const std::string& text) {
  SuiteRequest out;
  std::istringstream in(text);
  std::string line;
  std::getline(in, line);
  size_t sp = line.find(' ');
  size_t proto = line.rfind(" HTTP/");
  out.request.method = line.substr(0, sp);
  std::string target = line.substr(sp + 1, proto - sp - 1);
  size_t q = target.find('?');
  out.request.path = target.substr(0, q);
  if (q != std::string::npos) {
    std::string query = target.substr(q + 1);
    size_t start = 0;
    while (start <= query.size()) {
      size_t amp = query.find('&', start);
      if (amp == std::string::npos) amp = query.size();
      std::string kv = query.substr(start, amp - start);
      size_t eq = kv.find('=');
      std::string k = kv.substr(0, eq), v = eq == std::string::npos ? "" : kv.substr(eq + 1);
      out.request.query.emplace_back(*PercentDecode(k), *PercentDecode(v));
      start = amp + 1;
    }
  }
  bool in_body = false;
  while (std::getline(in, line)) {
    if (in_body) {
      out.body += (out.body.empty() ? "" : "\n") + line;
      continue;
    }
    if (line.empty()) {
      in_body = true;
      continue;
    }
    if (line[0] == ' ' || line[0] == '\t') {
      out.request.headers.back().second += "\n" + line;
      continue;
    }
    size_t colon = line.find(':');
    std::string name = line.substr(0, colon), value = line.substr(colon + 1);
    if (name == "Host") {
      out.request.host = value;
    } else {
      out.request.headers.emplace_back(name, value);
    }
  }
  return out;
}

std::string AuthorizationLine(const std::string& signed_request) {
  std::istringstream in(signed_request);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("Authorization:", 0) == 0) return line.substr(14);
  }
  return "";
}

std::vector<fs::path> AwsCases() {
  std::vector<fs::path> out;
  fs::path dir = fs::path(kSigningDir) / "aws" / "v4";
  if (fs::is_directory(dir)) {
    for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(AwsSigV4SuiteTest, EveryCaseInBothForms) {
  std::vector<fs::path> cases = AwsCases();
  ASSERT_GE(cases.size(), 30u) << "AWS SigV4 test suite missing under " << kSigningDir;
  for (const fs::path& dir : cases) {
    SCOPED_TRACE(dir.filename().string());
    json::object ctx = json::parse(ReadFile(dir / "context.json")).as_object();
    const json::object& c = ctx.at("credentials").as_object();
    V4Credentials creds;
    creds.id = std::string(c.at("access_key_id").as_string());
    creds.secret = std::string(c.at("secret_access_key").as_string());
    if (c.contains("token")) creds.session_token = std::string(c.at("token").as_string());
    SuiteRequest req = ParseRequest(ReadFile(dir / "request.txt"));
    V4Options o;
    o.region = std::string(ctx.at("region").as_string());
    o.service = std::string(ctx.at("service").as_string());
    auto ts = ParseTimestampMillis(std::string(ctx.at("timestamp").as_string()));
    ASSERT_OK(ts);
    o.timestamp_s = *ts / 1000;
    o.normalize_path = ctx.at("normalize").as_bool();
    bool sign_body = ctx.at("sign_body").as_bool();
    o.payload_hash = HexEncode(Sha256(req.body));
    o.omit_session_token_from_signature =
        ctx.contains("omit_session_token") && ctx.at("omit_session_token").as_bool();

    V4Options header_options = o;
    header_options.add_content_sha256_header = sign_body;
    auto h = V4SignHeaders(req.request, creds, header_options);
    ASSERT_OK(h);
    EXPECT_EQ(h->canonical_request, TrimNewlines(ReadFile(dir / "header-canonical-request.txt")));
    EXPECT_EQ(h->string_to_sign, TrimNewlines(ReadFile(dir / "header-string-to-sign.txt")));
    EXPECT_EQ(h->signature, TrimNewlines(ReadFile(dir / "header-signature.txt")));
    std::string auth;
    for (const auto& [k, v] : h->headers) {
      if (k == "Authorization") auth = v;
    }
    EXPECT_EQ(auth, AuthorizationLine(ReadFile(dir / "header-signed-request.txt")));

    int64_t expires = ctx.at("expiration_in_seconds").to_number<int64_t>();
    auto q = V4Presign(req.request, creds, o, expires);
    ASSERT_OK(q);
    EXPECT_EQ(q->canonical_request, TrimNewlines(ReadFile(dir / "query-canonical-request.txt")));
    EXPECT_EQ(q->string_to_sign, TrimNewlines(ReadFile(dir / "query-string-to-sign.txt")));
    EXPECT_EQ(q->signature, TrimNewlines(ReadFile(dir / "query-signature.txt")));
    // The URL carries every parameter of the suite's signed request.
    std::string signed_line = ReadFile(dir / "query-signed-request.txt");
    signed_line = signed_line.substr(0, signed_line.find('\n'));
    std::string target = signed_line.substr(signed_line.find(' ') + 1);
    target = target.substr(0, target.rfind(" HTTP/"));
    std::string suite_query = target.substr(target.find('?') + 1);
    std::string our_query = q->query_string;
    auto params = [](const std::string& qs) {
      std::vector<std::string> v;
      size_t start = 0;
      while (start <= qs.size()) {
        size_t amp = qs.find('&', start);
        if (amp == std::string::npos) amp = qs.size();
        v.push_back(*PercentDecode(qs.substr(start, amp - start)));
        start = amp + 1;
      }
      std::sort(v.begin(), v.end());
      return v;
    };
    EXPECT_EQ(params(our_query), params(suite_query));
  }
}

TEST(V4SigningTest, CanonicalUriEncodesOnceAndKeepsSlashes) {
  EXPECT_EQ(V4CanonicalUri("/bucket/a b/c+d=e%f", false), "/bucket/a%20b/c%2Bd%3De%25f");
  EXPECT_EQ(V4CanonicalUri("//x/./y/../", false), "//x/./y/../");
  EXPECT_EQ(V4CanonicalUri("//x/./y/../", true), "/x/");
  EXPECT_EQ(V4CanonicalUri("", false), "/");
}

TEST(V4SigningTest, RejectsMissingPieces) {
  V4Request r;
  V4Credentials c{"id", "secret", nullptr, std::nullopt};
  EXPECT_FALSE(V4SignHeaders(r, c, {}).ok());  // no host
  r.host = "h";
  c.id.clear();
  EXPECT_FALSE(V4Presign(r, c, {}, 10).ok());
  V4Options rsa;
  rsa.flavor = &kGoogRsaV4;
  c.id = "x@y";
  EXPECT_FALSE(V4Presign(r, c, rsa, 10).ok());  // no key
}

TEST(RsaPrivateKeyTest, GarbageIsAnErrorWithoutTheKeyText) {
  auto k = RsaPrivateKey::FromPem(
      "-----BEGIN PRIVATE KEY-----\nnot-base64!!\n-----END PRIVATE KEY-----\n");
  ASSERT_FALSE(k.ok());
  EXPECT_EQ(k.status().message().find("not-base64"), std::string::npos);
  EXPECT_FALSE(RsaPrivateKey::FromPem("").ok());
}

// ---------------------------------------------------------------------------
// GCS conformance cases
// ---------------------------------------------------------------------------

std::string Str(const json::object& o, const char* key) {
  auto it = o.find(key);
  return it == o.end() ? std::string() : std::string(it->value().as_string());
}

std::string StripPort(const std::string& host) {
  size_t colon = host.rfind(':');
  return colon == std::string::npos ? host : host.substr(0, colon);
}

std::string HostOf(const std::string& endpoint) {
  size_t scheme = endpoint.find("://");
  return scheme == std::string::npos ? endpoint : endpoint.substr(scheme + 3);
}

TEST(GcsV4ConformanceTest, EverySigningCase) {
  std::string sa_text =
      ReadFile(fs::path(kSigningDir) / "gcs" / "test_service_account.not-a-test.json");
  ASSERT_FALSE(sa_text.empty());
  json::object sa = json::parse(sa_text).as_object();
  auto key = RsaPrivateKey::FromPem(std::string(sa.at("private_key").as_string()));
  ASSERT_OK(key);
  V4Credentials creds;
  creds.id = std::string(sa.at("client_email").as_string());
  creds.rsa_key = *key;

  json::object all =
      json::parse(ReadFile(fs::path(kSigningDir) / "gcs" / "v4_signatures.json")).as_object();
  const json::array& cases = all.at("signingV4Tests").as_array();
  ASSERT_GE(cases.size(), 20u);
  for (const json::value& cv : cases) {
    const json::object& t = cv.as_object();
    SCOPED_TRACE(Str(t, "description"));
    std::string bucket = Str(t, "bucket"), object = Str(t, "object");
    std::string style = Str(t, "urlStyle");
    std::string universe = Str(t, "universeDomain");
    std::string scheme = Str(t, "scheme").empty() ? "https" : Str(t, "scheme");
    // Which host a client library addresses: a bucket-bound hostname, else
    // an explicit hostname, a client endpoint, an emulator host, the
    // universe domain, or the default. The cases sign the host without its port.
    std::string base = universe.empty() ? "storage.googleapis.com" : "storage." + universe;
    std::string host = base;
    if (!Str(t, "hostname").empty()) {
      host = Str(t, "hostname");
    } else if (!Str(t, "clientEndpoint").empty()) {
      host = HostOf(Str(t, "clientEndpoint"));
    } else if (!Str(t, "emulatorHostname").empty()) {
      host = HostOf(Str(t, "emulatorHostname"));
    }
    std::string path = "/" + bucket + (object.empty() ? "" : "/" + object);
    if (style == "BUCKET_BOUND_HOSTNAME") {
      host = Str(t, "bucketBoundHostname");
      path = "/" + object;
    } else if (style == "VIRTUAL_HOSTED_STYLE") {
      host = bucket + "." + base;
      path = "/" + object;
    }
    V4Request r;
    r.method = Str(t, "method");
    r.scheme = scheme;
    r.host = StripPort(host);
    r.path = path;
    V4Options o;
    o.flavor = &kGoogRsaV4;
    o.region = "auto";
    o.service = "storage";
    auto ts = ParseTimestampMillis(Str(t, "timestamp"));
    ASSERT_OK(ts);
    o.timestamp_s = *ts / 1000;
    if (auto it = t.find("headers"); it != t.end()) {
      for (const auto& [k, v] : it->value().as_object()) {
        r.headers.emplace_back(std::string(k), std::string(v.as_string()));
        std::string lower(k);
        for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        if (lower == "x-goog-content-sha256") o.payload_hash = std::string(v.as_string());
      }
    }
    if (auto it = t.find("queryParameters"); it != t.end()) {
      for (const auto& [k, v] : it->value().as_object()) {
        r.query.emplace_back(std::string(k), std::string(v.as_string()));
      }
    }
    auto s = V4Presign(r, creds, o, t.at("expiration").to_number<int64_t>());
    ASSERT_OK(s);
    // One case ("Universe domain with virtual hosted style") lists a
    // canonical request whose hash is not the one in its own string to sign;
    // the string to sign and the signed URL agree with each other and are
    // what a server checks, so they are authoritative.
    std::string expected_canonical = Str(t, "expectedCanonicalRequest");
    std::string expected_sts = Str(t, "expectedStringToSign");
    bool consistent =
        expected_sts.substr(expected_sts.rfind('\n') + 1) == HexEncode(Sha256(expected_canonical));
    if (consistent) {
      EXPECT_EQ(s->canonical_request, expected_canonical);
    }
    EXPECT_EQ(s->string_to_sign, expected_sts);
    std::string expected_url = Str(t, "expectedUrl");
    std::string expected_query = expected_url.substr(expected_url.find('?') + 1);
    EXPECT_EQ(s->query_string, expected_query);
    std::string after_scheme = expected_url.substr(expected_url.find("://") + 3);
    size_t path_at = after_scheme.find('/');
    std::string expected_path = after_scheme.substr(path_at, after_scheme.find('?') - path_at);
    EXPECT_EQ(expected_path, s->canonical_uri);
  }
}

}  // namespace
}  // namespace lakeshare
