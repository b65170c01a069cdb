#include "storage/http_auth.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>

#include "storage/catalog_connections.h"
#include "testing/status_matchers.h"
#include "testing/test_http_server.h"

namespace lakeshare {
namespace {

using testing::TestHttpServer;

// 2026-01-02T03:04:05Z
constexpr int64_t kSignTimeMs = 1767323045000;

std::map<std::string, std::string> FormOf(const std::string& body) {
  return testing::QueryOf("/?" + body);
}

std::string HeaderOf(const HttpCall& call, const std::string& name) {
  for (const auto& [k, v] : call.headers) {
    if (k == name) return v;
  }
  return "";
}

// A token endpoint and a resource that wants its latest token.
struct FakeOAuthService {
  std::mutex mu;
  int issued = 0;
  std::string current;
  int expires_in = 3600;
  std::vector<std::map<std::string, std::string>> grants;
  std::vector<std::string> authorizations;

  TestHttpServer::Response Handle(const TestHttpServer::Request& r) {
    std::lock_guard<std::mutex> lock(mu);
    if (r.target == "/v1/oauth/tokens") {
      grants.push_back(FormOf(r.body));
      if (grants.back()["client_secret"] != "s3cret") {
        return {401, {}, R"({"error":"invalid_client","error_description":"bad"})"};
      }
      current = "token-" + std::to_string(++issued);
      return {
          200,
          {{"Content-Type", "application/json"}},
          R"({"access_token":")" + current +
              R"(","token_type":"bearer","issued_token_type":"urn:ietf:params:oauth:token-type:access_token","expires_in":)" +
              std::to_string(expires_in) + "}"};
    }
    auto h = r.headers.find("authorization");
    authorizations.push_back(h == r.headers.end() ? "" : h->second);
    if (h == r.headers.end() || h->second != "Bearer " + current) return {401, {}, "{}"};
    return {200, {}, "ok"};
  }
};

HttpAuthConfig OAuth(const std::string& base, const std::string& secret = "s3cret") {
  HttpAuthConfig c;
  c.kind = HttpAuthConfig::Kind::kOAuth2;
  c.client_id = "lakeshare";
  c.client_secret = secret;
  c.scope = "PRINCIPAL_ROLE:ALL";
  c.token_endpoint = base + "/v1/oauth/tokens";
  return c;
}

HttpCall Get(const std::string& url) {
  HttpCall call;
  call.url = url;
  call.what = "the test catalog";
  return call;
}

TEST(HttpAuthTest, OAuth2ClientCredentialsGrantAndCachedToken) {
  FakeOAuthService svc;
  TestHttpServer server([&](const TestHttpServer::Request& r) { return svc.Handle(r); });
  HttpAuthenticator auth(OAuth(server.base_url()), std::make_shared<HttpClient>(), {});
  for (int i = 0; i < 3; ++i) {
    ASSERT_OK_AND_ASSIGN(HttpAnswer a, auth.Send(Get(server.base_url() + "/v1/config")));
    EXPECT_EQ(a.status, 200);
  }
  EXPECT_EQ(auth.tokens_fetched(), 1);
  ASSERT_EQ(svc.grants.size(), 1u);
  EXPECT_EQ(svc.grants[0]["grant_type"], "client_credentials");
  EXPECT_EQ(svc.grants[0]["client_id"], "lakeshare");
  EXPECT_EQ(svc.grants[0]["client_secret"], "s3cret");
  EXPECT_EQ(svc.grants[0]["scope"], "PRINCIPAL_ROLE:ALL");
  for (const std::string& h : svc.authorizations) EXPECT_EQ(h, "Bearer token-1");
}

TEST(HttpAuthTest, OAuth2TokenFetchedAgainBeforeItExpires) {
  FakeOAuthService svc;
  svc.expires_in = 100;
  TestHttpServer server([&](const TestHttpServer::Request& r) { return svc.Handle(r); });
  std::atomic<int64_t> now{1'000'000};
  HttpAuthenticator auth(OAuth(server.base_url()), std::make_shared<HttpClient>(), {},
                         [&] { return now.load(); });
  ASSERT_OK(auth.Send(Get(server.base_url() + "/t")).status());
  now += 89'000;  // within the first 90 % of its life: kept
  ASSERT_OK(auth.Send(Get(server.base_url() + "/t")).status());
  EXPECT_EQ(auth.tokens_fetched(), 1);
  now += 2'000;  // in the last tenth: a new one before the service would refuse it
  ASSERT_OK_AND_ASSIGN(HttpAnswer a, auth.Send(Get(server.base_url() + "/t")));
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(auth.tokens_fetched(), 2);
  EXPECT_EQ(svc.authorizations.back(), "Bearer token-2");
  // Exactly one resource request per call: none was refused.
  EXPECT_EQ(svc.authorizations.size(), 3u);
}

TEST(HttpAuthTest, OAuth2RefusedTokenIsReplacedOnce) {
  FakeOAuthService svc;
  TestHttpServer server([&](const TestHttpServer::Request& r) { return svc.Handle(r); });
  HttpAuthenticator auth(OAuth(server.base_url()), std::make_shared<HttpClient>(), {});
  ASSERT_OK(auth.Send(Get(server.base_url() + "/t")).status());
  {
    std::lock_guard<std::mutex> lock(svc.mu);
    svc.current = "revoked";  // the service no longer takes token-1
  }
  ASSERT_OK_AND_ASSIGN(HttpAnswer a, auth.Send(Get(server.base_url() + "/t")));
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(auth.tokens_fetched(), 2);
  ASSERT_EQ(svc.authorizations.size(), 3u);
  EXPECT_EQ(svc.authorizations[1], "Bearer token-1");
  EXPECT_EQ(svc.authorizations[2], "Bearer token-2");
  ASSERT_OK_AND_ASSIGN(a, auth.Send(Get(server.base_url() + "/t")));
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(auth.tokens_fetched(), 2);
}

TEST(HttpAuthTest, OAuth2SecondRefusalIsTheAnswer) {
  std::atomic<int> grants{0}, calls{0};
  TestHttpServer server([&](const TestHttpServer::Request& r) {
    if (r.target == "/v1/oauth/tokens") {
      ++grants;
      return TestHttpServer::Response{200, {}, R"({"access_token":"t","expires_in":3600})"};
    }
    ++calls;
    return TestHttpServer::Response{401, {}, "{}"};
  });
  HttpAuthenticator auth(OAuth(server.base_url()), std::make_shared<HttpClient>(), {});
  ASSERT_OK_AND_ASSIGN(HttpAnswer a, auth.Send(Get(server.base_url() + "/t")));
  EXPECT_EQ(a.status, 401);
  EXPECT_EQ(grants.load(), 2);
  EXPECT_EQ(calls.load(), 2);
}

TEST(HttpAuthTest, OAuth2RefusedCredentialsNameNoSecret) {
  FakeOAuthService svc;
  TestHttpServer server([&](const TestHttpServer::Request& r) { return svc.Handle(r); });
  HttpAuthenticator auth(OAuth(server.base_url(), "wrong-secret"), std::make_shared<HttpClient>(),
                         {});
  auto a = auth.Send(Get(server.base_url() + "/t"));
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(a.status().message().find("invalid_client"), std::string::npos);
  EXPECT_NE(a.status().message().find("HTTP 401"), std::string::npos);
  EXPECT_EQ(a.status().message().find("wrong-secret"), std::string::npos);
  EXPECT_EQ(auth.Describe().find("wrong-secret"), std::string::npos);
}

TEST(HttpAuthTest, StaticBearerToken) {
  std::string seen;
  TestHttpServer server([&](const TestHttpServer::Request& r) {
    seen = r.headers.count("authorization") ? r.headers.at("authorization") : "";
    return TestHttpServer::Response{200, {}, "{}"};
  });
  HttpAuthConfig c;
  c.kind = HttpAuthConfig::Kind::kBearer;
  c.token = "tok-123";
  HttpAuthenticator auth(c, std::make_shared<HttpClient>(), {});
  ASSERT_OK(auth.Send(Get(server.base_url() + "/x")).status());
  EXPECT_EQ(seen, "Bearer tok-123");
  EXPECT_EQ(auth.Describe().find("tok-123"), std::string::npos);
}

HttpAuthConfig SigV4(const std::string& service, const std::string& region) {
  HttpAuthConfig c;
  c.kind = HttpAuthConfig::Kind::kSigV4;
  c.service = service;
  c.region = region;
  c.access_key_id = "AKIDEXAMPLE";
  c.secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  return c;
}

// The expected headers come from botocore 1.43 (SigV4Auth.add_auth with its
// clock set to 2026-01-02T03:04:05Z, the same keys and request).
TEST(HttpAuthTest, SigV4MatchesBotocoreForAnS3TablesGet) {
  HttpAuthenticator auth(SigV4("s3tables", "us-west-2"), std::make_shared<HttpClient>(), {},
                         [] { return kSignTimeMs; });
  HttpCall call =
      Get("https://s3tables.us-west-2.amazonaws.com/iceberg/v1/"
          "arn%3Aaws%3As3tables%3Aus-west-2%3A111122223333%3Abucket%2Fb/namespaces/a%1Fb/tables/t");
  call.headers = {{"Accept", "application/json"}};
  ASSERT_OK_AND_ASSIGN(HttpCall s, auth.Sign(call));
  EXPECT_EQ(s.url, call.url);  // sent as written
  EXPECT_EQ(HeaderOf(s, "x-amz-date"), "20260102T030405Z");
  EXPECT_EQ(HeaderOf(s, "Authorization"),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260102/us-west-2/s3tables/aws4_request, "
            "SignedHeaders=accept;host;x-amz-date, "
            "Signature=743ceb73226d8141f2def2567da41a213ef35a6a4d6d70364287cc9b3cecb1c6");
}

TEST(HttpAuthTest, SigV4MatchesBotocoreForAGluePostWithSessionToken) {
  HttpAuthConfig c = SigV4("glue", "eu-west-1");
  c.session_token = "SESSIONTOKEN";
  HttpAuthenticator auth(c, std::make_shared<HttpClient>(), {}, [] { return kSignTimeMs; });
  HttpCall call = Get("https://glue.eu-west-1.amazonaws.com/");
  call.method = "POST";
  call.headers = {{"Content-Type", "application/x-amz-json-1.1"},
                  {"X-Amz-Target", "AWSGlue.GetTable"}};
  call.body = R"({"DatabaseName":"db","Name":"t"})";
  ASSERT_OK_AND_ASSIGN(HttpCall s, auth.Sign(call));
  EXPECT_EQ(HeaderOf(s, "x-amz-security-token"), "SESSIONTOKEN");
  EXPECT_EQ(HeaderOf(s, "Authorization"),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260102/eu-west-1/glue/aws4_request, "
            "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, "
            "Signature=cee322883b45a3af7adaa8b7015e13352dae5cecec6b0bef880913a5e9a79726");
}

TEST(HttpAuthTest, SigV4KeysAndRegionFromTheEnvironment) {
  CloudEnvironment env;
  env.vars = {{"AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"},
              {"AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"},
              {"AWS_REGION", "us-west-2"}};
  HttpAuthConfig c;
  c.kind = HttpAuthConfig::Kind::kSigV4;
  c.service = "s3tables";
  ASSERT_OK(HttpAuthenticator::Validate(c, env, "test"));
  EXPECT_FALSE(HttpAuthenticator::Validate(c, {}, "test").ok());
  HttpAuthenticator auth(c, std::make_shared<HttpClient>(), env, [] { return kSignTimeMs; });
  HttpCall call =
      Get("https://s3tables.us-west-2.amazonaws.com/iceberg/v1/"
          "arn%3Aaws%3As3tables%3Aus-west-2%3A111122223333%3Abucket%2Fb/namespaces/a%1Fb/tables/t");
  call.headers = {{"Accept", "application/json"}};
  ASSERT_OK_AND_ASSIGN(HttpCall s, auth.Sign(call));
  EXPECT_NE(HeaderOf(s, "Authorization")
                .find("Signature=743ceb73226d8141f2def2567da41a213ef35a6a4d6d70364287cc9b3cecb1c6"),
            std::string::npos);
}

TEST(HttpAuthTest, ValidateNamesWhatIsMissing) {
  HttpAuthConfig c;
  c.kind = HttpAuthConfig::Kind::kOAuth2;
  c.client_id = "x";
  Status s = HttpAuthenticator::Validate(c, {}, "icebergCatalogs 'p'");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("icebergCatalogs 'p'"), std::string::npos);
  c.kind = HttpAuthConfig::Kind::kBearer;
  EXPECT_FALSE(HttpAuthenticator::Validate(c, {}, "x").ok());
}

TEST(HttpAuthTest, SplitHttpUrl) {
  ASSERT_OK_AND_ASSIGN(UrlParts p, SplitHttpUrl("HTTPS://h.example:8443/a%20b/c?x=1&y#frag"));
  EXPECT_EQ(p.scheme, "https");
  EXPECT_EQ(p.host, "h.example:8443");
  EXPECT_EQ(p.path, "/a%20b/c");
  EXPECT_EQ(p.query, "x=1&y");
  ASSERT_OK_AND_ASSIGN(p, SplitHttpUrl("http://h"));
  EXPECT_EQ(p.path, "/");
  EXPECT_FALSE(SplitHttpUrl("s3://b/k").ok());
  EXPECT_FALSE(SplitHttpUrl("http://user:pw@h/").ok());
  EXPECT_FALSE(SplitHttpUrl("http:///x").ok());
}

TEST(CatalogConnectionsTest, DefaultsLookupAndValidation) {
  CatalogConnectionConfig rest;
  rest.name = "polaris";
  rest.uri = "https://cat.example/api/catalog/";
  rest.auth = OAuth("unused");
  rest.auth.token_endpoint.clear();
  CatalogConnectionConfig glue;
  glue.name = "prod";
  glue.type = "glue";
  glue.auth.access_key_id = "AKID";
  glue.auth.secret_access_key = "secret";
  CloudEnvironment env;
  env.vars = {{"AWS_REGION", "eu-central-1"}};
  CatalogConnections c({rest, glue}, env, std::make_shared<HttpClient>());
  ASSERT_OK(c.Validate());
  const auto* p = c.ForUrl("https://cat.example/api/catalog/v1/ns/namespaces/a/tables/t");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->config.name, "polaris");
  EXPECT_EQ(p->config.auth.token_endpoint, "https://cat.example/api/catalog/v1/oauth/tokens");
  EXPECT_EQ(c.ForUrl("https://cat.example/api/catalogue/v1/x"), nullptr);
  EXPECT_EQ(c.ForUrl("https://other.example/api/catalog/v1/x"), nullptr);
  const auto* g = c.ByName("prod");
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->config.uri, "https://glue.eu-central-1.amazonaws.com");
  EXPECT_EQ(g->config.auth.kind, HttpAuthConfig::Kind::kSigV4);
  EXPECT_EQ(g->config.auth.service, "glue");
  for (const std::string& line : c.Describe()) {
    EXPECT_EQ(line.find("s3cret"), std::string::npos) << line;
    EXPECT_EQ(line.find("secret"), std::string::npos) << line;
  }

  CatalogConnections twice({rest, rest}, env, std::make_shared<HttpClient>());
  EXPECT_EQ(twice.Validate().code(), StatusCode::kInvalidArgument);
  CatalogConnectionConfig no_uri;
  no_uri.name = "x";
  CatalogConnections bad({no_uri}, env, std::make_shared<HttpClient>());
  EXPECT_EQ(bad.Validate().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace lakeshare
