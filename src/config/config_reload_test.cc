#include "config/config_reload.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

constexpr const char* kBase = R"(
version: 1
port: 8080
logLevel: info
urlSigningKey: first-secret-key-0123456789
recipients:
- name: alice
  token: alice-token
  shares: [s1]
- name: bob
  token: bob-token
  shares: [s1]
shares:
- name: s1
  schemas:
  - name: sc
    tables:
    - name: t
      location: /data/t
)";

ServerConfig Parse(const std::string& text) {
  Result<ServerConfig> cfg = ParseServerConfig(text, "/srv");
  EXPECT_OK(cfg);
  return cfg.ok() ? *cfg : ServerConfig();
}

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return text.replace(at, from.size(), to);
}

TEST(ConfigReloadTest, NothingChanged) {
  ConfigReload plan = PlanConfigReload(Parse(kBase), Parse(kBase));
  EXPECT_THAT(plan.applied, IsEmpty());
  EXPECT_THAT(plan.need_restart, IsEmpty());
}

TEST(ConfigReloadTest, CatalogAndLiveSettingsApply) {
  std::string next = Replace(kBase, "logLevel: info", "logLevel: debug");
  next = Replace(next, "bob-token", "bob-new-token");
  next += R"(- name: s2
  schemas: []
)";
  next = Replace(next, "shares: [s1]\n- name: bob", "shares: [s1, s2]\n- name: bob");
  ConfigReload plan = PlanConfigReload(Parse(kBase), Parse(next));
  EXPECT_THAT(plan.applied,
              UnorderedElementsAre("logLevel: info -> debug", "share 's2' added",
                                   "recipient 'alice' changed", "recipient 'bob' changed"));
  EXPECT_THAT(plan.need_restart, IsEmpty());
  EXPECT_EQ(plan.effective.log_level, "debug");
  EXPECT_EQ(plan.effective.shares.size(), 2u);
  // A token's hash is never shown.
  for (const std::string& line : plan.applied)
    EXPECT_THAT(line, ::testing::Not(HasSubstr("sha256")));
}

TEST(ConfigReloadTest, RateLimitAppliesLive) {
  std::string next = kBase + std::string("rateLimit: {requestsPerSecond: 5, burst: 8}\n");
  ConfigReload plan = PlanConfigReload(Parse(kBase), Parse(next));
  EXPECT_THAT(plan.applied, ElementsAre("rateLimit: unlimited -> 5/s burst 8"));
  EXPECT_THAT(plan.need_restart, IsEmpty());
  EXPECT_EQ(plan.effective.rate_limit, (RateLimit{5, 8}));
}

TEST(ConfigReloadTest, FederationAndTokenEndpointLimitApplyLive) {
  std::string next = std::string(kBase) +
                     "federation:\n- {issuer: 'https://idp/', jwksUrl: 'https://idp/jwks', "
                     "audience: a}\ntokenEndpointRateLimit: {requestsPerSecond: 1, burst: 2}\n";
  ConfigReload plan = PlanConfigReload(Parse(kBase), Parse(next));
  EXPECT_THAT(plan.applied,
              UnorderedElementsAre("federation: issuers [] -> [https://idp/]",
                                   "tokenEndpointRateLimit: 5/s burst 20 -> 1/s burst 2"));
  EXPECT_THAT(plan.need_restart, IsEmpty());
  ASSERT_EQ(plan.effective.federation.size(), 1U);
  EXPECT_EQ(plan.effective.federation[0].audience, "a");
  // The same issuer with another audience is a change too.
  std::string changed = next;
  changed.replace(changed.find("audience: a"), 11, "audience: b");
  plan = PlanConfigReload(Parse(next), Parse(changed));
  EXPECT_THAT(
      plan.applied,
      ElementsAre("federation: issuers [https://idp/] -> [https://idp/] (settings changed)"));
  EXPECT_EQ(plan.effective.federation[0].audience, "b");
}

TEST(ConfigReloadTest, RemovedShareIsSaid) {
  std::string next = Replace(kBase, "    - name: t\n      location: /data/t\n", "");
  ConfigReload plan = PlanConfigReload(Parse(kBase), Parse(next));
  EXPECT_THAT(plan.applied, ElementsAre("share 's1' changed"));
  std::string fewer = Replace(kBase, "- name: bob\n  token: bob-token\n  shares: [s1]\n", "");
  EXPECT_THAT(PlanConfigReload(Parse(kBase), Parse(fewer)).applied,
              ElementsAre("recipient 'bob' removed"));
}

TEST(ConfigReloadTest, ListenerSettingsNeedARestartAndKeepTheirValue) {
  std::string next = Replace(kBase, "port: 8080", "port: 9090");
  next = Replace(next, "first-secret-key-0123456789", "second-secret-key-0123456789");
  ConfigReload plan = PlanConfigReload(Parse(kBase), Parse(next));
  EXPECT_THAT(plan.need_restart, UnorderedElementsAre("port: 8080 -> 9090 (needs a restart)",
                                                      "urlSigningKey: changed (needs a restart)"));
  EXPECT_EQ(plan.effective.port, 8080);
  EXPECT_EQ(*plan.effective.url_signing_key, "first-secret-key-0123456789");
  for (const std::string& line : plan.need_restart) {
    EXPECT_THAT(line, ::testing::Not(HasSubstr("secret-key")));
  }
}

TEST(ConfigReloadTest, WithACatalogDatabaseTheFilesSharesAreNotServed) {
  std::string with_db = std::string(kBase) + "catalogUrl: sqlite:cat.db\n";
  std::string next = Replace(with_db, "location: /data/t", "location: /data/t2");
  ConfigReload plan = PlanConfigReload(Parse(with_db), Parse(next));
  EXPECT_THAT(plan.applied, IsEmpty());
}

}  // namespace
}  // namespace lakeshare
