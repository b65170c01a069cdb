#include "hudi/hudi_avro.h"

#include <boost/json.hpp>
#include <map>

namespace lakeshare::hudi {
namespace {

namespace json = boost::json;

constexpr std::string_view kMagic("Obj\x01", 4);
constexpr std::string_view kSync("lakeshare-hudi-s", 16);
constexpr int kMaxDepth = 64;

void AppendBytes(std::string* out, std::string_view b) {
  iceberg::AppendAvroLong(out, static_cast<int64_t>(b.size()));
  out->append(b);
}

bool IsPrimitive(std::string_view t) {
  return t == "null" || t == "boolean" || t == "int" || t == "long" || t == "float" ||
         t == "double" || t == "bytes" || t == "string";
}

// Rewrites namespaced names (Hudi's schemas all have them) to plain unique
// ones, the form the record decoder accepts; the structure is unchanged.
class NameFlattener {
 public:
  bool Rewrite(json::value& v, const std::string& ns, int depth) {
    if (depth > kMaxDepth) return false;
    if (v.is_string()) {
      std::string t(v.as_string());
      if (!IsPrimitive(t)) v = Resolve(t, ns);
      return true;
    }
    if (v.is_array()) {
      for (json::value& b : v.as_array()) {
        if (!Rewrite(b, ns, depth + 1)) return false;
      }
      return true;
    }
    if (!v.is_object()) return false;
    json::object& o = v.as_object();
    json::value* type = o.if_contains("type");
    if (type == nullptr) return false;
    std::string my_ns = ns;
    if (const json::value* n = o.if_contains("namespace"); n != nullptr && n->is_string()) {
      my_ns = std::string(n->as_string());
    }
    o.erase("namespace");
    if (!type->is_string()) return Rewrite(*type, my_ns, depth + 1);
    std::string t(type->as_string());
    if (t == "record" || t == "error" || t == "enum" || t == "fixed") {
      json::value* name = o.if_contains("name");
      if (name == nullptr || !name->is_string()) return false;
      std::string n(name->as_string());
      std::string full = n.find('.') != std::string::npos || my_ns.empty() ? n : my_ns + "." + n;
      if (n.find('.') != std::string::npos) my_ns = n.substr(0, n.rfind('.'));
      std::string plain = "t" + std::to_string(names_.size());
      names_[full] = plain;
      *name = plain;
      if (t == "record" || t == "error") {
        json::value* fields = o.if_contains("fields");
        if (fields == nullptr || !fields->is_array()) return false;
        for (json::value& f : fields->as_array()) {
          if (!f.is_object()) return false;
          f.as_object().erase("namespace");
          json::value* ft = f.as_object().if_contains("type");
          if (ft == nullptr || !Rewrite(*ft, my_ns, depth + 1)) return false;
        }
      }
      return true;
    }
    if (t == "array" || t == "map") {
      json::value* inner = o.if_contains(t == "array" ? "items" : "values");
      return inner != nullptr && Rewrite(*inner, my_ns, depth + 1);
    }
    if (!IsPrimitive(t)) *type = Resolve(t, my_ns);
    return true;
  }

 private:
  std::string Resolve(const std::string& ref, const std::string& ns) {
    if (!ns.empty() && ref.find('.') == std::string::npos) {
      if (auto it = names_.find(ns + "." + ref); it != names_.end()) return it->second;
    }
    if (auto it = names_.find(ref); it != names_.end()) return it->second;
    return ref;  // unknown: the decoder refuses it
  }
  std::map<std::string, std::string> names_;
};

Result<std::string> FlattenSchemaNames(std::string_view schema_json) {
  json::error_code ec;
  json::parse_options opts;
  opts.max_depth = 256;
  json::value v = json::parse(schema_json, ec, {}, opts);
  if (ec || !NameFlattener().Rewrite(v, "", 0)) {
    return Status::Corruption("the Avro writer schema is not valid");
  }
  return json::serialize(v);
}

// The container file with its avro.schema flattened (header rebuilt, the
// blocks unchanged).
Status FlattenHeader(std::string* file) {
  std::string& bytes = *file;
  if (bytes.size() < kMagic.size() || bytes[0] != 'O' || bytes[1] != 'b' || bytes[2] != 'j') {
    return Status::OK();  // the reader refuses it
  }
  size_t pos = kMagic.size();
  auto read_long = [&](int64_t* out) {
    uint64_t value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos >= bytes.size()) return false;
      uint8_t b = static_cast<uint8_t>(bytes[pos++]);
      value |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        *out = static_cast<int64_t>((value >> 1) ^ (~(value & 1) + 1));
        return true;
      }
    }
    return false;
  };
  auto read_bytes = [&](std::string* out) {
    int64_t n = 0;
    if (!read_long(&n) || n < 0 || static_cast<uint64_t>(n) > bytes.size() - pos) return false;
    *out = bytes.substr(pos, static_cast<size_t>(n));
    pos += static_cast<size_t>(n);
    return true;
  };
  std::vector<std::pair<std::string, std::string>> meta;
  while (true) {
    int64_t count = 0;
    if (!read_long(&count)) return Status::Corruption("truncated Avro header");
    if (count == 0) break;
    if (count < 0) {
      int64_t size = 0;
      if (count == INT64_MIN || !read_long(&size))
        return Status::Corruption("malformed Avro header");
      count = -count;
    }
    if (count > static_cast<int64_t>(bytes.size()))
      return Status::Corruption("malformed Avro header");
    for (int64_t i = 0; i < count; ++i) {
      std::string k, v;
      if (!read_bytes(&k) || !read_bytes(&v)) return Status::Corruption("truncated Avro header");
      meta.emplace_back(std::move(k), std::move(v));
    }
  }
  std::string out(kMagic);
  iceberg::AppendAvroLong(&out, static_cast<int64_t>(meta.size()));
  for (auto& [k, v] : meta) {
    if (k == "avro.schema") {
      LS_ASSIGN_OR_RETURN(v, FlattenSchemaNames(v));
    }
    AppendBytes(&out, k);
    AppendBytes(&out, v);
  }
  iceberg::AppendAvroLong(&out, 0);
  out.append(bytes, pos, std::string::npos);
  bytes = std::move(out);
  return Status::OK();
}

}  // namespace

Status DecodeAvroRecords(std::string_view schema_json, const std::vector<std::string_view>& records,
                         const std::string& what,
                         const std::function<Status(const AvroValue&)>& fn) {
  size_t total = 64 + schema_json.size();
  for (std::string_view r : records) total += r.size() + 32;
  LS_ASSIGN_OR_RETURN(std::string flat, FlattenSchemaNames(schema_json));
  std::string file;
  file.reserve(total);
  file.append(kMagic);
  iceberg::AppendAvroLong(&file, 2);
  AppendBytes(&file, "avro.schema");
  AppendBytes(&file, flat);
  AppendBytes(&file, "avro.codec");
  AppendBytes(&file, "null");
  iceberg::AppendAvroLong(&file, 0);
  file.append(kSync);
  for (std::string_view r : records) {
    iceberg::AppendAvroLong(&file, 1);
    AppendBytes(&file, r);
    file.append(kSync);
  }
  LS_ASSIGN_OR_RETURN(auto reader, iceberg::AvroFileReader::Open(std::move(file), what));
  return reader->ForEach(fn);
}

Status DecodeAvroFile(std::string bytes, const std::string& what,
                      const std::function<Status(const AvroValue&)>& fn) {
  Status flat = FlattenHeader(&bytes);
  if (!flat.ok()) return flat.WithContext(what);
  LS_ASSIGN_OR_RETURN(auto reader, iceberg::AvroFileReader::Open(std::move(bytes), what));
  return reader->ForEach(fn);
}

std::string StringField(const AvroValue& record, std::string_view name) {
  auto f = record.Field(name);
  if (!f || f->IsNull()) return "";
  auto s = f->AsString();
  return s.ok() ? std::string(*s) : std::string();
}

int64_t LongField(const AvroValue& record, std::string_view name, int64_t fallback) {
  auto f = record.Field(name);
  if (!f || f->IsNull()) return fallback;
  auto v = f->AsInt64();
  return v.ok() ? *v : fallback;
}

Result<std::vector<std::string>> StringArrayField(const AvroValue& record, std::string_view name) {
  std::vector<std::string> out;
  auto f = record.Field(name);
  if (!f || f->IsNull()) return out;
  LS_ASSIGN_OR_RETURN(size_t n, f->Size());
  for (size_t i = 0; i < n; ++i) {
    LS_ASSIGN_OR_RETURN(AvroValue e, f->Element(i));
    LS_ASSIGN_OR_RETURN(std::string_view s, e.AsString());
    out.emplace_back(s);
  }
  return out;
}

}  // namespace lakeshare::hudi
