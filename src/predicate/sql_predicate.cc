#include "predicate/sql_predicate.h"

#include "common/strings.h"
#include "predicate/sql_lexer.h"

namespace lakeshare {
namespace {

constexpr size_t kMaxHintBytes = size_t{1} << 20;

// The predicateHints dialect: Spark's strings ('…' or "…", with \' and
// \\ escapes), a.b as three tokens, the comparisons.
constexpr SqlDialect kHintDialect{
    .backslash_escapes = true, .dotted_words = false, .commas = false, .comparisons = true};

// One side of a comparison.
struct Operand {
  enum Kind { kColumn, kNumber, kString, kBool, kNull } kind;
  std::string text;  // column name or literal text
};

class Parser {
 public:
  Parser(std::vector<SqlToken> tokens, const ColumnTypeLookup& column_type)
      : tokens_(std::move(tokens)), column_type_(column_type) {}

  Result<Predicate> ParseAll() {
    LS_ASSIGN_OR_RETURN(Predicate p, ParseOr(1));
    if (Peek().kind != SqlToken::kEnd) return Error("unexpected trailing input");
    return p;
  }

 private:
  const SqlToken& Peek() const { return tokens_[pos_]; }
  const SqlToken& Next() { return tokens_[pos_ < tokens_.size() - 1 ? pos_++ : pos_]; }
  static bool IsName(const SqlToken& t) {
    return t.kind == SqlToken::kWord || t.kind == SqlToken::kQuotedName;
  }
  bool IsKeyword(const SqlToken& t, std::string_view kw) const { return t.IsKeyword(kw); }
  bool AcceptKeyword(std::string_view kw) {
    if (!IsKeyword(Peek(), kw)) return false;
    ++pos_;
    return true;
  }
  Status Error(const std::string& what) const {
    return Status::InvalidArgument(what + " at offset " + std::to_string(Peek().pos));
  }
  Status CheckDepth(int depth) const {
    if (depth > kMaxPredicateDepth) return Error("expression is nested too deeply");
    return Status::OK();
  }

  // `depth` counts open parentheses and NOTs: it bounds the recursion.
  Result<Predicate> ParseOr(int depth) {
    std::vector<Predicate> terms;
    do {
      LS_ASSIGN_OR_RETURN(Predicate t, ParseAnd(depth));
      terms.push_back(std::move(t));
    } while (AcceptKeyword("OR"));
    if (terms.size() == 1) return std::move(terms[0]);
    return Predicate::Or(std::move(terms));
  }

  Result<Predicate> ParseAnd(int depth) {
    std::vector<Predicate> terms;
    do {
      LS_ASSIGN_OR_RETURN(Predicate t, ParseUnary(depth));
      terms.push_back(std::move(t));
    } while (AcceptKeyword("AND"));
    if (terms.size() == 1) return std::move(terms[0]);
    return Predicate::And(std::move(terms));
  }

  Result<Predicate> ParseUnary(int depth) {
    LS_RETURN_IF_ERROR(CheckDepth(depth));
    if (AcceptKeyword("NOT")) {
      LS_ASSIGN_OR_RETURN(Predicate inner, ParseUnary(depth + 1));
      return Predicate::Not(std::move(inner));
    }
    if (Peek().IsSymbol("(")) {
      ++pos_;
      LS_ASSIGN_OR_RETURN(Predicate inner, ParseOr(depth + 1));
      if (!Peek().IsSymbol(")")) return Error("expected ')'");
      ++pos_;
      return inner;
    }
    return ParseComparison();
  }

  Result<Operand> ParseOperand() {
    const SqlToken& t = Peek();
    switch (t.kind) {
      case SqlToken::kNumber:
        return Operand{Operand::kNumber, Next().text};
      case SqlToken::kString:
        return Operand{Operand::kString, Next().text};
      case SqlToken::kWord:
      case SqlToken::kQuotedName:
        break;
      default:
        return Error("expected a column or a literal");
    }
    if (IsKeyword(t, "TRUE") || IsKeyword(t, "FALSE")) {
      return Operand{Operand::kBool, AsciiLower(Next().text)};
    }
    if (IsKeyword(t, "NULL")) {
      Next();
      return Operand{Operand::kNull, ""};
    }
    // DATE '2021-01-01' and TIMESTAMP '...': the column's type decides anyway.
    if ((IsKeyword(t, "DATE") || IsKeyword(t, "TIMESTAMP")) &&
        tokens_[pos_ + 1].kind == SqlToken::kString) {
      Next();
      return Operand{Operand::kString, Next().text};
    }
    for (std::string_view kw : {"AND", "OR", "NOT", "IS"}) {
      if (IsKeyword(t, kw)) return Error("expected a column or a literal");
    }
    Operand col{Operand::kColumn, Next().text};
    while (Peek().IsSymbol(".")) {
      Next();
      if (!IsName(Peek())) return Error("expected a name after '.'");
      col.text += '.';
      col.text += Next().text;
    }
    return col;
  }

  Result<Predicate> MakeColumn(const std::string& name, bool need_type) {
    std::optional<std::string> spark_type = column_type_ ? column_type_(name) : std::nullopt;
    if (!spark_type) return Status::InvalidArgument("unknown column '" + name + "'");
    std::optional<ValueType> type = ValueTypeFromSparkType(*spark_type);
    if (!type && need_type) {
      return Status::InvalidArgument("column '" + name + "' has type " + *spark_type +
                                     ", which filtering does not support");
    }
    return Predicate::Column(name, type);
  }

  Result<Predicate> MakeLiteral(const Operand& lit, ValueType type, const std::string& column) {
    bool fits = false;
    switch (lit.kind) {
      case Operand::kNumber:
        // A number against a string column is compared after a cast in Spark.
        fits = type != ValueType::kString && type != ValueType::kBool && type != ValueType::kDate &&
               type != ValueType::kTimestamp;
        break;
      case Operand::kString:
        fits = true;
        break;
      case Operand::kBool:
        fits = type == ValueType::kBool;
        break;
      default:
        break;
    }
    if (!fits) {
      return Status::InvalidArgument("cannot compare column '" + column + "' of type " +
                                     std::string(ValueTypeName(type)) + " with " + lit.text);
    }
    return Predicate::Literal(lit.text, type);
  }

  Result<Predicate> ParseComparison() {
    LS_ASSIGN_OR_RETURN(Operand left, ParseOperand());
    if (AcceptKeyword("IS")) {
      bool negated = AcceptKeyword("NOT");
      if (!AcceptKeyword("NULL")) return Error("expected NULL after IS");
      if (left.kind != Operand::kColumn) return Error("IS NULL needs a column");
      LS_ASSIGN_OR_RETURN(Predicate col, MakeColumn(left.text, /*need_type=*/false));
      LS_ASSIGN_OR_RETURN(Predicate is_null, Predicate::IsNull(std::move(col)));
      if (!negated) return is_null;
      return Predicate::Not(std::move(is_null));
    }
    const SqlToken& op_token = Peek();
    if (op_token.kind != SqlToken::kSymbol || op_token.IsSymbol("(") || op_token.IsSymbol(")") ||
        op_token.IsSymbol(".")) {
      return Error("expected a comparison operator");
    }
    std::string op = Next().text;
    LS_ASSIGN_OR_RETURN(Operand right, ParseOperand());
    if (left.kind == Operand::kNull || right.kind == Operand::kNull) {
      return Status::InvalidArgument("a comparison with NULL is never true; use IS [NOT] NULL");
    }
    if (left.kind != Operand::kColumn && right.kind != Operand::kColumn) {
      return Status::InvalidArgument("a comparison needs a column");
    }
    // Write it as `column op value`, mirroring the operator when swapping.
    bool swapped = left.kind != Operand::kColumn;
    if (swapped) std::swap(left, right);
    LS_ASSIGN_OR_RETURN(Predicate col, MakeColumn(left.text, /*need_type=*/true));
    ValueType type = *col.root().value_type;
    Result<Predicate> other = right.kind == Operand::kColumn
                                  ? MakeColumn(right.text, /*need_type=*/true)
                                  : MakeLiteral(right, type, left.text);
    LS_RETURN_IF_ERROR(other);

    PredicateOp pop;
    bool negate = false;
    if (op == "=" || op == "==") {
      pop = PredicateOp::kEqual;
    } else if (op == "<>" || op == "!=") {
      pop = PredicateOp::kEqual;
      negate = true;
    } else if (op == "<") {
      pop = swapped ? PredicateOp::kGreaterThan : PredicateOp::kLessThan;
    } else if (op == "<=") {
      pop = swapped ? PredicateOp::kGreaterThanOrEqual : PredicateOp::kLessThanOrEqual;
    } else if (op == ">") {
      pop = swapped ? PredicateOp::kLessThan : PredicateOp::kGreaterThan;
    } else {
      pop = swapped ? PredicateOp::kLessThanOrEqual : PredicateOp::kGreaterThanOrEqual;
    }
    LS_ASSIGN_OR_RETURN(Predicate cmp,
                        Predicate::Compare(pop, std::move(col), std::move(other).value()));
    if (!negate) return cmp;
    return Predicate::Not(std::move(cmp));
  }

  std::vector<SqlToken> tokens_;
  size_t pos_ = 0;
  const ColumnTypeLookup& column_type_;
};

}  // namespace

std::optional<ValueType> ValueTypeFromSparkType(std::string_view t) {
  auto is = [&](std::string_view name) { return EqualsIgnoreCase(t, name); };
  if (is("string")) return ValueType::kString;
  if (is("long") || is("bigint")) return ValueType::kLong;
  if (is("integer") || is("int") || is("short") || is("smallint") || is("byte") || is("tinyint")) {
    return ValueType::kInt;
  }
  if (is("float") || is("real")) return ValueType::kFloat;
  if (is("double")) return ValueType::kDouble;
  if (is("boolean")) return ValueType::kBool;
  if (is("date")) return ValueType::kDate;
  if (is("timestamp")) return ValueType::kTimestamp;
  return std::nullopt;
}

Result<Predicate> ParseSqlPredicate(std::string_view hint, const ColumnTypeLookup& column_type) {
  auto context = [&](const Status& s) {
    std::string shown(hint.substr(0, 200));
    return Status::InvalidArgument("predicate hint '" + shown + "': " + s.message());
  };
  if (hint.size() > kMaxHintBytes) return Status::InvalidArgument("predicate hint is too long");
  Result<std::vector<SqlToken>> tokens = SqlLexer(hint, kHintDialect).All();
  if (!tokens.ok()) return context(tokens.status());
  if (tokens->size() == 1) return Status::InvalidArgument("empty predicate hint");
  Parser parser(std::move(tokens).value(), column_type);
  Result<Predicate> p = parser.ParseAll();
  if (!p.ok()) return context(p.status());
  return p;
}

std::optional<Predicate> ParseSqlPredicateHints(const std::vector<std::string>& hints,
                                                const ColumnTypeLookup& column_type,
                                                std::vector<Status>* errors,
                                                const std::vector<std::string>* only_columns) {
  std::vector<Predicate> parsed;
  for (const std::string& hint : hints) {
    Result<Predicate> p = ParseSqlPredicate(hint, column_type);
    if (p.ok() && only_columns != nullptr && !p->ReferencesOnly(*only_columns)) {
      p = Status::InvalidArgument("predicate hint '" + hint.substr(0, 200) +
                                  "' uses columns that cannot be filtered on; ignored");
    }
    if (p.ok()) {
      parsed.push_back(std::move(p).value());
    } else if (errors != nullptr) {
      errors->push_back(p.status());
    }
  }
  if (parsed.empty()) return std::nullopt;
  if (parsed.size() == 1) return std::move(parsed[0]);
  Result<Predicate> all = Predicate::And(std::move(parsed));
  if (!all.ok()) {
    if (errors != nullptr) errors->push_back(all.status());
    return std::nullopt;
  }
  return std::move(all).value();
}

}  // namespace lakeshare
