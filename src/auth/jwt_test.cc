#include "auth/jwt.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "auth/jwt_key.h"
#include "common/crypto.h"
#include "common/encoding.h"
#include "testing/jwt_signer.h"
#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

using ::lakeshare::testing::JwtSigner;
using ::lakeshare::testing::StatusIs;

constexpr int64_t kNow = 1'800'000'000;
constexpr const char* kAud = "https://share.example.com/delta-sharing/oauth/token";

std::string Claims(int64_t exp, std::string_view aud = kAud, std::string_view iss = "client-1",
                   std::string_view extra = R"(,"jti":"j1")") {
  return R"({"iss":")" + std::string(iss) + R"(","aud":")" + std::string(aud) + R"(","iat":)" +
         std::to_string(kNow) + R"(,"exp":)" + std::to_string(exp) + std::string(extra) + "}";
}

std::string Header(std::string_view alg) {
  return R"({"alg":")" + std::string(alg) + R"(","kid":"k1"})";
}

JwtClaimRules Rules() {
  JwtClaimRules r;
  r.issuer = "client-1";
  r.subject = "client-1";
  r.audience = kAud;
  r.now_s = kNow;
  r.leeway_s = 30;
  r.max_lifetime_s = 300;
  r.require_jti = true;
  return r;
}

Status VerifyAll(const JwtSigner& signer, const std::string& compact, const JwtPublicKey& key) {
  LS_ASSIGN_OR_RETURN(Jwt jwt, ParseJwt(compact));
  LS_RETURN_IF_ERROR(key.Verify(jwt));
  return CheckJwtClaims(jwt, Rules());
}

class JwtKeysTest : public ::testing::TestWithParam<bool> {
 protected:
  JwtSigner signer_ = GetParam() ? JwtSigner::Rsa() : JwtSigner::Ec();
};

TEST_P(JwtKeysTest, AcceptsAGoodAssertionWithPemAndJwk) {
  std::string token = signer_.Sign(Header(signer_.algorithm()), Claims(kNow + 120));
  ASSERT_OK_AND_ASSIGN(JwtPublicKey pem, JwtPublicKey::Parse(signer_.PublicPem()));
  EXPECT_EQ(pem.algorithm(), signer_.algorithm());
  EXPECT_OK(VerifyAll(signer_, token, pem));
  ASSERT_OK_AND_ASSIGN(JwtPublicKey jwk, JwtPublicKey::Parse(signer_.PublicJwk("k1")));
  EXPECT_EQ(jwk.key_id(), "k1");
  EXPECT_OK(VerifyAll(signer_, token, jwk));
  ASSERT_OK_AND_ASSIGN(Jwt jwt, ParseJwt(token));
  EXPECT_EQ(jwt.key_id, "k1");
  EXPECT_EQ(*StringClaim(jwt, "jti"), "j1");
}

TEST_P(JwtKeysTest, RefusesWrongSignature) {
  JwtSigner other = GetParam() ? JwtSigner::Rsa() : JwtSigner::Ec();
  std::string token = other.Sign(Header(other.algorithm()), Claims(kNow + 120));
  ASSERT_OK_AND_ASSIGN(JwtPublicKey key, JwtPublicKey::Parse(signer_.PublicPem()));
  EXPECT_THAT(VerifyAll(signer_, token, key), StatusIs(StatusCode::kPermissionDenied));
}

TEST_P(JwtKeysTest, RefusesTamperedPayload) {
  std::string token = signer_.Sign(Header(signer_.algorithm()), Claims(kNow + 120));
  std::string forged = signer_.Sign(Header(signer_.algorithm()), Claims(kNow + 120, kAud, "x"));
  // The first token's header and signature around the second's payload.
  size_t d1 = token.find('.'), d2 = token.rfind('.');
  size_t f1 = forged.find('.'), f2 = forged.rfind('.');
  std::string spliced = token.substr(0, d1) + forged.substr(f1, f2 - f1) + token.substr(d2);
  ASSERT_OK_AND_ASSIGN(JwtPublicKey key, JwtPublicKey::Parse(signer_.PublicPem()));
  EXPECT_THAT(VerifyAll(signer_, spliced, key), StatusIs(StatusCode::kPermissionDenied));
}

INSTANTIATE_TEST_SUITE_P(RsaAndEc, JwtKeysTest, ::testing::Bool());

TEST(JwtTest, RefusesExpired) {
  JwtSigner s = JwtSigner::Ec();
  ASSERT_OK_AND_ASSIGN(JwtPublicKey key, JwtPublicKey::Parse(s.PublicPem()));
  EXPECT_THAT(VerifyAll(s, s.Sign(Header("ES256"), Claims(kNow - 31)), key),
              StatusIs(StatusCode::kPermissionDenied, ::testing::HasSubstr("expired")));
  // Within the leeway it is still good.
  EXPECT_OK(VerifyAll(s, s.Sign(Header("ES256"), Claims(kNow - 10)), key));
}

TEST(JwtTest, RefusesTooLongLifetime) {
  JwtSigner s = JwtSigner::Ec();
  ASSERT_OK_AND_ASSIGN(JwtPublicKey key, JwtPublicKey::Parse(s.PublicPem()));
  EXPECT_THAT(VerifyAll(s, s.Sign(Header("ES256"), Claims(kNow + 3600)), key),
              StatusIs(StatusCode::kPermissionDenied, ::testing::HasSubstr("too long")));
}

TEST(JwtTest, RefusesMissingExpiry) {
  JwtSigner s = JwtSigner::Ec();
  ASSERT_OK_AND_ASSIGN(JwtPublicKey key, JwtPublicKey::Parse(s.PublicPem()));
  std::string claims = R"({"iss":"client-1","aud":")" + std::string(kAud) + R"(","jti":"j"})";
  EXPECT_THAT(VerifyAll(s, s.Sign(Header("ES256"), claims), key),
              StatusIs(StatusCode::kPermissionDenied, ::testing::HasSubstr("exp")));
}

TEST(JwtTest, RefusesWrongAudience) {
  JwtSigner s = JwtSigner::Ec();
  ASSERT_OK_AND_ASSIGN(JwtPublicKey key, JwtPublicKey::Parse(s.PublicPem()));
  EXPECT_THAT(VerifyAll(s, s.Sign(Header("ES256"), Claims(kNow + 60, "https://other/")), key),
              StatusIs(StatusCode::kPermissionDenied, ::testing::HasSubstr("audience")));
  // An array holding the right audience is good.
  std::string claims = R"({"iss":"client-1","aud":["x",")" + std::string(kAud) + R"("],"exp":)" +
                       std::to_string(kNow + 60) + R"(,"jti":"j"})";
  EXPECT_OK(VerifyAll(s, s.Sign(Header("ES256"), claims), key));
}

TEST(JwtTest, RefusesWrongIssuerAndSubject) {
  JwtSigner s = JwtSigner::Ec();
  ASSERT_OK_AND_ASSIGN(JwtPublicKey key, JwtPublicKey::Parse(s.PublicPem()));
  EXPECT_THAT(VerifyAll(s, s.Sign(Header("ES256"), Claims(kNow + 60, kAud, "client-2")), key),
              StatusIs(StatusCode::kPermissionDenied, ::testing::HasSubstr("issuer")));
  EXPECT_THAT(VerifyAll(s,
                        s.Sign(Header("ES256"),
                               Claims(kNow + 60, kAud, "client-1", R"(,"jti":"j","sub":"x")")),
                        key),
              StatusIs(StatusCode::kPermissionDenied, ::testing::HasSubstr("subject")));
}

TEST(JwtTest, RefusesMissingJti) {
  JwtSigner s = JwtSigner::Ec();
  ASSERT_OK_AND_ASSIGN(JwtPublicKey key, JwtPublicKey::Parse(s.PublicPem()));
  EXPECT_THAT(VerifyAll(s, s.Sign(Header("ES256"), Claims(kNow + 60, kAud, "client-1", "")), key),
              StatusIs(StatusCode::kPermissionDenied, ::testing::HasSubstr("jti")));
}

TEST(JwtTest, RefusesNotYetValid) {
  JwtSigner s = JwtSigner::Ec();
  ASSERT_OK_AND_ASSIGN(JwtPublicKey key, JwtPublicKey::Parse(s.PublicPem()));
  std::string extra = R"(,"jti":"j","nbf":)" + std::to_string(kNow + 100);
  EXPECT_THAT(
      VerifyAll(s, s.Sign(Header("ES256"), Claims(kNow + 200, kAud, "client-1", extra)), key),
      StatusIs(StatusCode::kPermissionDenied, ::testing::HasSubstr("nbf")));
}

TEST(JwtTest, RefusesAlgNone) {
  std::string token =
      Base64UrlEncode(R"({"alg":"none"})") + "." + Base64UrlEncode(Claims(kNow + 60)) + ".";
  EXPECT_THAT(ParseJwt(token), StatusIs(StatusCode::kInvalidArgument));
}

// The classic confusion: an HS256 token whose HMAC key is the server's
// *public* key. Refused at parse time whatever the key.
TEST(JwtTest, RefusesHs256WithThePublicKeyAsSecret) {
  JwtSigner s = JwtSigner::Rsa();
  std::string input =
      Base64UrlEncode(R"({"alg":"HS256"})") + "." + Base64UrlEncode(Claims(kNow + 60));
  std::string token = input + "." + Base64UrlEncode(HmacSha256(s.PublicPem(), input));
  EXPECT_THAT(ParseJwt(token), StatusIs(StatusCode::kInvalidArgument));
}

TEST(JwtTest, RefusesAlgorithmOtherThanTheKeys) {
  JwtSigner rsa = JwtSigner::Rsa();
  JwtSigner ec = JwtSigner::Ec();
  // Signed by the EC key but claiming RS256; verified with the EC key.
  std::string token = ec.Sign(Header("RS256"), Claims(kNow + 60));
  ASSERT_OK_AND_ASSIGN(JwtPublicKey key, JwtPublicKey::Parse(ec.PublicPem()));
  EXPECT_THAT(VerifyAll(ec, token, key),
              StatusIs(StatusCode::kPermissionDenied, ::testing::HasSubstr("algorithm")));
}

TEST(JwtTest, RefusesMalformedTokens) {
  EXPECT_THAT(ParseJwt("abc"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseJwt("a.b.c.d"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseJwt("!!.e30.AA"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseJwt(Base64UrlEncode("[1]") + ".e30.AA"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseJwt(Base64UrlEncode("{") + ".e30.AA"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseJwt(Base64UrlEncode(R"({"alg":"ES256"})") + ".e30."),
              StatusIs(StatusCode::kInvalidArgument, ::testing::HasSubstr("not signed")));
  EXPECT_THAT(ParseJwt(Base64UrlEncode(R"({"alg":"ES256","crit":["x"]})") + ".e30.AA"),
              StatusIs(StatusCode::kInvalidArgument, ::testing::HasSubstr("crit")));
  std::string deep(100, '[');
  EXPECT_THAT(ParseJwt(Base64UrlEncode(R"({"alg":"ES256"})") + "." + Base64UrlEncode(deep) + ".AA"),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST(JwtTest, RefusesOversizeToken) {
  EXPECT_THAT(ParseJwt(std::string(kMaxJwtBytes + 1, 'a')), StatusIs(StatusCode::kTooLarge));
}

TEST(JwtTest, RefusesWeakOrForeignKeys) {
  EXPECT_THAT(JwtPublicKey::Parse("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(JwtPublicKey::Parse(R"({"kty":"oct","k":"AAAA"})"),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(JwtPublicKey::Parse(R"({"kty":"RSA","n":"AQAB","e":"AQAB"})"),
              StatusIs(StatusCode::kInvalidArgument, ::testing::HasSubstr("2048")));
  EXPECT_THAT(JwtPublicKey::Parse(R"({"kty":"EC","crv":"P-384","x":"AA","y":"AA"})"),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(JwtPublicKey::Parse(R"({"kty":"EC","crv":"P-256","x":"AA","y":"AA"})"),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(JwtPublicKey::Parse("not a key"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(JwtPublicKey::Parse(std::string(kMaxPublicKeyBytes + 1, ' ')),
              StatusIs(StatusCode::kInvalidArgument));
  JwtSigner rsa = JwtSigner::Rsa();
  std::string jwk = rsa.PublicJwk();
  jwk.insert(1, R"("alg":"ES256",)");
  EXPECT_THAT(JwtPublicKey::Parse(jwk), StatusIs(StatusCode::kInvalidArgument));
}

TEST(JwtTest, RefusesEcSignatureOfWrongLength) {
  JwtSigner s = JwtSigner::Ec();
  std::string token = s.Sign(Header("ES256"), Claims(kNow + 60));
  token += "AAAA";  // three more signature bytes
  ASSERT_OK_AND_ASSIGN(JwtPublicKey key, JwtPublicKey::Parse(s.PublicPem()));
  EXPECT_THAT(VerifyAll(s, token, key), StatusIs(StatusCode::kPermissionDenied));
}

}  // namespace
}  // namespace lakeshare
