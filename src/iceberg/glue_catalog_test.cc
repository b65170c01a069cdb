#include "iceberg/glue_catalog.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "testing/status_matchers.h"
#include "testing/test_http_server.h"

namespace lakeshare::iceberg {
namespace {

using lakeshare::testing::TestHttpServer;

TEST(GlueCatalogTest, ParsesLocations) {
  ASSERT_OK_AND_ASSIGN(GlueTableRef ref, ParseGlueLocation("glue://prod/sales_db/orders"));
  EXPECT_EQ(ref.catalog, "prod");
  EXPECT_EQ(ref.database, "sales_db");
  EXPECT_EQ(ref.table, "orders");
  for (const char* bad : {"glue://prod/db", "glue://prod/db/t/x", "glue:///db/t", "glue://p//t",
                          "glue://p/db/", "s3://b/k", "glue://"}) {
    EXPECT_EQ(ParseGlueLocation(bad).status().code(), StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_TRUE(IsGlueLocation("glue://a/b/c"));
  EXPECT_FALSE(IsGlueLocation("https://glue.eu-west-1.amazonaws.com/"));
}

TEST(GlueCatalogTest, ReadsTheMetadataLocationParameter) {
  GlueTableRef ref{"prod", "db", "t"};
  ASSERT_OK_AND_ASSIGN(
      std::string loc,
      ParseGlueGetTable(R"({"Table":{"Name":"t","Parameters":{"table_type":"iceberg",
        "metadata_location":"s3://b/wh/t/metadata/00002-x.metadata.json"}}})",
                        ref));
  EXPECT_EQ(loc, "s3://b/wh/t/metadata/00002-x.metadata.json");
  auto hive = ParseGlueGetTable(
      R"({"Table":{"Name":"t","Parameters":{"table_type":"HIVE","metadata_location":"x"}}})", ref);
  EXPECT_EQ(hive.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(hive.status().message().find("not an Iceberg table"), std::string::npos);
  EXPECT_EQ(ParseGlueGetTable(R"({"Table":{"Name":"t"}})", ref).status().code(),
            StatusCode::kInvalidArgument);
  for (const char* bad : {"", "[]", "{}", R"({"Table":3})", "{\"Table\":"}) {
    EXPECT_EQ(ParseGlueGetTable(bad, ref).status().code(), StatusCode::kCorruption) << bad;
  }
}

TEST(GlueCatalogTest, GetTableCallAndErrors) {
  TestHttpServer server([](const TestHttpServer::Request& r) {
    boost::json::value body = boost::json::parse(r.body);
    const auto& o = body.as_object();
    if (r.method != "POST" || r.target != "/" ||
        r.headers.at("x-amz-target") != "AWSGlue.GetTable" ||
        r.headers.at("content-type") != "application/x-amz-json-1.1" ||
        o.at("CatalogId").as_string() != "123456789012") {
      return TestHttpServer::Response{500, {}, "{}"};
    }
    std::string name(o.at("Name").as_string());
    if (name == "t") {
      return TestHttpServer::Response{
          200, {}, R"({"Table":{"Parameters":{"metadata_location":"s3://b/m.json"}}})"};
    }
    if (name == "denied") {
      return TestHttpServer::Response{
          400, {}, R"({"__type":"com.amazonaws.glue#AccessDeniedException","Message":"no"})"};
    }
    return TestHttpServer::Response{
        400, {}, R"({"__type":"EntityNotFoundException","Message":"Table not found"})"};
  });
  HttpAuthenticator auth({}, std::make_shared<HttpClient>(), {});
  ASSERT_OK_AND_ASSIGN(std::string loc,
                       GlueMetadataLocation(auth, server.base_url(), "123456789012",
                                            GlueTableRef{"prod", "db", "t"}));
  EXPECT_EQ(loc, "s3://b/m.json");
  auto missing =
      GlueMetadataLocation(auth, server.base_url(), "123456789012", {"prod", "db", "gone"});
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("db.gone"), std::string::npos);
  auto denied =
      GlueMetadataLocation(auth, server.base_url(), "123456789012", {"prod", "db", "denied"});
  EXPECT_EQ(denied.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(denied.status().message().find("AccessDeniedException"), std::string::npos);
}

}  // namespace
}  // namespace lakeshare::iceberg
