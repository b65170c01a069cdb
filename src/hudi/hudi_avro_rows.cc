#include "hudi/hudi_avro_rows.h"

namespace lakeshare::hudi {
namespace {

using parquet::Repetition;
using parquet::SchemaNode;
using parquet::Type;

int64_t BigEndianToInt(std::string_view b) {
  int64_t v = (!b.empty() && (static_cast<uint8_t>(b[0]) & 0x80)) ? -1 : 0;
  for (char c : b)
    v = static_cast<int64_t>((static_cast<uint64_t>(v) << 8) | static_cast<uint8_t>(c));
  return v;
}

Result<Value> AvroLeaf(const AvroValue& v, const AvroType& t, const SchemaNode& node) {
  Value out;
  const AvroType& u = t.NonNull();
  switch (node.physical_type) {
    case Type::kBoolean: {
      LS_ASSIGN_OR_RETURN(bool b, v.AsBool());
      out.kind = Value::Kind::kBool;
      out.i = b;
      return out;
    }
    case Type::kInt32:
    case Type::kInt64:
    case Type::kInt96: {
      out.kind = Value::Kind::kInt;
      if (v.type() == AVRO_BYTES || v.type() == AVRO_FIXED) {
        LS_ASSIGN_OR_RETURN(std::string_view b, v.AsBytes());
        if (b.size() > 8) return Status::Unsupported("decimal '" + node.name + "' does not fit");
        out.i = BigEndianToInt(b);
        return out;
      }
      LS_ASSIGN_OR_RETURN(out.i, v.AsInt64());
      if (node.logical.kind == parquet::LogicalInfo::Kind::kTimestamp ||
          node.physical_type == Type::kInt96) {
        parquet::TimeUnit unit =
            node.physical_type == Type::kInt96 ? parquet::TimeUnit::kMicros : node.logical.unit;
        bool avro_millis = u.logical.find("millis") != std::string::npos;
        bool avro_nanos = u.logical.find("nanos") != std::string::npos;
        int64_t micros = avro_millis ? out.i * 1000 : avro_nanos ? out.i / 1000 : out.i;
        out.i = unit == parquet::TimeUnit::kMillis  ? micros / 1000
                : unit == parquet::TimeUnit::kNanos ? micros * 1000
                                                    : micros;
      }
      return out;
    }
    case Type::kFloat:
    case Type::kDouble: {
      out.kind = Value::Kind::kDouble;
      if (v.type() == AVRO_INT32 || v.type() == AVRO_INT64) {
        LS_ASSIGN_OR_RETURN(int64_t i, v.AsInt64());
        out.d = static_cast<double>(i);
      } else {
        LS_ASSIGN_OR_RETURN(out.d, v.AsDouble());
      }
      return out;
    }
    case Type::kByteArray:
    case Type::kFixedLenByteArray: {
      if (v.type() == AVRO_ENUM) {
        return Status::Unsupported("Avro enum values (column '" + node.name +
                                   "') are not supported in merged file slices");
      }
      out.kind = Value::Kind::kBytes;
      LS_ASSIGN_OR_RETURN(std::string_view b, v.AsBytes());
      out.s = std::string(b);
      return out;
    }
  }
  return Status::Unsupported("unsupported parquet type of column '" + node.name + "'");
}

Result<Value> AvroNode(const AvroValue& v, const AvroType& t, const parquet::Schema& s,
                       const SchemaNode& node, int depth);

// An element of a repeated node (the node itself is the element, or its
// only child is: the 3-level list form).
Result<Value> AvroElement(const AvroValue& item, const AvroType& item_type,
                          const parquet::Schema& s, const SchemaNode& repeated, int depth) {
  bool node_is_element = repeated.is_leaf || repeated.children.size() != 1 ||
                         repeated.name == "array" ||
                         (repeated.name.size() > 6 &&
                          repeated.name.compare(repeated.name.size() - 6, 6, "_tuple") == 0);
  if (repeated.is_leaf) return AvroLeaf(item, item_type, repeated);
  if (node_is_element) {
    // A record element whose fields are the repeated group's children.
    Value g;
    g.kind = Value::Kind::kGroup;
    const AvroType& rt = item_type.NonNull();
    for (int c : repeated.children) {
      const SchemaNode& cn = s.node(c);
      const AvroType::Field* f = rt.FindField(cn.name);
      auto fv = item.Field(cn.name);
      if (f == nullptr || !fv) {
        g.children.emplace_back();
        continue;
      }
      LS_ASSIGN_OR_RETURN(Value cv, AvroNode(*fv, *f->type, s, cn, depth + 1));
      g.children.push_back(std::move(cv));
    }
    return g;
  }
  Value g;
  g.kind = Value::Kind::kGroup;
  LS_ASSIGN_OR_RETURN(Value e,
                      AvroNode(item, item_type, s, s.node(repeated.children[0]), depth + 1));
  g.children.push_back(std::move(e));
  return g;
}

Result<Value> AvroNode(const AvroValue& v, const AvroType& t, const parquet::Schema& s,
                       const SchemaNode& node, int depth) {
  if (depth > kMaxRowDepth) return Status::Unsupported("records nested too deeply");
  if (v.IsNull()) return Value();
  if (node.is_leaf) return AvroLeaf(v, t, node);
  const AvroType& u = t.NonNull();
  Value g;
  g.kind = Value::Kind::kGroup;
  if (u.kind == AvroType::Kind::kArray || u.kind == AvroType::Kind::kMap) {
    if (node.children.size() != 1 || s.node(node.children[0]).repetition != Repetition::kRepeated) {
      return Status::Unsupported("column '" + node.name + "' is not a parquet list or map");
    }
    const SchemaNode& r = s.node(node.children[0]);
    Value list;
    list.kind = Value::Kind::kList;
    LS_ASSIGN_OR_RETURN(size_t n, v.Size());
    for (size_t i = 0; i < n; ++i) {
      if (u.kind == AvroType::Kind::kArray) {
        LS_ASSIGN_OR_RETURN(AvroValue item, v.Element(i));
        LS_ASSIGN_OR_RETURN(Value e, AvroElement(item, *u.branches[0], s, r, depth + 1));
        list.children.push_back(std::move(e));
      } else {
        LS_ASSIGN_OR_RETURN(auto entry, v.MapEntry(i));
        if (r.is_leaf || r.children.size() != 2) {
          return Status::Unsupported("column '" + node.name + "' is not a parquet map");
        }
        Value kv;
        kv.kind = Value::Kind::kGroup;
        Value key;
        key.kind = Value::Kind::kBytes;
        key.s = entry.first;
        kv.children.push_back(std::move(key));
        LS_ASSIGN_OR_RETURN(Value value, AvroNode(entry.second, *u.branches[0], s,
                                                  s.node(r.children[1]), depth + 1));
        kv.children.push_back(std::move(value));
        list.children.push_back(std::move(kv));
      }
    }
    g.children.push_back(std::move(list));
    return g;
  }
  if (u.kind != AvroType::Kind::kRecord) {
    return Status::Unsupported("column '" + node.name + "' has an Avro type that does not fit it");
  }
  for (int c : node.children) {
    const SchemaNode& cn = s.node(c);
    const AvroType::Field* f = u.FindField(cn.name);
    auto fv = v.Field(cn.name);
    if (f == nullptr || !fv) {
      Value empty;
      if (cn.repetition == Repetition::kRepeated) empty.kind = Value::Kind::kList;
      g.children.push_back(std::move(empty));
      continue;
    }
    if (cn.repetition == Repetition::kRepeated) {
      // A legacy repeated field: the Avro array's items are its elements.
      Value list;
      list.kind = Value::Kind::kList;
      if (!fv->IsNull()) {
        LS_ASSIGN_OR_RETURN(size_t n, fv->Size());
        for (size_t i = 0; i < n; ++i) {
          LS_ASSIGN_OR_RETURN(AvroValue item, fv->Element(i));
          const AvroType& at = f->type->NonNull();
          if (at.kind != AvroType::Kind::kArray) {
            return Status::Unsupported("column '" + cn.name + "' is repeated but not an array");
          }
          LS_ASSIGN_OR_RETURN(Value e, AvroNode(item, *at.branches[0], s, cn, depth + 1));
          list.children.push_back(std::move(e));
        }
      }
      g.children.push_back(std::move(list));
      continue;
    }
    LS_ASSIGN_OR_RETURN(Value cv, AvroNode(*fv, *f->type, s, cn, depth + 1));
    g.children.push_back(std::move(cv));
  }
  return g;
}

}  // namespace

Result<Value> AvroToRow(const AvroValue& record, const AvroType& type, const parquet::Schema& to) {
  return AvroNode(record, type, to, to.root(), 0);
}

}  // namespace lakeshare::hudi
