#include "protocol/sharing_routes.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace lakeshare {
namespace {

std::vector<std::string> Segments(const std::string& path) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    out.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return out;
}

TEST(SharingRoutesTest, EveryEndpointOfTheProtocol) {
  std::set<std::string> routes;
  for (const SharingRoute& r : SharingRoutes()) {
    routes.insert(std::string(r.method) + " " + std::string(r.pattern));
    EXPECT_NE(r.share_endpoint == nullptr, r.table_endpoint == nullptr) << r.pattern;
  }
  EXPECT_EQ(routes, (std::set<std::string>{
                        "GET shares",
                        "GET shares/{share}",
                        "GET shares/{share}/schemas",
                        "GET shares/{share}/schemas/{schema}/tables",
                        "GET shares/{share}/all-tables",
                        "HEAD shares/{share}/schemas/{schema}/tables/{table}",
                        "GET shares/{share}/schemas/{schema}/tables/{table}/version",
                        "GET shares/{share}/schemas/{schema}/tables/{table}/metadata",
                        "POST shares/{share}/schemas/{schema}/tables/{table}/query",
                        "GET shares/{share}/schemas/{schema}/tables/{table}/changes",
                    }));
}

TEST(SharingRoutesTest, MatchesAndCaptures) {
  std::vector<std::string> seg = Segments("shares/s1/schemas/sc/tables/t/query");
  std::optional<RouteMatch> m = MatchSharingRoute(seg);
  ASSERT_TRUE(m.has_value());
  EXPECT_TRUE(m->is_table_route());
  EXPECT_EQ(m->share, "s1");
  EXPECT_EQ(m->schema, "sc");
  EXPECT_EQ(m->table, "t");
  ASSERT_NE(m->ForMethod("POST"), nullptr);
  EXPECT_EQ(m->ForMethod("GET"), nullptr);
  EXPECT_EQ(m->AllowedMethods(), "POST");
  EXPECT_FALSE(m->bare_not_found());

  seg = Segments("shares/schemas/schemas");  // a share named "schemas"
  m = MatchSharingRoute(seg);
  ASSERT_TRUE(m.has_value());
  EXPECT_FALSE(m->is_table_route());
  EXPECT_EQ(m->share, "schemas");

  seg = Segments("shares/s/schemas/sc/tables/t");
  m = MatchSharingRoute(seg);
  ASSERT_TRUE(m.has_value());
  EXPECT_TRUE(m->bare_not_found());
  EXPECT_EQ(m->AllowedMethods(), "HEAD");
}

TEST(SharingRoutesTest, OtherPathsHaveNoRoute) {
  for (const char* path : {"", "files", "share", "shares/s/tables", "shares/s/schemas/sc",
                           "shares/s/schemas/sc/tables/t/other", "shares/s/schemas/sc/views/t",
                           "shares/s/schemas/sc/tables/t/query/more"}) {
    std::vector<std::string> seg =
        std::string(path).empty() ? std::vector<std::string>{} : Segments(path);
    EXPECT_FALSE(MatchSharingRoute(seg).has_value()) << path;
  }
}

}  // namespace
}  // namespace lakeshare
