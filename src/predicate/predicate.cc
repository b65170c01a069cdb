#include "predicate/predicate.h"

#include <algorithm>

#include "common/strings.h"

namespace lakeshare {
namespace {

constexpr PredicateOp kAllOps[] = {
    PredicateOp::kColumn,      PredicateOp::kLiteral,
    PredicateOp::kIsNull,      PredicateOp::kEqual,
    PredicateOp::kLessThan,    PredicateOp::kLessThanOrEqual,
    PredicateOp::kGreaterThan, PredicateOp::kGreaterThanOrEqual,
    PredicateOp::kAnd,         PredicateOp::kOr,
    PredicateOp::kNot,
};

bool IsLeaf(PredicateOp op) { return op == PredicateOp::kColumn || op == PredicateOp::kLiteral; }

Status CheckDepth(int depth) {
  if (depth > kMaxPredicateDepth) {
    return Status::InvalidArgument("predicate is nested deeper than " +
                                   std::to_string(kMaxPredicateDepth) + " levels");
  }
  return Status::OK();
}

Status CheckNodes(int nodes) {
  if (nodes > kMaxPredicateNodes) {
    return Status::InvalidArgument("predicate has more than " + std::to_string(kMaxPredicateNodes) +
                                   " nodes");
  }
  return Status::OK();
}

// and/or/not combine conditions; a bare column or literal is not one.
Status CheckCondition(PredicateOp parent, const Predicate& child) {
  if (IsLeaf(child.root().op)) {
    return Status::InvalidArgument(std::string(PredicateOpName(parent)) +
                                   " takes conditions, not a " +
                                   std::string(PredicateOpName(child.root().op)));
  }
  return Status::OK();
}

std::string_view SqlSymbol(PredicateOp op) {
  switch (op) {
    case PredicateOp::kEqual:
      return " = ";
    case PredicateOp::kLessThan:
      return " < ";
    case PredicateOp::kLessThanOrEqual:
      return " <= ";
    case PredicateOp::kGreaterThan:
      return " > ";
    case PredicateOp::kGreaterThanOrEqual:
      return " >= ";
    case PredicateOp::kAnd:
      return " AND ";
    case PredicateOp::kOr:
      return " OR ";
    default:
      return "?";
  }
}

void Render(const PredicateNode& n, std::string* out) {
  switch (n.op) {
    case PredicateOp::kColumn:
      out->push_back('`');
      for (char c : n.name) {
        if (c == '`') out->push_back('`');
        out->push_back(c);
      }
      out->push_back('`');
      return;
    case PredicateOp::kLiteral:
      if (n.value_type) {
        out->append(ValueTypeName(*n.value_type));
        out->push_back(' ');
      }
      out->push_back('\'');
      for (char c : n.value) {
        if (c == '\'') out->push_back('\'');
        out->push_back(c);
      }
      out->push_back('\'');
      return;
    case PredicateOp::kIsNull:
      Render(n.children[0].root(), out);
      out->append(" IS NULL");
      return;
    case PredicateOp::kNot:
      out->append("NOT (");
      Render(n.children[0].root(), out);
      out->push_back(')');
      return;
    default:
      out->push_back('(');
      for (size_t i = 0; i < n.children.size(); ++i) {
        if (i > 0) out->append(SqlSymbol(n.op));
        Render(n.children[i].root(), out);
      }
      out->push_back(')');
      return;
  }
}

void CollectColumns(const PredicateNode& n, std::vector<std::string>* out) {
  if (n.op == PredicateOp::kColumn) {
    if (std::find(out->begin(), out->end(), n.key) == out->end()) out->push_back(n.key);
    return;
  }
  for (const Predicate& c : n.children) CollectColumns(c.root(), out);
}

}  // namespace

std::string_view PredicateOpName(PredicateOp op) {
  switch (op) {
    case PredicateOp::kColumn:
      return "column";
    case PredicateOp::kLiteral:
      return "literal";
    case PredicateOp::kIsNull:
      return "isNull";
    case PredicateOp::kEqual:
      return "equal";
    case PredicateOp::kLessThan:
      return "lessThan";
    case PredicateOp::kLessThanOrEqual:
      return "lessThanOrEqual";
    case PredicateOp::kGreaterThan:
      return "greaterThan";
    case PredicateOp::kGreaterThanOrEqual:
      return "greaterThanOrEqual";
    case PredicateOp::kAnd:
      return "and";
    case PredicateOp::kOr:
      return "or";
    case PredicateOp::kNot:
      return "not";
  }
  return "?";
}

std::optional<PredicateOp> PredicateOpFromName(std::string_view name) {
  for (PredicateOp op : kAllOps) {
    if (EqualsIgnoreCase(name, PredicateOpName(op))) return op;
  }
  return std::nullopt;
}

bool IsComparison(PredicateOp op) {
  return op == PredicateOp::kEqual || op == PredicateOp::kLessThan ||
         op == PredicateOp::kLessThanOrEqual || op == PredicateOp::kGreaterThan ||
         op == PredicateOp::kGreaterThanOrEqual;
}

Result<Predicate> Predicate::Column(std::string name, std::optional<ValueType> type) {
  if (name.empty()) return Status::InvalidArgument("column has an empty name");
  auto n = std::make_shared<PredicateNode>();
  n->op = PredicateOp::kColumn;
  n->value_type = type;
  n->key = AsciiLower(name);
  n->name = std::move(name);
  return Predicate(std::move(n));
}

Result<Predicate> Predicate::Literal(std::string value, ValueType type) {
  std::optional<ValueRange> parsed = ParseValueRange(type, value, ValueSource::kLiteral);
  if (!parsed) {
    return Status::InvalidArgument("literal '" + value + "' is not a valid " +
                                   std::string(ValueTypeName(type)));
  }
  auto n = std::make_shared<PredicateNode>();
  n->op = PredicateOp::kLiteral;
  n->value_type = type;
  n->literal = *parsed;
  n->literal.slo = n->literal.shi = {};
  n->value = std::move(value);
  return Predicate(std::move(n));
}

Result<Predicate> Predicate::IsNull(Predicate column) {
  if (column.root().op != PredicateOp::kColumn) {
    return Status::InvalidArgument("isNull takes a column, not " +
                                   std::string(PredicateOpName(column.root().op)));
  }
  auto n = std::make_shared<PredicateNode>();
  n->op = PredicateOp::kIsNull;
  n->depth = 2;
  n->nodes = 2;
  n->children.push_back(std::move(column));
  return Predicate(std::move(n));
}

Result<Predicate> Predicate::Compare(PredicateOp op, Predicate left, Predicate right) {
  std::string op_name(PredicateOpName(op));
  if (!IsComparison(op)) return Status::InvalidArgument(op_name + " is not a comparison");
  for (const Predicate* p : {&left, &right}) {
    if (!IsLeaf(p->root().op)) {
      return Status::InvalidArgument(op_name + " compares a column or literal, not " +
                                     std::string(PredicateOpName(p->root().op)));
    }
    if (!p->root().value_type) {
      return Status::InvalidArgument(op_name + ": column '" + p->root().name +
                                     "' needs a valueType");
    }
  }
  if (*left.root().value_type != *right.root().value_type) {
    return Status::InvalidArgument(op_name + " compares different valueTypes (" +
                                   std::string(ValueTypeName(*left.root().value_type)) + " and " +
                                   std::string(ValueTypeName(*right.root().value_type)) + ")");
  }
  auto n = std::make_shared<PredicateNode>();
  n->op = op;
  n->value_type = left.root().value_type;
  n->depth = 2;
  n->nodes = 3;
  n->children.push_back(std::move(left));
  n->children.push_back(std::move(right));
  return Predicate(std::move(n));
}

Result<Predicate> Predicate::Junction(PredicateOp op, std::vector<Predicate> children) {
  if (children.size() < 2) {
    return Status::InvalidArgument(std::string(PredicateOpName(op)) + " needs at least 2 children");
  }
  int depth = 0;
  int nodes = 1;
  for (const Predicate& c : children) {
    LS_RETURN_IF_ERROR(CheckCondition(op, c));
    depth = std::max(depth, c.depth());
    nodes += c.node_count();
    // Checked as it grows, so the sum cannot overflow.
    LS_RETURN_IF_ERROR(CheckNodes(nodes));
  }
  LS_RETURN_IF_ERROR(CheckDepth(depth + 1));
  auto n = std::make_shared<PredicateNode>();
  n->op = op;
  n->depth = depth + 1;
  n->nodes = nodes;
  n->children = std::move(children);
  return Predicate(std::move(n));
}

Result<Predicate> Predicate::And(std::vector<Predicate> children) {
  return Junction(PredicateOp::kAnd, std::move(children));
}

Result<Predicate> Predicate::Or(std::vector<Predicate> children) {
  return Junction(PredicateOp::kOr, std::move(children));
}

Result<Predicate> Predicate::Not(Predicate child) {
  LS_RETURN_IF_ERROR(CheckCondition(PredicateOp::kNot, child));
  LS_RETURN_IF_ERROR(CheckDepth(child.depth() + 1));
  LS_RETURN_IF_ERROR(CheckNodes(child.node_count() + 1));
  auto n = std::make_shared<PredicateNode>();
  n->op = PredicateOp::kNot;
  n->depth = child.depth() + 1;
  n->nodes = child.node_count() + 1;
  n->children.push_back(std::move(child));
  return Predicate(std::move(n));
}

Status Predicate::CheckIsCondition() const {
  if (IsLeaf(root_->op)) {
    return Status::InvalidArgument("a predicate must be a condition, not a bare " +
                                   std::string(PredicateOpName(root_->op)));
  }
  return Status::OK();
}

int Predicate::depth() const { return root_->depth; }

int Predicate::node_count() const { return root_->nodes; }

std::string Predicate::ToString() const {
  std::string out;
  Render(*root_, &out);
  return out;
}

std::vector<std::string> Predicate::ColumnNames() const {
  std::vector<std::string> out;
  CollectColumns(*root_, &out);
  return out;
}

Predicate Predicate::RenameColumns(
    const std::function<std::optional<std::string>(std::string_view key)>& rename) const {
  const PredicateNode& n = *root_;
  if (n.op == PredicateOp::kLiteral) return *this;
  auto copy = std::make_shared<PredicateNode>(n);
  if (n.op == PredicateOp::kColumn) {
    if (std::optional<std::string> to = rename(n.key)) {
      copy->name = *to;
      copy->key = AsciiLower(*to);
    }
  } else {
    for (Predicate& c : copy->children) c = c.RenameColumns(rename);
  }
  return Predicate(std::move(copy));
}

bool Predicate::ReferencesOnly(const std::vector<std::string>& columns) const {
  for (const std::string& used : ColumnNames()) {
    bool found = std::any_of(columns.begin(), columns.end(),
                             [&](const std::string& c) { return EqualsIgnoreCase(c, used); });
    if (!found) return false;
  }
  return true;
}

}  // namespace lakeshare
