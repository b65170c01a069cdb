#include "config/federation_config.h"

#include <set>

#include "auth/jwks_cache.h"
#include "config/yaml_keys.h"

namespace lakeshare {
namespace {

constexpr int64_t kMaxCacheSeconds = 7 * 24 * 3600;

Status Text(const YAML::Node& entry, const char* key, bool required, std::string* out) {
  YAML::Node n = entry[key];
  if (!n || n.IsNull()) {
    if (required) return ConfigError(entry, std::string("federation ") + key, "is required");
    return Status::OK();
  }
  if (!n.IsScalar() || n.Scalar().empty()) {
    return ConfigError(n, std::string("federation ") + key, "must be a non-empty string");
  }
  *out = n.Scalar();
  return Status::OK();
}

Status Seconds(const YAML::Node& entry, const char* key, int64_t min, int64_t max, int64_t* out) {
  YAML::Node n = entry[key];
  if (!n || n.IsNull()) return Status::OK();
  int64_t v = 0;
  if (!n.IsScalar() || !YAML::convert<int64_t>::decode(n, v) || v < min || v > max) {
    return ConfigError(
        n, std::string("federation ") + key,
        "must be an integer from " + std::to_string(min) + " to " + std::to_string(max));
  }
  *out = v;
  return Status::OK();
}

Status ParseEntry(const YAML::Node& n, std::vector<std::string>* warnings,
                  FederationIssuerConfig* f) {
  if (!n.IsMap()) return ConfigError(n, "federation", "entries must be mappings");
  LS_RETURN_IF_ERROR(CheckConfigKeys(n, "federation", kFederationKeys, {}, warnings));
  LS_RETURN_IF_ERROR(Text(n, "issuer", true, &f->issuer));
  LS_RETURN_IF_ERROR(Text(n, "jwksUrl", true, &f->jwks_url));
  LS_RETURN_IF_ERROR(Text(n, "audience", true, &f->audience));
  LS_RETURN_IF_ERROR(Text(n, "recipientClaim", false, &f->recipient_claim));
  if (YAML::Node b = n["allowInsecureHttp"]; b && !b.IsNull()) {
    if (!b.IsScalar() || !YAML::convert<bool>::decode(b, f->allow_insecure_http)) {
      return ConfigError(b, "federation allowInsecureHttp", "must be true or false");
    }
  }
  if (Status s = CheckJwksUrl(f->jwks_url, f->allow_insecure_http); !s.ok()) {
    return ConfigError(n["jwksUrl"], "federation jwksUrl", std::string(s.message()));
  }
  if (YAML::Node m = n["recipients"]; m && !m.IsNull()) {
    if (!m.IsMap()) {
      return ConfigError(m, "federation recipients", "must map claim values to recipient names");
    }
    for (const auto& kv : m) {
      if (!kv.first.IsScalar() || !kv.second.IsScalar() || kv.second.Scalar().empty()) {
        return ConfigError(kv.first, "federation recipients",
                           "must map claim values to recipient names");
      }
      f->recipients[kv.first.Scalar()] = kv.second.Scalar();
    }
  }
  if (YAML::Node a = n["allowedAlgorithms"]; a && !a.IsNull()) {
    if (!a.IsSequence() || a.size() == 0) {
      return ConfigError(a, "federation allowedAlgorithms", "must be a list of RS256, ES256");
    }
    for (const auto& alg : a) {
      if (!alg.IsScalar() || (alg.Scalar() != "RS256" && alg.Scalar() != "ES256")) {
        return ConfigError(alg, "federation allowedAlgorithms",
                           "may hold RS256 and ES256 only (HMAC and \"none\" are never accepted)");
      }
      f->allowed_algorithms.push_back(alg.Scalar());
    }
  }
  LS_RETURN_IF_ERROR(Seconds(n, "clockSkewSeconds", 0, 600, &f->clock_skew_seconds));
  LS_RETURN_IF_ERROR(Seconds(n, "jwksRefetchSeconds", 1, 3600, &f->jwks_refetch_seconds));
  LS_RETURN_IF_ERROR(
      Seconds(n, "jwksCacheSeconds", 1, kMaxCacheSeconds, &f->jwks_default_cache_seconds));
  LS_RETURN_IF_ERROR(
      Seconds(n, "jwksMinCacheSeconds", 1, kMaxCacheSeconds, &f->jwks_min_cache_seconds));
  LS_RETURN_IF_ERROR(
      Seconds(n, "jwksMaxCacheSeconds", 1, kMaxCacheSeconds, &f->jwks_max_cache_seconds));
  if (f->jwks_min_cache_seconds > f->jwks_max_cache_seconds) {
    return ConfigError(n, "federation jwksMinCacheSeconds", "must not exceed jwksMaxCacheSeconds");
  }
  return Status::OK();
}

}  // namespace

Status ParseFederation(const YAML::Node& root, std::vector<FederationIssuerConfig>* out,
                       std::vector<std::string>* warnings) {
  YAML::Node list = root["federation"];
  if (!list || list.IsNull()) return Status::OK();
  if (!list.IsSequence()) return ConfigError(list, "federation", "must be a list of issuers");
  std::set<std::string> seen;
  for (const auto& n : list) {
    FederationIssuerConfig f;
    LS_RETURN_IF_ERROR(ParseEntry(n, warnings, &f));
    if (!seen.insert(f.issuer).second) {
      return ConfigError(n["issuer"], "federation issuer", "'" + f.issuer + "' is listed twice");
    }
    out->push_back(std::move(f));
  }
  return Status::OK();
}

}  // namespace lakeshare
