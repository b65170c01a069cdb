#include "storage/http_auth.h"

#include <algorithm>
#include <boost/json.hpp>
#include <climits>
#include <optional>
#include <string_view>

#include "common/crypto.h"
#include "common/encoding.h"
#include "common/strings.h"
#include "common/time_util.h"
#include "storage/v4_signing.h"

namespace lakeshare {
namespace {

constexpr int64_t kMaxTokenAnswerBytes = 1 << 20;
constexpr int64_t kMaxEarlyRefreshMs = 60'000;

const std::string& First(const std::string& a, const std::string& b) { return a.empty() ? b : a; }

std::string KindName(HttpAuthConfig::Kind kind) {
  switch (kind) {
    case HttpAuthConfig::Kind::kNone:
      return "none";
    case HttpAuthConfig::Kind::kBearer:
      return "bearer";
    case HttpAuthConfig::Kind::kOAuth2:
      return "oauth2";
    case HttpAuthConfig::Kind::kSigV4:
      return "sigv4";
  }
  return "none";
}

// The SigV4 keys and region: the config's, else the environment's.
struct AwsSettings {
  V4Credentials credentials;
  std::string region;
};

AwsSettings AwsSettingsOf(const HttpAuthConfig& c, const CloudEnvironment& env) {
  AwsSettings s;
  if (!c.access_key_id.empty()) {
    s.credentials.id = c.access_key_id;
    s.credentials.secret = c.secret_access_key;
    if (!c.session_token.empty()) s.credentials.session_token = c.session_token;
  } else {
    s.credentials.id = env.Get("AWS_ACCESS_KEY_ID");
    s.credentials.secret = env.Get("AWS_SECRET_ACCESS_KEY");
    if (!env.Get("AWS_SESSION_TOKEN").empty()) {
      s.credentials.session_token = env.Get("AWS_SESSION_TOKEN");
    }
  }
  s.region = First(c.region, First(env.Get("AWS_REGION"), env.Get("AWS_DEFAULT_REGION")));
  return s;
}

}  // namespace

Result<UrlParts> SplitHttpUrl(const std::string& url) {
  UrlParts p;
  size_t sep = url.find("://");
  if (sep == std::string::npos) return Status::InvalidArgument("not an http(s) URL");
  p.scheme = AsciiLower(url.substr(0, sep));
  if (p.scheme != "http" && p.scheme != "https") {
    return Status::InvalidArgument("not an http(s) URL");
  }
  std::string_view rest(url);
  rest.remove_prefix(sep + 3);
  size_t end = rest.find_first_of("/?#");
  p.host = std::string(rest.substr(0, end));
  if (p.host.empty() || p.host.find('@') != std::string::npos) {
    return Status::InvalidArgument("an http(s) URL needs a host (and no user info)");
  }
  rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
  rest = rest.substr(0, rest.find('#'));
  size_t q = rest.find('?');
  p.path = std::string(rest.substr(0, q));
  if (q != std::string_view::npos) p.query = std::string(rest.substr(q + 1));
  if (p.path.empty()) p.path = "/";
  return p;
}

HttpAuthenticator::HttpAuthenticator(HttpAuthConfig config, std::shared_ptr<HttpClient> http,
                                     const CloudEnvironment& env, Clock now_ms)
    : config_([&] {
        HttpAuthConfig c = std::move(config);
        if (c.kind == HttpAuthConfig::Kind::kSigV4) {
          AwsSettings aws = AwsSettingsOf(c, env);
          c.access_key_id = aws.credentials.id;
          c.secret_access_key = aws.credentials.secret;
          c.session_token = aws.credentials.session_token.value_or("");
          c.region = aws.region;
        }
        return c;
      }()),
      http_(std::move(http)),
      now_ms_(std::move(now_ms)) {}

Status HttpAuthenticator::Validate(const HttpAuthConfig& c, const CloudEnvironment& env,
                                   const std::string& what) {
  auto missing = [&](const std::string& setting) {
    return Status::InvalidArgument(what + ": authentication " + KindName(c.kind) + " needs " +
                                   setting);
  };
  switch (c.kind) {
    case HttpAuthConfig::Kind::kNone:
      return Status::OK();
    case HttpAuthConfig::Kind::kBearer:
      if (c.token.empty()) return missing("a token");
      return Status::OK();
    case HttpAuthConfig::Kind::kOAuth2:
      if (c.client_id.empty() || c.client_secret.empty()) {
        return missing("a clientId and a clientSecret");
      }
      if (c.token_endpoint.rfind("http://", 0) != 0 && c.token_endpoint.rfind("https://", 0) != 0) {
        return missing("an http(s) token endpoint");
      }
      return Status::OK();
    case HttpAuthConfig::Kind::kSigV4: {
      AwsSettings aws = AwsSettingsOf(c, env);
      if (c.service.empty()) return missing("a signing service (e.g. glue, s3tables)");
      if (aws.region.empty()) return missing("a region (or AWS_REGION)");
      if (aws.credentials.id.empty() || aws.credentials.secret.empty()) {
        return missing(
            "an accessKeyId and secretAccessKey (or AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY)");
      }
      return Status::OK();
    }
  }
  return Status::OK();
}

std::string HttpAuthenticator::Describe() const {
  switch (config_.kind) {
    case HttpAuthConfig::Kind::kNone:
      return "no authentication";
    case HttpAuthConfig::Kind::kBearer:
      return "a static bearer token";
    case HttpAuthConfig::Kind::kOAuth2:
      return "oauth2 client credentials (client '" + config_.client_id + "', token endpoint " +
             config_.token_endpoint + ")";
    case HttpAuthConfig::Kind::kSigV4:
      return "sigv4 (service " + config_.service + ", region " + config_.region + ")";
  }
  return "";
}

int64_t HttpAuthenticator::Now() const { return now_ms_ ? now_ms_() : NowMillis(); }

Result<std::string> HttpAuthenticator::FetchToken(int64_t* refresh_at_ms) {
  HttpCall call;
  call.method = "POST";
  call.url = config_.token_endpoint;
  call.what = "the OAuth2 token endpoint " + config_.token_endpoint;
  call.peer = "the token endpoint";
  call.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                  {"Accept", "application/json"}};
  call.body = "grant_type=client_credentials&client_id=" + PercentEncode(config_.client_id) +
              "&client_secret=" + PercentEncode(config_.client_secret);
  if (!config_.scope.empty()) call.body += "&scope=" + PercentEncode(config_.scope);
  call.max_response_bytes = kMaxTokenAnswerBytes;
  const int64_t asked = Now();
  LS_ASSIGN_OR_RETURN(HttpAnswer answer, http_->Send(call));
  boost::json::error_code ec;
  boost::json::value v = boost::json::parse(answer.body, ec);
  const boost::json::object* o = !ec && v.is_object() ? &v.as_object() : nullptr;
  if (answer.status != 200) {
    std::string why;
    // The OAuth2 error code (invalid_client, ...) says why and is no secret.
    if (o != nullptr && o->contains("error") && o->at("error").is_string()) {
      std::string code(o->at("error").as_string());
      if (code.size() <= 64) why = " (" + code + ")";
    }
    return Status::Unavailable(call.what + " refused the client credentials of '" +
                               config_.client_id + "': HTTP " + std::to_string(answer.status) +
                               why);
  }
  const boost::json::value* token = o != nullptr ? o->if_contains("access_token") : nullptr;
  if (token == nullptr || !token->is_string() || token->as_string().empty()) {
    return Status::Unavailable(call.what + " answered without an access_token");
  }
  *refresh_at_ms = INT64_MAX;  // without expires_in: until the service refuses it
  const boost::json::value* expires = o->if_contains("expires_in");
  if (expires != nullptr && (expires->is_int64() || expires->is_uint64() || expires->is_double())) {
    double seconds = expires->to_number<double>();
    if (seconds > 0 && seconds < 1e9) {
      auto life_ms = static_cast<int64_t>(seconds * 1000);
      *refresh_at_ms = asked + life_ms - std::min(kMaxEarlyRefreshMs, life_ms / 10);
    }
  }
  ++tokens_fetched_;
  return std::string(token->as_string());
}

Result<std::string> HttpAuthenticator::AccessToken(const std::string& rejected) {
  auto cached = [&]() -> std::optional<std::string> {
    std::lock_guard<std::mutex> lock(mu_);
    if (!token_.empty() && token_ != rejected && Now() < refresh_at_ms_) return token_;
    return std::nullopt;
  };
  if (auto t = cached()) return *t;
  std::lock_guard<std::mutex> fetching(fetch_mu_);
  if (auto t = cached()) return *t;  // fetched while this caller waited
  int64_t refresh_at = 0;
  LS_ASSIGN_OR_RETURN(std::string token, FetchToken(&refresh_at));
  std::lock_guard<std::mutex> lock(mu_);
  token_ = token;
  refresh_at_ms_ = refresh_at;
  return token;
}

Result<HttpCall> HttpAuthenticator::Sign(const HttpCall& call) const {
  LS_ASSIGN_OR_RETURN(UrlParts url, SplitHttpUrl(call.url));
  V4Request r;
  r.method = call.method;
  r.scheme = url.scheme;
  r.host = url.host;
  // AWS services other than S3 sign the path encoded once more: passing the
  // written (encoded) path as the decoded one does exactly that.
  r.path = url.path;
  std::string_view query = url.query;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::optional<std::string> name = PercentDecode(pair.substr(0, eq));
    std::optional<std::string> value =
        PercentDecode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
    if (!name || !value) return Status::InvalidArgument("a malformed query string in " + call.what);
    r.query.emplace_back(std::move(*name), std::move(*value));
  }
  r.headers = call.headers;
  V4Credentials credentials;
  credentials.id = config_.access_key_id;
  credentials.secret = config_.secret_access_key;
  if (!config_.session_token.empty()) credentials.session_token = config_.session_token;
  V4Options options;
  options.region = config_.region;
  options.service = config_.service;
  options.timestamp_s = Now() / 1000;
  options.normalize_path = true;
  options.payload_hash = HexEncode(Sha256(call.body));
  LS_ASSIGN_OR_RETURN(V4Signed s, V4SignHeaders(r, credentials, options));
  HttpCall signed_call = call;
  signed_call.headers = std::move(s.headers);
  return signed_call;
}

Result<HttpAnswer> HttpAuthenticator::Send(const HttpCall& call) {
  switch (config_.kind) {
    case HttpAuthConfig::Kind::kNone:
      return http_->Send(call);
    case HttpAuthConfig::Kind::kBearer: {
      HttpCall c = call;
      c.headers.emplace_back("Authorization", "Bearer " + config_.token);
      return http_->Send(c);
    }
    case HttpAuthConfig::Kind::kSigV4:
      return http_->Send([this, &call] { return Sign(call); });
    case HttpAuthConfig::Kind::kOAuth2:
      break;
  }
  LS_ASSIGN_OR_RETURN(std::string token, AccessToken(""));
  HttpCall c = call;
  c.headers.emplace_back("Authorization", "Bearer " + token);
  LS_ASSIGN_OR_RETURN(HttpAnswer answer, http_->Send(c));
  if (answer.status != 401) return answer;
  // Revoked or expired early: one new token, one more try.
  LS_ASSIGN_OR_RETURN(std::string fresh, AccessToken(token));
  c.headers.back().second = "Bearer " + fresh;
  return http_->Send(c);
}

}  // namespace lakeshare
