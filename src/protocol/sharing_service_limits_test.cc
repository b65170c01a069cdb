// SharingService's federated bearer tokens (auth/federation.h) on the golden
// YAML catalog, with a real JWKS endpoint; its 429s and their counters; the
// per-address limit of {endpoint}/oauth/token.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "auth/federation.h"
#include "catalog/catalog_schema.h"
#include "catalog/yaml_catalog.h"
#include "common/time_util.h"
#include "config/server_config.h"
#include "protocol/oauth_token_endpoint.h"
#include "protocol/sharing_service.h"
#include "server/request_target.h"
#include "storage/storage_registry.h"
#include "testing/jwt_signer.h"
#include "testing/status_matchers.h"
#include "testing/test_http_server.h"

namespace lakeshare {
namespace {

using ::lakeshare::testing::JwtSigner;
using ::lakeshare::testing::TestHttpServer;

constexpr const char* kIssuer = "https://idp.example.com/";

class Recorder : public SharingAuditSink {
 public:
  void Record(SharingAuditEvent event) override {
    std::lock_guard lock(mu_);
    events_.push_back(std::move(event));
  }
  std::vector<SharingAuditEvent> events() {
    std::lock_guard lock(mu_);
    return events_;
  }

 private:
  std::mutex mu_;
  std::vector<SharingAuditEvent> events_;
};

HttpRequest Request(std::string method, std::string target, const std::string& token,
                    std::string remote = "192.0.2.1") {
  HttpRequest r;
  r.method = std::move(method);
  r.target = std::move(target);
  Result<RequestTarget> parsed = ParseRequestTarget(r.target);
  EXPECT_OK(parsed.status());
  if (parsed.ok()) {
    r.path = parsed->path;
    r.query = parsed->query;
  }
  if (!token.empty()) r.headers.emplace_back("authorization", "Bearer " + token);
  r.remote_address = std::move(remote);
  return r;
}

class SharingLimitsTest : public ::testing::Test {
 protected:
  SharingLimitsTest()
      : idp_([this](const TestHttpServer::Request&) {
          TestHttpServer::Response r;
          r.body = R"({"keys":[)" + rsa_.PublicJwk("k1") + "]}";
          return r;
        }) {
    Result<ServerConfig> config =
        LoadServerConfig((std::filesystem::path(LAKESHARE_GOLDEN_DIR) / "catalog.yaml").string());
    EXPECT_OK(config.status());
    if (config.ok()) catalog_ = std::make_shared<YamlCatalog>(*config);
    options_.endpoint = "/delta-sharing";
    options_.page_token_key = "sharing-limits-test-key";
    options_.audit = audit_;
    options_.rate_limited = {&recipient_limited_, &concurrency_limited_, &token_limited_};
  }

  std::unique_ptr<SharingService> Make() {
    return std::make_unique<SharingService>(
        options_, catalog_, std::make_shared<StorageRegistry>("sharing-limits-signing-key"));
  }

  std::shared_ptr<Federation> MakeFederation() {
    FederationIssuerConfig c;
    c.issuer = kIssuer;
    c.jwks_url = idp_.base_url() + "/jwks";
    c.audience = "lakeshare";
    return std::make_shared<Federation>(std::vector<FederationIssuerConfig>{c},
                                        std::make_shared<HttpClient>());
  }

  std::string Token(const std::string& sub, int64_t exp_offset_s = 600) const {
    int64_t now = NowMillis() / 1000;
    return rsa_.Sign(R"({"alg":"RS256","kid":"k1"})",
                     R"({"iss":")" + std::string(kIssuer) + R"(","aud":"lakeshare","sub":")" + sub +
                         R"(","exp":)" + std::to_string(now + exp_offset_s) + "}");
  }

  JwtSigner rsa_ = JwtSigner::Rsa();
  TestHttpServer idp_;
  std::shared_ptr<Catalog> catalog_;
  SharingServiceOptions options_;
  std::shared_ptr<Recorder> audit_ = std::make_shared<Recorder>();
  Counter recipient_limited_, concurrency_limited_, token_limited_;
};

TEST_F(SharingLimitsTest, FederatedTokenIsTheRecipientsBearerToken) {
  options_.federation = MakeFederation();
  std::unique_ptr<SharingService> service = Make();
  HttpRequest list = Request("GET", "/delta-sharing/shares", Token("default"));
  HttpResponse r = service->Handle(list);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("golden"), std::string::npos) << r.body;
  // The head check takes the same way.
  HttpRequest head = Request("GET", "/delta-sharing/shares/golden/schemas", Token("default"));
  EXPECT_FALSE(service->CheckHead(head).has_value());
  std::vector<SharingAuditEvent> events = audit_->events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].recipient, "default");
  EXPECT_EQ(events[0].origin, "federation issuer=https://idp.example.com/ subject=default");
  // The static token keeps working beside it, without an origin.
  HttpRequest legacy = Request("GET", "/delta-sharing/shares", "golden-token");
  EXPECT_EQ(service->Handle(legacy).status, 200);
  EXPECT_EQ(audit_->events().back().origin, "");
}

TEST_F(SharingLimitsTest, FederatedRefusalsAre401) {
  options_.federation = MakeFederation();
  std::unique_ptr<SharingService> service = Make();
  for (const std::string& token :
       {Token("nobody"), Token("default", -3600),
        JwtSigner::Rsa().Sign(R"({"alg":"RS256","kid":"k1"})",
                              R"({"iss":")" + std::string(kIssuer) +
                                  R"(","aud":"lakeshare","sub":"default",)"
                                  R"("exp":9999999999})")}) {
    HttpRequest list = Request("GET", "/delta-sharing/shares", token);
    HttpResponse r = service->Handle(list);
    EXPECT_EQ(r.status, 401) << r.body;
    EXPECT_NE(r.body.find("UNAUTHENTICATED"), std::string::npos) << r.body;
    EXPECT_EQ(r.body.find(token), std::string::npos);  // the token is never echoed
  }
  // Without federation configured the same JWT is just an unknown token.
  options_.federation = nullptr;
  HttpRequest list = Request("GET", "/delta-sharing/shares", Token("default"));
  EXPECT_EQ(Make()->Handle(list).status, 401);
}

TEST_F(SharingLimitsTest, RecipientRateLimitIsCounted) {
  options_.rate_limiter = std::make_shared<RateLimiter>(RateLimit{0.001, 2});
  std::unique_ptr<SharingService> service = Make();
  for (int i = 0; i < 2; ++i) {
    HttpRequest list = Request("GET", "/delta-sharing/shares", "golden-token");
    EXPECT_EQ(service->Handle(list).status, 200);
  }
  HttpRequest list = Request("GET", "/delta-sharing/shares", "golden-token");
  HttpResponse r = service->Handle(list);
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(recipient_limited_.value(), 1u);
  EXPECT_EQ(token_limited_.value(), 0u);
}

TEST_F(SharingLimitsTest, TokenEndpointIsLimitedPerAddress) {
  std::string dir = ::testing::TempDir() + "/token_limit_" + std::to_string(NowMillis());
  std::filesystem::create_directories(dir);
  ASSERT_OK_AND_ASSIGN(std::shared_ptr<db::Database> db,
                       OpenCatalogDatabase("sqlite:" + dir + "/catalog.db"));
  options_.oauth = std::make_shared<OAuthTokenEndpoint>(std::make_shared<OAuthClientStore>(db),
                                                        OAuthTokenOptions{});
  options_.token_rate_limiter =
      std::make_shared<RateLimiter>(RateLimit{0.001, 3}, RateLimiter::Clock(), 64);
  std::unique_ptr<SharingService> service = Make();
  auto post = [&](const std::string& remote) {
    HttpRequest r = Request("POST", "/delta-sharing/oauth/token", "", remote);
    r.headers.emplace_back("content-type", "application/x-www-form-urlencoded");
    r.body = "grant_type=client_credentials&client_id=nope&client_secret=nope";
    return service->Handle(r);
  };
  for (int i = 0; i < 3; ++i) EXPECT_EQ(post("198.51.100.7").status, 401);
  HttpResponse limited = post("198.51.100.7");
  EXPECT_EQ(limited.status, 429);
  EXPECT_NE(limited.body.find(R"("error":"slow_down")"), std::string::npos) << limited.body;
  std::string retry_after;
  for (const auto& [name, value] : limited.headers) {
    if (name == "Retry-After") retry_after = value;
  }
  EXPECT_GE(std::stoll(retry_after.empty() ? "0" : retry_after), 1);
  EXPECT_EQ(token_limited_.value(), 1u);
  // Another address has its own bucket; an IPv6 host's whole /64 shares one.
  EXPECT_EQ(post("198.51.100.8").status, 401);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(post("2001:db8::" + std::to_string(i + 1)).status, 401);
  EXPECT_EQ(post("2001:db8::ffff").status, 429);
  EXPECT_EQ(post("2001:db8:0:1::1").status, 401);
  EXPECT_EQ(token_limited_.value(), 2u);
  EXPECT_EQ(recipient_limited_.value(), 0u);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace lakeshare
