#include "auth/federation.h"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <exception>

#include "auth/jwt.h"
#include "common/encoding.h"
#include "common/time_util.h"

namespace lakeshare {
namespace {

namespace json = boost::json;

bool IsBase64UrlChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

// The "iss" of a JWT's payload, without checking anything else (to tell
// whether the token is a federated one at all).
std::optional<std::string> PeekIssuer(std::string_view token) {
  size_t dot1 = token.find('.');
  size_t dot2 = token.find('.', dot1 + 1);
  std::optional<std::string> payload = Base64UrlDecode(token.substr(dot1 + 1, dot2 - dot1 - 1));
  if (!payload) return std::nullopt;
  try {
    json::parse_options options;
    options.max_depth = 8;
    boost::system::error_code ec;
    json::value v = json::parse(*payload, ec, {}, options);
    if (ec || !v.is_object()) return std::nullopt;
    const json::value* iss = v.as_object().if_contains("iss");
    if (iss == nullptr || !iss->is_string()) return std::nullopt;
    return std::string(iss->as_string());
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

Status Refused(const Status& why) {
  if (why.code() == StatusCode::kUnavailable) return why;
  return Status::Unauthenticated("federated token refused: " + std::string(why.message()));
}

}  // namespace

bool LooksLikeJwt(std::string_view token) {
  if (token.empty() || token.size() > kMaxJwtBytes) return false;
  int dots = 0;
  char previous = '.';
  for (char c : token) {
    if (c == '.') {
      if (previous == '.') return false;  // an empty part
      ++dots;
    } else if (!IsBase64UrlChar(c)) {
      return false;
    }
    previous = c;
  }
  return dots == 2 && previous != '.';
}

Federation::Federation(std::vector<FederationIssuerConfig> issuers,
                       std::shared_ptr<HttpClient> http, JwksCache::Clock clock)
    : issuers_(std::move(issuers)), clock_(std::move(clock)) {
  for (const FederationIssuerConfig& i : issuers_) {
    JwksCacheOptions o;
    o.url = i.jwks_url;
    o.allow_insecure_http = i.allow_insecure_http;
    o.default_ttl_s = i.jwks_default_cache_seconds;
    o.min_ttl_s = i.jwks_min_cache_seconds;
    o.max_ttl_s = i.jwks_max_cache_seconds;
    o.refetch_interval_s = i.jwks_refetch_seconds;
    o.allowed_algorithms = i.allowed_algorithms;
    caches_.push_back(std::make_unique<JwksCache>(std::move(o), http, clock_));
  }
}

int64_t Federation::NowMs() const { return clock_ ? clock_() : NowMillis(); }

std::optional<Result<FederatedIdentity>> Federation::Verify(std::string_view token) const {
  if (issuers_.empty() || !LooksLikeJwt(token)) return std::nullopt;
  std::optional<std::string> iss = PeekIssuer(token);
  if (!iss) return std::nullopt;
  for (size_t i = 0; i < issuers_.size(); ++i) {
    if (issuers_[i].issuer == *iss) return VerifyFor(i, token);
  }
  return std::nullopt;
}

Result<FederatedIdentity> Federation::VerifyFor(size_t index, std::string_view token) const {
  const FederationIssuerConfig& cfg = issuers_[index];
  Result<Jwt> parsed = ParseJwt(token);
  if (!parsed.ok()) return Refused(parsed.status());
  const Jwt& jwt = *parsed;
  JwtClaimRules rules;
  rules.issuer = cfg.issuer;
  rules.audience = cfg.audience;
  rules.now_s = NowMs() / 1000;
  rules.leeway_s = cfg.clock_skew_seconds;
  if (Status s = CheckJwtClaims(jwt, rules); !s.ok()) return Refused(s);
  // The recipient before the key: a token naming no recipient costs no
  // fetch and no signature check.
  std::optional<std::string> value = StringClaim(jwt, cfg.recipient_claim);
  if (!value || value->empty()) {
    return Status::Unauthenticated("federated token refused: it has no \"" + cfg.recipient_claim +
                                   "\" claim naming a recipient");
  }
  std::string recipient = *value;
  if (!cfg.recipients.empty()) {
    auto it = cfg.recipients.find(*value);
    if (it == cfg.recipients.end()) {
      return Status::Unauthenticated("federated token refused: its \"" + cfg.recipient_claim +
                                     "\" is not mapped to a recipient");
    }
    recipient = it->second;
  }
  Result<JwtPublicKey> key = caches_[index]->KeyFor(jwt.key_id, jwt.algorithm);
  if (!key.ok()) return Refused(key.status());
  if (Status s = key->Verify(jwt); !s.ok()) return Refused(s);
  FederatedIdentity id;
  id.issuer = cfg.issuer;
  id.subject = StringClaim(jwt, "sub").value_or("");
  id.recipient = std::move(recipient);
  if (const json::value* exp = jwt.claims.if_contains("exp"); exp && exp->is_number()) {
    id.expires_ms = static_cast<int64_t>(exp->to_number<double>()) * 1000;
  }
  return id;
}

}  // namespace lakeshare
