#include "config/server_config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "auth/token.h"
#include "common/names.h"
#include "common/strings.h"
#include "common/time_util.h"
#include "config/federation_config.h"
#include "config/yaml_keys.h"

namespace lakeshare {
namespace {

namespace fs = std::filesystem;

// Errors naming a key and its line.
Status Bad(const YAML::Node& node, const std::string& key, const std::string& why) {
  return ConfigError(node, key, why);
}

// Typed readers: absent keys leave *out untouched; wrong types are errors.
Status ReadString(const YAML::Node& parent, const char* key, std::string* out) {
  YAML::Node n = parent[key];
  if (!n || n.IsNull()) return Status::OK();
  if (!n.IsScalar()) return Bad(n, key, "must be a string");
  *out = n.Scalar();
  return Status::OK();
}

Status ReadOptString(const YAML::Node& parent, const char* key, std::optional<std::string>* out) {
  YAML::Node n = parent[key];
  if (!n || n.IsNull()) return Status::OK();
  if (!n.IsScalar()) return Bad(n, key, "must be a string");
  *out = n.Scalar();
  return Status::OK();
}

Status ReadInt(const YAML::Node& parent, const char* key, int64_t min, int64_t* out) {
  YAML::Node n = parent[key];
  if (!n || n.IsNull()) return Status::OK();
  int64_t v;
  if (!n.IsScalar() || !YAML::convert<int64_t>::decode(n, v)) {
    return Bad(n, key, "must be an integer");
  }
  if (v < min) return Bad(n, key, "must be at least " + std::to_string(min));
  *out = v;
  return Status::OK();
}

// `rateLimit: {requestsPerSecond: 10, burst: 20}` under `parent`; burst
// defaults to a second's worth (at least 1).
Status ReadRateLimit(const YAML::Node& parent, const std::string& where,
                     std::vector<std::string>* warnings, std::optional<RateLimit>* out,
                     const char* key = "rateLimit") {
  YAML::Node n = parent[key];
  if (!n || n.IsNull()) return Status::OK();
  if (!n.IsMap()) return Bad(n, key, "must be a mapping (requestsPerSecond, burst)");
  LS_RETURN_IF_ERROR(CheckConfigKeys(n, where, kRateLimitKeys, {}, warnings));
  RateLimit limit;
  if (YAML::Node rps = n["requestsPerSecond"]; rps && !rps.IsNull()) {
    if (!rps.IsScalar() || !YAML::convert<double>::decode(rps, limit.per_second) ||
        !(limit.per_second >= 0 && limit.per_second <= 1e6)) {
      return Bad(rps, "requestsPerSecond", "must be a number from 0 (unlimited) to 1000000");
    }
  }
  limit.burst = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(limit.per_second)));
  LS_RETURN_IF_ERROR(ReadInt(n, "burst", 1, &limit.burst));
  *out = limit;
  return Status::OK();
}

Status ReadBool(const YAML::Node& parent, const char* key, bool* out) {
  YAML::Node n = parent[key];
  if (!n || n.IsNull()) return Status::OK();
  bool v;
  if (!n.IsScalar() || !YAML::convert<bool>::decode(n, v))
    return Bad(n, key, "must be true or false");
  *out = v;
  return Status::OK();
}

Status ReadSequence(const YAML::Node& parent, const char* key, YAML::Node* out) {
  YAML::Node n = parent[key];
  if (!n || n.IsNull()) {
    *out = YAML::Node(YAML::NodeType::Sequence);
    return Status::OK();
  }
  if (!n.IsSequence()) return Bad(n, key, "must be a list");
  *out = n;
  return Status::OK();
}

Status ReadName(const YAML::Node& node, NameKind kind, const std::string& what, std::string* out) {
  if (!node.IsMap()) return Bad(node, what, "must be a mapping");
  LS_RETURN_IF_ERROR(ReadString(node, "name", out));
  if (out->empty()) return Bad(node, what, "needs a 'name'");
  Status st = ValidateName(*out, kind);
  if (!st.ok()) return Bad(node["name"], what + ".name", st.message());
  return Status::OK();
}

template <typename T>
Status CheckUnique(const std::vector<T>& items, const std::string& what) {
  std::set<std::string> seen;
  for (const auto& item : items) {
    std::string lower = AsciiLower(item.name);
    if (!seen.insert(lower).second) {
      return Status::InvalidArgument("config: duplicate " + what + " name '" + item.name +
                                     "' (names are case-insensitive)");
    }
  }
  return Status::OK();
}

std::string ResolvePath(const std::string& base_dir, const std::string& path) {
  if (path.empty() || path[0] == '/' || path.find("://") != std::string::npos ||
      path.rfind("file:", 0) == 0) {
    return path;
  }
  return (fs::path(base_dir) / path).lexically_normal().string();
}

// A mapping of recorded location prefixes to real locations (relative real
// locations are resolved against the config folder).
Status ReadLocationMap(const YAML::Node& parent, const char* key, const std::string& base_dir,
                       std::vector<std::pair<std::string, std::string>>* out) {
  YAML::Node n = parent[key];
  if (!n || n.IsNull()) return Status::OK();
  if (!n.IsMap()) return Bad(n, key, "must map recorded location prefixes to real locations");
  for (const auto& kv : n) {
    if (!kv.first.IsScalar() || !kv.second.IsScalar()) {
      return Bad(n, key, "must map recorded location prefixes to real locations");
    }
    std::string from = kv.first.Scalar(), to = kv.second.Scalar();
    auto bad_text = [](const std::string& v) {
      return v.empty() || v == "/" || v.find_first_of("\t\n") != std::string::npos;
    };
    if (bad_text(from) || bad_text(to)) {
      return Bad(kv.first, key, "entries must be non-empty locations other than '/'");
    }
    out->emplace_back(from, ResolvePath(base_dir, to));
  }
  return Status::OK();
}

Status ParseTable(const YAML::Node& node, const std::string& base_dir, TableConfig* t,
                  std::vector<std::string>* warnings) {
  LS_RETURN_IF_ERROR(ReadName(node, NameKind::kTable, "table", &t->name));
  LS_RETURN_IF_ERROR(CheckConfigKeys(node, "table '" + t->name + "'", kTableKeys, {}, warnings));
  LS_RETURN_IF_ERROR(ReadString(node, "location", &t->location));
  if (t->location.empty()) return Bad(node, "table '" + t->name + "'", "needs a 'location'");
  t->location = ResolvePath(base_dir, t->location);
  LS_RETURN_IF_ERROR(ReadOptString(node, "id", &t->id));
  if (t->id && t->id->empty()) t->id.reset();
  LS_RETURN_IF_ERROR(ReadString(node, "format", &t->format));
  AsciiLowerInPlace(&t->format);
  if (t->format != "delta" && t->format != "iceberg" && t->format != "hudi") {
    return Bad(
        node["format"], "format",
        "'" + t->format + "' is not a supported table format (supported: delta, iceberg, hudi)");
  }
  LS_RETURN_IF_ERROR(ReadString(node, "hudiView", &t->hudi_view));
  if (t->hudi_view != "snapshot" && t->hudi_view != "read_optimized") {
    return Bad(node["hudiView"], "hudiView", "must be snapshot or read_optimized");
  }
  LS_RETURN_IF_ERROR(ReadBool(node, "historyShared", &t->history_shared));
  // The reference README still calls it cdfEnabled; accept both.
  bool cdf = false;
  LS_RETURN_IF_ERROR(ReadBool(node, "cdfEnabled", &cdf));
  t->history_shared = t->history_shared || cdf;
  LS_RETURN_IF_ERROR(ReadInt(node, "startVersion", 0, &t->start_version));
  LS_RETURN_IF_ERROR(ReadLocationMap(node, "locationMap", base_dir, &t->location_map));
  if (!t->location_map.empty() && t->format != "iceberg") {
    return Bad(node["locationMap"], "locationMap", "applies to iceberg tables only");
  }
  return Status::OK();
}

Status ParseHudi(const YAML::Node& root, const std::string& base_dir, ServerConfig* cfg) {
  YAML::Node hudi = root["hudi"];
  std::string cache;
  if (hudi && !hudi.IsNull()) {
    if (!hudi.IsMap()) return Bad(hudi, "hudi", "must be a mapping");
    LS_RETURN_IF_ERROR(CheckConfigKeys(hudi, "hudi", kHudiKeys, {}, &cfg->warnings));
    LS_RETURN_IF_ERROR(ReadString(hudi, "mergeCache", &cache));
    LS_RETURN_IF_ERROR(ReadInt(hudi, "mergeCacheBytes", 1 << 20, &cfg->hudi_merge_cache_bytes));
  }
  // An object-store prefix (s3://bucket/cache) is kept as written; the
  // storage entries give its credentials.
  cfg->hudi_merge_cache =
      cache.find("://") != std::string::npos
          ? cache
          : ResolvePath(base_dir, cache.empty() ? std::string("hudi-merge-cache") : cache);
  return Status::OK();
}

Status ParseSsl(const YAML::Node& root, const std::string& base_dir, ServerConfig* cfg) {
  YAML::Node n = root["ssl"];
  if (!n || n.IsNull()) return Status::OK();
  if (!n.IsMap()) return Bad(n, "ssl", "must be a mapping");
  LS_RETURN_IF_ERROR(CheckConfigKeys(n, "ssl", kSslKeys, {}, &cfg->warnings));
  SslConfig ssl;
  LS_RETURN_IF_ERROR(ReadBool(n, "selfSigned", &ssl.self_signed));
  LS_RETURN_IF_ERROR(ReadString(n, "certificateFile", &ssl.certificate_file));
  LS_RETURN_IF_ERROR(ReadString(n, "certificateKeyFile", &ssl.certificate_key_file));
  LS_RETURN_IF_ERROR(ReadString(n, "certificatePassword", &ssl.certificate_password));
  // The reference server's spelling: a file holding the password.
  std::string password_file;
  LS_RETURN_IF_ERROR(ReadString(n, "certificatePasswordFile", &password_file));
  if (!password_file.empty()) {
    if (!ssl.certificate_password.empty()) {
      return Bad(n, "ssl", "has both 'certificatePassword' and 'certificatePasswordFile'");
    }
    std::ifstream in(ResolvePath(base_dir, password_file), std::ios::binary);
    if (!in) {
      return Bad(n["certificatePasswordFile"], "ssl.certificatePasswordFile",
                 "cannot be read: '" + password_file + "'");
    }
    std::getline(in, ssl.certificate_password);  // the first line, without its newline
    if (!ssl.certificate_password.empty() && ssl.certificate_password.back() == '\r') {
      ssl.certificate_password.pop_back();
    }
  }
  if (!ssl.self_signed && (ssl.certificate_file.empty() || ssl.certificate_key_file.empty())) {
    return Bad(n, "ssl",
               "needs 'certificateFile' and 'certificateKeyFile' (or 'selfSigned: true')");
  }
  if (ssl.self_signed && !ssl.certificate_file.empty()) {
    return Bad(n, "ssl", "has both 'selfSigned: true' and a 'certificateFile'; choose one");
  }
  if (!ssl.certificate_file.empty()) {
    ssl.certificate_file = ResolvePath(base_dir, ssl.certificate_file);
  }
  if (!ssl.certificate_key_file.empty()) {
    ssl.certificate_key_file = ResolvePath(base_dir, ssl.certificate_key_file);
  }
  cfg->ssl = std::move(ssl);
  return Status::OK();
}

Status ParseMetrics(const YAML::Node& root, ServerConfig* cfg) {
  YAML::Node n = root["metrics"];
  if (!n || n.IsNull()) return Status::OK();
  if (!n.IsMap()) return Bad(n, "metrics", "must be a mapping");
  LS_RETURN_IF_ERROR(CheckConfigKeys(n, "metrics", kMetricsKeys, {}, &cfg->warnings));
  LS_RETURN_IF_ERROR(ReadBool(n, "enabled", &cfg->metrics.enabled));
  std::string listen;
  LS_RETURN_IF_ERROR(ReadString(n, "listen", &listen));
  if (listen.empty()) return Status::OK();
  // host:port, or [v6]:port.
  size_t colon = listen.rfind(':');
  std::string host = colon == std::string::npos ? "" : listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  int64_t port = -1;
  if (colon != std::string::npos) {
    YAML::Node port_node(listen.substr(colon + 1));
    if (!YAML::convert<int64_t>::decode(port_node, port)) port = -1;
  }
  if (host.empty() || port < 0 || port > 65535) {
    return Bad(n["listen"], "metrics.listen", "must be host:port, e.g. 127.0.0.1:9464");
  }
  cfg->metrics.listen_host = host == "localhost" ? "127.0.0.1" : host;
  cfg->metrics.listen_port = static_cast<int>(port);
  return Status::OK();
}

Status ParseOAuth(const YAML::Node& root, ServerConfig* cfg) {
  YAML::Node n = root["oauth"];
  if (!n || n.IsNull()) return Status::OK();
  if (!n.IsMap()) return Bad(n, "oauth", "must be a mapping");
  LS_RETURN_IF_ERROR(CheckConfigKeys(n, "oauth", kOAuthKeys, {}, &cfg->warnings));
  LS_RETURN_IF_ERROR(ReadInt(n, "accessTokenTtlSeconds", 60, &cfg->oauth.access_token_ttl_seconds));
  LS_RETURN_IF_ERROR(
      ReadInt(n, "maxAssertionLifetimeSeconds", 10, &cfg->oauth.max_assertion_lifetime_seconds));
  constexpr int64_t kDay = 24 * 3600;
  if (cfg->oauth.access_token_ttl_seconds > kDay) {
    return Bad(n["accessTokenTtlSeconds"], "oauth.accessTokenTtlSeconds", "must be at most 86400");
  }
  if (cfg->oauth.max_assertion_lifetime_seconds > kDay) {
    return Bad(n["maxAssertionLifetimeSeconds"], "oauth.maxAssertionLifetimeSeconds",
               "must be at most 86400");
  }
  return Status::OK();
}

Status ParseShares(const YAML::Node& root, const std::string& base_dir, ServerConfig* cfg) {
  YAML::Node shares;
  LS_RETURN_IF_ERROR(ReadSequence(root, "shares", &shares));
  for (const YAML::Node& sn : shares) {
    ShareConfig share;
    LS_RETURN_IF_ERROR(ReadName(sn, NameKind::kShare, "share", &share.name));
    LS_RETURN_IF_ERROR(
        CheckConfigKeys(sn, "share '" + share.name + "'", kShareKeys, {}, &cfg->warnings));
    LS_RETURN_IF_ERROR(ReadOptString(sn, "id", &share.id));
    LS_RETURN_IF_ERROR(ReadOptString(sn, "displayName", &share.display_name));
    LS_RETURN_IF_ERROR(ReadOptString(sn, "comment", &share.comment));
    YAML::Node schemas;
    LS_RETURN_IF_ERROR(ReadSequence(sn, "schemas", &schemas));
    for (const YAML::Node& scn : schemas) {
      SchemaConfig schema;
      LS_RETURN_IF_ERROR(ReadName(scn, NameKind::kSchema, "schema", &schema.name));
      LS_RETURN_IF_ERROR(
          CheckConfigKeys(scn, "schema '" + schema.name + "'", kSchemaKeys, {}, &cfg->warnings));
      YAML::Node tables;
      LS_RETURN_IF_ERROR(ReadSequence(scn, "tables", &tables));
      for (const YAML::Node& tn : tables) {
        TableConfig table;
        LS_RETURN_IF_ERROR(ParseTable(tn, base_dir, &table, &cfg->warnings));
        schema.tables.push_back(std::move(table));
      }
      LS_RETURN_IF_ERROR(CheckUnique(schema.tables, "table in schema '" + schema.name + "'"));
      share.schemas.push_back(std::move(schema));
    }
    LS_RETURN_IF_ERROR(CheckUnique(share.schemas, "schema in share '" + share.name + "'"));
    cfg->shares.push_back(std::move(share));
  }
  return CheckUnique(cfg->shares, "share");
}

Status ParseRecipients(const YAML::Node& root, ServerConfig* cfg) {
  YAML::Node auth = root["authorization"];
  if (auth && !auth.IsNull()) {
    if (!auth.IsMap()) return Bad(auth, "authorization", "must be a mapping");
    LS_RETURN_IF_ERROR(
        CheckConfigKeys(auth, "authorization", kAuthorizationKeys, {}, &cfg->warnings));
    std::string token;
    LS_RETURN_IF_ERROR(ReadString(auth, "bearerToken", &token));
    if (!token.empty()) {
      // The reference server's single token sees every share.
      cfg->recipients.push_back(RecipientConfig{"default", HashToken(token), {"*"}, std::nullopt});
    }
  }
  YAML::Node recipients;
  LS_RETURN_IF_ERROR(ReadSequence(root, "recipients", &recipients));
  for (const YAML::Node& rn : recipients) {
    RecipientConfig r;
    LS_RETURN_IF_ERROR(ReadName(rn, NameKind::kRecipient, "recipient", &r.name));
    LS_RETURN_IF_ERROR(
        CheckConfigKeys(rn, "recipient '" + r.name + "'", kRecipientKeys, {}, &cfg->warnings));
    std::string token, hash;
    LS_RETURN_IF_ERROR(ReadString(rn, "token", &token));
    LS_RETURN_IF_ERROR(ReadString(rn, "tokenHash", &hash));
    if (token.empty() == hash.empty()) {
      return Bad(rn, "recipient '" + r.name + "'", "needs exactly one of 'token' or 'tokenHash'");
    }
    if (!hash.empty() && !IsTokenHash(hash)) {
      return Bad(rn["tokenHash"], "tokenHash", "must look like sha256:<64 hex digits>");
    }
    r.token_hash = token.empty() ? hash : HashToken(token);
    if (rn["shares"] && rn["shares"].IsScalar()) {
      r.shares.push_back(rn["shares"].Scalar());
    } else {
      YAML::Node shares;
      LS_RETURN_IF_ERROR(ReadSequence(rn, "shares", &shares));
      for (const YAML::Node& s : shares) {
        if (!s.IsScalar()) return Bad(s, "shares", "must be a list of share names");
        r.shares.push_back(s.Scalar());
      }
    }
    std::optional<std::string> expiry;
    LS_RETURN_IF_ERROR(ReadOptString(rn, "expirationTime", &expiry));
    if (expiry) {
      auto ms = ParseTimestampMillis(*expiry);
      if (!ms.ok()) return Bad(rn["expirationTime"], "expirationTime", ms.status().message());
      r.expiration_ms = *ms;
    }
    LS_RETURN_IF_ERROR(
        ReadRateLimit(rn, "recipient '" + r.name + "' rateLimit", &cfg->warnings, &r.rate_limit));
    cfg->recipients.push_back(std::move(r));
  }
  LS_RETURN_IF_ERROR(CheckUnique(cfg->recipients, "recipient"));
  // Every granted share must exist: a typo would silently hide data.
  for (const auto& r : cfg->recipients) {
    for (const auto& s : r.shares) {
      if (s == "*") continue;
      bool found = false;
      for (const auto& share : cfg->shares) found = found || EqualsIgnoreCase(share.name, s);
      if (!found) {
        return Status::InvalidArgument("config: recipient '" + r.name +
                                       "' is granted unknown share '" + s + "'");
      }
    }
  }
  return Status::OK();
}

Status ParseStorage(const YAML::Node& root, const std::string& base_dir, ServerConfig* cfg) {
  YAML::Node entries;
  LS_RETURN_IF_ERROR(ReadSequence(root, "storage", &entries));
  static const std::set<std::string> kKeys = {
      "location",           "type",         "region",          "endpoint",
      "pathStyle",          "accessKeyId",  "secretAccessKey", "sessionToken",
      "accountName",        "accountKey",   "sasToken",        "connectionString",
      "tenantId",           "clientId",     "clientSecret",    "authorityUrl",
      "serviceAccountFile", "hmacAccessId", "hmacSecret",      "connectTimeoutMs",
      "requestTimeoutMs",   "maxRetries"};
  for (const YAML::Node& n : entries) {
    if (!n.IsMap()) return Bad(n, "storage", "entries must be mappings");
    StorageLocationConfig e;
    LS_RETURN_IF_ERROR(ReadString(n, "location", &e.location));
    if (e.location.empty())
      return Bad(n, "storage", "entry needs a 'location' (e.g. s3://bucket/)");
    for (const auto& kv : n) {
      std::string key = kv.first.as<std::string>();
      if (kKeys.count(key) == 0) {
        return Bad(kv.first, "storage",
                   "entry '" + e.location + "' has an unknown key '" + key + "'");
      }
    }
    LS_RETURN_IF_ERROR(ReadString(n, "type", &e.type));
    AsciiLowerInPlace(&e.type);
    if (!e.type.empty() && e.type != "s3" && e.type != "azure" && e.type != "gcs") {
      return Bad(n["type"], "type", "must be s3, azure or gcs");
    }
    LS_RETURN_IF_ERROR(ReadString(n, "region", &e.region));
    LS_RETURN_IF_ERROR(ReadString(n, "endpoint", &e.endpoint));
    while (!e.endpoint.empty() && e.endpoint.back() == '/') e.endpoint.pop_back();
    if (n["pathStyle"]) {
      bool v = false;
      LS_RETURN_IF_ERROR(ReadBool(n, "pathStyle", &v));
      e.path_style = v;
    }
    LS_RETURN_IF_ERROR(ReadString(n, "accessKeyId", &e.access_key_id));
    LS_RETURN_IF_ERROR(ReadString(n, "secretAccessKey", &e.secret_access_key));
    LS_RETURN_IF_ERROR(ReadString(n, "sessionToken", &e.session_token));
    LS_RETURN_IF_ERROR(ReadString(n, "accountName", &e.account_name));
    LS_RETURN_IF_ERROR(ReadString(n, "accountKey", &e.account_key));
    LS_RETURN_IF_ERROR(ReadString(n, "sasToken", &e.sas_token));
    LS_RETURN_IF_ERROR(ReadString(n, "connectionString", &e.connection_string));
    LS_RETURN_IF_ERROR(ReadString(n, "tenantId", &e.tenant_id));
    LS_RETURN_IF_ERROR(ReadString(n, "clientId", &e.client_id));
    LS_RETURN_IF_ERROR(ReadString(n, "clientSecret", &e.client_secret));
    LS_RETURN_IF_ERROR(ReadString(n, "authorityUrl", &e.authority_url));
    LS_RETURN_IF_ERROR(ReadString(n, "serviceAccountFile", &e.service_account_file));
    if (!e.service_account_file.empty()) {
      e.service_account_file = ResolvePath(base_dir, e.service_account_file);
    }
    LS_RETURN_IF_ERROR(ReadString(n, "hmacAccessId", &e.hmac_access_id));
    LS_RETURN_IF_ERROR(ReadString(n, "hmacSecret", &e.hmac_secret));
    int64_t v = 0;
    if (n["connectTimeoutMs"]) {
      LS_RETURN_IF_ERROR(ReadInt(n, "connectTimeoutMs", 1, &v));
      e.connect_timeout_ms = v;
    }
    if (n["requestTimeoutMs"]) {
      LS_RETURN_IF_ERROR(ReadInt(n, "requestTimeoutMs", 1, &v));
      e.request_timeout_ms = v;
    }
    if (n["maxRetries"]) {
      LS_RETURN_IF_ERROR(ReadInt(n, "maxRetries", 0, &v));
      if (v > 20) return Bad(n["maxRetries"], "maxRetries", "must be at most 20");
      e.max_retries = static_cast<int>(v);
    }
    cfg->storage.push_back(std::move(e));
  }
  return Status::OK();
}

Status ParseIcebergCatalogs(const YAML::Node& root, ServerConfig* cfg) {
  YAML::Node entries;
  LS_RETURN_IF_ERROR(ReadSequence(root, "icebergCatalogs", &entries));
  static const std::set<std::string> kKeys = {
      "name",        "type",     "uri",          "catalogId",       "auth",
      "token",       "clientId", "clientSecret", "scope",           "tokenEndpoint",
      "signingName", "region",   "accessKeyId",  "secretAccessKey", "sessionToken"};
  for (const YAML::Node& n : entries) {
    if (!n.IsMap()) return Bad(n, "icebergCatalogs", "entries must be mappings");
    CatalogConnectionConfig c;
    LS_RETURN_IF_ERROR(ReadString(n, "name", &c.name));
    if (c.name.empty()) return Bad(n, "icebergCatalogs", "entry needs a 'name'");
    for (const auto& kv : n) {
      std::string key = kv.first.as<std::string>();
      if (kKeys.count(key) == 0) {
        return Bad(kv.first, "icebergCatalogs",
                   "entry '" + c.name + "' has an unknown key '" + key + "'");
      }
    }
    LS_RETURN_IF_ERROR(ReadString(n, "type", &c.type));
    AsciiLowerInPlace(&c.type);
    if (c.type != "rest" && c.type != "glue") return Bad(n["type"], "type", "must be rest or glue");
    LS_RETURN_IF_ERROR(ReadString(n, "uri", &c.uri));
    LS_RETURN_IF_ERROR(ReadString(n, "catalogId", &c.catalog_id));
    std::string auth = c.type == "glue" ? "sigv4" : "none";
    LS_RETURN_IF_ERROR(ReadString(n, "auth", &auth));
    AsciiLowerInPlace(&auth);
    HttpAuthConfig& a = c.auth;
    if (auth == "none") {
      a.kind = HttpAuthConfig::Kind::kNone;
    } else if (auth == "bearer") {
      a.kind = HttpAuthConfig::Kind::kBearer;
    } else if (auth == "oauth2") {
      a.kind = HttpAuthConfig::Kind::kOAuth2;
    } else if (auth == "sigv4") {
      a.kind = HttpAuthConfig::Kind::kSigV4;
    } else {
      return Bad(n["auth"], "auth", "must be none, bearer, oauth2 or sigv4");
    }
    if (c.type == "glue" && a.kind != HttpAuthConfig::Kind::kSigV4) {
      return Bad(n["auth"], "auth", "of a glue catalog must be sigv4");
    }
    LS_RETURN_IF_ERROR(ReadString(n, "token", &a.token));
    LS_RETURN_IF_ERROR(ReadString(n, "clientId", &a.client_id));
    LS_RETURN_IF_ERROR(ReadString(n, "clientSecret", &a.client_secret));
    LS_RETURN_IF_ERROR(ReadString(n, "scope", &a.scope));
    LS_RETURN_IF_ERROR(ReadString(n, "tokenEndpoint", &a.token_endpoint));
    LS_RETURN_IF_ERROR(ReadString(n, "signingName", &a.service));
    LS_RETURN_IF_ERROR(ReadString(n, "region", &a.region));
    LS_RETURN_IF_ERROR(ReadString(n, "accessKeyId", &a.access_key_id));
    LS_RETURN_IF_ERROR(ReadString(n, "secretAccessKey", &a.secret_access_key));
    LS_RETURN_IF_ERROR(ReadString(n, "sessionToken", &a.session_token));
    if (a.kind == HttpAuthConfig::Kind::kOAuth2 && !n["scope"]) a.scope = "catalog";
    cfg->iceberg_catalogs.push_back(std::move(c));
  }
  for (size_t i = 0; i < cfg->iceberg_catalogs.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (cfg->iceberg_catalogs[i].name == cfg->iceberg_catalogs[j].name) {
        return Status::InvalidArgument("config: icebergCatalogs: the name '" +
                                       cfg->iceberg_catalogs[i].name + "' is used twice");
      }
    }
  }
  return Status::OK();
}

Status ParseRoot(const YAML::Node& root, const std::string& base_dir, ServerConfig* cfg) {
  if (!root.IsMap()) return Status::InvalidArgument("config: the top level must be a mapping");
  LS_RETURN_IF_ERROR(CheckConfigKeys(root, "", kRootKeys, kReferenceOnlyRootKeys, &cfg->warnings));
  YAML::Node version = root["version"];
  int64_t v = 0;
  if (!version) return Status::InvalidArgument("config: 'version' is required (use 1)");
  LS_RETURN_IF_ERROR(ReadInt(root, "version", 0, &v));
  if (v != 1) return Bad(version, "version", "must be 1");

  LS_RETURN_IF_ERROR(ReadString(root, "host", &cfg->host));
  int64_t port = cfg->port;
  LS_RETURN_IF_ERROR(ReadInt(root, "port", 0, &port));
  if (port > 65535) return Bad(root["port"], "port", "must be at most 65535");
  cfg->port = static_cast<int>(port);
  LS_RETURN_IF_ERROR(ReadString(root, "endpoint", &cfg->endpoint));
  if (cfg->endpoint.empty() || cfg->endpoint[0] != '/') cfg->endpoint = "/" + cfg->endpoint;
  while (cfg->endpoint.size() > 1 && cfg->endpoint.back() == '/') cfg->endpoint.pop_back();
  if (cfg->endpoint == "/") cfg->endpoint.clear();
  LS_RETURN_IF_ERROR(
      ReadInt(root, "preSignedUrlTimeoutSeconds", 1, &cfg->presigned_url_timeout_seconds));
  LS_RETURN_IF_ERROR(ReadOptString(root, "publicUrl", &cfg->public_url));
  if (cfg->public_url) {
    while (!cfg->public_url->empty() && cfg->public_url->back() == '/') cfg->public_url->pop_back();
    if (cfg->public_url->rfind("http://", 0) != 0 && cfg->public_url->rfind("https://", 0) != 0) {
      return Bad(root["publicUrl"], "publicUrl", "must start with http:// or https://");
    }
  }
  LS_RETURN_IF_ERROR(ReadOptString(root, "urlSigningKey", &cfg->url_signing_key));
  if (cfg->url_signing_key && cfg->url_signing_key->size() < 16) {
    return Bad(root["urlSigningKey"], "urlSigningKey", "must be at least 16 characters");
  }
  std::string key_file;
  LS_RETURN_IF_ERROR(ReadString(root, "urlSigningKeyFile", &key_file));
  cfg->url_signing_key_file =
      ResolvePath(base_dir, key_file.empty() ? std::string("lakeshare-url-signing.key") : key_file);
  LS_RETURN_IF_ERROR(ReadInt(root, "maxRequestBodyBytes", 1024, &cfg->max_request_body_bytes));
  LS_RETURN_IF_ERROR(ReadInt(root, "maxConnections", 1, &cfg->max_connections));
  LS_RETURN_IF_ERROR(
      ReadInt(root, "maxPendingRequestBodyBytes", 0, &cfg->max_pending_request_body_bytes));
  if (cfg->max_pending_request_body_bytes > 0 &&
      cfg->max_pending_request_body_bytes < cfg->max_request_body_bytes) {
    return Bad(root["maxPendingRequestBodyBytes"], "maxPendingRequestBodyBytes",
               "must be 0 or at least maxRequestBodyBytes");
  }
  LS_RETURN_IF_ERROR(ReadInt(root, "minSendBytesPerSecond", 0, &cfg->min_send_bytes_per_second));
  LS_RETURN_IF_ERROR(ReadInt(root, "maxResponseSeconds", 0, &cfg->max_response_seconds));
  LS_RETURN_IF_ERROR(ReadInt(root, "snapshotCacheBytes", 0, &cfg->snapshot_cache_bytes));
  int64_t threads = 0;
  LS_RETURN_IF_ERROR(ReadInt(root, "ioThreads", 0, &threads));
  cfg->io_threads = static_cast<int>(std::min<int64_t>(threads, 256));
  threads = 0;
  LS_RETURN_IF_ERROR(ReadInt(root, "workerThreads", 0, &threads));
  cfg->worker_threads = static_cast<int>(std::min<int64_t>(threads, 1024));
  int64_t per_recipient = 0;
  LS_RETURN_IF_ERROR(ReadInt(root, "maxConcurrentQueriesPerRecipient", 0, &per_recipient));
  cfg->max_concurrent_queries_per_recipient =
      static_cast<int>(std::min<int64_t>(per_recipient, 1 << 20));
  LS_RETURN_IF_ERROR(ReadBool(root, "accessLog", &cfg->access_log));
  LS_RETURN_IF_ERROR(ReadString(root, "logFormat", &cfg->log_format));
  if (cfg->log_format != "text" && cfg->log_format != "json") {
    return Bad(root["logFormat"], "logFormat", "must be text or json");
  }
  LS_RETURN_IF_ERROR(ReadString(root, "logLevel", &cfg->log_level));
  AsciiLowerInPlace(&cfg->log_level);
  static const std::set<std::string> kLevels = {"trace", "debug",    "info", "warn",
                                                "error", "critical", "off"};
  if (kLevels.count(cfg->log_level) == 0) {
    return Bad(root["logLevel"], "logLevel",
               "must be one of trace, debug, info, warn, error, critical, off");
  }
  LS_RETURN_IF_ERROR(ReadInt(root, "shutdownGraceSeconds", 0, &cfg->shutdown_grace_seconds));
  if (cfg->shutdown_grace_seconds > 3600) {
    return Bad(root["shutdownGraceSeconds"], "shutdownGraceSeconds", "must be at most 3600");
  }
  LS_RETURN_IF_ERROR(ReadBool(root, "allowAnonymous", &cfg->allow_anonymous));
  LS_RETURN_IF_ERROR(ReadBool(root, "auditSharingRequests", &cfg->audit_sharing_requests));
  LS_RETURN_IF_ERROR(ReadInt(root, "auditRetentionDays", 0, &cfg->audit_retention_days));
  // Days as milliseconds must not overflow (a million years is enough).
  cfg->audit_retention_days = std::min<int64_t>(cfg->audit_retention_days, 365'000'000);
  YAML::Node proxies;
  LS_RETURN_IF_ERROR(ReadSequence(root, "trustedProxies", &proxies));
  for (const auto& p : proxies) {
    if (!p.IsScalar()) return Bad(p, "trustedProxies", "must be a list of addresses");
    cfg->trusted_proxies.push_back(p.Scalar());
  }

  LS_RETURN_IF_ERROR(ReadOptString(root, "catalogUrl", &cfg->catalog_url));
  if (cfg->catalog_url && cfg->catalog_url->rfind("sqlite:", 0) == 0) {
    std::string path = cfg->catalog_url->substr(7);
    if (path.empty()) return Bad(root["catalogUrl"], "catalogUrl", "needs a path after 'sqlite:'");
    cfg->catalog_url = "sqlite:" + ResolvePath(base_dir, path);
  }
  LS_RETURN_IF_ERROR(ParseShares(root, base_dir, cfg));
  LS_RETURN_IF_ERROR(ParseRecipients(root, cfg));
  LS_RETURN_IF_ERROR(ParseStorage(root, base_dir, cfg));
  LS_RETURN_IF_ERROR(ParseIcebergCatalogs(root, cfg));
  LS_RETURN_IF_ERROR(
      ReadLocationMap(root, "icebergLocationMap", base_dir, &cfg->iceberg_location_map));
  LS_RETURN_IF_ERROR(ParseHudi(root, base_dir, cfg));
  LS_RETURN_IF_ERROR(ParseSsl(root, base_dir, cfg));
  LS_RETURN_IF_ERROR(ParseMetrics(root, cfg));
  std::optional<RateLimit> rate_limit;
  LS_RETURN_IF_ERROR(ReadRateLimit(root, "rateLimit", &cfg->warnings, &rate_limit));
  if (rate_limit) cfg->rate_limit = *rate_limit;
  rate_limit.reset();
  LS_RETURN_IF_ERROR(ReadRateLimit(root, "tokenEndpointRateLimit", &cfg->warnings, &rate_limit,
                                   "tokenEndpointRateLimit"));
  if (rate_limit) cfg->token_endpoint_rate_limit = *rate_limit;
  LS_RETURN_IF_ERROR(ParseFederation(root, &cfg->federation, &cfg->warnings));
  LS_RETURN_IF_ERROR(ParseOAuth(root, cfg));
  // With a catalog database the credentials live there.
  if (!cfg->catalog_url && cfg->recipients.empty() && !cfg->allow_anonymous) {
    return Status::InvalidArgument(
        "config: no credentials configured; add 'authorization: {bearerToken: ...}' or "
        "'recipients', or set 'allowAnonymous: true' to serve every share without a token");
  }
  return Status::OK();
}

}  // namespace

Result<ServerConfig> ParseServerConfig(const std::string& yaml_text, const std::string& base_dir,
                                       const ConfigEnvironment& env) {
  ServerConfig cfg;
  try {
    YAML::Node root = YAML::Load(yaml_text);
    LS_RETURN_IF_ERROR(ApplyConfigEnvironment(env, &root, &cfg.from_environment, &cfg.warnings));
    LS_RETURN_IF_ERROR(ParseRoot(root, base_dir, &cfg));
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(std::string("config: invalid YAML: ") + e.what());
  }
  return cfg;
}

Result<ServerConfig> LoadServerConfig(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("config file '" + path + "' cannot be read");
  std::stringstream ss;
  ss << in.rdbuf();
  std::error_code ec;
  fs::path abs = fs::absolute(path, ec);
  std::string dir = abs.parent_path().string();
  LS_ASSIGN_OR_RETURN(ServerConfig cfg,
                      ParseServerConfig(ss.str(), dir, ProcessConfigEnvironment()));
  cfg.config_path = abs.string();
  return cfg;
}

}  // namespace lakeshare
