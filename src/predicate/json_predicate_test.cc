#include "predicate/json_predicate.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <random>
#include <string>

#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

using ::testing::HasSubstr;

std::string Col(const std::string& name, const std::string& type = "int") {
  return R"({"op":"column","name":")" + name + R"(","valueType":")" + type + R"("})";
}
std::string Lit(const std::string& value, const std::string& type = "int") {
  return R"({"op":"literal","value":")" + value + R"(","valueType":")" + type + R"("})";
}
std::string Node(const std::string& op, const std::vector<std::string>& children) {
  std::string s = R"({"op":")" + op + R"(","children":[)";
  for (size_t i = 0; i < children.size(); ++i) s += (i ? "," : "") + children[i];
  return s + "]}";
}

void ExpectInvalid(const std::string& json, const std::string& message_part = "") {
  Result<Predicate> p = ParseJsonPredicate(json);
  ASSERT_FALSE(p.ok()) << json;
  EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(p.status().message(), HasSubstr(message_part)) << json;
}

TEST(JsonPredicateTest, ParsesTheSpecExample) {
  Result<Predicate> p = ParseJsonPredicate(std::string_view(R"({
    "op": "and",
    "children": [
      {"op": "equal", "children": [
        {"op": "column", "name": "hireDate", "valueType": "date"},
        {"op": "literal", "value": "2021-04-29", "valueType": "date"}]},
      {"op": "lessThan", "children": [
        {"op": "column", "name": "id", "valueType": "int"},
        {"op": "literal", "value": "25", "valueType": "int"}]}
    ]})"));
  ASSERT_OK(p);
  EXPECT_EQ(p->root().op, PredicateOp::kAnd);
  ASSERT_EQ(p->root().children.size(), 2u);
  const PredicateNode& eq = p->root().children[0].root();
  EXPECT_EQ(eq.op, PredicateOp::kEqual);
  EXPECT_EQ(eq.value_type, ValueType::kDate);
  EXPECT_EQ(eq.children[0].root().name, "hireDate");
  EXPECT_EQ(eq.children[0].root().key, "hiredate");
  EXPECT_EQ(eq.children[1].root().value, "2021-04-29");
  EXPECT_EQ(p->depth(), 3);
  EXPECT_EQ(p->ToString(), "((`hireDate` = date '2021-04-29') AND (`id` < int '25'))");
  EXPECT_EQ(p->ColumnNames(), (std::vector<std::string>{"hiredate", "id"}));
}

TEST(JsonPredicateTest, ParsesEveryOpAndValueType) {
  const char* types[][2] = {{"bool", "true"},        {"int", "-3"},
                            {"long", "12345678901"}, {"string", "it's"},
                            {"date", "2021-01-01"},  {"float", "1.5"},
                            {"double", "-2.25e10"},  {"timestamp", "2021-01-01T00:00:00Z"}};
  for (const char* op :
       {"equal", "lessThan", "lessThanOrEqual", "greaterThan", "greaterThanOrEqual"}) {
    for (auto& [type, value] : types) {
      std::string json = Node(op, {Col("c", type), Lit(value, type)});
      Result<Predicate> p = ParseJsonPredicate(json);
      ASSERT_OK(p) << json;
      EXPECT_EQ(PredicateOpName(p->root().op), op);
      EXPECT_EQ(ValueTypeName(*p->root().value_type), type);
    }
  }
  std::string cmp = Node("equal", {Col("a"), Lit("1")});
  for (const std::string& json :
       {Node("isNull", {Col("a")}), Node("not", {cmp}), Node("and", {cmp, cmp}),
        Node("or", {cmp, cmp, cmp}), Node("isNull", {R"({"op":"column","name":"a"})"}),
        Node("equal", {Lit("1"), Col("a")}), Node("equal", {Col("a"), Col("b")}),
        Node("equal", {Lit("1"), Lit("2")})}) {
    EXPECT_OK(ParseJsonPredicate(json)) << json;
  }
}

TEST(JsonPredicateTest, AcceptsLooseSpellingAndExtraKeys) {
  EXPECT_OK(ParseJsonPredicate(std::string(
      R"({"op":"EQUAL","extra":1,"children":[{"op":"Column","name":"a","valueType":"INT"},
                      {"op":"literal","value":"1","valueType":"int","children":[]}]})")));
}

TEST(JsonPredicateTest, AcceptsTheFieldAsStringOrObject) {
  std::string text = Node("isNull", {Col("a")});
  boost::json::value as_object = boost::json::parse(text);
  boost::json::value as_string = boost::json::string(text);
  EXPECT_OK(ParseJsonPredicateField(as_object));
  EXPECT_OK(ParseJsonPredicateField(as_string));
  EXPECT_FALSE(ParseJsonPredicateField(boost::json::value(42)).ok());
  // Text that is a JSON string holding the tree is double-encoded: rejected.
  EXPECT_FALSE(ParseJsonPredicate(boost::json::serialize(as_string)).ok());
}

TEST(JsonPredicateTest, RejectsWrongArity) {
  std::string cmp = Node("equal", {Col("a"), Lit("1")});
  ExpectInvalid(Node("and", {cmp}), "and takes at least 2 children, got 1");
  ExpectInvalid(Node("or", {}), "at least 2 children");
  ExpectInvalid(R"({"op":"and"})", "got 0");
  ExpectInvalid(Node("not", {cmp, cmp}), "exactly 1 child");
  ExpectInvalid(Node("not", {}), "exactly 1 child");
  ExpectInvalid(Node("isNull", {Col("a"), Col("b")}), "exactly 1 child");
  ExpectInvalid(Node("equal", {Col("a")}), "exactly 2 children");
  ExpectInvalid(Node("lessThan", {Col("a"), Lit("1"), Lit("2")}), "exactly 2 children");
  ExpectInvalid(R"({"op":"column","name":"a","valueType":"int","children":[{}]})", "no children");
}

TEST(JsonPredicateTest, RejectsBadOperands) {
  std::string cmp = Node("equal", {Col("a"), Lit("1")});
  ExpectInvalid(Node("equal", {Col("a"), Lit("1", "long")}), "different valueTypes");
  ExpectInvalid(Node("equal", {Col("a", "string"), Lit("1", "int")}), "different valueTypes");
  ExpectInvalid(Node("equal", {cmp, Lit("1")}), "not equal");
  ExpectInvalid(Node("isNull", {Lit("1")}), "isNull takes a column");
  ExpectInvalid(Node("isNull", {cmp}), "isNull takes a column");
  ExpectInvalid(Node("and", {cmp, Col("a")}), "not a column");
  ExpectInvalid(Node("not", {Lit("1")}), "not a literal");
  ExpectInvalid(Col("a"), "must be a condition");
  ExpectInvalid(Lit("1"), "must be a condition");
  ExpectInvalid(Node("equal", {R"({"op":"column","name":"a"})", Lit("1")}), "needs a valueType");
  ExpectInvalid(Node("equal", {R"({"op":"column","valueType":"int"})", Lit("1")}),
                "non-empty 'name'");
  ExpectInvalid(Node("equal", {Col(""), Lit("1")}), "non-empty 'name'");
  ExpectInvalid(Node("equal", {Col("a"), R"({"op":"literal","valueType":"int"})"}),
                "string 'value'");
  ExpectInvalid(Node("equal", {Col("a"), R"({"op":"literal","value":1,"valueType":"int"})"}),
                "'value' must be a string, not a number");
  ExpectInvalid(Node("equal", {Col("a"), R"({"op":"literal","value":"1"})"}), "'valueType'");
}

TEST(JsonPredicateTest, RejectsUnknownNames) {
  ExpectInvalid(Node("like", {Col("a"), Lit("1")}), "unknown op 'like'");
  ExpectInvalid(Node("equal", {Col("a", "decimal"), Lit("1")}), "unknown valueType 'decimal'");
  ExpectInvalid(R"({"children":[]})", "missing 'op'");
  ExpectInvalid(R"({"op":5})", "'op' must be a string");
  ExpectInvalid(R"({"op":"and","children":{}})", "'children' must be an array");
}

TEST(JsonPredicateTest, RejectsBadLiterals) {
  const char* bad[][2] = {{"int", "abc"},
                          {"int", "1.5"},
                          {"int", "3000000000"},
                          {"long", ""},
                          {"bool", "yes"},
                          {"date", "2021-13-01"},
                          {"date", "01/02/2021"},
                          {"float", "NaN"},
                          {"double", "1,5"},
                          {"timestamp", "noon"},
                          {"timestamp", "2021-01-01T00:00:00"}};
  for (auto& [type, value] : bad) {
    ExpectInvalid(Node("equal", {Col("a", type), Lit(value, type)}), "is not a valid");
  }
}

TEST(JsonPredicateTest, NamesTheOffendingNode) {
  std::string good = Node("equal", {Col("a"), Lit("1")});
  ExpectInvalid(Node("and", {good, Node("not", {Node("equal", {Col("a"), Lit("x")})})}),
                "at $.children[1].children[0].children[1]: literal 'x' is not a valid int");
}

std::string Chain(int depth) {
  // not(not(...(isNull(a)))) has depth + 0 nodes on its longest path.
  std::string s = Node("isNull", {Col("a")});
  for (int d = 2; d < depth; ++d) s = Node("not", {s});
  return s;
}

TEST(JsonPredicateTest, DepthLimit) {
  Result<Predicate> p = ParseJsonPredicate(Chain(100));
  ASSERT_OK(p);
  EXPECT_EQ(p->depth(), 100);
  ExpectInvalid(Chain(101), "deeper than 100");
  // Deeply nested JSON that is not even a tree is stopped by the JSON reader.
  ExpectInvalid(std::string(100000, '[') + std::string(100000, ']'), "deeper than 100");
}

TEST(JsonPredicateTest, SizeLimit) {
  std::string cmp = Node("equal", {Col("a"), Lit("1")});
  std::string big = R"({"op":"or","children":[)" + cmp;
  while (big.size() <= kMaxJsonPredicateBytes) big += "," + cmp;
  big += "]}";
  ExpectInvalid(big, "larger than 1048576 bytes");
  // Just under the limit is fine (long literals keep it under the node limit).
  cmp = Node("equal", {Col("s", "string"), Lit(std::string(1000, 'x'), "string")});
  std::string fits = R"({"op":"or","children":[)" + cmp;
  while (fits.size() + cmp.size() + 3 < kMaxJsonPredicateBytes) fits += "," + cmp;
  fits += "]}";
  EXPECT_OK(ParseJsonPredicate(fits));
}

TEST(JsonPredicateTest, NodeLimit) {
  auto wide_or = [](int comparisons) {
    std::vector<std::string> children(comparisons, Node("equal", {Col("a"), Lit("1")}));
    return Node("or", children);
  };
  Result<Predicate> p = ParseJsonPredicate(wide_or(3333));
  ASSERT_OK(p);
  EXPECT_EQ(p->node_count(), kMaxPredicateNodes);
  ExpectInvalid(wide_or(3334), "more than 10000 nodes");
  // Counted through every level, not only the root's children.
  ASSERT_OK_AND_ASSIGN(Predicate q,
                       ParseJsonPredicate(Node("and", {Node("not", {Node("isNull", {Col("a")})}),
                                                       Node("equal", {Col("a"), Lit("1")})})));
  EXPECT_EQ(q.node_count(), 7);
}

TEST(JsonPredicateTest, RejectsNonObjectsAndGarbage) {
  for (const char* bad : {"", " ", "null", "42", "\"and\"", "[]", "[{\"op\":\"and\"}]", "{",
                          "{\"op\":\"isNull\",\"children\":[{\"op\":\"column\",\"name\":\"a\"}]",
                          "{\"op\":\"isNull\"} trailing", "\xff\xfe", "{'op':'and'}"}) {
    ExpectInvalid(bad);
  }
  ExpectInvalid(Node("and", {"1", "2"}), "must be an object, not a number");
}

TEST(JsonPredicateTest, RandomBytesNeverCrash) {
  std::mt19937 rng(7);
  const std::string alphabet = "{}[],:\"01 aopqlrenuch\\";
  std::string seed = Node("and", {Node("equal", {Col("a"), Lit("1")}), Node("isNull", {Col("b")})});
  for (int i = 0; i < 20000; ++i) {
    std::string s = seed;
    int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      size_t pos = rng() % (s.size() + 1);
      switch (rng() % 3) {
        case 0:
          s.insert(pos, 1, alphabet[rng() % alphabet.size()]);
          break;
        case 1:
          if (pos < s.size()) s.erase(pos, 1);
          break;
        default:
          if (pos < s.size()) s[pos] = static_cast<char>(rng());
          break;
      }
    }
    Result<Predicate> p = ParseJsonPredicate(s);
    if (!p.ok()) {
      EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument);
    }
  }
}

TEST(PredicateTest, BuildersValidate) {
  Result<Predicate> col = Predicate::Column("A", ValueType::kLong);
  Result<Predicate> lit = Predicate::Literal("5", ValueType::kLong);
  ASSERT_OK(col);
  ASSERT_OK(lit);
  EXPECT_OK(Predicate::Compare(PredicateOp::kGreaterThan, *col, *lit));
  EXPECT_FALSE(Predicate::Compare(PredicateOp::kAnd, *col, *lit).ok());
  EXPECT_FALSE(Predicate::And({}).ok());
  EXPECT_FALSE(Predicate::Literal("x", ValueType::kDate).ok());
  EXPECT_FALSE(Predicate::Column("", ValueType::kDate).ok());
}

TEST(PredicateTest, ReferencesOnly) {
  Result<Predicate> p = ParseJsonPredicate(
      Node("or", {Node("equal", {Col("Part"), Lit("1")}), Node("isNull", {Col("other")})}));
  ASSERT_OK(p);
  EXPECT_TRUE(p->ReferencesOnly({"part", "OTHER"}));
  EXPECT_FALSE(p->ReferencesOnly({"part"}));
  EXPECT_FALSE(p->ReferencesOnly({}));
}

}  // namespace
}  // namespace lakeshare
