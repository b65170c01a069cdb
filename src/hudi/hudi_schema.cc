#include "hudi/hudi_schema.h"

#include <boost/json.hpp>
#include <map>

#include "common/json_writer.h"

namespace lakeshare::hudi {
namespace {

namespace json = boost::json;
using parquet::ConvertedType;
using parquet::LogicalType;
using parquet::NestedField;
using parquet::Repetition;
using parquet::TimeUnit;

constexpr int kMaxDepth = 64;

class Parser {
 public:
  Result<std::shared_ptr<const AvroType>> Parse(const json::value& v, const std::string& ns,
                                                int depth) {
    if (depth > kMaxDepth) return Status::Corruption("Avro schema nested too deeply");
    if (v.is_string()) return Named(std::string(v.as_string()), ns);
    if (v.is_array()) {
      auto t = std::make_shared<AvroType>();
      t->kind = AvroType::Kind::kUnion;
      for (const json::value& b : v.as_array()) {
        LS_ASSIGN_OR_RETURN(auto branch, Parse(b, ns, depth + 1));
        t->branches.push_back(std::move(branch));
      }
      if (t->branches.empty()) return Status::Corruption("Avro schema has an empty union");
      return std::shared_ptr<const AvroType>(t);
    }
    if (!v.is_object()) return Status::Corruption("Avro schema is not valid JSON schema");
    const json::object& o = v.as_object();
    auto type_it = o.find("type");
    if (type_it == o.end()) return Status::Corruption("Avro schema object without a type");
    if (!type_it->value().is_string()) {
      // {"type": {...}} or {"type": [...]}: the inner type.
      return Parse(type_it->value(), ns, depth + 1);
    }
    std::string type(type_it->value().as_string());
    auto t = std::make_shared<AvroType>();
    if (auto it = o.find("logicalType"); it != o.end() && it->value().is_string()) {
      t->logical = std::string(it->value().as_string());
    }
    auto int_of = [&](const char* key) -> int64_t {
      auto it = o.find(key);
      if (it == o.end()) return 0;
      if (it->value().is_int64()) return it->value().as_int64();
      if (it->value().is_uint64()) return static_cast<int64_t>(it->value().as_uint64());
      return 0;
    };
    t->precision = static_cast<int>(int_of("precision"));
    t->scale = static_cast<int>(int_of("scale"));
    std::string my_ns = ns;
    if (auto it = o.find("namespace"); it != o.end() && it->value().is_string()) {
      my_ns = std::string(it->value().as_string());
    }
    std::string name;
    if (auto it = o.find("name"); it != o.end() && it->value().is_string()) {
      name = std::string(it->value().as_string());
    }
    std::string full =
        name.find('.') != std::string::npos || my_ns.empty() ? name : my_ns + "." + name;
    if (name.find('.') != std::string::npos) my_ns = name.substr(0, name.rfind('.'));
    if (type == "record" || type == "error") {
      t->kind = AvroType::Kind::kRecord;
      t->name = name;
      auto fields = o.find("fields");
      if (fields == o.end() || !fields->value().is_array()) {
        return Status::Corruption("Avro record '" + name + "' has no fields");
      }
      if (!full.empty()) {
        if (in_progress_.count(full))
          return Status::Corruption("recursive Avro schemas are not supported");
        in_progress_.insert({full, true});
      }
      for (const json::value& f : fields->value().as_array()) {
        if (!f.is_object()) return Status::Corruption("Avro record field is not an object");
        const json::object& fo = f.as_object();
        auto fname = fo.find("name");
        auto ftype = fo.find("type");
        if (fname == fo.end() || !fname->value().is_string() || ftype == fo.end()) {
          return Status::Corruption("Avro record field without name or type");
        }
        LS_ASSIGN_OR_RETURN(auto ft, Parse(ftype->value(), my_ns, depth + 1));
        t->fields.push_back({std::string(fname->value().as_string()), std::move(ft)});
      }
      if (!full.empty()) in_progress_.erase(full);
    } else if (type == "enum") {
      t->kind = AvroType::Kind::kEnum;
      t->name = name;
      if (auto it = o.find("symbols"); it != o.end() && it->value().is_array()) {
        for (const json::value& s : it->value().as_array()) {
          if (s.is_string()) t->symbols.emplace_back(s.as_string());
        }
      }
    } else if (type == "fixed") {
      t->kind = AvroType::Kind::kFixed;
      t->name = name;
      t->size = int_of("size");
      if (t->size < 0) return Status::Corruption("Avro fixed type with a negative size");
    } else if (type == "array") {
      t->kind = AvroType::Kind::kArray;
      auto it = o.find("items");
      if (it == o.end()) return Status::Corruption("Avro array without items");
      LS_ASSIGN_OR_RETURN(auto items, Parse(it->value(), my_ns, depth + 1));
      t->branches.push_back(std::move(items));
    } else if (type == "map") {
      t->kind = AvroType::Kind::kMap;
      auto it = o.find("values");
      if (it == o.end()) return Status::Corruption("Avro map without values");
      LS_ASSIGN_OR_RETURN(auto values, Parse(it->value(), my_ns, depth + 1));
      t->branches.push_back(std::move(values));
    } else {
      LS_ASSIGN_OR_RETURN(auto prim, Named(type, ns));
      auto copy = std::make_shared<AvroType>(*prim);
      if (!t->logical.empty()) {
        copy->logical = t->logical;
        copy->precision = t->precision;
        copy->scale = t->scale;
      }
      return std::shared_ptr<const AvroType>(copy);
    }
    std::shared_ptr<const AvroType> done = t;
    if (!full.empty()) {
      named_[full] = done;
      named_[name.substr(name.rfind('.') == std::string::npos ? 0 : name.rfind('.') + 1)] = done;
    }
    return done;
  }

 private:
  Result<std::shared_ptr<const AvroType>> Named(const std::string& n, const std::string& ns) {
    static const std::map<std::string, AvroType::Kind> kPrimitives = {
        {"null", AvroType::Kind::kNull},   {"boolean", AvroType::Kind::kBoolean},
        {"int", AvroType::Kind::kInt},     {"long", AvroType::Kind::kLong},
        {"float", AvroType::Kind::kFloat}, {"double", AvroType::Kind::kDouble},
        {"bytes", AvroType::Kind::kBytes}, {"string", AvroType::Kind::kString}};
    if (auto it = kPrimitives.find(n); it != kPrimitives.end()) {
      auto t = std::make_shared<AvroType>();
      t->kind = it->second;
      return std::shared_ptr<const AvroType>(t);
    }
    if (!ns.empty()) {
      if (auto it = named_.find(ns + "." + n); it != named_.end()) return it->second;
    }
    if (auto it = named_.find(n); it != named_.end()) return it->second;
    if (in_progress_.count(n) || (!ns.empty() && in_progress_.count(ns + "." + n))) {
      return Status::Corruption("recursive Avro schemas are not supported");
    }
    return Status::Corruption("Avro schema names an unknown type '" + n.substr(0, 100) + "'");
  }

  std::map<std::string, std::shared_ptr<const AvroType>> named_;
  std::map<std::string, bool> in_progress_;
};

// ------------------------------------------------------------ Spark JSON

struct SparkWriter {
  bool ntz = false;

  Status Type(const AvroType& t, JsonWriter& w, int depth) {
    if (depth > kMaxDepth) return Status::Corruption("Avro schema nested too deeply");
    using K = AvroType::Kind;
    const AvroType& u = t.NonNull();
    switch (u.kind) {
      case K::kNull:
        w.String("void");
        return Status::OK();
      case K::kBoolean:
        w.String("boolean");
        return Status::OK();
      case K::kInt:
        w.String(u.logical == "date" ? "date" : "integer");
        return Status::OK();
      case K::kLong:
        if (u.logical == "timestamp-millis" || u.logical == "timestamp-micros") {
          w.String("timestamp");
        } else if (u.logical == "local-timestamp-millis" || u.logical == "local-timestamp-micros") {
          ntz = true;
          w.String("timestamp_ntz");
        } else {
          w.String("long");
        }
        return Status::OK();
      case K::kFloat:
        w.String("float");
        return Status::OK();
      case K::kDouble:
        w.String("double");
        return Status::OK();
      case K::kString:
      case K::kEnum:
        w.String("string");
        return Status::OK();
      case K::kBytes:
      case K::kFixed:
        if (u.logical == "decimal" && u.precision > 0) {
          w.String("decimal(" + std::to_string(u.precision) + "," + std::to_string(u.scale) + ")");
        } else {
          w.String("binary");
        }
        return Status::OK();
      case K::kRecord:
        return Struct(u, {}, w, depth);
      case K::kArray: {
        const AvroType& item = *u.branches[0];
        w.BeginObject().Key("type").String("array").Key("elementType");
        LS_RETURN_IF_ERROR(Type(item, w, depth + 1));
        w.Key("containsNull").Bool(item.Nullable()).EndObject();
        return Status::OK();
      }
      case K::kMap: {
        const AvroType& value = *u.branches[0];
        w.BeginObject().Key("type").String("map").Key("keyType").String("string");
        w.Key("valueType");
        LS_RETURN_IF_ERROR(Type(value, w, depth + 1));
        w.Key("valueContainsNull").Bool(value.Nullable()).EndObject();
        return Status::OK();
      }
      case K::kUnion: {
        // Several non-null branches: a struct of members (Spark's Avro rule).
        w.BeginObject().Key("type").String("struct").Key("fields").BeginArray();
        int member = 0;
        for (const auto& b : u.branches) {
          if (b->kind == K::kNull) continue;
          w.BeginObject().Key("name").String("member" + std::to_string(member++)).Key("type");
          LS_RETURN_IF_ERROR(Type(*b, w, depth + 1));
          w.Key("nullable").Bool(true).Key("metadata").BeginObject().EndObject().EndObject();
        }
        w.EndArray().EndObject();
        return Status::OK();
      }
    }
    return Status::Corruption("unknown Avro type");
  }

  Status Struct(const AvroType& record, const std::vector<std::string>& prefix, JsonWriter& w,
                int depth, const std::vector<std::string>& suffix = {}) {
    w.BeginObject().Key("type").String("struct").Key("fields").BeginArray();
    auto plain = [&](const std::string& name) {
      w.BeginObject().Key("name").String(name).Key("type").String("string");
      w.Key("nullable").Bool(true).Key("metadata").BeginObject().EndObject().EndObject();
    };
    for (const std::string& name : prefix) plain(name);
    for (const auto& f : record.fields) {
      w.BeginObject().Key("name").String(f.name).Key("type");
      LS_RETURN_IF_ERROR(Type(*f.type, w, depth + 1));
      w.Key("nullable").Bool(f.type->Nullable() || f.type->kind == AvroType::Kind::kNull);
      w.Key("metadata").BeginObject().EndObject().EndObject();
    }
    for (const std::string& name : suffix) plain(name);
    w.EndArray().EndObject();
    return Status::OK();
  }
};

// ---------------------------------------------------------- parquet types

Result<NestedField> ParquetField(const std::string& name, const AvroType& t, int depth) {
  if (depth > kMaxDepth) return Status::Corruption("Avro schema nested too deeply");
  using K = AvroType::Kind;
  const AvroType& u = t.NonNull();
  Repetition rep = t.Nullable() ? Repetition::kOptional : Repetition::kRequired;
  NestedField f;
  f.name = name;
  f.repetition = rep;
  switch (u.kind) {
    case K::kNull:
      f = NestedField::Leaf(name, parquet::Type::kInt32, Repetition::kOptional);
      f.logical_type = LogicalType::Of(LogicalType::Kind::kUnknown);
      return f;
    case K::kBoolean:
      f.type = parquet::Type::kBoolean;
      return f;
    case K::kInt:
      f.type = parquet::Type::kInt32;
      if (u.logical == "date") {
        f.converted_type = ConvertedType::kDate;
        f.logical_type = LogicalType::Date();
      }
      return f;
    case K::kLong:
      f.type = parquet::Type::kInt64;
      if (u.logical == "timestamp-micros" || u.logical == "local-timestamp-micros") {
        bool utc = u.logical == "timestamp-micros";
        if (utc) f.converted_type = ConvertedType::kTimestampMicros;
        f.logical_type = LogicalType::Timestamp(utc, TimeUnit::kMicros);
      } else if (u.logical == "timestamp-millis" || u.logical == "local-timestamp-millis") {
        bool utc = u.logical == "timestamp-millis";
        if (utc) f.converted_type = ConvertedType::kTimestampMillis;
        f.logical_type = LogicalType::Timestamp(utc, TimeUnit::kMillis);
      }
      return f;
    case K::kFloat:
      f.type = parquet::Type::kFloat;
      return f;
    case K::kDouble:
      f.type = parquet::Type::kDouble;
      return f;
    case K::kString:
    case K::kEnum:
      f.type = parquet::Type::kByteArray;
      f.converted_type = ConvertedType::kUtf8;
      f.logical_type = LogicalType::String();
      return f;
    case K::kBytes:
    case K::kFixed:
      // Decimals as BYTE_ARRAY with the logical type only: the nested writer
      // writes no fixed-length columns.
      f.type = parquet::Type::kByteArray;
      if (u.logical == "decimal" && u.precision > 0) {
        f.logical_type = LogicalType::Decimal(u.scale, u.precision);
        f.converted_type = ConvertedType::kDecimal;
        f.scale = u.scale;
        f.precision = u.precision;
      }
      return f;
    case K::kRecord: {
      for (const auto& c : u.fields) {
        LS_ASSIGN_OR_RETURN(NestedField cf, ParquetField(c.name, *c.type, depth + 1));
        f.children.push_back(std::move(cf));
      }
      if (f.children.empty()) return Status::Unsupported("empty Avro records have no parquet form");
      return f;
    }
    case K::kArray: {
      LS_ASSIGN_OR_RETURN(NestedField element, ParquetField("element", *u.branches[0], depth + 1));
      NestedField list = NestedField::Group("list", {std::move(element)}, Repetition::kRepeated);
      f.children.push_back(std::move(list));
      f.converted_type = ConvertedType::kList;
      f.logical_type = LogicalType::List();
      return f;
    }
    case K::kMap: {
      NestedField key = NestedField::String("key", Repetition::kRequired);
      LS_ASSIGN_OR_RETURN(NestedField value, ParquetField("value", *u.branches[0], depth + 1));
      NestedField kv = NestedField::Group("key_value", {std::move(key), std::move(value)},
                                          Repetition::kRepeated);
      f.children.push_back(std::move(kv));
      f.converted_type = ConvertedType::kMap;
      f.logical_type = LogicalType::Map();
      return f;
    }
    case K::kUnion: {
      int member = 0;
      for (const auto& b : u.branches) {
        if (b->kind == K::kNull) continue;
        auto nullable = std::make_shared<AvroType>();
        nullable->kind = K::kUnion;
        auto null_type = std::make_shared<AvroType>();
        nullable->branches = {null_type, b};
        LS_ASSIGN_OR_RETURN(
            NestedField m, ParquetField("member" + std::to_string(member++), *nullable, depth + 1));
        f.children.push_back(std::move(m));
      }
      return f;
    }
  }
  return Status::Corruption("unknown Avro type");
}

}  // namespace

bool AvroType::Nullable() const {
  if (kind == Kind::kNull) return true;
  if (kind != Kind::kUnion) return false;
  for (const auto& b : branches) {
    if (b->kind == Kind::kNull) return true;
  }
  return false;
}

const AvroType& AvroType::NonNull() const {
  if (kind != Kind::kUnion) return *this;
  const AvroType* only = nullptr;
  int non_null = 0;
  for (const auto& b : branches) {
    if (b->kind == Kind::kNull) continue;
    only = b.get();
    ++non_null;
  }
  return non_null == 1 ? *only : *this;
}

const AvroType::Field* AvroType::FindField(std::string_view name) const {
  for (const Field& f : fields) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

Result<std::shared_ptr<const AvroType>> ParseAvroSchema(std::string_view text) {
  json::error_code ec;
  json::parse_options opts;
  opts.max_depth = 256;
  json::value v = json::parse(text, ec, {}, opts);
  if (ec) return Status::Corruption("the Avro schema is not valid JSON");
  return Parser().Parse(v, "", 0);
}

const std::vector<std::string>& MetaFieldNames() {
  static const std::vector<std::string> kNames = {"_hoodie_commit_time", "_hoodie_commit_seqno",
                                                  "_hoodie_record_key", "_hoodie_partition_path",
                                                  "_hoodie_file_name"};
  return kNames;
}

Result<SparkSchema> ToSparkSchema(const AvroType& record, const SparkSchemaOptions& options) {
  const AvroType& r = record.NonNull();
  if (r.kind != AvroType::Kind::kRecord) {
    return Status::Corruption("the table's Avro schema is not a record");
  }
  std::vector<std::string> prefix;
  if (options.meta_fields) {
    for (const std::string& m : MetaFieldNames()) {
      if (!r.FindField(m)) prefix.push_back(m);
    }
  }
  if (options.operation_field && !r.FindField("_hoodie_operation")) {
    prefix.push_back("_hoodie_operation");
  }
  std::vector<std::string> suffix;
  for (const std::string& p : options.partition_columns) {
    if (!r.FindField(p)) suffix.push_back(p);
  }
  SparkSchema out;
  JsonWriter w(&out.json);
  SparkWriter sw;
  LS_RETURN_IF_ERROR(sw.Struct(r, prefix, w, 0, suffix));
  out.has_timestamp_ntz = sw.ntz;
  return out;
}

Result<std::vector<NestedField>> ToParquetFields(const AvroType& record, bool meta_fields) {
  const AvroType& r = record.NonNull();
  if (r.kind != AvroType::Kind::kRecord) {
    return Status::Corruption("the table's Avro schema is not a record");
  }
  std::vector<NestedField> out;
  if (meta_fields) {
    for (const std::string& m : MetaFieldNames()) {
      if (!r.FindField(m)) out.push_back(NestedField::String(m));
    }
  }
  for (const auto& f : r.fields) {
    LS_ASSIGN_OR_RETURN(NestedField pf, ParquetField(f.name, *f.type, 0));
    out.push_back(std::move(pf));
  }
  return out;
}

}  // namespace lakeshare::hudi
