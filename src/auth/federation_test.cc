#include "auth/federation.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <mutex>

#include "common/crypto.h"
#include "common/encoding.h"
#include "testing/jwt_signer.h"
#include "testing/status_matchers.h"
#include "testing/test_http_server.h"

namespace lakeshare {
namespace {

using ::lakeshare::testing::JwtSigner;
using ::lakeshare::testing::StatusIs;
using ::lakeshare::testing::TestHttpServer;

constexpr int64_t kNow = 1'800'000'000;
constexpr const char* kIssuer = "https://idp.example.com/";
constexpr const char* kAudience = "lakeshare";

std::string Claims(std::string_view sub, int64_t exp = kNow + 600, std::string_view extra = "",
                   std::string_view aud = R"("lakeshare")", std::string_view iss = kIssuer) {
  return R"({"iss":")" + std::string(iss) + R"(","aud":)" + std::string(aud) + R"(,"sub":")" +
         std::string(sub) + R"(","iat":)" + std::to_string(kNow - 10) + R"(,"exp":)" +
         std::to_string(exp) + std::string(extra) + "}";
}

std::string Header(std::string_view alg, std::string_view kid) {
  return R"({"alg":")" + std::string(alg) + R"(","typ":"JWT","kid":")" + std::string(kid) + R"("})";
}

class FederationTest : public ::testing::Test {
 protected:
  FederationTest()
      : idp_([this](const TestHttpServer::Request&) {
          std::lock_guard lock(mu_);
          TestHttpServer::Response r;
          r.body = jwks_;
          return r;
        }) {
    SetKeys({rsa_.PublicJwk("r1"), ec_.PublicJwk("e1")});
  }

  void SetKeys(const std::vector<std::string>& keys) {
    std::lock_guard lock(mu_);
    jwks_ = R"({"keys":[)";
    for (size_t i = 0; i < keys.size(); ++i) jwks_ += (i ? "," : "") + keys[i];
    jwks_ += "]}";
  }

  FederationIssuerConfig Config() const {
    FederationIssuerConfig c;
    c.issuer = kIssuer;
    c.jwks_url = idp_.base_url() + "/jwks";
    c.audience = kAudience;
    c.clock_skew_seconds = 30;
    return c;
  }

  Federation Make(std::vector<FederationIssuerConfig> configs) {
    HttpClientOptions o;
    o.max_attempts = 1;
    return Federation(std::move(configs), std::make_shared<HttpClient>(o),
                      [] { return kNow * 1000; });
  }

  // Verify's answer for a token this federation must claim.
  Result<FederatedIdentity> Check(const Federation& f, const std::string& token) {
    std::optional<Result<FederatedIdentity>> r = f.Verify(token);
    if (!r) return Status::Internal("not taken as a federated token");
    return *std::move(r);
  }

  std::mutex mu_;
  std::string jwks_;
  TestHttpServer idp_;
  JwtSigner rsa_ = JwtSigner::Rsa();
  JwtSigner ec_ = JwtSigner::Ec();
};

TEST_F(FederationTest, SubjectNamesTheRecipient) {
  Federation f = Make({Config()});
  ASSERT_OK_AND_ASSIGN(FederatedIdentity id,
                       Check(f, rsa_.Sign(Header("RS256", "r1"), Claims("alice"))));
  EXPECT_EQ(id.recipient, "alice");
  EXPECT_EQ(id.subject, "alice");
  EXPECT_EQ(id.issuer, kIssuer);
  EXPECT_EQ(id.expires_ms, (kNow + 600) * 1000);
  ASSERT_OK_AND_ASSIGN(id, Check(f, ec_.Sign(Header("ES256", "e1"), Claims("bob"))));
  EXPECT_EQ(id.recipient, "bob");
}

TEST_F(FederationTest, AudienceMayBeAnArray) {
  Federation f = Make({Config()});
  ASSERT_OK(Check(f, rsa_.Sign(Header("RS256", "r1"),
                               Claims("alice", kNow + 600, "", R"(["other","lakeshare"])")))
                .status());
  EXPECT_THAT(
      Check(f, rsa_.Sign(Header("RS256", "r1"), Claims("alice", kNow + 600, "", R"(["other"])")))
          .status(),
      StatusIs(StatusCode::kUnauthenticated));
}

TEST_F(FederationTest, ClaimMapsToRecipient) {
  FederationIssuerConfig c = Config();
  c.recipient_claim = "client_id";
  c.recipients = {{"0oa-123", "acme"}};
  Federation f = Make({c});
  ASSERT_OK_AND_ASSIGN(FederatedIdentity id,
                       Check(f, rsa_.Sign(Header("RS256", "r1"),
                                          Claims("u1", kNow + 600, R"(,"client_id":"0oa-123")"))));
  EXPECT_EQ(id.recipient, "acme");
  EXPECT_EQ(id.subject, "u1");
  // A value the map does not hold, and a token without the claim.
  EXPECT_THAT(Check(f, rsa_.Sign(Header("RS256", "r1"),
                                 Claims("u1", kNow + 600, R"(,"client_id":"0oa-999")")))
                  .status(),
              StatusIs(StatusCode::kUnauthenticated));
  EXPECT_THAT(Check(f, rsa_.Sign(Header("RS256", "r1"), Claims("u1"))).status(),
              StatusIs(StatusCode::kUnauthenticated));
}

TEST_F(FederationTest, OtherTokensAreNotFederated) {
  Federation f = Make({Config()});
  EXPECT_FALSE(f.Verify("opaque-bearer-token-123").has_value());
  EXPECT_FALSE(f.Verify("a.b").has_value());
  EXPECT_FALSE(f.Verify("a..c").has_value());
  EXPECT_FALSE(f.Verify("a.b.c!").has_value());
  // A JWT of another issuer keeps the catalog's lookup.
  EXPECT_FALSE(
      f.Verify(rsa_.Sign(Header("RS256", "r1"), Claims("alice", kNow + 600, "", R"("lakeshare")",
                                                       "https://other.example.com/")))
          .has_value());
  // Larger than a JWT may be: not parsed at all.
  std::string big =
      rsa_.Sign(Header("RS256", "r1"),
                Claims("alice", kNow + 600, R"(,"pad":")" + std::string(kMaxJwtBytes, 'x') + "\""));
  EXPECT_FALSE(f.Verify(big).has_value());
  EXPECT_FALSE(Make({}).Verify(rsa_.Sign(Header("RS256", "r1"), Claims("alice"))).has_value());
}

TEST_F(FederationTest, EachRefusalIsUnauthenticated) {
  Federation f = Make({Config()});
  auto refused = [&](const std::string& token) {
    EXPECT_THAT(Check(f, token).status(), StatusIs(StatusCode::kUnauthenticated)) << token;
  };
  refused(rsa_.Sign(Header("RS256", "r1"), Claims("alice", kNow - 31)));  // expired
  refused(rsa_.Sign(Header("RS256", "r1"),
                    Claims("alice", kNow + 600, R"(,"nbf":)" + std::to_string(kNow + 100))));
  refused(rsa_.Sign(Header("RS256", "r1"),
                    Claims("alice", kNow + 600, R"(,"iat":)" + std::to_string(kNow + 100))));
  refused(rsa_.Sign(Header("RS256", "r1"), Claims("alice", kNow + 600, "", R"("other")")));
  refused(rsa_.Sign(Header("RS256", "r1"), R"({"iss":")" + std::string(kIssuer) +
                                               R"(","aud":"lakeshare","sub":"alice"})"));  // no exp
  // Signed by a key that is not the issuer's, under its kid.
  refused(JwtSigner::Rsa().Sign(Header("RS256", "r1"), Claims("alice")));
  // An EC signature presented as the RSA key's (alg confusion), and the reverse.
  refused(ec_.Sign(Header("ES256", "r1"), Claims("alice")));
  refused(rsa_.Sign(Header("RS256", "e1"), Claims("alice")));
  // A kid the issuer never had.
  refused(rsa_.Sign(Header("RS256", "nope"), Claims("alice")));
  // The token says RS256 while the bytes are a valid signature for nothing.
  std::string token = rsa_.Sign(Header("RS256", "r1"), Claims("alice"));
  token.back() = token.back() == 'A' ? 'B' : 'A';
  refused(token);
}

TEST_F(FederationTest, HmacAndNoneAreRefused) {
  Federation f = Make({Config()});
  // HS256 keyed with the issuer's public key: the classic confusion.
  std::string signing_input =
      Base64UrlEncode(Header("HS256", "r1")) + "." + Base64UrlEncode(Claims("alice"));
  std::string hs256 =
      signing_input + "." + Base64UrlEncode(HmacSha256(rsa_.PublicPem(), signing_input));
  EXPECT_THAT(Check(f, hs256).status(), StatusIs(StatusCode::kUnauthenticated));
  std::string none =
      Base64UrlEncode(R"({"alg":"none"})") + "." + Base64UrlEncode(Claims("alice")) + ".c2ln";
  EXPECT_THAT(Check(f, none).status(), StatusIs(StatusCode::kUnauthenticated));
}

TEST_F(FederationTest, AllowedAlgorithmsRestrict) {
  FederationIssuerConfig c = Config();
  c.allowed_algorithms = {"ES256"};
  Federation f = Make({c});
  EXPECT_THAT(Check(f, rsa_.Sign(Header("RS256", "r1"), Claims("alice"))).status(),
              StatusIs(StatusCode::kUnauthenticated));
  ASSERT_OK(Check(f, ec_.Sign(Header("ES256", "e1"), Claims("alice"))).status());
}

TEST_F(FederationTest, SeveralIssuersEachWithTheirKeys) {
  FederationIssuerConfig second = Config();
  second.issuer = "https://second.example.com/";
  second.audience = "lakeshare-2";
  Federation f = Make({Config(), second});
  ASSERT_OK_AND_ASSIGN(
      FederatedIdentity id,
      Check(f, rsa_.Sign(Header("RS256", "r1"), Claims("carol", kNow + 600, "", R"("lakeshare-2")",
                                                       "https://second.example.com/"))));
  EXPECT_EQ(id.issuer, "https://second.example.com/");
  // The first issuer's audience is not the second's.
  EXPECT_THAT(
      Check(f, rsa_.Sign(Header("RS256", "r1"), Claims("carol", kNow + 600, "", R"("lakeshare")",
                                                       "https://second.example.com/")))
          .status(),
      StatusIs(StatusCode::kUnauthenticated));
}

TEST_F(FederationTest, RefusalsBeforeTheKeyCostNoFetch) {
  Federation f = Make({Config()});
  EXPECT_THAT(Check(f, rsa_.Sign(Header("RS256", "r1"), Claims("alice", kNow - 100))).status(),
              StatusIs(StatusCode::kUnauthenticated));
  EXPECT_EQ(idp_.requests(), 0);
  EXPECT_EQ(f.jwks(0).fetches(), 0);
}

}  // namespace
}  // namespace lakeshare
