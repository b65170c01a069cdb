#include "admin/admin_cookie.h"

#include <gtest/gtest.h>

#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

using testing::StatusIs;

HttpRequest With(std::vector<std::pair<std::string, std::string>> headers) {
  HttpRequest r;
  r.method = "POST";
  r.headers = std::move(headers);
  return r;
}

TEST(AdminCookieTest, FindsTheSessionCookieAmongOthers) {
  EXPECT_EQ(SessionCookieToken(With({})), "");
  EXPECT_EQ(SessionCookieToken(With({{"cookie", "a=1; lakeshare_session=abc ;b=2"}})), "abc");
  EXPECT_EQ(SessionCookieToken(With({{"cookie", "a=1"}, {"cookie", "lakeshare_session=x"}})), "x");
  EXPECT_EQ(SessionCookieToken(With({{"cookie", "xlakeshare_session=abc"}})), "");
  EXPECT_EQ(SessionCookieToken(With({{"cookie", "lakeshare_session"}})), "");
}

TEST(AdminCookieTest, CookiesAreHttpOnlyStrictAndSecureOnHttps) {
  EXPECT_EQ(SessionCookie("t", 60, false),
            "lakeshare_session=t; Path=/api/v1; HttpOnly; SameSite=Strict; Max-Age=60");
  EXPECT_EQ(ClearedSessionCookie(true),
            "lakeshare_session=; Path=/api/v1; HttpOnly; SameSite=Strict; Max-Age=0; Secure");
}

TEST(AdminCookieTest, CsrfTokensDependOnKeyAndSession) {
  const std::string t = CsrfToken("key", "session");
  EXPECT_EQ(t.size(), 64u);
  EXPECT_EQ(t, CsrfToken("key", "session"));
  EXPECT_NE(t, CsrfToken("key2", "session"));
  EXPECT_NE(t, CsrfToken("key", "session2"));
}

TEST(AdminCookieTest, CheckCsrf) {
  const std::string good = CsrfToken("k", "s");
  const std::string pub = "https://share.example.com/base";
  EXPECT_OK(CheckCsrf(With({{"x-csrf-token", good}}), "k", "s", pub));
  EXPECT_OK(CheckCsrf(With({{"x-csrf-token", good},
                            {"host", "Local:8080"},
                            {"origin", "http://local:8080"},
                            {"sec-fetch-site", "same-origin"}}),
                      "k", "s", pub));
  EXPECT_OK(CheckCsrf(With({{"x-csrf-token", good}, {"origin", "https://share.example.com"}}), "k",
                      "s", pub));
  const auto denied = StatusIs(StatusCode::kPermissionDenied);
  EXPECT_THAT(CheckCsrf(With({}), "k", "s", pub), denied);
  EXPECT_THAT(CheckCsrf(With({{"x-csrf-token", CsrfToken("k", "other")}}), "k", "s", pub), denied);
  EXPECT_THAT(CheckCsrf(With({{"x-csrf-token", good}, {"sec-fetch-site", "none"}}), "k", "s", pub),
              denied);
  EXPECT_THAT(CheckCsrf(With({{"x-csrf-token", good}, {"host", "local"}, {"origin", "null"}}), "k",
                        "s", pub),
              denied);
  EXPECT_THAT(
      CheckCsrf(With({{"x-csrf-token", good}, {"host", "local"}, {"origin", "https://local.evil"}}),
                "k", "s", pub),
      denied);
}

}  // namespace
}  // namespace lakeshare
