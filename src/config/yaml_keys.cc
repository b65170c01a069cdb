#include "config/yaml_keys.h"

#include <algorithm>
#include <cstdint>

#include "common/strings.h"

namespace lakeshare {

const std::vector<std::string_view> kRootKeys = {"version",
                                                 "shares",
                                                 "authorization",
                                                 "ssl",
                                                 "host",
                                                 "port",
                                                 "endpoint",
                                                 "preSignedUrlTimeoutSeconds",
                                                 "publicUrl",
                                                 "urlSigningKey",
                                                 "urlSigningKeyFile",
                                                 "maxRequestBodyBytes",
                                                 "maxConnections",
                                                 "maxPendingRequestBodyBytes",
                                                 "minSendBytesPerSecond",
                                                 "maxResponseSeconds",
                                                 "snapshotCacheBytes",
                                                 "ioThreads",
                                                 "workerThreads",
                                                 "maxConcurrentQueriesPerRecipient",
                                                 "rateLimit",
                                                 "accessLog",
                                                 "logFormat",
                                                 "logLevel",
                                                 "shutdownGraceSeconds",
                                                 "allowAnonymous",
                                                 "auditSharingRequests",
                                                 "auditRetentionDays",
                                                 "trustedProxies",
                                                 "catalogUrl",
                                                 "recipients",
                                                 "storage",
                                                 "icebergCatalogs",
                                                 "icebergLocationMap",
                                                 "hudi",
                                                 "metrics",
                                                 "oauth",
                                                 "tokenEndpointRateLimit",
                                                 "federation"};
const std::vector<std::string_view> kReferenceOnlyRootKeys = {
    "deltaTableCacheSize",        "stalenessAcceptable",          "evaluatePredicateHints",
    "evaluateJsonPredicateHints", "evaluateJsonPredicateHintsV2", "requestTimeoutSeconds",
    "queryTablePageSizeLimit",    "queryTablePageTokenTtlMs",     "refreshTokenTtlMs"};
const std::vector<std::string_view> kShareKeys = {"name", "id", "displayName", "comment",
                                                  "schemas"};
const std::vector<std::string_view> kSchemaKeys = {"name", "tables"};
const std::vector<std::string_view> kTableKeys = {"name",       "location",     "id",
                                                  "format",     "hudiView",     "historyShared",
                                                  "cdfEnabled", "startVersion", "locationMap"};
const std::vector<std::string_view> kRecipientKeys = {"name",   "token",          "tokenHash",
                                                      "shares", "expirationTime", "rateLimit"};
const std::vector<std::string_view> kRateLimitKeys = {"requestsPerSecond", "burst"};
const std::vector<std::string_view> kAuthorizationKeys = {"bearerToken"};
const std::vector<std::string_view> kSslKeys = {"selfSigned", "certificateFile",
                                                "certificateKeyFile", "certificatePassword",
                                                "certificatePasswordFile"};
const std::vector<std::string_view> kMetricsKeys = {"enabled", "listen"};
const std::vector<std::string_view> kOAuthKeys = {"accessTokenTtlSeconds",
                                                  "maxAssertionLifetimeSeconds"};
const std::vector<std::string_view> kFederationKeys = {"issuer",
                                                       "jwksUrl",
                                                       "audience",
                                                       "recipientClaim",
                                                       "recipients",
                                                       "allowedAlgorithms",
                                                       "clockSkewSeconds",
                                                       "jwksRefetchSeconds",
                                                       "jwksCacheSeconds",
                                                       "jwksMinCacheSeconds",
                                                       "jwksMaxCacheSeconds",
                                                       "allowInsecureHttp"};
const std::vector<std::string_view> kHudiKeys = {"mergeCache", "mergeCacheBytes"};

namespace {

// An abbreviation ("certFile" of "certificateFile"): its letters in order.
bool IsAbbreviation(std::string_view key, std::string_view of) {
  size_t i = 0;
  for (char c : of) {
    if (i < key.size() && AsciiToLower(key[i]) == AsciiToLower(c)) ++i;
  }
  return i == key.size() && !key.empty() && AsciiToLower(key[0]) == AsciiToLower(of[0]);
}

std::string_view Nearest(std::string_view key, const std::vector<std::string_view>& known) {
  std::string_view best;
  size_t best_distance = SIZE_MAX;
  for (std::string_view k : known) {
    size_t d = AsciiEditDistance(key, k);
    if (IsAbbreviation(key, k)) d = std::min<size_t>(d, 2);
    if (d < best_distance) {
      best = k;
      best_distance = d;
    }
  }
  return best;
}

bool Contains(const std::vector<std::string_view>& keys, std::string_view key) {
  return std::find(keys.begin(), keys.end(), key) != keys.end();
}

}  // namespace

std::string Where(const YAML::Node& node, const std::string& key) {
  YAML::Mark m = node.Mark();
  if (m.line < 0) return "'" + key + "'";
  return "'" + key + "' (line " + std::to_string(m.line + 1) + ")";
}

Status ConfigError(const YAML::Node& node, const std::string& key, const std::string& why) {
  return Status::InvalidArgument("config: " + Where(node, key) + " " + why);
}

// `where`: how an error names the mapping ("" for the top level).
Status CheckConfigKeys(const YAML::Node& node, const std::string& where,
                       const std::vector<std::string_view>& known,
                       const std::vector<std::string_view>& reference_only,
                       std::vector<std::string>* warnings) {
  if (!node.IsMap()) return Status::OK();  // the readers report the type
  for (const auto& kv : node) {
    if (!kv.first.IsScalar())
      return ConfigError(kv.first, where.empty() ? "config" : where, "has a non-string key");
    const std::string& key = kv.first.Scalar();
    if (Contains(known, key)) continue;
    std::string in = where.empty() ? "" : "in " + where + " ";
    if (Contains(reference_only, key)) {
      warnings->push_back("config: '" + key + "' " + in +
                          "is a setting of the reference Delta Sharing server that lakeshare "
                          "does not use; ignored");
      continue;
    }
    return ConfigError(
        kv.first, key,
        in + "is not a known key (did you mean '" + std::string(Nearest(key, known)) + "'?)");
  }
  return Status::OK();
}

}  // namespace lakeshare
