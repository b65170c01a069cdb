// The SQL lexer of both SQL-like parsers in predicate/: the legacy
// `predicateHints` (sql_predicate.h) and a share's partition filter
// (partition_filter.h). It splits text into words, quoted names, strings,
// numbers and symbols; what a token means is the parser's business.
//
// Tokens (whitespace between them is skipped):
//  - word: [A-Za-z_][A-Za-z0-9_]* (keywords and bare names; with
//    dotted_words, '.' continues a word: a.b is one word);
//  - quoted name: `...`, a doubled `` for a backquote; never empty;
//  - string: '...' or "..." (Token::quote says which), a doubled quote for
//    the quote itself; with backslash_escapes (Spark) \' \" and \\ as well;
//  - number: [+-]? digits/dots, then an optional exponent (e[+-]digits); a
//    sign or dot starts a number only before a digit or dot, and a word
//    character right after a number is an error (5L);
//  - symbol: ( ) and, per dialect, ',' and '.', and the comparisons
//    = == <> != < <= > >= (else only '=').
// Errors: kInvalidArgument "<what> at offset N". Not thread-safe (a lexer
// is a cursor); the dialect is plain data.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace lakeshare {

struct SqlDialect {
  bool backslash_escapes = false;  // \' \" \\ inside strings
  bool dotted_words = false;       // a.b is one word (else '.' is a symbol)
  bool commas = false;             // ',' is a symbol
  bool comparisons = false;        // all comparison operators (else only '=')
};

struct SqlToken {
  enum Kind { kEnd, kWord, kQuotedName, kString, kNumber, kSymbol };
  Kind kind = kEnd;
  std::string text;  // the name, the string's value, the number or the symbol
  char quote = 0;    // kString: '\'' or '"'
  size_t pos = 0;    // offset of the token's first byte

  bool IsSymbol(std::string_view s) const { return kind == kSymbol && text == s; }
  // A bare word equal to `keyword` ignoring case (never a quoted name).
  bool IsKeyword(std::string_view keyword) const;
};

class SqlLexer {
 public:
  SqlLexer(std::string_view text, SqlDialect dialect) : s_(text), dialect_(dialect) {}

  // The next token; kEnd (at offset text.size()) once the text is used up.
  Result<SqlToken> Next();
  // Every token, the kEnd last.
  Result<std::vector<SqlToken>> All();

 private:
  Status Error(const std::string& what, size_t pos) const;
  Status QuotedText(char quote, bool escapes, SqlToken* t);

  std::string_view s_;
  SqlDialect dialect_;
  size_t i_ = 0;
};

}  // namespace lakeshare
