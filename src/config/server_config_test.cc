#include "config/server_config.h"

#include <gtest/gtest.h>

#include "auth/token.h"
#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

constexpr const char* kReferenceConfig = R"(
# The reference server's template, unchanged.
version: 1
shares:
- name: "share1"
  schemas:
  - name: "default"
    tables:
    - name: "table1"
      location: "s3a://bucket/table1"
      id: "00000000-0000-0000-0000-000000000000"
    - name: "table2"
      location: "tables/table2"
      historyShared: true
      startVersion: 2
authorization:
  bearerToken: "secret"
host: "localhost"
port: 8080
endpoint: "/delta-sharing/"
preSignedUrlTimeoutSeconds: 900
evaluatePredicateHints: false
)";

TEST(ServerConfigTest, AcceptsReferenceConfigAsIs) {
  auto cfg = ParseServerConfig(kReferenceConfig, "/etc/lakeshare");
  ASSERT_OK(cfg);
  EXPECT_EQ(cfg->host, "localhost");
  EXPECT_EQ(cfg->port, 8080);
  EXPECT_EQ(cfg->endpoint, "/delta-sharing");
  EXPECT_EQ(cfg->presigned_url_timeout_seconds, 900);
  ASSERT_EQ(cfg->shares.size(), 1u);
  const auto& tables = cfg->shares[0].schemas[0].tables;
  ASSERT_EQ(tables.size(), 2u);
  EXPECT_EQ(tables[0].location, "s3a://bucket/table1");
  EXPECT_EQ(*tables[0].id, "00000000-0000-0000-0000-000000000000");
  EXPECT_FALSE(tables[0].history_shared);
  EXPECT_EQ(tables[1].location, "/etc/lakeshare/tables/table2");
  EXPECT_TRUE(tables[1].history_shared);
  EXPECT_EQ(tables[1].start_version, 2);
  ASSERT_EQ(cfg->recipients.size(), 1u);
  EXPECT_EQ(cfg->recipients[0].token_hash, HashToken("secret"));
  EXPECT_EQ(cfg->recipients[0].shares, std::vector<std::string>{"*"});
  EXPECT_EQ(cfg->url_signing_key_file, "/etc/lakeshare/lakeshare-url-signing.key");
  // evaluatePredicateHints: the reference server's, unused here: a warning.
  ASSERT_EQ(cfg->warnings.size(), 1u);
  EXPECT_NE(cfg->warnings[0].find("'evaluatePredicateHints'"), std::string::npos);
  EXPECT_FALSE(cfg->ssl);
  EXPECT_TRUE(cfg->metrics.enabled);
  EXPECT_FALSE(cfg->metrics.listen_host);
}

TEST(ServerConfigTest, ParsesRecipients) {
  auto cfg = ParseServerConfig(R"(
version: 1
shares:
- name: a
- name: b
recipients:
- name: alice
  token: t1
  shares: [a]
  expirationTime: 2030-01-01T00:00:00Z
- name: bob
  tokenHash: sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
  shares: "*"
)",
                               "/x");
  ASSERT_OK(cfg);
  ASSERT_EQ(cfg->recipients.size(), 2u);
  EXPECT_EQ(cfg->recipients[0].token_hash, HashToken("t1"));
  EXPECT_EQ(*cfg->recipients[0].expiration_ms, 1893456000000);
  EXPECT_EQ(cfg->recipients[1].token_hash, HashToken("abc"));
  EXPECT_EQ(cfg->recipients[1].shares, std::vector<std::string>{"*"});
}

void ExpectError(const std::string& yaml, const std::string& fragment) {
  auto cfg = ParseServerConfig(yaml, "/x");
  ASSERT_FALSE(cfg.ok()) << yaml;
  EXPECT_EQ(cfg.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(cfg.status().message().find(fragment), std::string::npos)
      << cfg.status().message() << " should mention " << fragment;
}

TEST(ServerConfigTest, RateLimitDefaultAndPerRecipient) {
  auto cfg = ParseServerConfig(R"(
version: 1
rateLimit: {requestsPerSecond: 2.5, burst: 10}
recipients:
- name: alice
  token: t1
  rateLimit: {requestsPerSecond: 0}
- name: bob
  token: t2
  rateLimit: {requestsPerSecond: 4}
- name: carol
  token: t3
)",
                               "/x");
  ASSERT_OK(cfg);
  EXPECT_EQ(cfg->rate_limit, (RateLimit{2.5, 10}));
  ASSERT_EQ(cfg->recipients.size(), 3u);
  EXPECT_EQ(cfg->recipients[0].rate_limit, (RateLimit{0, 1}));  // unlimited
  EXPECT_EQ(cfg->recipients[1].rate_limit, (RateLimit{4, 4}));  // burst: a second's worth
  EXPECT_EQ(cfg->recipients[2].rate_limit, std::nullopt);
  ASSERT_OK_AND_ASSIGN(ServerConfig none,
                       ParseServerConfig("version: 1\nallowAnonymous: true\n", "/x"));
  EXPECT_TRUE(none.rate_limit.unlimited());
  ExpectError("version: 1\nallowAnonymous: true\nrateLimit: {requestsPerSecond: -1}\n",
              "requestsPerSecond");
  ExpectError("version: 1\nallowAnonymous: true\nrateLimit: {requestsPerSecond: fast}\n",
              "requestsPerSecond");
  ExpectError("version: 1\nallowAnonymous: true\nrateLimit: {requestsPerSecond: 1, burst: 0}\n",
              "burst");
  ExpectError("version: 1\nallowAnonymous: true\nrateLimit: {perSecond: 1}\n", "not a known key");
  ExpectError("version: 1\nallowAnonymous: true\nrateLimit: 5\n", "mapping");
}

TEST(ServerConfigTest, ReportsErrorsClearly) {
  const std::string auth = "authorization: {bearerToken: t}\n";
  ExpectError("", "top level");
  ExpectError("version: 1\nshares: [", "invalid YAML");
  ExpectError("shares: []\n" + auth, "'version' is required");
  ExpectError("version: 2\n" + auth, "must be 1");
  ExpectError("version: 1\nport: abc\n" + auth, "'port' (line 2) must be an integer");
  ExpectError("version: 1\nport: 70000\n" + auth, "at most 65535");
  ExpectError("version: 1\nshares: {a: 1}\n" + auth, "'shares' (line 2) must be a list");
  ExpectError("version: 1\nshares:\n- schemas: []\n" + auth, "needs a 'name'");
  ExpectError("version: 1\nshares:\n- name: a b\n" + auth, "must not contain ' '");
  ExpectError("version: 1\nshares:\n- name: s\n  schemas:\n  - name: x.y\n" + auth,
              "must not contain '.'");
  ExpectError("version: 1\nshares:\n- name: s\n- name: S\n" + auth, "duplicate share");
  ExpectError(
      "version: 1\nshares:\n- name: s\n  schemas:\n  - name: d\n    tables:\n    - name: t\n" +
          auth,
      "needs a 'location'");
  ExpectError(
      "version: 1\nshares:\n- name: s\n  schemas:\n  - name: d\n    tables:\n"
      "    - {name: t, location: /t, historyShared: maybe}\n" +
          auth,
      "must be true or false");
  ExpectError(
      "version: 1\nshares:\n- name: s\n  schemas:\n  - name: d\n    tables:\n"
      "    - {name: t, location: /t, format: orc}\n" +
          auth,
      "not a supported table format");
  ExpectError("version: 1\nshares: []\n", "no credentials configured");
  ExpectError("version: 1\nrecipients:\n- {name: r, shares: [a]}\n", "exactly one of");
  ExpectError("version: 1\nrecipients:\n- {name: r, token: t, shares: [nope]}\n",
              "unknown share 'nope'");
  ExpectError("version: 1\nrecipients:\n- {name: r, tokenHash: abc, shares: []}\n",
              "sha256:<64 hex digits>");
  ExpectError("version: 1\nrecipients:\n- {name: r, token: t, expirationTime: soon}\n",
              "invalid timestamp");
}

TEST(ServerConfigTest, AnonymousNeedsOptIn) {
  auto cfg = ParseServerConfig("version: 1\nallowAnonymous: true\n", "/x");
  ASSERT_OK(cfg);
  EXPECT_TRUE(cfg->allow_anonymous);
  EXPECT_TRUE(cfg->recipients.empty());
}

TEST(ServerConfigTest, CatalogDatabase) {
  auto cfg = ParseServerConfig("version: 1\ncatalogUrl: sqlite:state/catalog.db\n", "/srv");
  ASSERT_OK(cfg);
  EXPECT_EQ(*cfg->catalog_url, "sqlite:/srv/state/catalog.db");
  cfg = ParseServerConfig("version: 1\ncatalogUrl: postgresql://db/lakeshare\n", "/srv");
  ASSERT_OK(cfg);
  EXPECT_EQ(*cfg->catalog_url, "postgresql://db/lakeshare");
  EXPECT_FALSE(ParseServerConfig("version: 1\ncatalogUrl: 'sqlite:'\n", "/srv").ok());
}

TEST(ServerConfigTest, SnapshotCacheBytes) {
  auto cfg = ParseServerConfig("version: 1\nallowAnonymous: true\n", "/x");
  ASSERT_OK(cfg);
  EXPECT_EQ(cfg->snapshot_cache_bytes, int64_t{1} << 30);
  cfg = ParseServerConfig("version: 1\nallowAnonymous: true\nsnapshotCacheBytes: 0\n", "/x");
  ASSERT_OK(cfg);
  EXPECT_EQ(cfg->snapshot_cache_bytes, 0);
  EXPECT_FALSE(
      ParseServerConfig("version: 1\nallowAnonymous: true\nsnapshotCacheBytes: -1\n", "/x").ok());
}

TEST(ServerConfigTest, UnknownKeysAreErrorsNamingTheNearestKnownKey) {
  const std::string auth = "authorization: {bearerToken: t}\n";
  ExpectError("version: 1\nmaxConection: 5\n" + auth,
              "'maxConection' (line 2) is not a known key (did you mean 'maxConnections'?)");
  ExpectError("version: 1\npresignedurltimeoutseconds: 5\n" + auth,
              "did you mean 'preSignedUrlTimeoutSeconds'?");
  ExpectError("version: 1\nauthorization: {bearerTokn: t}\n",
              "'bearerTokn' (line 2) in authorization is not a known key");
  ExpectError("version: 1\nshares:\n- name: s\n  schema: []\n" + auth,
              "'schema' (line 4) in share 's' is not a known key (did you mean 'schemas'?)");
  ExpectError(
      "version: 1\nshares:\n- name: s\n  schemas:\n  - name: d\n    tables:\n"
      "    - {name: t, location: /t, historyshared: true}\n" +
          auth,
      "did you mean 'historyShared'?");
  ExpectError("version: 1\nrecipients:\n- {name: r, token: t, share: [a]}\n",
              "did you mean 'shares'?");
  ExpectError("version: 1\nssl: {selfSigned: true, certFile: x}\n" + auth,
              "'certFile' (line 2) in ssl is not a known key (did you mean 'certificateFile'?)");
  ExpectError("version: 1\nmetrics: {listn: ':9'}\n" + auth, "did you mean 'listen'?");
  ExpectError("version: 1\nhudi: {cache: x}\n" + auth, "did you mean 'mergeCache'?");
}

// The merge cache: a folder relative to the config, or an object-store
// prefix kept as written (its storage entry gives the credentials).
TEST(ServerConfigTest, MergeCacheIsAFolderOrAnObjectStorePrefix) {
  const std::string auth = "authorization: {bearerToken: t}\n";
  ASSERT_OK_AND_ASSIGN(auto local, ParseServerConfig("version: 1\n" + auth, "/etc/ls"));
  EXPECT_EQ(local.hudi_merge_cache, "/etc/ls/hudi-merge-cache");
  ASSERT_OK_AND_ASSIGN(auto rel,
                       ParseServerConfig("version: 1\nhudi: {mergeCache: c}\n" + auth, "/etc/ls"));
  EXPECT_EQ(rel.hudi_merge_cache, "/etc/ls/c");
  ASSERT_OK_AND_ASSIGN(
      auto s3,
      ParseServerConfig("version: 1\nhudi: {mergeCache: 's3://b/cache'}\n" + auth, "/etc/ls"));
  EXPECT_EQ(s3.hudi_merge_cache, "s3://b/cache");
}

TEST(ServerConfigTest, ReferenceOnlyKeysAreWarnings) {
  auto cfg = ParseServerConfig(
      "version: 1\nallowAnonymous: true\ndeltaTableCacheSize: 10\nstalenessAcceptable: true\n"
      "requestTimeoutSeconds: 30\nevaluateJsonPredicateHints: true\n",
      "/x");
  ASSERT_OK(cfg);
  ASSERT_EQ(cfg->warnings.size(), 4u);
  EXPECT_NE(cfg->warnings[0].find("'deltaTableCacheSize' is a setting of the reference"),
            std::string::npos);
}

TEST(ServerConfigTest, Ssl) {
  const std::string auth = "authorization: {bearerToken: t}\n";
  auto cfg = ParseServerConfig("version: 1\n" + auth +
                                   "ssl:\n  certificateFile: tls/cert.pem\n"
                                   "  certificateKeyFile: /keys/key.pem\n"
                                   "  certificatePassword: pw\n",
                               "/etc/lakeshare");
  ASSERT_OK(cfg);
  ASSERT_TRUE(cfg->ssl);
  EXPECT_FALSE(cfg->ssl->self_signed);
  EXPECT_EQ(cfg->ssl->certificate_file, "/etc/lakeshare/tls/cert.pem");
  EXPECT_EQ(cfg->ssl->certificate_key_file, "/keys/key.pem");
  EXPECT_EQ(cfg->ssl->certificate_password, "pw");
  cfg = ParseServerConfig("version: 1\n" + auth + "ssl: {selfSigned: true}\n", "/x");
  ASSERT_OK(cfg);
  EXPECT_TRUE(cfg->ssl->self_signed);
  ExpectError("version: 1\n" + auth + "ssl: {certificateFile: c.pem}\n",
              "needs 'certificateFile' and 'certificateKeyFile'");
  ExpectError("version: 1\n" + auth + "ssl: {}\n", "needs 'certificateFile'");
  ExpectError("version: 1\n" + auth + "ssl: yes\n", "must be a mapping");
  ExpectError("version: 1\n" + auth +
                  "ssl: {selfSigned: true, certificateFile: c, certificateKeyFile: k}\n",
              "choose one");
  ExpectError("version: 1\n" + auth +
                  "ssl: {certificateFile: c, certificateKeyFile: k, "
                  "certificatePasswordFile: /nonexistent/pw}\n",
              "cannot be read");
}

TEST(ServerConfigTest, Metrics) {
  const std::string base = "version: 1\nallowAnonymous: true\n";
  auto cfg = ParseServerConfig(base + "metrics: {listen: '127.0.0.1:9464'}\n", "/x");
  ASSERT_OK(cfg);
  EXPECT_EQ(*cfg->metrics.listen_host, "127.0.0.1");
  EXPECT_EQ(cfg->metrics.listen_port, 9464);
  cfg = ParseServerConfig(base + "metrics: {listen: '[::1]:0'}\n", "/x");
  ASSERT_OK(cfg);
  EXPECT_EQ(*cfg->metrics.listen_host, "::1");
  cfg = ParseServerConfig(base + "metrics: {enabled: false}\n", "/x");
  ASSERT_OK(cfg);
  EXPECT_FALSE(cfg->metrics.enabled);
  ExpectError(base + "metrics: {listen: '9464'}\n", "must be host:port");
  ExpectError(base + "metrics: {listen: 'h:99999'}\n", "must be host:port");
  ExpectError(base + "metrics: {listen: 'h:x'}\n", "must be host:port");
}

TEST(ServerConfigTest, Federation) {
  const std::string base = "version: 1\nallowAnonymous: true\n";
  auto cfg = ParseServerConfig(base + R"(
federation:
- issuer: https://idp.example.com/
  jwksUrl: https://idp.example.com/jwks
  audience: lakeshare
- issuer: https://other.example.com/
  jwksUrl: http://127.0.0.1:8080/jwks
  audience: ls
  recipientClaim: client_id
  recipients: {0oa-1: alice, 0oa-2: bob}
  allowedAlgorithms: [ES256]
  clockSkewSeconds: 5
  jwksRefetchSeconds: 2
  jwksCacheSeconds: 100
  jwksMinCacheSeconds: 10
  jwksMaxCacheSeconds: 1000
tokenEndpointRateLimit: {requestsPerSecond: 2, burst: 7}
)",
                               "/x");
  ASSERT_OK(cfg);
  ASSERT_EQ(cfg->federation.size(), 2U);
  EXPECT_EQ(cfg->federation[0].recipient_claim, "sub");
  EXPECT_EQ(cfg->federation[0].jwks_refetch_seconds, 30);
  const FederationIssuerConfig& f = cfg->federation[1];
  EXPECT_EQ(f.recipient_claim, "client_id");
  EXPECT_EQ(f.recipients.at("0oa-2"), "bob");
  EXPECT_EQ(f.allowed_algorithms, std::vector<std::string>{"ES256"});
  EXPECT_EQ(f.clock_skew_seconds, 5);
  EXPECT_EQ(f.jwks_refetch_seconds, 2);
  EXPECT_EQ(f.jwks_default_cache_seconds, 100);
  EXPECT_EQ(f.jwks_min_cache_seconds, 10);
  EXPECT_EQ(f.jwks_max_cache_seconds, 1000);
  EXPECT_EQ(cfg->token_endpoint_rate_limit, (RateLimit{2, 7}));

  const std::string entry = "federation:\n- {issuer: i, jwksUrl: 'https://h/j', audience: a";
  ExpectError(base + "federation:\n- {issuer: i, audience: a}\n", "'federation jwksUrl'");
  ExpectError(base +
                  "federation:\n- {issuer: i, jwksUrl: 'http://idp.example.com/j', "
                  "audience: a}\n",
              "https");
  ASSERT_OK(ParseServerConfig(base + "federation:\n- {issuer: i, jwksUrl: "
                                     "'http://idp.example.com/j', audience: a, "
                                     "allowInsecureHttp: true}\n",
                              "/x"));
  ExpectError(base + entry + ", allowedAlgorithms: [HS256]}\n", "RS256 and ES256 only");
  ExpectError(base + entry + ", jwksRefetchSeconds: 0}\n", "jwksRefetchSeconds");
  ExpectError(base + entry + ", audince: b}\n", "did you mean 'audience'");
  ExpectError(base + entry + "}\n- {issuer: i, jwksUrl: 'https://h/k', audience: b}\n",
              "listed twice");
  ExpectError(base + "federation: {issuer: i}\n", "must be a list");
}

TEST(ServerConfigTest, MissingFileIsNotFound) {
  EXPECT_EQ(LoadServerConfig("/nonexistent/lakeshare.yaml").status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace lakeshare

namespace lakeshare {
namespace {

TEST(ServerConfigStorageTest, ParsesStorageEntries) {
  auto cfg = ParseServerConfig(R"(
version: 1
allowAnonymous: true
storage:
- location: s3://bucket/tables
  region: eu-west-1
  endpoint: http://127.0.0.1:9000/
  pathStyle: true
  accessKeyId: AKID
  secretAccessKey: SECRET
  sessionToken: TOKEN
  maxRetries: 2
  requestTimeoutMs: 5000
- location: abfss://c@acct.dfs.core.windows.net/
  accountKey: a2V5
- location: gs://b
  serviceAccountFile: keys/sa.json
)",
                               "/etc/lakeshare");
  ASSERT_OK(cfg);
  ASSERT_EQ(cfg->storage.size(), 3u);
  const auto& s3 = cfg->storage[0];
  EXPECT_EQ(s3.location, "s3://bucket/tables");
  EXPECT_EQ(s3.region, "eu-west-1");
  EXPECT_EQ(s3.endpoint, "http://127.0.0.1:9000");
  EXPECT_EQ(s3.path_style, std::optional<bool>(true));
  EXPECT_EQ(s3.access_key_id, "AKID");
  EXPECT_EQ(s3.secret_access_key, "SECRET");
  EXPECT_EQ(s3.session_token, "TOKEN");
  EXPECT_EQ(s3.max_retries, std::optional<int>(2));
  EXPECT_EQ(s3.request_timeout_ms, std::optional<int64_t>(5000));
  EXPECT_EQ(cfg->storage[1].account_key, "a2V5");
  EXPECT_EQ(cfg->storage[2].service_account_file, "/etc/lakeshare/keys/sa.json");
}

TEST(ServerConfigStorageTest, RefusesUnknownKeysWithoutEchoingValues) {
  auto cfg = ParseServerConfig(R"(
version: 1
allowAnonymous: true
storage:
- location: s3://bucket/
  secretKey: TOPSECRET
)",
                               "/");
  ASSERT_FALSE(cfg.ok());
  EXPECT_NE(cfg.status().message().find("secretKey"), std::string::npos);
  EXPECT_EQ(cfg.status().message().find("TOPSECRET"), std::string::npos);
  EXPECT_FALSE(
      ParseServerConfig("version: 1\nallowAnonymous: true\nstorage:\n- region: x\n", "/").ok());
  EXPECT_FALSE(
      ParseServerConfig(
          "version: 1\nallowAnonymous: true\nstorage:\n- location: s3://b\n  type: ftp\n", "/")
          .ok());
}

TEST(ServerConfigIcebergCatalogsTest, ParsesEntries) {
  auto cfg = ParseServerConfig(R"(
version: 1
allowAnonymous: true
icebergCatalogs:
- name: polaris
  uri: https://cat.example/api/catalog
  auth: OAuth2
  clientId: ls
  clientSecret: S3CRET
- name: unity
  uri: https://u.example/iceberg
  auth: bearer
  token: TOK
- name: s3t
  uri: https://s3tables.us-east-1.amazonaws.com/iceberg
  auth: sigv4
  signingName: s3tables
  region: us-east-1
- name: prod
  type: glue
  region: eu-west-1
  catalogId: "111122223333"
)",
                               "/");
  ASSERT_OK(cfg);
  ASSERT_EQ(cfg->iceberg_catalogs.size(), 4u);
  const auto& p = cfg->iceberg_catalogs[0];
  EXPECT_EQ(p.type, "rest");
  EXPECT_EQ(p.auth.kind, HttpAuthConfig::Kind::kOAuth2);
  EXPECT_EQ(p.auth.client_secret, "S3CRET");
  EXPECT_EQ(p.auth.scope, "catalog");  // the Iceberg REST default
  EXPECT_EQ(cfg->iceberg_catalogs[1].auth.token, "TOK");
  EXPECT_EQ(cfg->iceberg_catalogs[2].auth.service, "s3tables");
  const auto& g = cfg->iceberg_catalogs[3];
  EXPECT_EQ(g.type, "glue");
  EXPECT_EQ(g.auth.kind, HttpAuthConfig::Kind::kSigV4);
  EXPECT_EQ(g.catalog_id, "111122223333");
}

TEST(ServerConfigIcebergCatalogsTest, RefusesBadEntriesWithoutEchoingSecrets) {
  auto parse = [](const std::string& entry) {
    return ParseServerConfig("version: 1\nallowAnonymous: true\nicebergCatalogs:\n" + entry, "/");
  };
  auto unknown = parse("- name: a\n  uri: http://x\n  secret: TOPSECRET\n");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().message().find("TOPSECRET"), std::string::npos);
  EXPECT_FALSE(parse("- uri: http://x\n").ok());
  EXPECT_FALSE(parse("- name: a\n  auth: kerberos\n").ok());
  EXPECT_FALSE(parse("- name: a\n  type: hive\n").ok());
  EXPECT_FALSE(parse("- name: a\n  type: glue\n  auth: bearer\n").ok());
  EXPECT_FALSE(parse("- name: a\n  uri: http://x\n- name: a\n  uri: http://y\n").ok());
}

TEST(ServerConfigIcebergCatalogsTest, LocationMaps) {
  auto cfg = ParseServerConfig(R"(
version: 1
allowAnonymous: true
icebergLocationMap:
  "hdfs://nn:8020/warehouse/": s3://bucket/warehouse/
shares:
- name: s
  schemas:
  - name: d
    tables:
    - name: t
      location: copy/t
      format: iceberg
      locationMap:
        /test-warehouse/: copy
)",
                               "/etc/lakeshare");
  ASSERT_OK(cfg);
  ASSERT_EQ(cfg->iceberg_location_map.size(), 1u);
  EXPECT_EQ(cfg->iceberg_location_map[0].first, "hdfs://nn:8020/warehouse/");
  EXPECT_EQ(cfg->iceberg_location_map[0].second, "s3://bucket/warehouse/");
  const TableConfig& t = cfg->shares[0].schemas[0].tables[0];
  ASSERT_EQ(t.location_map.size(), 1u);
  EXPECT_EQ(t.location_map[0].first, "/test-warehouse/");
  EXPECT_EQ(t.location_map[0].second, "/etc/lakeshare/copy");  // against the config folder
  auto parse = [](const std::string& tail) {
    return ParseServerConfig("version: 1\nallowAnonymous: true\n" + tail, "/");
  };
  EXPECT_FALSE(parse("icebergLocationMap: [a, b]\n").ok());
  EXPECT_FALSE(parse("icebergLocationMap: {\"/\": /x}\n").ok());
  EXPECT_FALSE(parse("icebergLocationMap: {\"/a\": \"\"}\n").ok());
  // Delta tables have no location map.
  EXPECT_FALSE(parse("shares: [{name: s, schemas: [{name: d, tables: [{name: t, location: /t, "
                     "locationMap: {/a: /b}}]}]}]\n")
                   .ok());
}

}  // namespace
}  // namespace lakeshare
