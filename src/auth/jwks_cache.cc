#include "auth/jwks_cache.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <exception>

#include "common/ip_range.h"
#include "common/strings.h"
#include "common/time_util.h"

namespace lakeshare {
namespace {

namespace json = boost::json;

constexpr int64_t kMs = 1000;

bool IsLoopbackHost(std::string_view host) {
  if (EqualsIgnoreCase(host, "localhost")) return true;
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  return AddressInRanges({"127.0.0.0/8", "::1/128"}, host);
}

bool Allowed(const std::vector<std::string>& allowed, const std::string& algorithm) {
  return allowed.empty() || std::find(allowed.begin(), allowed.end(), algorithm) != allowed.end();
}

}  // namespace

Status CheckJwksUrl(const std::string& url, bool allow_insecure_http) {
  std::string_view rest = url;
  bool https = false;
  if (rest.rfind("https://", 0) == 0) {
    https = true;
    rest.remove_prefix(8);
  } else if (rest.rfind("http://", 0) == 0) {
    rest.remove_prefix(7);
  } else {
    return Status::InvalidArgument("a JWKS URL must start with https://");
  }
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (size_t at = authority.rfind('@'); at != std::string_view::npos) {
    authority.remove_prefix(at + 1);
  }
  std::string_view host = authority;
  if (!host.empty() && host.front() == '[') {
    host =
        host.substr(0, host.find(']') == std::string_view::npos ? host.size() : host.find(']') + 1);
  } else {
    host = host.substr(0, host.find(':'));
  }
  if (host.empty()) return Status::InvalidArgument("the JWKS URL has no host");
  if (!https && !allow_insecure_http && !IsLoopbackHost(host)) {
    return Status::InvalidArgument(
        "a JWKS URL must be https:// (plain http is accepted for loopback hosts only, or with "
        "allowInsecureHttp)");
  }
  return Status::OK();
}

int64_t CacheControlMaxAge(const std::string& cache_control) {
  int64_t max_age = -1;
  std::string_view rest = cache_control;
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string_view item = TrimWhitespace(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    if (EqualsIgnoreCase(item, "no-store") || EqualsIgnoreCase(item, "no-cache")) return 0;
    constexpr std::string_view kMaxAge = "max-age=";
    if (item.size() > kMaxAge.size() && EqualsIgnoreCase(item.substr(0, kMaxAge.size()), kMaxAge)) {
      std::string_view v = item.substr(kMaxAge.size());
      if (!v.empty() && v.front() == '"' && v.back() == '"' && v.size() >= 2) {
        v = v.substr(1, v.size() - 2);
      }
      if (std::optional<int64_t> n = ParseNumber<int64_t>(v); n && *n >= 0) max_age = *n;
    }
  }
  return max_age;
}

JwksCache::JwksCache(JwksCacheOptions options, std::shared_ptr<HttpClient> http, Clock clock)
    : options_(std::move(options)), http_(std::move(http)), clock_(std::move(clock)) {}

int64_t JwksCache::Now() const { return clock_ ? clock_() : NowMillis(); }

int64_t JwksCache::fetches() const {
  std::lock_guard lock(mu_);
  return fetches_;
}

std::shared_ptr<const JwksCache::KeySet> JwksCache::Current() const {
  std::lock_guard lock(mu_);
  return keys_;
}

Result<JwksCache::KeySet> JwksCache::Fetch(int64_t now_ms) {
  LS_RETURN_IF_ERROR(CheckJwksUrl(options_.url, options_.allow_insecure_http));
  HttpCall call;
  call.url = options_.url;
  call.headers = {{"Accept", "application/json"}};
  call.max_response_bytes = static_cast<int64_t>(options_.max_bytes);
  call.what = "the JWKS at " + options_.url;  // a public document: no secret in its URL
  call.peer = "the identity provider";
  LS_ASSIGN_OR_RETURN(HttpAnswer answer, http_->Send(call));
  if (answer.status != 200) {
    return Status::Unavailable("the identity provider answered HTTP " +
                               std::to_string(answer.status) + " for its JWKS");
  }
  json::value doc;
  try {
    json::parse_options parse_options;
    parse_options.max_depth = 8;
    boost::system::error_code ec;
    doc = json::parse(answer.body, ec, {}, parse_options);
    if (ec) return Status::Unavailable("the identity provider's JWKS is not JSON");
  } catch (const std::exception&) {
    return Status::Unavailable("the identity provider's JWKS is not JSON");
  }
  const json::value* keys = doc.is_object() ? doc.as_object().if_contains("keys") : nullptr;
  if (keys == nullptr || !keys->is_array()) {
    return Status::Unavailable("the identity provider's JWKS has no \"keys\" list");
  }
  if (keys->as_array().size() > kMaxJwksKeys) {
    return Status::Unavailable("the identity provider's JWKS has more than " +
                               std::to_string(kMaxJwksKeys) + " keys");
  }
  KeySet set;
  for (const json::value& k : keys->as_array()) {
    if (!k.is_object()) continue;
    const json::object& jwk = k.as_object();
    if (const json::value* use = jwk.if_contains("use"); use && *use != "sig") continue;
    Result<JwtPublicKey> key = JwtPublicKey::FromJwk(jwk);
    if (!key.ok()) {
      spdlog::debug("federation: a key of {} is skipped: {}", options_.url, key.status().message());
      continue;
    }
    if (!Allowed(options_.allowed_algorithms, key->algorithm())) continue;
    set.keys.push_back(*std::move(key));
  }
  int64_t ttl_s = options_.default_ttl_s;
  if (const std::string* cc = answer.Header("cache-control")) {
    int64_t max_age = CacheControlMaxAge(*cc);
    if (max_age >= 0) ttl_s = max_age;
  }
  ttl_s = std::clamp(ttl_s, options_.min_ttl_s, std::max(options_.min_ttl_s, options_.max_ttl_s));
  set.fetched_ms = now_ms;
  set.expires_ms = now_ms + ttl_s * kMs;
  return set;
}

void JwksCache::Refresh(bool only_if_stale) {
  std::lock_guard fetch_lock(fetch_mu_);
  const int64_t now = Now();
  std::shared_ptr<const KeySet> current = Current();
  if (only_if_stale && current && now < current->expires_ms) return;  // refreshed meanwhile
  if (last_attempt_ms_ >= 0 && now - last_attempt_ms_ < options_.refetch_interval_s * kMs) return;
  last_attempt_ms_ = now;
  {
    std::lock_guard lock(mu_);
    ++fetches_;
  }
  Result<KeySet> fetched = Fetch(now);
  if (!fetched.ok()) {
    spdlog::warn("federation: cannot fetch the JWKS at {}: {}", options_.url,
                 fetched.status().message());
    return;
  }
  spdlog::info("federation: {} keys from {}, kept {} s", fetched->keys.size(), options_.url,
               (fetched->expires_ms - now) / kMs);
  auto set = std::make_shared<const KeySet>(*std::move(fetched));
  std::lock_guard lock(mu_);
  keys_ = std::move(set);
}

Result<JwtPublicKey> JwksCache::Find(const KeySet& set, const std::string& key_id,
                                     const std::string& algorithm) const {
  if (!Allowed(options_.allowed_algorithms, algorithm)) {
    return Status::Unauthenticated("the JWT's algorithm " + algorithm +
                                   " is not allowed for its issuer");
  }
  const JwtPublicKey* only = nullptr;
  int candidates = 0;
  for (const JwtPublicKey& key : set.keys) {
    if (!key_id.empty()) {
      if (key.key_id() != key_id) continue;
      if (key.algorithm() != algorithm) {
        return Status::Unauthenticated("the JWT's algorithm " + algorithm + " is not its key's (" +
                                       key.algorithm() + ")");
      }
      return key;
    }
    if (key.algorithm() == algorithm) {
      only = &key;
      ++candidates;
    }
  }
  if (key_id.empty() && candidates == 1) return *only;
  if (key_id.empty() && candidates > 1) {
    return Status::Unauthenticated("the JWT names no key (\"kid\") and its issuer has several");
  }
  return Status::NotFound("no such key");
}

Result<JwtPublicKey> JwksCache::KeyFor(const std::string& key_id, const std::string& algorithm) {
  std::shared_ptr<const KeySet> set = Current();
  if (!set || Now() >= set->expires_ms) {
    Refresh(/*only_if_stale=*/true);
    set = Current();
  }
  // Keys past their time are still used while the provider cannot be
  // reached, for as long again as the longest cache time.
  if (!set || Now() > set->expires_ms + options_.max_ttl_s * kMs) {
    return Status::Unavailable("the identity provider's keys (JWKS) cannot be fetched");
  }
  Result<JwtPublicKey> found = Find(*set, key_id, algorithm);
  if (found.ok() || found.status().code() != StatusCode::kNotFound) return found;
  // An unknown key id: perhaps the provider rotated its keys (rate-limited).
  Refresh(/*only_if_stale=*/false);
  std::shared_ptr<const KeySet> again = Current();
  if (again && again != set) {
    found = Find(*again, key_id, algorithm);
    if (found.ok() || found.status().code() != StatusCode::kNotFound) return found;
  }
  return Status::Unauthenticated("the JWT's key is not one of its issuer's keys");
}

}  // namespace lakeshare
