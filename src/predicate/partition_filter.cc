#include "predicate/partition_filter.h"

#include "common/names.h"
#include "predicate/evaluate.h"
#include "predicate/json_predicate.h"
#include "predicate/sql_lexer.h"

namespace lakeshare {
namespace {

Status Invalid(std::string_view why) {
  return Status::InvalidArgument("partition filter: " + std::string(why));
}

// ------------------------------------------------------- the simple list

// The simple list's dialect: '…' strings (doubled quotes only), a.b as one
// name, commas for IN lists, '=' as the only comparison.
constexpr SqlDialect kListDialect{
    .backslash_escapes = false, .dotted_words = true, .commas = true, .comparisons = false};

class ListParser {
 public:
  explicit ListParser(std::string_view text) : lex_(text, kListDialect) {}

  Result<Predicate> Parse() {
    LS_RETURN_IF_ERROR(Advance());
    std::vector<Predicate> clauses;
    for (;;) {
      LS_ASSIGN_OR_RETURN(Predicate c, Clause());
      clauses.push_back(std::move(c));
      if (tok_.kind == SqlToken::kEnd) break;
      if (!tok_.IsKeyword("and")) return Expected("AND between clauses");
      LS_RETURN_IF_ERROR(Advance());
    }
    if (clauses.size() == 1) return std::move(clauses[0]);
    return Predicate::And(std::move(clauses));
  }

 private:
  Status Advance() {
    LS_ASSIGN_OR_RETURN(tok_, lex_.Next());
    return Status::OK();
  }

  Status Expected(std::string_view what) const {
    std::string got = tok_.kind == SqlToken::kEnd ? "the end" : "'" + tok_.text + "'";
    return Invalid("expected " + std::string(what) + " at offset " + std::to_string(tok_.pos) +
                   ", found " + got);
  }

  Result<Predicate> Clause() {
    std::string column;
    if (tok_.kind == SqlToken::kQuotedName ||
        (tok_.kind == SqlToken::kWord && !tok_.IsKeyword("and") && !tok_.IsKeyword("in") &&
         !tok_.IsKeyword("is") && !tok_.IsKeyword("not") && !tok_.IsKeyword("null"))) {
      column = tok_.text;
    } else {
      return Expected("a column name");
    }
    LS_RETURN_IF_ERROR(Advance());
    if (tok_.IsSymbol("=")) {
      LS_RETURN_IF_ERROR(Advance());
      return Equal(column);
    }
    if (tok_.IsKeyword("in")) {
      LS_RETURN_IF_ERROR(Advance());
      if (!tok_.IsSymbol("(")) return Expected("'(' after IN");
      LS_RETURN_IF_ERROR(Advance());
      std::vector<Predicate> options;
      for (;;) {
        LS_ASSIGN_OR_RETURN(Predicate e, Equal(column));
        options.push_back(std::move(e));
        if (tok_.IsSymbol(",")) {
          LS_RETURN_IF_ERROR(Advance());
          continue;
        }
        if (tok_.IsSymbol(")")) break;
        return Expected("',' or ')' in the IN list");
      }
      LS_RETURN_IF_ERROR(Advance());
      if (options.size() == 1) return std::move(options[0]);
      return Predicate::Or(std::move(options));
    }
    if (tok_.IsKeyword("is")) {
      LS_RETURN_IF_ERROR(Advance());
      bool negated = false;
      if (tok_.IsKeyword("not")) {
        negated = true;
        LS_RETURN_IF_ERROR(Advance());
      }
      if (!tok_.IsKeyword("null")) return Expected("NULL after IS");
      LS_RETURN_IF_ERROR(Advance());
      LS_ASSIGN_OR_RETURN(Predicate col, Predicate::Column(column, std::nullopt));
      LS_ASSIGN_OR_RETURN(Predicate is_null, Predicate::IsNull(std::move(col)));
      if (!negated) return is_null;
      return Predicate::Not(std::move(is_null));
    }
    return Expected("'=', IN or IS after column " + column);
  }

  // `column = <the current literal>`; consumes the literal.
  Result<Predicate> Equal(const std::string& column) {
    ValueType type = ValueType::kString;
    std::string value = tok_.text;
    if (tok_.kind == SqlToken::kString && tok_.quote == '\'') {
      type = ValueType::kString;
    } else if (tok_.kind == SqlToken::kNumber) {
      bool fractional = value.find_first_of(".eE") != std::string::npos;
      type = fractional ? ValueType::kDouble : ValueType::kLong;
    } else if (tok_.IsKeyword("true") || tok_.IsKeyword("false")) {
      type = ValueType::kBool;
      value = tok_.IsKeyword("true") ? "true" : "false";
    } else {
      return Expected("a literal ('text', a number, TRUE or FALSE)");
    }
    size_t pos = tok_.pos;
    auto literal = Predicate::Literal(value, type);
    if (!literal.ok()) {
      return Invalid("invalid literal at offset " + std::to_string(pos) + ": " +
                     literal.status().message());
    }
    LS_RETURN_IF_ERROR(Advance());
    LS_ASSIGN_OR_RETURN(Predicate col, Predicate::Column(column, type));
    return Predicate::Compare(PredicateOp::kEqual, std::move(col), std::move(*literal));
  }

  SqlLexer lex_;
  SqlToken tok_;
};

// ------------------------------------------------------------ evaluation

enum class Tri { kFalse, kTrue, kUnknown };

// What the file says about one column: absent (not a partition value of
// this file), NULL, or a value.
enum class Presence { kAbsent, kNull, kValue };

Presence Lookup(const DataFile& file, const std::string& name) {
  for (const auto& [key, value] : file.partition_values) {
    if (!EqualsIgnoreCase(key, name)) continue;
    if (!value || value->empty()) return Presence::kNull;  // Delta writes NULL as null or ""
    return Presence::kValue;
  }
  return Presence::kAbsent;
}

Tri Eval(const Predicate& p, const DataFile& file, const FileView& view) {
  const PredicateNode& n = p.root();
  switch (n.op) {
    case PredicateOp::kAnd: {
      Tri out = Tri::kTrue;
      for (const Predicate& c : n.children) {
        Tri t = Eval(c, file, view);
        if (t == Tri::kFalse) return Tri::kFalse;
        if (t == Tri::kUnknown) out = Tri::kUnknown;
      }
      return out;
    }
    case PredicateOp::kOr: {
      Tri out = Tri::kFalse;
      for (const Predicate& c : n.children) {
        Tri t = Eval(c, file, view);
        if (t == Tri::kTrue) return Tri::kTrue;
        if (t == Tri::kUnknown) out = Tri::kUnknown;
      }
      return out;
    }
    case PredicateOp::kNot: {
      Tri t = Eval(n.children[0], file, view);
      return t == Tri::kUnknown ? t : (t == Tri::kTrue ? Tri::kFalse : Tri::kTrue);
    }
    case PredicateOp::kIsNull: {
      const PredicateNode& operand = n.children[0].root();
      if (operand.op != PredicateOp::kColumn) return Tri::kFalse;  // a literal is never NULL
      Presence presence = Lookup(file, operand.name);
      if (presence == Presence::kAbsent) return Tri::kUnknown;
      return presence == Presence::kNull ? Tri::kTrue : Tri::kFalse;
    }
    case PredicateOp::kColumn:
    case PredicateOp::kLiteral:
      return Tri::kUnknown;  // not a condition; builders never put one here
    default:
      break;
  }
  // A comparison: NULL or absent operands make it unknown; otherwise the
  // evaluator compares exact partition values (no stats are given to it).
  for (const Predicate& c : n.children) {
    const PredicateNode& operand = c.root();
    if (operand.op == PredicateOp::kColumn && Lookup(file, operand.name) != Presence::kValue) {
      return Tri::kUnknown;
    }
  }
  Truth t = Evaluate(p, view);
  if (t.may_be_true && !t.may_be_false) return Tri::kTrue;
  if (!t.may_be_true && t.may_be_false) return Tri::kFalse;
  return Tri::kUnknown;
}

}  // namespace

Result<PartitionFilter> PartitionFilter::Parse(std::string_view text) {
  if (text.size() > kMaxPartitionFilterBytes) {
    return Invalid("longer than " + std::to_string(kMaxPartitionFilterBytes) + " bytes");
  }
  size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return Invalid("empty");
  if (text[first] == '{') {
    auto p = ParseJsonPredicate(text);
    if (!p.ok()) return Invalid(p.status().message());
    if (Status st = p->CheckIsCondition(); !st.ok()) return Invalid(st.message());
    return PartitionFilter(std::move(*p));
  }
  ListParser parser(text);
  auto p = parser.Parse();
  if (!p.ok()) {
    const std::string& m = p.status().message();
    if (m.rfind("partition filter: ", 0) == 0) return p.status();
    return Invalid(m);
  }
  return PartitionFilter(std::move(*p));
}

Status PartitionFilter::CheckColumns(const std::vector<std::string>& partition_columns,
                                     std::string_view table_name) const {
  for (const std::string& c : columns_) {
    bool found = false;
    for (const std::string& pc : partition_columns) found = found || EqualsIgnoreCase(pc, c);
    if (!found) {
      return Status::FailedPrecondition(
          "table " + std::string(table_name) +
          " cannot be served: the share's partition filter does not match the table's "
          "partition columns; please contact your share provider");
    }
  }
  return Status::OK();
}

bool PartitionFilter::Admits(const DataFile& file) const {
  FileView view{&file.partition_values, nullptr};
  return Eval(predicate_, file, view) == Tri::kTrue;
}

}  // namespace lakeshare
