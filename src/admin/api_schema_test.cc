#include "admin/api_schema.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

namespace json = boost::json;
using ::lakeshare::testing::StatusIs;
using T = FieldType;

const Shape& Sample() {
  static const Shape kShape{
      "",
      "",
      {{.name = "name", .type = T::kString, .required = true, .name_rules = NameKind::kShare},
       {.name = "comment", .type = T::kString, .max_length = 5},
       {"count", T::kInteger},
       {.name = "grace", .type = T::kInteger, .minimum = 0, .maximum = 10},
       {"flag", T::kBoolean},
       {.name = "ips", .type = T::kStringList, .max_length = 2},
       {"at", T::kTime},
       {"filter", T::kFilter},
       {.name = "map", .type = T::kStringMap, .max_length = 2}}};
  return kShape;
}

TEST(ParseBodyTest, ReadsEveryType) {
  ASSERT_OK_AND_ASSIGN(
      FieldValues v,
      ParseBody(Sample(),
                R"({"name":"s","comment":"hi","count":-3,"grace":10,"flag":true,"ips":["a","b"],)"
                R"("at":"2024-01-02T03:04:05Z","filter":{"op":"isNull"},"map":{"b":"1","a":"2"}})",
                false));
  EXPECT_EQ(v.Required("name"), "s");
  EXPECT_EQ(v.String("comment"), "hi");
  EXPECT_EQ(v.Int("count"), -3);
  EXPECT_EQ(v.Int("grace"), 10);
  EXPECT_EQ(v.Bool("flag"), true);
  EXPECT_EQ(v.StringList("ips"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(v.Int("at"), 1704164645000);
  EXPECT_EQ(v.String("filter"), R"({"op":"isNull"})");
  using Pairs = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(v.StringMap("map"), (Pairs{{"b", "1"}, {"a", "2"}}));  // in the body's order
}

TEST(ParseBodyTest, AbsentAndNullAreTheSame) {
  ASSERT_OK_AND_ASSIGN(FieldValues v,
                       ParseBody(Sample(), R"({"name":"s","comment":null,"at":1000})", false));
  EXPECT_FALSE(v.Has("comment"));
  EXPECT_EQ(v.String("comment"), std::nullopt);
  EXPECT_EQ(v.Int("at"), 1000);  // epoch milliseconds too
}

TEST(ParseBodyTest, RefusesWhatTheShapeForbids) {
  struct Case {
    std::string body;
    std::string message;
  };
  const Case cases[] = {
      {"", "request body must be a JSON object"},
      {"[1]", "request body must be a JSON object"},
      {"{", "malformed JSON body"},
      {"{}", "field 'name' is required"},
      {R"({"name":""})", "field 'name' is required"},
      {R"({"name":5})", "field 'name' must be a string"},
      {R"({"name":"a b"})", "share name"},
      {R"({"name":"s","comment":"toolong"})", "field 'comment' is longer than 5 bytes"},
      {R"({"name":"s","count":1.5})", "field 'count' must be an integer"},
      {R"({"name":"s","count":"1"})", "field 'count' must be an integer"},
      {R"({"name":"s","grace":-1})", "field 'grace' must be 0..10"},
      {R"({"name":"s","grace":11})", "field 'grace' must be 0..10"},
      {R"({"name":"s","flag":"yes"})", "field 'flag' must be a boolean"},
      {R"({"name":"s","ips":"a"})", "field 'ips' must be an array of strings"},
      {R"({"name":"s","ips":[1]})", "field 'ips' must be an array of strings"},
      {R"({"name":"s","ips":["a","b","c"]})", "field 'ips' has more than 2 entries"},
      {R"({"name":"s","at":"soon"})", "field 'at': "},
      {R"({"name":"s","at":true})", "field 'at' must be an ISO-8601 time or epoch milliseconds"},
      {R"({"name":"s","filter":7})", "field 'filter' must be a string or a JSON predicate object"},
      {R"({"name":"s","map":["a"]})", "field 'map' must be an object of strings"},
      {R"({"name":"s","map":{"a":1}})", "field 'map' must be an object of strings"},
      {R"({"name":"s","map":{"a":"1","b":"2","c":"3"}})", "field 'map' has more than 2 entries"},
      // Unknown fields are refused, with the nearest known one when there is one.
      {R"({"name":"s","unknown":[1]})", "field 'unknown' is not known here"},
      {R"({"name":"s","Comment":"x"})", "field 'Comment' is not known (did you mean 'comment'?)"},
      {R"({"name":"s","graec":1})", "field 'graec' is not known (did you mean 'grace'?)"},
      {R"({"name":"s","flag":null,"count":1,"ipz":[]})", "did you mean 'ips'?"},
      {"{\"name\":\"s\",\"" + std::string(100, 'k') + "\":1}",
       "field '" + std::string(64, 'k') + "...' is not known here"},
  };
  for (const Case& c : cases) {
    auto r = ParseBody(Sample(), c.body, false);
    EXPECT_THAT(r.status(), StatusIs(StatusCode::kInvalidArgument)) << c.body;
    EXPECT_NE(r.status().message().find(c.message), std::string::npos)
        << c.body << ": " << r.status().message();
  }
}

TEST(ParseBodyTest, AnEmptyBodyIsAnEmptyObjectWhereAllowed) {
  const Shape optional{"", "", {{"at", T::kTime}}};
  ASSERT_OK_AND_ASSIGN(FieldValues v, ParseBody(optional, " \n", true));
  EXPECT_FALSE(v.Has("at"));
  EXPECT_THAT(ParseBody(optional, "", false).status(), StatusIs(StatusCode::kInvalidArgument));
}

TEST(ParseQueryTest, ParsesAndBoundsParameters) {
  const std::vector<Field> fields = {
      {"actor", T::kString},
      {"from", T::kTime},
      {.name = "maxResults", .type = T::kInteger, .minimum = 1, .maximum = 1000}};
  HttpRequest r;
  r.query = {{"actor", "bob"}, {"from", "2024-01-02T03:04:05Z"}, {"maxResults", "7"}, {"x", "y"}};
  ASSERT_OK_AND_ASSIGN(FieldValues v, ParseQuery(fields, r));
  EXPECT_EQ(v.String("actor"), "bob");
  EXPECT_EQ(v.Int("from"), 1704164645000);
  EXPECT_EQ(v.Int("maxResults"), 7);

  r.query = {{"from", "12345"}, {"actor", ""}};
  ASSERT_OK_AND_ASSIGN(v, ParseQuery(fields, r));
  EXPECT_EQ(v.Int("from"), 12345);
  EXPECT_FALSE(v.Has("actor"));  // empty counts as absent

  for (auto bad : std::vector<std::pair<std::string, std::string>>{
           {"maxResults", "0"}, {"maxResults", "1001"}, {"maxResults", "x"}, {"from", "soon"}}) {
    r.query = {bad};
    EXPECT_THAT(ParseQuery(fields, r).status(), StatusIs(StatusCode::kInvalidArgument))
        << bad.first << "=" << bad.second;
  }
}

TEST(ConformsToTest, ChecksKeysTypesAndRequiredFields) {
  const Shape item{"Item", "", {{"id", T::kString, true}, {"at", T::kEpochMillis}}};
  Field items{"items", T::kObjectList, true};
  items.shape = &item;
  const Shape list{"List", "", {items}};
  EXPECT_OK(ConformsTo(json::parse(R"({"items":[{"id":"a","at":5},{"id":"b"}]})"), list));
  EXPECT_THAT(ConformsTo(json::parse(R"({"items":[{"at":5}]})"), list),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ConformsTo(json::parse(R"({"items":[{"id":"a","extra":1}]})"), list),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ConformsTo(json::parse(R"({"items":[{"id":1}]})"), list),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ConformsTo(json::parse(R"({})"), list), StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace lakeshare
