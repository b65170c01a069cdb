#include "iceberg/avro_schema_check.h"

#include <algorithm>
#include <boost/json.hpp>
#include <map>
#include <set>
#include <string>
#include <utility>

namespace lakeshare::iceberg {
namespace {

// Nodes of a writer schema once named types are expanded: bounds the work of
// decoding one record whatever the input.
constexpr int64_t kMaxExpandedSchemaNodes = 100000;

// Checks a writer schema (see the header) and returns its expanded node
// count; -1 marks a schema that is refused, with *why set.
class SchemaChecker {
 public:
  explicit SchemaChecker(int max_depth) : max_depth_(max_depth) {}

  // The minimum encoded size of a value (0 or positive) and the nodes it
  // expands to; false when the schema is refused.
  bool Check(avro_schema_t s, int depth, int64_t* min_size, int64_t* nodes) {
    if (s == nullptr) return Fail("missing type");
    if (depth > max_depth_) return Fail("types nested too deeply (or recursive)");
    switch (avro_typeof(s)) {
      case AVRO_STRING:
      case AVRO_BYTES:
      case AVRO_INT32:
      case AVRO_INT64:
      case AVRO_BOOLEAN:
      case AVRO_ENUM:
        *min_size = 1;
        *nodes = 1;
        return true;
      case AVRO_FLOAT:
        *min_size = 4;
        *nodes = 1;
        return true;
      case AVRO_DOUBLE:
        *min_size = 8;
        *nodes = 1;
        return true;
      case AVRO_NULL:
        *min_size = 0;
        *nodes = 1;
        return true;
      case AVRO_FIXED:
        *min_size = avro_schema_fixed_size(s);
        *nodes = 1;
        return *min_size >= 0 || Fail("negative fixed size");
      case AVRO_LINK: {
        avro_schema_t target = avro_schema_link_target(s);
        if (in_progress_.count(target) != 0) return Fail("recursive types are not supported");
        return Check(target, depth + 1, min_size, nodes);
      }
      case AVRO_RECORD: {
        if (auto it = memo_.find(s); it != memo_.end()) {
          *min_size = it->second.first;
          *nodes = it->second.second;
          return true;
        }
        if (!in_progress_.insert(s).second) return Fail("recursive types are not supported");
        int64_t size = 0, count = 1;
        size_t n = avro_schema_record_size(s);
        for (size_t i = 0; i < n; ++i) {
          int64_t fs = 0, fn = 0;
          if (!Check(avro_schema_record_field_get_by_index(s, static_cast<int>(i)), depth + 1, &fs,
                     &fn)) {
            return false;
          }
          size += fs;
          count += fn;
          if (count > kMaxExpandedSchemaNodes) return Fail("schema too large");
        }
        in_progress_.erase(s);
        memo_[s] = {size, count};
        *min_size = size;
        *nodes = count;
        return true;
      }
      case AVRO_UNION: {
        size_t n = avro_schema_union_size(s);
        if (n == 0) return Fail("empty union");
        int64_t size = INT64_MAX, count = 1;
        for (size_t i = 0; i < n; ++i) {
          int64_t bs = 0, bn = 0;
          if (!Check(avro_schema_union_branch(s, static_cast<int>(i)), depth + 1, &bs, &bn)) {
            return false;
          }
          size = std::min(size, bs);
          count += bn;
          if (count > kMaxExpandedSchemaNodes) return Fail("schema too large");
        }
        *min_size = 1 + size;  // the branch index
        *nodes = count;
        return true;
      }
      case AVRO_ARRAY:
      case AVRO_MAP: {
        bool array = avro_typeof(s) == AVRO_ARRAY;
        int64_t is = 0, in = 0;
        if (!Check(array ? avro_schema_array_items(s) : avro_schema_map_values(s), depth + 1, &is,
                   &in)) {
          return false;
        }
        // Map entries carry a key, so they always take bytes.
        if (array && is == 0) return Fail("arrays of zero-byte items are not supported");
        *min_size = 1;  // the terminating zero count
        *nodes = 1 + in;
        return *nodes <= kMaxExpandedSchemaNodes || Fail("schema too large");
      }
      default:
        return Fail("unknown type");
    }
  }

  const std::string& why() const { return why_; }

 private:
  bool Fail(std::string why) {
    why_ = std::move(why);
    return false;
  }
  int max_depth_;
  std::string why_;
  std::set<avro_schema_t> in_progress_;
  std::map<avro_schema_t, std::pair<int64_t, int64_t>> memo_;
};

// A strict check of writer schema JSON before avro-c sees it: avro-c's
// parser leaks what it built when it fails, so only schemas it certainly
// accepts reach it. Accepted: the primitives, record/enum/fixed with plain
// names (no namespaces), array, map, unions of distinct branches, references
// to names defined earlier; extra attributes are ignored.
class SchemaJsonCheck {
 public:
  bool Check(const boost::json::value& v, int depth) {
    if (depth > 64) return false;
    if (v.is_string())
      return IsPrimitive(v.as_string()) || names_.count(std::string(v.as_string()));
    if (v.is_array()) return CheckUnion(v.as_array(), depth);
    if (!v.is_object()) return false;
    const boost::json::object& o = v.as_object();
    if (o.if_contains("namespace") != nullptr) return false;
    const boost::json::value* t = o.if_contains("type");
    if (t == nullptr) return false;
    if (!t->is_string()) return Check(*t, depth + 1);
    std::string_view type = t->as_string();
    if (IsPrimitive(type)) return true;
    if (type == "array") {
      const boost::json::value* items = o.if_contains("items");
      return items != nullptr && Check(*items, depth + 1);
    }
    if (type == "map") {
      const boost::json::value* values = o.if_contains("values");
      return values != nullptr && Check(*values, depth + 1);
    }
    if (type != "record" && type != "error" && type != "enum" && type != "fixed") {
      return names_.count(std::string(type)) != 0;
    }
    const boost::json::value* name = o.if_contains("name");
    if (name == nullptr || !name->is_string() || !IsId(name->as_string()) ||
        IsPrimitive(name->as_string()) || !names_.insert(std::string(name->as_string())).second) {
      return false;
    }
    if (type == "fixed") {
      const boost::json::value* size = o.if_contains("size");
      return size != nullptr && size->is_int64() && size->as_int64() >= 0 &&
             size->as_int64() <= (int64_t{1} << 30);
    }
    if (type == "enum") {
      const boost::json::value* symbols = o.if_contains("symbols");
      if (symbols == nullptr || !symbols->is_array() || symbols->as_array().empty()) return false;
      std::set<std::string> seen;
      for (const auto& sym : symbols->as_array()) {
        if (!sym.is_string() || !IsId(sym.as_string()) ||
            !seen.insert(std::string(sym.as_string())).second) {
          return false;
        }
      }
      return true;
    }
    const boost::json::value* fields = o.if_contains("fields");
    if (fields == nullptr || !fields->is_array()) return false;
    std::set<std::string> seen;
    for (const auto& f : fields->as_array()) {
      if (!f.is_object()) return false;
      const boost::json::value* fname = f.as_object().if_contains("name");
      const boost::json::value* ftype = f.as_object().if_contains("type");
      if (fname == nullptr || !fname->is_string() || !IsId(fname->as_string()) ||
          !seen.insert(std::string(fname->as_string())).second || ftype == nullptr ||
          !Check(*ftype, depth + 1)) {
        return false;
      }
    }
    return true;
  }

 private:
  static bool IsPrimitive(std::string_view t) {
    return t == "null" || t == "boolean" || t == "int" || t == "long" || t == "float" ||
           t == "double" || t == "bytes" || t == "string";
  }
  static bool IsId(std::string_view s) {
    if (s.empty() || s.size() > 256 || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
    for (char c : s) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
    }
    return true;
  }
  bool CheckUnion(const boost::json::array& branches, int depth) {
    if (branches.empty()) return false;
    std::set<std::string> kinds;
    for (const auto& b : branches) {
      if (b.is_array() || !Check(b, depth + 1)) return false;
      std::string kind;
      if (b.is_string()) {
        kind = std::string(b.as_string());
      } else {
        const boost::json::object& o = b.as_object();
        const boost::json::value* t = o.if_contains("type");
        if (!t->is_string()) return false;
        kind = std::string(t->as_string());
        if (kind == "record" || kind == "error" || kind == "enum" || kind == "fixed") {
          kind = std::string(o.at("name").as_string());
        }
      }
      if (!kinds.insert(kind).second) return false;
    }
    return true;
  }
  std::set<std::string> names_;
};

}  // namespace

bool CheckAvroSchemaJson(std::string_view json) {
  boost::json::error_code ec;
  boost::json::parse_options opts;
  opts.max_depth = 256;
  boost::json::value parsed = boost::json::parse(json, ec, {}, opts);
  return !ec && SchemaJsonCheck().Check(parsed, 0);
}

Result<int64_t> CheckAvroWriterSchema(avro_schema_t schema, int max_depth) {
  SchemaChecker checker(max_depth);
  int64_t min_size = 0, nodes = 0;
  if (!checker.Check(schema, 0, &min_size, &nodes)) {
    return Status::Corruption("unsupported Avro writer schema: " + checker.why());
  }
  return min_size;
}

}  // namespace lakeshare::iceberg
