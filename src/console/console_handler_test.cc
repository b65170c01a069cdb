#include "console/console_handler.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace lakeshare {
namespace {

using ::testing::HasSubstr;

constexpr ConsoleAsset kAssets[] = {
    {"index.html", "text/html; charset=utf-8", "<html>index</html>", "GZ-INDEX", "BR-INDEX",
     "abc123", false},
    {"assets/app-XYZ.js", "text/javascript; charset=utf-8", "console.log(1)", "GZ-JS", "", "def456",
     true},
    {"assets/favicon-1.svg", "image/svg+xml", "<svg/>", "", "", "f00", true},
};

const std::string* Header(const HttpResponse& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return &v;
  }
  return nullptr;
}

std::string HeaderOr(const HttpResponse& r, std::string_view name) {
  const std::string* v = Header(r, name);
  return v ? *v : "<none>";
}

class ConsoleHandlerTest : public ::testing::Test {
 protected:
  HttpResponse Get(std::string path, std::vector<std::pair<std::string, std::string>> headers = {},
                   std::string method = "GET") {
    HttpRequest req;
    req.method = std::move(method);
    req.path = path;
    req.target = path;
    req.headers = std::move(headers);
    return handler_.Handle(req);
  }

  ConsoleHandler handler_{ConsoleOptions::For(std::string("sqlite:/tmp/c.db"), "/delta-sharing"),
                          kAssets};
};

TEST_F(ConsoleHandlerTest, ServesOnlyItsOwnPrefix) {
  EXPECT_TRUE(ConsoleHandler::Serves("/console"));
  EXPECT_TRUE(ConsoleHandler::Serves("/console/"));
  EXPECT_TRUE(ConsoleHandler::Serves("/console/shares/x"));
  EXPECT_FALSE(ConsoleHandler::Serves("/consoles"));
  EXPECT_FALSE(ConsoleHandler::Serves("/api/v1/console"));
  EXPECT_FALSE(ConsoleHandler::Serves("/delta-sharing/shares"));
}

TEST_F(ConsoleHandlerTest, RootRedirectsToTheSlash) {
  HttpResponse r = Get("/console");
  EXPECT_EQ(r.status, 308);
  EXPECT_EQ(HeaderOr(r, "Location"), "/console/");
}

TEST_F(ConsoleHandlerTest, IndexIsRevalidatedEveryTime) {
  HttpResponse r = Get("/console/");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "<html>index</html>");
  EXPECT_EQ(HeaderOr(r, "Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(HeaderOr(r, "Cache-Control"), "no-cache");
  EXPECT_EQ(HeaderOr(r, "ETag"), "\"abc123\"");
  EXPECT_EQ(HeaderOr(r, "Vary"), "Accept-Encoding");
}

TEST_F(ConsoleHandlerTest, ConsoleAddressesGetTheIndex) {
  for (const char* path :
       {"/console/shares", "/console/shares/sales/schemas/default", "/console/activate",
        "/console/login", "/console/shares/my.share", "/console/recipients/partner.eu"}) {
    HttpResponse r = Get(path);
    EXPECT_EQ(r.status, 200) << path;
    EXPECT_EQ(r.body, "<html>index</html>") << path;
  }
}

TEST_F(ConsoleHandlerTest, HashedAssetsAreImmutable) {
  HttpResponse r = Get("/console/assets/app-XYZ.js");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "console.log(1)");
  EXPECT_EQ(HeaderOr(r, "Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(HeaderOr(r, "Cache-Control"), "public, max-age=31536000, immutable");
  HttpResponse svg = Get("/console/assets/favicon-1.svg");
  EXPECT_EQ(HeaderOr(svg, "Content-Type"), "image/svg+xml");
  EXPECT_EQ(Header(svg, "Vary"), nullptr);  // nothing compressed: nothing varies
}

TEST_F(ConsoleHandlerTest, MissingFilesAre404NotTheIndex) {
  for (const char* path : {"/console/assets/app-OLD.js", "/console/missing.css",
                           "/console/robots.txt", "/console/assets/"}) {
    HttpResponse r = Get(path);
    EXPECT_EQ(r.status, 404) << path;
    EXPECT_EQ(HeaderOr(r, "Content-Type"), "application/json") << path;
    EXPECT_THAT(r.body, HasSubstr("RESOURCE_DOES_NOT_EXIST")) << path;
  }
}

TEST_F(ConsoleHandlerTest, PrefersBrotliThenGzip) {
  HttpResponse br = Get("/console/", {{"accept-encoding", "gzip, deflate, br"}});
  EXPECT_EQ(br.body, "BR-INDEX");
  EXPECT_EQ(HeaderOr(br, "Content-Encoding"), "br");
  EXPECT_EQ(HeaderOr(br, "ETag"), "\"abc123-br\"");

  HttpResponse gz = Get("/console/", {{"accept-encoding", "gzip"}});
  EXPECT_EQ(gz.body, "GZ-INDEX");
  EXPECT_EQ(HeaderOr(gz, "Content-Encoding"), "gzip");
  EXPECT_EQ(HeaderOr(gz, "ETag"), "\"abc123-gz\"");

  // An asset without a Brotli form falls back to gzip.
  HttpResponse js = Get("/console/assets/app-XYZ.js", {{"accept-encoding", "br, gzip"}});
  EXPECT_EQ(js.body, "GZ-JS");
  EXPECT_EQ(HeaderOr(js, "Content-Encoding"), "gzip");
}

TEST_F(ConsoleHandlerTest, HonoursRefusedEncodings) {
  HttpResponse r = Get("/console/", {{"accept-encoding", "br;q=0, gzip;q=0.0"}});
  EXPECT_EQ(r.body, "<html>index</html>");
  EXPECT_EQ(Header(r, "Content-Encoding"), nullptr);

  HttpResponse star = Get("/console/", {{"accept-encoding", "*;q=0.5, br;q=0"}});
  EXPECT_EQ(HeaderOr(star, "Content-Encoding"), "gzip");

  HttpResponse identity = Get("/console/", {{"accept-encoding", "identity"}});
  EXPECT_EQ(identity.body, "<html>index</html>");
}

TEST_F(ConsoleHandlerTest, MatchingEtagGets304) {
  HttpResponse r = Get("/console/", {{"if-none-match", "\"other\", W/\"abc123\""}});
  EXPECT_EQ(r.status, 304);
  EXPECT_TRUE(r.body.empty());
  EXPECT_EQ(HeaderOr(r, "ETag"), "\"abc123\"");
  EXPECT_EQ(HeaderOr(r, "Cache-Control"), "no-cache");

  // The tag of the gzip form does not match the Brotli form.
  HttpResponse other =
      Get("/console/", {{"if-none-match", "\"abc123-gz\""}, {"accept-encoding", "br"}});
  EXPECT_EQ(other.status, 200);
}

TEST_F(ConsoleHandlerTest, EveryAnswerCarriesTheSecurityHeaders) {
  for (const char* path : {"/console/", "/console/assets/app-XYZ.js", "/console/nope.js",
                           "/console/server.json", "/console"}) {
    HttpResponse r = Get(path);
    EXPECT_EQ(HeaderOr(r, "Content-Security-Policy"), ConsoleHandler::kContentSecurityPolicy)
        << path;
    EXPECT_EQ(HeaderOr(r, "X-Content-Type-Options"), "nosniff") << path;
    EXPECT_EQ(HeaderOr(r, "X-Frame-Options"), "DENY") << path;
    EXPECT_EQ(HeaderOr(r, "Referrer-Policy"), "no-referrer") << path;
  }
  // No inline script or style may run.
  EXPECT_THAT(std::string(ConsoleHandler::kContentSecurityPolicy), HasSubstr("script-src 'self';"));
  EXPECT_THAT(std::string(ConsoleHandler::kContentSecurityPolicy), HasSubstr("style-src 'self';"));
}

TEST_F(ConsoleHandlerTest, OnlyGetAndHead) {
  HttpResponse post = Get("/console/", {}, "POST");
  EXPECT_EQ(post.status, 405);
  EXPECT_EQ(HeaderOr(post, "Allow"), "GET, HEAD");
  HttpResponse head = Get("/console/assets/app-XYZ.js", {}, "HEAD");
  EXPECT_EQ(head.status, 200);
}

TEST_F(ConsoleHandlerTest, ServerInfoTellsTheCatalogKind) {
  HttpResponse r = Get("/console/server.json");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(HeaderOr(r, "Content-Type"), "application/json");
  EXPECT_EQ(HeaderOr(r, "Cache-Control"), "no-store");
  EXPECT_EQ(r.body, R"({"catalog":"sqlite","editable":true,"sharingEndpoint":"/delta-sharing"})");

  ConsoleHandler yaml(ConsoleOptions::For(std::nullopt, "/ds"), kAssets);
  HttpRequest req;
  req.method = "GET";
  req.path = "/console/server.json";
  EXPECT_EQ(yaml.Handle(req).body,
            R"({"catalog":"yaml","editable":false,"sharingEndpoint":"/ds"})");
  EXPECT_EQ(ConsoleOptions::For(std::string("postgresql://db/x"), "/").catalog_backend,
            "postgresql");
}

TEST_F(ConsoleHandlerTest, TheEmbeddedConsoleIsComplete) {
  // What the build embedded: an index that loads only hashed, immutable files
  // that exist, and nothing inline.
  std::span<const ConsoleAsset> assets = EmbeddedConsoleAssets();
  ConsoleHandler real(ConsoleOptions{}, assets);
  HttpRequest req;
  req.method = "GET";
  req.path = "/console/";
  HttpResponse index = real.Handle(req);
  ASSERT_EQ(index.status, 200);
  EXPECT_EQ(index.body.find("<script>"), std::string::npos);
  EXPECT_EQ(index.body.find("<style"), std::string::npos);
  for (const ConsoleAsset& a : assets) {
    if (a.path == "index.html") continue;
    EXPECT_TRUE(a.immutable) << a.path;
    EXPECT_THAT(index.body, HasSubstr("\"/console/" + std::string(a.path) + "\""));
    req.path = "/console/" + std::string(a.path);
    EXPECT_EQ(real.Handle(req).status, 200) << a.path;
  }
}

}  // namespace
}  // namespace lakeshare
