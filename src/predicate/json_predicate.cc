#include "predicate/json_predicate.h"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <exception>
#include <string>

namespace lakeshare {
namespace {

namespace json = boost::json;

Status Invalid(const std::string& where, std::string_view what) {
  return Status::InvalidArgument("invalid jsonPredicateHints at " + where + ": " +
                                 std::string(what));
}

std::string_view KindName(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null:
      return "null";
    case json::kind::bool_:
      return "a boolean";
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_:
      return "a number";
    case json::kind::string:
      return "a string";
    case json::kind::array:
      return "an array";
    case json::kind::object:
      return "an object";
  }
  return "?";
}

// Reads an optional string member; an absent key leaves *out untouched.
Status StringMember(const json::object& obj, std::string_view key, const std::string& where,
                    std::optional<std::string>* out) {
  const json::value* v = obj.if_contains(key);
  if (v == nullptr) return Status::OK();
  if (!v->is_string()) {
    return Invalid(where,
                   "'" + std::string(key) + "' must be a string, not " + std::string(KindName(*v)));
  }
  *out = std::string(v->get_string());
  return Status::OK();
}

Result<Predicate> ParseNode(const json::value& v, const std::string& where, int depth) {
  if (depth > kMaxPredicateDepth) {
    return Invalid(
        where, "predicate is nested deeper than " + std::to_string(kMaxPredicateDepth) + " levels");
  }
  if (!v.is_object())
    return Invalid(where, "a node must be an object, not " + std::string(KindName(v)));
  const json::object& obj = v.get_object();

  std::optional<std::string> op_name, name, value, type_name;
  LS_RETURN_IF_ERROR(StringMember(obj, "op", where, &op_name));
  LS_RETURN_IF_ERROR(StringMember(obj, "name", where, &name));
  LS_RETURN_IF_ERROR(StringMember(obj, "value", where, &value));
  LS_RETURN_IF_ERROR(StringMember(obj, "valueType", where, &type_name));
  if (!op_name) return Invalid(where, "missing 'op'");
  std::optional<PredicateOp> op = PredicateOpFromName(*op_name);
  if (!op) return Invalid(where, "unknown op '" + *op_name + "'");
  std::optional<ValueType> type;
  if (type_name) {
    type = ValueTypeFromName(*type_name);
    if (!type) return Invalid(where, "unknown valueType '" + *type_name + "'");
  }

  const json::array* children = nullptr;
  if (const json::value* c = obj.if_contains("children"); c != nullptr && !c->is_null()) {
    if (!c->is_array()) {
      return Invalid(where, "'children' must be an array, not " + std::string(KindName(*c)));
    }
    children = &c->get_array();
  }
  size_t n = children == nullptr ? 0 : children->size();
  std::string op_str(PredicateOpName(*op));

  auto need = [&](bool ok, std::string_view arity) -> Status {
    if (ok) return Status::OK();
    return Invalid(where, op_str + " takes " + std::string(arity) + ", got " + std::to_string(n));
  };
  auto with_where = [&](const Status& s) { return Invalid(where, s.message()); };

  switch (*op) {
    case PredicateOp::kColumn: {
      LS_RETURN_IF_ERROR(need(n == 0, "no children"));
      if (!name || name->empty()) return Invalid(where, "column needs a non-empty 'name'");
      Result<Predicate> p = Predicate::Column(std::move(*name), type);
      if (!p.ok()) return with_where(p.status());
      return p;
    }
    case PredicateOp::kLiteral: {
      LS_RETURN_IF_ERROR(need(n == 0, "no children"));
      if (!value) return Invalid(where, "literal needs a string 'value'");
      if (!type) return Invalid(where, "literal needs a 'valueType'");
      Result<Predicate> p = Predicate::Literal(std::move(*value), *type);
      if (!p.ok()) return with_where(p.status());
      return p;
    }
    default:
      break;
  }

  if (*op == PredicateOp::kIsNull || *op == PredicateOp::kNot) {
    LS_RETURN_IF_ERROR(need(n == 1, "exactly 1 child"));
  } else if (IsComparison(*op)) {
    LS_RETURN_IF_ERROR(need(n == 2, "exactly 2 children"));
  } else {
    LS_RETURN_IF_ERROR(need(n >= 2, "at least 2 children"));
  }
  std::vector<Predicate> parsed;
  parsed.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    LS_ASSIGN_OR_RETURN(
        Predicate child,
        ParseNode((*children)[i], where + ".children[" + std::to_string(i) + "]", depth + 1));
    parsed.push_back(std::move(child));
  }
  Result<Predicate> p = [&]() -> Result<Predicate> {
    switch (*op) {
      case PredicateOp::kIsNull:
        return Predicate::IsNull(std::move(parsed[0]));
      case PredicateOp::kNot:
        return Predicate::Not(std::move(parsed[0]));
      case PredicateOp::kAnd:
        return Predicate::And(std::move(parsed));
      case PredicateOp::kOr:
        return Predicate::Or(std::move(parsed));
      default:
        return Predicate::Compare(*op, std::move(parsed[0]), std::move(parsed[1]));
    }
  }();
  if (!p.ok()) return with_where(p.status());
  return p;
}

}  // namespace

Result<Predicate> ParseJsonPredicate(std::string_view json_text) {
  if (json_text.size() > kMaxJsonPredicateBytes) {
    return Status::InvalidArgument("jsonPredicateHints is larger than " +
                                   std::to_string(kMaxJsonPredicateBytes) + " bytes");
  }
  json::parse_options options;
  // A tree node is an object holding a `children` array: two JSON levels each.
  options.max_depth = 2 * kMaxPredicateDepth + 2;
  boost::system::error_code ec;
  json::value root;
  try {
    root = json::parse(json::string_view(json_text.data(), json_text.size()), ec,
                       json::storage_ptr(), options);
  } catch (const std::exception& e) {  // allocation failure
    return Status::InvalidArgument(std::string("jsonPredicateHints could not be read: ") +
                                   e.what());
  }
  if (ec == json::error::too_deep) {
    return Status::InvalidArgument("jsonPredicateHints is nested deeper than " +
                                   std::to_string(kMaxPredicateDepth) + " levels");
  }
  if (ec) {
    return Status::InvalidArgument("jsonPredicateHints is not valid JSON: " + ec.message());
  }
  if (root.is_string()) return Invalid("$", "a node must be an object, not a string");
  return ParseJsonPredicateField(root);
}

Result<Predicate> ParseJsonPredicateField(const json::value& field) {
  if (field.is_string()) {
    const json::string& s = field.get_string();
    return ParseJsonPredicate(std::string_view(s.data(), s.size()));
  }
  try {
    LS_ASSIGN_OR_RETURN(Predicate p, ParseNode(field, "$", 1));
    if (Status s = p.CheckIsCondition(); !s.ok()) return Invalid("$", s.message());
    return p;
  } catch (const std::exception& e) {  // allocation failure
    return Status::InvalidArgument(std::string("jsonPredicateHints could not be read: ") +
                                   e.what());
  }
}

}  // namespace lakeshare
