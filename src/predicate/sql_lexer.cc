#include "predicate/sql_lexer.h"

#include "common/strings.h"

namespace lakeshare {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsWordStart(char c) { return IsAlpha(c) || c == '_'; }
bool IsWordChar(char c) { return IsAlpha(c) || IsDigit(c) || c == '_'; }

}  // namespace

bool SqlToken::IsKeyword(std::string_view keyword) const {
  return kind == kWord && EqualsIgnoreCase(text, keyword);
}

Status SqlLexer::Error(const std::string& what, size_t pos) const {
  return Status::InvalidArgument(what + " at offset " + std::to_string(pos));
}

// Reads a quoted run from the opening quote at i_; the closing quote ends
// it unless doubled (or, with escapes, after a backslash).
Status SqlLexer::QuotedText(char quote, bool escapes, SqlToken* t) {
  for (++i_;; ++i_) {
    if (i_ >= s_.size()) {
      return Error(quote == '`' ? "unterminated `name`" : "unterminated string", t->pos);
    }
    const char c = s_[i_];
    if (c == quote) {
      if (i_ + 1 < s_.size() && s_[i_ + 1] == quote) {
        t->text.push_back(quote);
        ++i_;
        continue;
      }
      ++i_;
      return Status::OK();
    }
    if (escapes && c == '\\' && i_ + 1 < s_.size() && (s_[i_ + 1] == quote || s_[i_ + 1] == '\\')) {
      ++i_;
    }
    t->text.push_back(s_[i_]);
  }
}

Result<SqlToken> SqlLexer::Next() {
  while (i_ < s_.size() && IsAsciiSpace(s_[i_])) ++i_;
  SqlToken t;
  t.pos = i_;
  if (i_ >= s_.size()) return t;
  const char c = s_[i_];
  const char next = i_ + 1 < s_.size() ? s_[i_ + 1] : '\0';
  if (IsWordStart(c)) {
    t.kind = SqlToken::kWord;
    size_t start = i_;
    while (i_ < s_.size() && (IsWordChar(s_[i_]) || (dialect_.dotted_words && s_[i_] == '.'))) {
      ++i_;
    }
    t.text = s_.substr(start, i_ - start);
    return t;
  }
  if (c == '`') {
    t.kind = SqlToken::kQuotedName;
    LS_RETURN_IF_ERROR(QuotedText('`', /*escapes=*/false, &t));
    if (t.text.empty()) return Error("empty `name`", t.pos);
    return t;
  }
  if (c == '\'' || c == '"') {
    t.kind = SqlToken::kString;
    t.quote = c;
    LS_RETURN_IF_ERROR(QuotedText(c, dialect_.backslash_escapes, &t));
    return t;
  }
  if (IsDigit(c) || ((c == '-' || c == '+' || c == '.') && (IsDigit(next) || next == '.'))) {
    t.kind = SqlToken::kNumber;
    size_t start = i_;
    if (c == '-' || c == '+') ++i_;
    while (i_ < s_.size() && (IsDigit(s_[i_]) || s_[i_] == '.')) ++i_;
    if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
      ++i_;
      if (i_ < s_.size() && (s_[i_] == '-' || s_[i_] == '+')) ++i_;
      while (i_ < s_.size() && IsDigit(s_[i_])) ++i_;
    }
    if (i_ < s_.size() && IsWordChar(s_[i_])) return Error("unsupported number syntax", t.pos);
    t.text = s_.substr(start, i_ - start);
    return t;
  }
  t.kind = SqlToken::kSymbol;
  if (c == '(' || c == ')' || (c == ',' && dialect_.commas) ||
      (c == '.' && !dialect_.dotted_words)) {
    t.text = std::string(1, c);
    ++i_;
    return t;
  }
  if (c == '=' && !(dialect_.comparisons && next == '=')) {
    t.text = "=";
    ++i_;
    return t;
  }
  if (dialect_.comparisons && (c == '=' || c == '<' || c == '>' || c == '!')) {
    std::string_view two = s_.substr(i_, 2);
    if (two == "<=" || two == ">=" || two == "<>" || two == "!=" || two == "==") {
      t.text = two;
      i_ += 2;
      return t;
    }
    if (c == '!') return Error("unexpected '!'", i_);
    t.text = std::string(1, c);
    ++i_;
    return t;
  }
  return Error(std::string("unexpected character '") + c + "'", i_);
}

Result<std::vector<SqlToken>> SqlLexer::All() {
  std::vector<SqlToken> out;
  for (;;) {
    LS_ASSIGN_OR_RETURN(SqlToken t, Next());
    const bool end = t.kind == SqlToken::kEnd;
    out.push_back(std::move(t));
    if (end) return out;
  }
}

}  // namespace lakeshare
