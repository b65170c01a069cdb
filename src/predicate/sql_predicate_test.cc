#include "predicate/sql_predicate.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "common/strings.h"
#include "predicate/evaluate.h"

namespace lakeshare {
namespace {

using ::testing::HasSubstr;

// A table schema: column name (any case) -> Spark type.
std::optional<std::string> Schema(std::string_view column) {
  static const std::map<std::string, std::string> kTypes = {
      {"name", "string"}, {"id", "long"},      {"age", "integer"},         {"small", "short"},
      {"tiny", "byte"},   {"score", "double"}, {"ratio", "float"},         {"active", "boolean"},
      {"day", "date"},    {"ts", "timestamp"}, {"price", "decimal(10,2)"}, {"my col", "string"},
      {"a.b", "integer"}, {"date", "date"},    {"weird`name", "long"},
  };
  auto it = kTypes.find(AsciiLower(column));
  if (it == kTypes.end()) return std::nullopt;
  return it->second;
}

std::string Parsed(std::string_view hint) {
  Result<Predicate> p = ParseSqlPredicate(hint, Schema);
  if (!p.ok()) return "error: " + p.status().message();
  return p->ToString();
}

void ExpectError(std::string_view hint, const std::string& part = "") {
  Result<Predicate> p = ParseSqlPredicate(hint, Schema);
  ASSERT_FALSE(p.ok()) << hint << " gave " << p->ToString();
  EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(p.status().message(), HasSubstr(part)) << hint;
}

TEST(SqlPredicateTest, Comparisons) {
  EXPECT_EQ(Parsed("name = 'x'"), "(`name` = string 'x')");
  EXPECT_EQ(Parsed("id > 5"), "(`id` > long '5')");
  EXPECT_EQ(Parsed("id>=5"), "(`id` >= long '5')");
  EXPECT_EQ(Parsed("age < -3"), "(`age` < int '-3')");
  EXPECT_EQ(Parsed("age <= +3"), "(`age` <= int '+3')");
  EXPECT_EQ(Parsed("day >= '2021-01-01'"), "(`day` >= date '2021-01-01')");
  EXPECT_EQ(Parsed("day = DATE '2021-01-01'"), "(`day` = date '2021-01-01')");
  EXPECT_EQ(Parsed("ts < timestamp '2021-01-01 00:00:00'"),
            "(`ts` < timestamp '2021-01-01 00:00:00')");
  EXPECT_EQ(Parsed("score == 1.5e3"), "(`score` = double '1.5e3')");
  EXPECT_EQ(Parsed("ratio > .5"), "(`ratio` > float '.5')");
  EXPECT_EQ(Parsed("active = true"), "(`active` = bool 'true')");
  EXPECT_EQ(Parsed("ACTIVE = FALSE"), "(`ACTIVE` = bool 'false')");
  EXPECT_EQ(Parsed("small = 1"), "(`small` = int '1')");
  EXPECT_EQ(Parsed("tiny = '1'"), "(`tiny` = int '1')");
  EXPECT_EQ(Parsed("id = '5'"), "(`id` = long '5')");
}

TEST(SqlPredicateTest, NotEqualBecomesNotEqual) {
  EXPECT_EQ(Parsed("name <> 'x'"), "NOT ((`name` = string 'x'))");
  EXPECT_EQ(Parsed("name != 'x'"), "NOT ((`name` = string 'x'))");
}

TEST(SqlPredicateTest, LiteralOnTheLeftIsMirrored) {
  EXPECT_EQ(Parsed("5 < id"), "(`id` > long '5')");
  EXPECT_EQ(Parsed("5 <= id"), "(`id` >= long '5')");
  EXPECT_EQ(Parsed("5 > id"), "(`id` < long '5')");
  EXPECT_EQ(Parsed("5 >= id"), "(`id` <= long '5')");
  EXPECT_EQ(Parsed("'x' = name"), "(`name` = string 'x')");
  EXPECT_EQ(Parsed("'x' <> name"), "NOT ((`name` = string 'x'))");
}

TEST(SqlPredicateTest, NullTests) {
  EXPECT_EQ(Parsed("name IS NULL"), "`name` IS NULL");
  EXPECT_EQ(Parsed("name is not null"), "NOT (`name` IS NULL)");
  // Any column type may be tested for NULL.
  EXPECT_EQ(Parsed("price IS NULL"), "`price` IS NULL");
}

TEST(SqlPredicateTest, StringsAndNames) {
  EXPECT_EQ(Parsed("name = 'it''s'"), "(`name` = string 'it''s')");
  EXPECT_EQ(Parsed(R"(name = 'it\'s')"), "(`name` = string 'it''s')");
  EXPECT_EQ(Parsed(R"(name = "double")"), "(`name` = string 'double')");
  EXPECT_EQ(Parsed("name = ''"), "(`name` = string '')");
  EXPECT_EQ(Parsed("`my col` = 'x'"), "(`my col` = string 'x')");
  EXPECT_EQ(Parsed("`weird``name` = 1"), "(`weird``name` = long '1')");
  EXPECT_EQ(Parsed("a.b = 1"), "(`a.b` = int '1')");
  EXPECT_EQ(Parsed("`a`.`b` = 1"), "(`a.b` = int '1')");
  EXPECT_EQ(Parsed("date = '2021-01-01'"), "(`date` = date '2021-01-01')");
  EXPECT_EQ(Parsed("name = 'and'"), "(`name` = string 'and')");
}

TEST(SqlPredicateTest, BooleanStructure) {
  EXPECT_EQ(Parsed("id > 1 AND id < 5"), "((`id` > long '1') AND (`id` < long '5'))");
  EXPECT_EQ(Parsed("id = 1 OR id = 2 AND name = 'x'"),
            "((`id` = long '1') OR ((`id` = long '2') AND (`name` = string 'x')))");
  EXPECT_EQ(Parsed("(id = 1 OR id = 2) AND NOT name = 'x'"),
            "(((`id` = long '1') OR (`id` = long '2')) AND NOT ((`name` = string 'x')))");
  EXPECT_EQ(Parsed("  ((id = 1))  "), "(`id` = long '1')");
  EXPECT_EQ(Parsed("age = small"), "(`age` = `small`)");
}

TEST(SqlPredicateTest, Errors) {
  ExpectError("", "empty");
  ExpectError("   ", "empty");
  ExpectError("nope = 1", "unknown column 'nope'");
  ExpectError("price = 1", "decimal(10,2), which filtering does not support");
  ExpectError("name = 5", "cannot compare column 'name' of type string");
  ExpectError("day = 20210101", "cannot compare");
  ExpectError("active = 1", "cannot compare");
  ExpectError("id = true", "cannot compare");
  ExpectError("id = 'five'", "not a valid long");
  ExpectError("id = 1.5", "not a valid long");
  ExpectError("age = 3000000000", "not a valid int");
  ExpectError("day = '2021-02-30'", "not a valid date");
  ExpectError("name = 'x", "unterminated string");
  ExpectError("`name = 'x'", "unterminated");
  ExpectError("`` = 1", "empty");
  ExpectError("name = NULL", "use IS [NOT] NULL");
  ExpectError("1 = 1", "needs a column");
  ExpectError("id = name", "different valueTypes");
  ExpectError("id", "expected a comparison operator");
  ExpectError("id =", "expected a column or a literal");
  ExpectError("id = 1 AND", "expected a column or a literal");
  ExpectError("id = 1 id = 2", "trailing");
  ExpectError("(id = 1", "expected ')'");
  ExpectError("id IN (1, 2)", "unexpected character ','");
  ExpectError("id IN (1)", "expected a comparison operator");
  ExpectError("id LIKE 'x%'", "expected a comparison operator");
  ExpectError("id IS 5", "expected NULL");
  ExpectError("5 IS NULL", "IS NULL needs a column");
  ExpectError("id = 1; DROP TABLE x", "unexpected character ';'");
  ExpectError("id ! 1", "unexpected '!'");
  ExpectError("id = 5L", "unsupported number syntax");
  ExpectError("a. = 1", "expected a name after '.'");
  ExpectError(std::string(200, '(') + "id = 1" + std::string(200, ')'), "nested too deeply");
  ExpectError(std::string(200, ' ') + std::string(200, 'N'), "");
}

TEST(SqlPredicateTest, NoLookupMeansNoColumns) {
  EXPECT_FALSE(ParseSqlPredicate("id = 1", nullptr).ok());
}

TEST(SqlPredicateTest, HintsAreAndedAndBadOnesSkipped) {
  std::vector<Status> errors;
  std::optional<Predicate> p =
      ParseSqlPredicateHints({"id > 1", "garbage (", "name = 'x'", "nope = 1"}, Schema, &errors);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->ToString(), "((`id` > long '1') AND (`name` = string 'x'))");
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_THAT(errors[0].message(), HasSubstr("garbage ("));
  EXPECT_THAT(errors[1].message(), HasSubstr("unknown column 'nope'"));

  p = ParseSqlPredicateHints({"day = '2021-01-01'"}, Schema);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->root().op, PredicateOp::kEqual);
  EXPECT_FALSE(ParseSqlPredicateHints({}, Schema));
  EXPECT_FALSE(ParseSqlPredicateHints({"bad"}, Schema));
}

TEST(SqlPredicateTest, PartitionOnlyCheckAndEvaluation) {
  std::optional<Predicate> p =
      ParseSqlPredicateHints({"DAY >= '2021-01-02'", "name <> 'x'"}, Schema);
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->ReferencesOnly({"day", "name"}));
  EXPECT_FALSE(p->ReferencesOnly({"day"}));
  PartitionValues parts = {{"day", "2021-01-01"}, {"name", "y"}};
  EXPECT_FALSE(MayMatch(*p, FileView{&parts, nullptr}));
  parts["day"] = "2021-01-03";
  EXPECT_TRUE(MayMatch(*p, FileView{&parts, nullptr}));
  parts["name"] = "x";
  EXPECT_FALSE(MayMatch(*p, FileView{&parts, nullptr}));
}

TEST(SqlPredicateTest, HintsOnOtherColumnsCanBeLeftOut) {
  std::vector<std::string> partitions = {"DAY"};
  std::vector<Status> errors;
  std::optional<Predicate> p =
      ParseSqlPredicateHints({"day > '2021-01-01'", "id = 1", "day < '2022-01-01' OR id = 2"},
                             Schema, &errors, &partitions);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->ToString(), "(`day` > date '2021-01-01')");
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_THAT(errors[0].message(), HasSubstr("'id = 1' uses columns that cannot be filtered on"));
  EXPECT_FALSE(ParseSqlPredicateHints({"id = 1"}, Schema, nullptr, &partitions));
}

TEST(SqlPredicateTest, SparkTypes) {
  EXPECT_EQ(ValueTypeFromSparkType("LONG"), ValueType::kLong);
  EXPECT_EQ(ValueTypeFromSparkType("bigint"), ValueType::kLong);
  EXPECT_EQ(ValueTypeFromSparkType("integer"), ValueType::kInt);
  EXPECT_EQ(ValueTypeFromSparkType("boolean"), ValueType::kBool);
  EXPECT_EQ(ValueTypeFromSparkType("timestamp"), ValueType::kTimestamp);
  for (const char* unsupported : {"binary", "decimal(10,2)", "timestamp_ntz", "struct", ""}) {
    EXPECT_FALSE(ValueTypeFromSparkType(unsupported)) << unsupported;
  }
}

TEST(SqlPredicateTest, RandomInputNeverCrashes) {
  std::mt19937 rng(5);
  const std::string pieces[] = {
      "id",   "name",         " ",   "=",  "<>",   "<", ">=", "'", "''", "`",  "(",  ")",
      "AND",  "OR",           "NOT", "IS", "NULL", "5", "-",  ".", "x",  "\"", "\\", "day",
      "DATE", "'2021-01-01'", "1e"};
  for (int i = 0; i < 20000; ++i) {
    std::string s;
    int n = 1 + static_cast<int>(rng() % 10);
    for (int k = 0; k < n; ++k) s += pieces[rng() % std::size(pieces)];
    Result<Predicate> p = ParseSqlPredicate(s, Schema);
    if (!p.ok()) {
      EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument) << s;
    }
  }
}

}  // namespace
}  // namespace lakeshare
