#include "server/tls_context.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "server/http_server.h"
#include "server/http_test_util.h"
#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

using namespace ::lakeshare::testing;  // NOLINT(google-build-using-namespace): test helpers
using ::testing::HasSubstr;
using ::testing::MatchesRegex;

TlsOptions SelfSigned() {
  TlsOptions o;
  o.enabled = true;
  o.self_signed = true;
  return o;
}

TEST(TlsContextStoreTest, MakesASelfSignedCertificate) {
  ASSERT_OK_AND_ASSIGN(auto store, TlsContextStore::Create(SelfSigned()));
  ASSERT_NE(store->Current(), nullptr);
  EXPECT_THAT(store->Fingerprint(), MatchesRegex("([0-9A-F]{2}:){31}[0-9A-F]{2}"));
  // A reload keeps a self-signed certificate (there are no files to re-read).
  std::string before = store->Fingerprint();
  auto context = store->Current();
  EXPECT_OK(store->Reload());
  EXPECT_EQ(store->Fingerprint(), before);
  EXPECT_EQ(store->Current(), context);
  // Each start makes its own.
  ASSERT_OK_AND_ASSIGN(auto other, TlsContextStore::Create(SelfSigned()));
  EXPECT_NE(other->Fingerprint(), before);
}

TEST(TlsContextStoreTest, RefusesMissingOrHalfSettings) {
  TlsOptions o;
  o.enabled = true;
  o.certificate_file = "/nonexistent/cert.pem";
  EXPECT_THAT(TlsContextStore::Create(o).status(),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("needs both")));
  o.key_file = "/nonexistent/key.pem";
  o.key_password = "never-shown";
  Status st = TlsContextStore::Create(o).status();
  EXPECT_THAT(st, StatusIs(StatusCode::kInvalidArgument, HasSubstr("/nonexistent/cert.pem")));
  EXPECT_THAT(st.message(), ::testing::Not(HasSubstr("never-shown")));
}

ServerOptions TlsServerOptions() {
  ServerOptions o = TestOptions();
  o.tls = SelfSigned();
  o.read_timeout = std::chrono::seconds(1);
  return o;
}

TEST(TlsServerTest, PlainHttpGetsAPlainRefusal) {
  TestServer s(TlsServerOptions());
  auto r = Fetch(s.port(), GetRequest("/echo"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_THAT(r->body, HasSubstr("https://"));
  EXPECT_EQ(r->Header("connection"), "close");
}

TEST(TlsServerTest, AStalledHandshakeIsCutOffByTheReadTimeout) {
  TestServer s(TlsServerOptions());
  Client c(s.port());
  ASSERT_TRUE(c.Send(std::string("\x16\x03\x01\x00", 4)));  // a record header, then nothing
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(c.WaitClosed(5s));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 4s);
  // A connection that never sends a byte is cut off too.
  Client silent(s.port());
  EXPECT_TRUE(silent.WaitClosed(5s));
}

TEST(TlsServerTest, ReloadOnAPlainServerIsANoOp) {
  TestServer s;
  EXPECT_OK(s.server().ReloadTls());
}

}  // namespace
}  // namespace lakeshare
