#include "auth/jwks_cache.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>

#include "testing/jwt_signer.h"
#include "testing/status_matchers.h"
#include "testing/test_http_server.h"

namespace lakeshare {
namespace {

using ::lakeshare::testing::JwtSigner;
using ::lakeshare::testing::StatusIs;
using ::lakeshare::testing::TestHttpServer;

// An identity provider's JWKS endpoint whose document the test rotates.
class FakeIdp {
 public:
  FakeIdp()
      : server_([this](const TestHttpServer::Request&) {
          std::lock_guard lock(mu_);
          TestHttpServer::Response r;
          r.status = status_;
          r.body = body_;
          if (!cache_control_.empty()) r.headers.emplace_back("Cache-Control", cache_control_);
          return r;
        }) {}

  void Serve(const std::string& body, const std::string& cache_control = "") {
    std::lock_guard lock(mu_);
    body_ = body;
    cache_control_ = cache_control;
    status_ = 200;
  }
  void Fail(int status) {
    std::lock_guard lock(mu_);
    status_ = status;
  }
  std::string url() const { return server_.base_url() + "/jwks"; }
  int hits() const { return server_.requests(); }

 private:
  std::mutex mu_;
  std::string body_ = R"({"keys":[]})";
  std::string cache_control_;
  int status_ = 200;
  TestHttpServer server_;
};

std::string Jwks(std::initializer_list<std::string> jwks) {
  std::string out = R"({"keys":[)";
  bool first = true;
  for (const std::string& k : jwks) {
    out += (first ? "" : ",") + k;
    first = false;
  }
  return out + "]}";
}

std::shared_ptr<HttpClient> Client() {
  HttpClientOptions o;
  o.max_attempts = 1;
  o.connect_timeout_ms = 2000;
  o.request_timeout_ms = 5000;
  return std::make_shared<HttpClient>(o);
}

struct Fixture : public ::testing::Test {
  JwksCache Make(JwksCacheOptions o = {}) {
    o.url = idp.url();
    return JwksCache(std::move(o), Client(), [this] { return now_ms.load(); });
  }
  void Advance(int64_t seconds) { now_ms += seconds * 1000; }

  FakeIdp idp;
  std::atomic<int64_t> now_ms{1'800'000'000'000};
  JwtSigner rsa = JwtSigner::Rsa();
  JwtSigner ec = JwtSigner::Ec();
};

using JwksCacheTest = Fixture;

TEST_F(JwksCacheTest, FindsKeysByKidAndKeepsThemForTheirCacheTime) {
  idp.Serve(Jwks({rsa.PublicJwk("r1"), ec.PublicJwk("e1")}), "public, max-age=120");
  JwksCache cache = Make();
  ASSERT_OK_AND_ASSIGN(JwtPublicKey key, cache.KeyFor("r1", "RS256"));
  EXPECT_EQ(key.algorithm(), "RS256");
  ASSERT_OK_AND_ASSIGN(key, cache.KeyFor("e1", "ES256"));
  EXPECT_EQ(key.algorithm(), "ES256");
  EXPECT_EQ(idp.hits(), 1);
  Advance(119);
  ASSERT_OK(cache.KeyFor("r1", "RS256").status());
  EXPECT_EQ(idp.hits(), 1);
  Advance(2);  // past max-age: fetched again
  ASSERT_OK(cache.KeyFor("r1", "RS256").status());
  EXPECT_EQ(idp.hits(), 2);
}

TEST_F(JwksCacheTest, CacheTimeIsClampedToItsBounds) {
  JwksCacheOptions o;
  o.min_ttl_s = 60;
  o.max_ttl_s = 600;
  o.default_ttl_s = 300;
  idp.Serve(Jwks({rsa.PublicJwk("r1")}), "max-age=1");  // below the minimum: 60 s
  JwksCache cache = Make(o);
  ASSERT_OK(cache.KeyFor("r1", "RS256").status());
  Advance(59);
  ASSERT_OK(cache.KeyFor("r1", "RS256").status());
  EXPECT_EQ(idp.hits(), 1);
  idp.Serve(Jwks({rsa.PublicJwk("r1")}), "max-age=999999");  // above the maximum: 600 s
  Advance(2);
  ASSERT_OK(cache.KeyFor("r1", "RS256").status());
  EXPECT_EQ(idp.hits(), 2);
  Advance(599);
  ASSERT_OK(cache.KeyFor("r1", "RS256").status());
  EXPECT_EQ(idp.hits(), 2);
  idp.Serve(Jwks({rsa.PublicJwk("r1")}));  // no Cache-Control: the default, 300 s
  Advance(2);
  ASSERT_OK(cache.KeyFor("r1", "RS256").status());
  EXPECT_EQ(idp.hits(), 3);
  Advance(299);
  ASSERT_OK(cache.KeyFor("r1", "RS256").status());
  EXPECT_EQ(idp.hits(), 3);
  Advance(2);
  ASSERT_OK(cache.KeyFor("r1", "RS256").status());
  EXPECT_EQ(idp.hits(), 4);
}

TEST_F(JwksCacheTest, UnknownKidsRefetchAtMostOncePerInterval) {
  idp.Serve(Jwks({rsa.PublicJwk("r1")}), "max-age=3600");
  JwksCacheOptions o;
  o.refetch_interval_s = 30;
  JwksCache cache = Make(o);
  ASSERT_OK(cache.KeyFor("r1", "RS256").status());
  ASSERT_EQ(idp.hits(), 1);
  // A flood of random kids right after the fetch: refused, no fetch.
  for (int i = 0; i < 200; ++i) {
    EXPECT_THAT(cache.KeyFor("random-" + std::to_string(i), "RS256").status(),
                StatusIs(StatusCode::kUnauthenticated));
  }
  EXPECT_EQ(idp.hits(), 1);
  Advance(31);
  for (int i = 0; i < 200; ++i) {
    EXPECT_THAT(cache.KeyFor("again-" + std::to_string(i), "RS256").status(),
                StatusIs(StatusCode::kUnauthenticated));
  }
  EXPECT_EQ(idp.hits(), 2);  // one refetch for the whole second flood
  EXPECT_EQ(cache.fetches(), 2);
}

TEST_F(JwksCacheTest, RotationTakesTheNewKeyAndDropsTheOld) {
  idp.Serve(Jwks({rsa.PublicJwk("old")}), "max-age=3600");
  JwksCacheOptions o;
  o.refetch_interval_s = 30;
  JwksCache cache = Make(o);
  ASSERT_OK(cache.KeyFor("old", "RS256").status());
  idp.Serve(Jwks({ec.PublicJwk("new")}), "max-age=3600");
  // The old key stays usable until the cache learns of the rotation...
  Advance(31);
  ASSERT_OK_AND_ASSIGN(JwtPublicKey key, cache.KeyFor("new", "ES256"));  // unknown kid: refetch
  EXPECT_EQ(key.key_id(), "new");
  EXPECT_EQ(idp.hits(), 2);
  // ...and not after.
  EXPECT_THAT(cache.KeyFor("old", "RS256").status(), StatusIs(StatusCode::kUnauthenticated));
}

TEST_F(JwksCacheTest, OversizedDocumentIsRefused) {
  std::string padding(70 * 1024, ' ');
  idp.Serve(R"({"keys":[)" + rsa.PublicJwk("r1") + "]" + padding + "}");
  JwksCache cache = Make();  // 64 KiB by default
  EXPECT_THAT(cache.KeyFor("r1", "RS256").status(), StatusIs(StatusCode::kUnavailable));
  JwksCacheOptions big;
  big.max_bytes = 128 * 1024;
  Advance(60);
  JwksCache roomy = Make(big);
  ASSERT_OK(roomy.KeyFor("r1", "RS256").status());
}

TEST_F(JwksCacheTest, TooManyKeysAreRefused) {
  std::string body = R"({"keys":[)";
  for (size_t i = 0; i <= kMaxJwksKeys; ++i) body += std::string(i ? "," : "") + R"({"kty":"x"})";
  idp.Serve(body + "]}");
  JwksCache cache = Make();
  EXPECT_THAT(cache.KeyFor("r1", "RS256").status(), StatusIs(StatusCode::kUnavailable));
}

TEST_F(JwksCacheTest, UnreachableProviderWithoutKeysIsUnavailableAndNotHammered) {
  idp.Fail(503);
  JwksCacheOptions o;
  o.refetch_interval_s = 30;
  JwksCache cache = Make(o);
  for (int i = 0; i < 20; ++i) {
    EXPECT_THAT(cache.KeyFor("r1", "RS256").status(), StatusIs(StatusCode::kUnavailable));
  }
  EXPECT_EQ(idp.hits(), 1);
  idp.Serve(Jwks({rsa.PublicJwk("r1")}));
  Advance(31);
  ASSERT_OK(cache.KeyFor("r1", "RS256").status());
}

TEST_F(JwksCacheTest, KnownKeysOutliveAFailedRefresh) {
  JwksCacheOptions o;
  o.min_ttl_s = 60;
  o.max_ttl_s = 600;
  idp.Serve(Jwks({rsa.PublicJwk("r1")}), "max-age=60");
  JwksCache cache = Make(o);
  ASSERT_OK(cache.KeyFor("r1", "RS256").status());
  idp.Fail(500);
  Advance(120);
  ASSERT_OK(cache.KeyFor("r1", "RS256").status());  // stale, but the provider is down
  Advance(600);                                     // past expiry + the longest cache time
  EXPECT_THAT(cache.KeyFor("r1", "RS256").status(), StatusIs(StatusCode::kUnavailable));
}

TEST_F(JwksCacheTest, AlgorithmMustBeTheKeysAndAllowed) {
  idp.Serve(Jwks({rsa.PublicJwk("r1"), ec.PublicJwk("e1")}));
  JwksCacheOptions o;
  o.allowed_algorithms = {"ES256"};
  JwksCache cache = Make(o);
  // The RSA key is not kept at all; an RS256 token is refused outright.
  EXPECT_THAT(cache.KeyFor("r1", "RS256").status(), StatusIs(StatusCode::kUnauthenticated));
  // A kid naming an EC key with "alg": "RS256" claimed: the key decides.
  EXPECT_THAT(cache.KeyFor("e1", "RS256").status(), StatusIs(StatusCode::kUnauthenticated));
  ASSERT_OK(cache.KeyFor("e1", "ES256").status());
}

TEST_F(JwksCacheTest, NoKidUsesTheOnlyKeyOfTheAlgorithm) {
  idp.Serve(Jwks({rsa.PublicJwk("r1"), ec.PublicJwk("e1")}));
  JwksCache cache = Make();
  ASSERT_OK_AND_ASSIGN(JwtPublicKey key, cache.KeyFor("", "ES256"));
  EXPECT_EQ(key.key_id(), "e1");
  JwtSigner rsa2 = JwtSigner::Rsa();
  idp.Serve(Jwks({rsa.PublicJwk("r1"), rsa2.PublicJwk("r2")}));
  Advance(400);
  EXPECT_THAT(cache.KeyFor("", "RS256").status(), StatusIs(StatusCode::kUnauthenticated));
}

TEST_F(JwksCacheTest, UnusableKeysAreSkipped) {
  std::string enc = rsa.PublicJwk("enc");
  enc.insert(1, R"("use":"enc",)");
  idp.Serve(Jwks({R"({"kty":"oct","kid":"h1","k":"c2VjcmV0"})", enc, ec.PublicJwk("e1")}));
  JwksCache cache = Make();
  EXPECT_THAT(cache.KeyFor("h1", "RS256").status(), StatusIs(StatusCode::kUnauthenticated));
  EXPECT_THAT(cache.KeyFor("enc", "RS256").status(), StatusIs(StatusCode::kUnauthenticated));
  ASSERT_OK(cache.KeyFor("e1", "ES256").status());
}

TEST(JwksUrlTest, HttpsRequiredBeyondLoopback) {
  EXPECT_OK(CheckJwksUrl("https://idp.example.com/.well-known/jwks.json", false));
  EXPECT_OK(CheckJwksUrl("http://127.0.0.1:8080/jwks", false));
  EXPECT_OK(CheckJwksUrl("http://localhost/jwks", false));
  EXPECT_OK(CheckJwksUrl("http://[::1]:9/jwks", false));
  EXPECT_THAT(CheckJwksUrl("http://idp.example.com/jwks", false),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(CheckJwksUrl("http://127.0.0.1.evil.example/jwks", false),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(CheckJwksUrl("http://127.0.0.1@evil.example/jwks", false),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(CheckJwksUrl("ftp://idp.example.com/jwks", true),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_OK(CheckJwksUrl("http://idp.example.com/jwks", true));
}

TEST_F(JwksCacheTest, HttpUrlOfARemoteHostIsNeverFetched) {
  JwksCacheOptions o;
  o.url = "http://idp.example.invalid/jwks";
  JwksCache cache(o, Client(), [this] { return now_ms.load(); });
  EXPECT_THAT(cache.KeyFor("r1", "RS256").status(), StatusIs(StatusCode::kUnavailable));
  EXPECT_EQ(cache.fetches(), 1);
}

TEST(CacheControlTest, MaxAge) {
  EXPECT_EQ(CacheControlMaxAge("public, max-age=300"), 300);
  EXPECT_EQ(CacheControlMaxAge("Max-Age=\"42\""), 42);
  EXPECT_EQ(CacheControlMaxAge("public"), -1);
  EXPECT_EQ(CacheControlMaxAge("max-age=-5"), -1);
  EXPECT_EQ(CacheControlMaxAge("max-age=300, no-store"), 0);
  EXPECT_EQ(CacheControlMaxAge("no-cache"), 0);
  EXPECT_EQ(CacheControlMaxAge("s-maxage=10"), -1);
}

}  // namespace
}  // namespace lakeshare
