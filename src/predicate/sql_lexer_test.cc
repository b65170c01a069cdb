#include "predicate/sql_lexer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

using ::lakeshare::testing::StatusIs;

using ::testing::HasSubstr;

// "kind:text" for each token before the end.
std::vector<std::string> Lex(std::string_view text, SqlDialect dialect) {
  SqlLexer lexer(text, dialect);
  Result<std::vector<SqlToken>> tokens = lexer.All();
  EXPECT_OK(tokens.status());
  std::vector<std::string> out;
  if (!tokens.ok()) return out;
  for (const SqlToken& t : *tokens) {
    if (t.kind == SqlToken::kEnd) break;
    static const char* const kKinds[] = {"end", "word", "name", "string", "number", "symbol"};
    out.push_back(std::string(kKinds[t.kind]) + ":" + t.text);
  }
  return out;
}

SqlDialect Full() {
  SqlDialect d;
  d.commas = true;
  d.comparisons = true;
  return d;
}

TEST(SqlLexerTest, SplitsWordsNamesStringsNumbersAndSymbols) {
  EXPECT_EQ(
      Lex("a_1 >= 10 AND `we``ird` <> 'it''s' OR (b, -2.5e-3)", Full()),
      (std::vector<std::string>{"word:a_1", "symbol:>=", "number:10", "word:AND", "name:we`ird",
                                "symbol:<>", "string:it's", "word:OR", "symbol:(", "word:b",
                                "symbol:,", "number:-2.5e-3", "symbol:)"}));
}

TEST(SqlLexerTest, EndsAtTheTextsLength) {
  SqlLexer lexer("  x  ", SqlDialect{});
  ASSERT_OK_AND_ASSIGN(SqlToken x, lexer.Next());
  EXPECT_EQ(x.pos, 2u);
  ASSERT_OK_AND_ASSIGN(SqlToken end, lexer.Next());
  EXPECT_EQ(end.kind, SqlToken::kEnd);
  EXPECT_EQ(end.pos, 5u);
}

TEST(SqlLexerTest, DialectDecidesDotsCommasAndComparisons) {
  SqlDialect dotted;
  dotted.dotted_words = true;
  EXPECT_EQ(Lex("s.inner = 1", dotted),
            (std::vector<std::string>{"word:s.inner", "symbol:=", "number:1"}));
  EXPECT_EQ(Lex("s.inner", SqlDialect{}),
            (std::vector<std::string>{"word:s", "symbol:.", "word:inner"}));
  SqlLexer comma("a,b", SqlDialect{});
  EXPECT_OK(comma.Next().status());
  EXPECT_THAT(comma.Next().status(), StatusIs(StatusCode::kInvalidArgument));
  SqlLexer less("a < b", SqlDialect{});
  EXPECT_OK(less.Next().status());
  EXPECT_THAT(less.Next().status(), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(Lex("a == b", Full()), (std::vector<std::string>{"word:a", "symbol:==", "word:b"}));
}

TEST(SqlLexerTest, BackslashEscapesOnlyWhenAsked) {
  SqlDialect spark;
  spark.backslash_escapes = true;
  EXPECT_EQ(Lex(R"('a\'b\\c')", spark), (std::vector<std::string>{"string:a'b\\c"}));
  EXPECT_EQ(Lex(R"('a\b')", SqlDialect{}), (std::vector<std::string>{"string:a\\b"}));
  SqlLexer lexer(R"("x" 'y')", SqlDialect{});
  ASSERT_OK_AND_ASSIGN(SqlToken x, lexer.Next());
  EXPECT_EQ(x.quote, '"');
  ASSERT_OK_AND_ASSIGN(SqlToken y, lexer.Next());
  EXPECT_EQ(y.quote, '\'');
}

TEST(SqlLexerTest, KeywordsIgnoreCaseButNeverMatchQuotedNames) {
  SqlLexer lexer("aNd `and`", SqlDialect{});
  ASSERT_OK_AND_ASSIGN(SqlToken word, lexer.Next());
  EXPECT_TRUE(word.IsKeyword("AND"));
  ASSERT_OK_AND_ASSIGN(SqlToken name, lexer.Next());
  EXPECT_FALSE(name.IsKeyword("and"));
}

TEST(SqlLexerTest, ErrorsNameTheOffset) {
  EXPECT_THAT(SqlLexer("a = 'open", SqlDialect{}).All().status(),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("unterminated string at offset 4")));
  EXPECT_THAT(SqlLexer("``", SqlDialect{}).All().status(),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("empty `name` at offset 0")));
  EXPECT_THAT(SqlLexer("x = 5L", Full()).All().status(),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("unsupported number syntax")));
  EXPECT_THAT(SqlLexer("x ! 1", Full()).All().status(),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("unexpected '!' at offset 2")));
  EXPECT_THAT(SqlLexer("x ; 1", Full()).All().status(),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("unexpected character ';'")));
}

}  // namespace
}  // namespace lakeshare
