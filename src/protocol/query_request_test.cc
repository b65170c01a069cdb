#include "protocol/query_request.h"

#include <gtest/gtest.h>

#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

Result<QueryRequest> Parse(std::string_view body, bool* malformed) {
  return ParseQueryRequest(body, malformed);
}

TEST(QueryRequestTest, EmptyBodiesAreEmptyQueries) {
  bool malformed;
  EXPECT_OK(Parse("", &malformed));
  EXPECT_OK(Parse("  \n", &malformed));
  EXPECT_OK(Parse("{}", &malformed));
}

TEST(QueryRequestTest, ParsesEveryField) {
  bool malformed;
  auto q = Parse(R"({"predicateHints":["a = 1"],"jsonPredicateHints":{"op":"isNull"},
                     "limitHint":10,"version":3,"unknownField":[1,2,{"x":null}],
                     "maxFiles":5,"pageToken":"t","includeRefreshToken":true})",
                 &malformed);
  ASSERT_OK(q);
  EXPECT_EQ(q->predicate_hints, std::vector<std::string>{"a = 1"});
  EXPECT_EQ(*q->json_predicate_hints, R"({"op":"isNull"})");
  EXPECT_EQ(*q->limit_hint, 10);
  EXPECT_EQ(*q->version, 3);
  EXPECT_EQ(*q->max_files, 5);
  EXPECT_TRUE(q->include_refresh_token);
  auto s = Parse(R"({"jsonPredicateHints":"{\"op\":\"and\"}","timestamp":"2022-01-01T00:00:00Z"})",
                 &malformed);
  ASSERT_OK(s);
  EXPECT_EQ(*s->json_predicate_hints, R"({"op":"and"})");
  EXPECT_EQ(*s->timestamp, "2022-01-01T00:00:00Z");
}

TEST(QueryRequestTest, MalformedBodies) {
  for (const char* body : {"{", "[]", "\"x\"", "nul", "{\"a\":}", "1"}) {
    bool malformed = false;
    EXPECT_FALSE(Parse(body, &malformed).ok()) << body;
    EXPECT_TRUE(malformed) << body;
  }
  std::string deep(100, '[');
  bool malformed = false;
  EXPECT_FALSE(Parse("{\"x\":" + deep + "}", &malformed).ok());
  EXPECT_TRUE(malformed);
}

TEST(QueryRequestTest, InvalidValues) {
  for (const char* body :
       {R"({"version":-1})", R"({"version":"1"})", R"({"version":1.5})", R"({"limitHint":-2})",
        R"({"timestamp":5})", R"({"predicateHints":"a"})", R"({"predicateHints":[1]})",
        R"({"jsonPredicateHints":3})", R"({"maxFiles":0})", R"({"version":1,"timestamp":"x"})",
        R"({"version":1,"startingVersion":1})", R"({"endingVersion":2})",
        R"({"startingVersion":3,"endingVersion":2})", R"({"version":18446744073709551615})",
        R"({"includeRefreshToken":"yes"})"}) {
    bool malformed = true;
    auto q = Parse(body, &malformed);
    EXPECT_FALSE(q.ok()) << body;
    EXPECT_FALSE(malformed) << body;
    EXPECT_EQ(q.status().code(), StatusCode::kInvalidArgument) << body;
  }
}

}  // namespace
}  // namespace lakeshare
