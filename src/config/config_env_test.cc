#include "config/config_env.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include "auth/token.h"
#include "config/server_config.h"
#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

using ::lakeshare::testing::StatusIs;

constexpr const char* kFile = R"(
version: 1
port: 8080
logLevel: info
authorization:
  bearerToken: from-file
shares:
- name: s1
  schemas: []
)";

TEST(ConfigEnvTest, NamesFollowOneRule) {
  EXPECT_EQ(ConfigEnvName("port"), "LAKESHARE_PORT");
  EXPECT_EQ(ConfigEnvName("preSignedUrlTimeoutSeconds"),
            "LAKESHARE_PRE_SIGNED_URL_TIMEOUT_SECONDS");
  EXPECT_EQ(ConfigEnvName("ssl.certificateFile"), "LAKESHARE_SSL__CERTIFICATE_FILE");
  EXPECT_EQ(ConfigEnvName("hudi.mergeCacheBytes"), "LAKESHARE_HUDI__MERGE_CACHE_BYTES");
  EXPECT_EQ(ConfigEnvName("authorization.bearerToken"), "LAKESHARE_AUTHORIZATION__BEARER_TOKEN");
}

TEST(ConfigEnvTest, EveryKnownKeyHasAVariable) {
  std::vector<std::string> paths = ConfigEnvKeyPaths();
  auto has = [&](const std::string& p) {
    return std::find(paths.begin(), paths.end(), p) != paths.end();
  };
  EXPECT_TRUE(has("logFormat"));
  EXPECT_TRUE(has("shutdownGraceSeconds"));
  EXPECT_TRUE(has("ssl.certificatePassword"));
  EXPECT_TRUE(has("metrics.listen"));
  EXPECT_TRUE(has("trustedProxies"));
  EXPECT_TRUE(has("rateLimit.requestsPerSecond"));
  EXPECT_TRUE(has("rateLimit.burst"));
  EXPECT_EQ(ConfigEnvName("rateLimit.requestsPerSecond"),
            "LAKESHARE_RATE_LIMIT__REQUESTS_PER_SECOND");
  EXPECT_TRUE(has("oauth.accessTokenTtlSeconds"));
  EXPECT_EQ(ConfigEnvName("oauth.accessTokenTtlSeconds"),
            "LAKESHARE_OAUTH__ACCESS_TOKEN_TTL_SECONDS");
  EXPECT_FALSE(has("ssl"));  // a mapping: its keys are the settings
  EXPECT_FALSE(has("oauth"));
}

TEST(ConfigEnvTest, EnvironmentOverridesTheFile) {
  ConfigEnvironment env = {{"LAKESHARE_PORT", "9090"},
                           {"LAKESHARE_LOG_LEVEL", "debug"},
                           {"LAKESHARE_LOG_FORMAT", "json"},
                           {"LAKESHARE_AUTHORIZATION__BEARER_TOKEN", "from: env #1"},
                           {"LAKESHARE_METRICS__LISTEN", "127.0.0.1:9464"},
                           {"LAKESHARE_TRUSTED_PROXIES", "[10.0.0.0/8, 192.168.1.1]"},
                           {"LAKESHARE_SHUTDOWN_GRACE_SECONDS", "5"},
                           {"LAKESHARE_ADMIN_TOKEN", "not a setting"}};
  ASSERT_OK_AND_ASSIGN(ServerConfig cfg, ParseServerConfig(kFile, "/etc/lakeshare", env));
  EXPECT_EQ(cfg.port, 9090);
  EXPECT_EQ(cfg.log_level, "debug");
  EXPECT_EQ(cfg.log_format, "json");
  EXPECT_EQ(cfg.shutdown_grace_seconds, 5);
  ASSERT_EQ(cfg.recipients.size(), 1u);
  // Taken literally: YAML syntax in a secret is not interpreted.
  EXPECT_EQ(cfg.recipients[0].token_hash, HashToken("from: env #1"));
  EXPECT_EQ(cfg.metrics.listen_port, 9464);
  EXPECT_EQ(cfg.trusted_proxies, (std::vector<std::string>{"10.0.0.0/8", "192.168.1.1"}));
  EXPECT_EQ(cfg.from_environment.size(), 7u);
  EXPECT_TRUE(cfg.warnings.empty());
}

TEST(ConfigEnvTest, NestedKeyWithoutItsMappingInTheFile) {
  ConfigEnvironment env = {{"LAKESHARE_HUDI__MERGE_CACHE", "merged"}};
  ASSERT_OK_AND_ASSIGN(ServerConfig cfg, ParseServerConfig(kFile, "/srv", env));
  EXPECT_EQ(cfg.hudi_merge_cache, "/srv/merged");
}

TEST(ConfigEnvTest, AnEmptyFileCanBeAllEnvironment) {
  ConfigEnvironment env = {{"LAKESHARE_VERSION", "1"}, {"LAKESHARE_ALLOW_ANONYMOUS", "true"}};
  ASSERT_OK_AND_ASSIGN(ServerConfig cfg, ParseServerConfig("", "/srv", env));
  EXPECT_TRUE(cfg.allow_anonymous);
}

TEST(ConfigEnvTest, BadValuesAreRefusedLikeTheFilesAre) {
  EXPECT_THAT(ParseServerConfig(kFile, "/srv", {{"LAKESHARE_PORT", "eighty"}}),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseServerConfig(kFile, "/srv", {{"LAKESHARE_LOG_FORMAT", "xml"}}),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseServerConfig(kFile, "/srv", {{"LAKESHARE_TRUSTED_PROXIES", "10.0.0.1"}}),
              StatusIs(StatusCode::kInvalidArgument, ::testing::HasSubstr("YAML list")));
  EXPECT_THAT(ParseServerConfig(kFile, "/srv", {{"LAKESHARE_TRUSTED_PROXIES", "[a, "}}),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST(ConfigEnvTest, ATypoIsAWarning) {
  ASSERT_OK_AND_ASSIGN(ServerConfig cfg,
                       ParseServerConfig(kFile, "/srv", {{"LAKESHARE_LOG_LEVLE", "debug"}}));
  EXPECT_EQ(cfg.log_level, "info");
  ASSERT_EQ(cfg.warnings.size(), 1u);
  EXPECT_NE(cfg.warnings[0].find("LAKESHARE_LOG_LEVEL"), std::string::npos) << cfg.warnings[0];
}

TEST(ConfigEnvTest, ProcessEnvironmentIsRead) {
  ASSERT_EQ(setenv("LAKESHARE_CONFIG_ENV_TEST_PROBE", "x=y", 1), 0);
  ConfigEnvironment env = ProcessConfigEnvironment();
  unsetenv("LAKESHARE_CONFIG_ENV_TEST_PROBE");
  ASSERT_EQ(env.count("LAKESHARE_CONFIG_ENV_TEST_PROBE"), 1u);
  EXPECT_EQ(env["LAKESHARE_CONFIG_ENV_TEST_PROBE"], "x=y");
}

}  // namespace
}  // namespace lakeshare
