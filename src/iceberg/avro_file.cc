#include "iceberg/avro_file.h"

#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <random>
#include <set>

namespace lakeshare::iceberg {
namespace {

constexpr std::string_view kMagic("Obj\x01", 4);
constexpr size_t kSyncSize = 16;
// The largest single allocation avro-c may make. Every string or bytes
// value it allocates is also bounded by the block it is decoded from.
constexpr size_t kMaxAvroAllocation = size_t{512} << 20;
// Nodes of a writer schema once named types are expanded: bounds the work of
// decoding one record whatever the input.
constexpr int64_t kMaxExpandedSchemaNodes = 100000;
constexpr int64_t kWriterBlockBytes = 1 << 20;
constexpr int64_t kWriterBlockRecords = 4096;

void* CappedAllocator(void* /*user_data*/, void* ptr, size_t /*osize*/, size_t nsize) {
  if (nsize == 0) {
    std::free(ptr);
    return nullptr;
  }
  if (nsize > kMaxAvroAllocation) return nullptr;
  return std::realloc(ptr, nsize);
}

// A cursor over untrusted bytes.
class Cursor {
 public:
  Cursor(std::string_view data, size_t pos) : data_(data), pos_(pos) {}
  bool ReadLong(int64_t* out) {
    uint64_t value = 0;
    for (int shift = 0; shift < 70; shift += 7) {
      if (pos_ >= data_.size()) return false;
      uint8_t b = static_cast<uint8_t>(data_[pos_++]);
      // Bits beyond 64 in a 10th byte are dropped, as avro-c and Java do
      // (some writers encode out-of-range snapshot ids that way).
      value |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        *out = static_cast<int64_t>((value >> 1) ^ (~(value & 1) + 1));
        return true;
      }
    }
    return false;
  }
  bool ReadBytes(std::string_view* out) {
    int64_t n = 0;
    if (!ReadLong(&n) || n < 0 || static_cast<uint64_t>(n) > data_.size() - pos_) return false;
    *out = data_.substr(pos_, static_cast<size_t>(n));
    pos_ += static_cast<size_t>(n);
    return true;
  }
  bool ReadFixed(size_t n, std::string_view* out) {
    if (n > data_.size() - pos_) return false;
    *out = data_.substr(pos_, n);
    pos_ += n;
    return true;
  }
  size_t pos() const { return pos_; }
  bool AtEnd() const { return pos_ >= data_.size(); }

 private:
  std::string_view data_;
  size_t pos_;
};

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

// Walks one encoded value of schema `s` without allocating, so avro-c only
// ever decodes bytes known to be well-formed (its error paths leak and may
// allocate before checking lengths). False on any malformation.
bool SkipDatum(Cursor& c, avro_schema_t s, int depth) {
  if (depth > 64) return false;
  std::string_view ignored;
  int64_t v = 0;
  switch (avro_typeof(s)) {
    case AVRO_NULL:
      return true;
    case AVRO_BOOLEAN:
      return c.ReadFixed(1, &ignored);
    case AVRO_INT32:
      return c.ReadLong(&v) && v >= INT32_MIN && v <= INT32_MAX;
    case AVRO_INT64:
      return c.ReadLong(&v);
    case AVRO_FLOAT:
      return c.ReadFixed(4, &ignored);
    case AVRO_DOUBLE:
      return c.ReadFixed(8, &ignored);
    case AVRO_STRING:
    case AVRO_BYTES:
      return c.ReadBytes(&ignored);
    case AVRO_FIXED:
      return c.ReadFixed(static_cast<size_t>(avro_schema_fixed_size(s)), &ignored);
    case AVRO_ENUM:
      return c.ReadLong(&v) && v >= 0 && v < avro_schema_enum_number_of_symbols(s);
    case AVRO_LINK:
      return SkipDatum(c, avro_schema_link_target(s), depth + 1);
    case AVRO_RECORD: {
      size_t n = avro_schema_record_size(s);
      for (size_t i = 0; i < n; ++i) {
        if (!SkipDatum(c, avro_schema_record_field_get_by_index(s, static_cast<int>(i)),
                       depth + 1)) {
          return false;
        }
      }
      return true;
    }
    case AVRO_UNION:
      return c.ReadLong(&v) && v >= 0 && static_cast<size_t>(v) < avro_schema_union_size(s) &&
             SkipDatum(c, avro_schema_union_branch(s, static_cast<int>(v)), depth + 1);
    case AVRO_ARRAY:
    case AVRO_MAP: {
      bool map = avro_typeof(s) == AVRO_MAP;
      avro_schema_t items = map ? avro_schema_map_values(s) : avro_schema_array_items(s);
      while (true) {
        int64_t count = 0;
        if (!c.ReadLong(&count)) return false;
        if (count == 0) return true;
        if (count < 0) {
          int64_t bytes = 0;
          if (count == INT64_MIN || !c.ReadLong(&bytes) || bytes < 0) return false;
          count = -count;
        }
        // Items take at least a byte (checked on the schema): a count
        // beyond the remaining bytes fails quickly in the loop.
        for (int64_t i = 0; i < count; ++i) {
          if (map && !c.ReadBytes(&ignored)) return false;
          if (!SkipDatum(c, items, depth + 1)) return false;
        }
      }
    }
    default:
      return false;
  }
}

Status InflateRaw(std::string_view in, int64_t max_out, std::string* out) {
  z_stream z{};
  if (inflateInit2(&z, -15) != Z_OK) return Status::Internal("inflateInit2 failed");
  out->clear();
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    if (static_cast<int64_t>(out->size()) >= max_out) {
      inflateEnd(&z);
      return Status::TooLarge("a decompressed block exceeds " + std::to_string(max_out) + " bytes");
    }
    size_t old = out->size();
    size_t grow = std::min<size_t>(std::max<size_t>(old, 64 << 10), max_out - old);
    out->resize(old + grow);
    z.next_out = reinterpret_cast<Bytef*>(out->data() + old);
    z.avail_out = static_cast<uInt>(grow);
    rc = inflate(&z, Z_NO_FLUSH);
    out->resize(old + grow - z.avail_out);
    if (rc == Z_STREAM_END) break;
    if (rc != Z_OK && !(rc == Z_BUF_ERROR && z.avail_out == 0)) {
      inflateEnd(&z);
      return Status::Corruption("invalid deflate data");
    }
    if (z.avail_in == 0 && z.avail_out != 0) {
      inflateEnd(&z);
      return Status::Corruption("truncated deflate data");
    }
  }
  inflateEnd(&z);
  return Status::OK();
}

Status DeflateRaw(std::string_view in, std::string* out) {
  z_stream z{};
  if (deflateInit2(&z, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return Status::Internal("deflateInit2 failed");
  }
  out->resize(deflateBound(&z, in.size()));
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out->data());
  z.avail_out = static_cast<uInt>(out->size());
  int rc = deflate(&z, Z_FINISH);
  out->resize(out->size() - z.avail_out);
  deflateEnd(&z);
  return rc == Z_STREAM_END ? Status::OK() : Status::Internal("deflate failed");
}

avro_value_t NonNullBranch(avro_value_t* v, bool* ok) {
  *ok = true;
  if (avro_value_get_type(v) != AVRO_UNION) return *v;
  avro_schema_t s = avro_value_get_schema(v);
  size_t n = avro_schema_union_size(s);
  for (size_t i = 0; i < n; ++i) {
    if (avro_typeof(avro_schema_union_branch(s, static_cast<int>(i))) != AVRO_NULL) {
      avro_value_t branch;
      if (avro_value_set_branch(v, static_cast<int>(i), &branch) == 0) return branch;
    }
  }
  *ok = false;
  return *v;
}

}  // namespace

void InstallAvroAllocator() {
  static std::once_flag once;
  std::call_once(once, [] { avro_set_allocator(CappedAllocator, nullptr); });
}

void AppendAvroLong(std::string* out, int64_t v) {
  uint64_t n = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
  while (n & ~uint64_t{0x7f}) {
    out->push_back(static_cast<char>((n & 0x7f) | 0x80));
    n >>= 7;
  }
  out->push_back(static_cast<char>(n));
}

// ------------------------------------------------------------------ AvroValue

avro_value_t AvroValue::Resolved() const {
  avro_value_t v = v_;
  if (avro_value_get_type(&v) == AVRO_UNION) {
    avro_value_t branch;
    if (avro_value_get_current_branch(&v, &branch) == 0) return branch;
  }
  return v;
}

avro_type_t AvroValue::type() const {
  avro_value_t v = Resolved();
  return avro_value_get_type(&v);
}

std::optional<AvroValue> AvroValue::Field(const char* name) const {
  avro_value_t v = Resolved();
  if (avro_value_get_type(&v) != AVRO_RECORD) return std::nullopt;
  avro_value_t child;
  if (avro_value_get_by_name(&v, name, &child, nullptr) != 0) return std::nullopt;
  return AvroValue(child);
}

Result<AvroValue> AvroValue::Required(const char* name) const {
  auto f = Field(name);
  if (!f || f->IsNull()) return Status::Corruption(std::string("missing field '") + name + "'");
  return *f;
}

Result<int64_t> AvroValue::AsInt64() const {
  avro_value_t v = Resolved();
  switch (avro_value_get_type(&v)) {
    case AVRO_INT32: {
      int32_t i = 0;
      avro_value_get_int(&v, &i);
      return int64_t{i};
    }
    case AVRO_INT64: {
      int64_t l = 0;
      avro_value_get_long(&v, &l);
      return l;
    }
    default:
      return Status::Corruption("expected an int or long");
  }
}

Result<bool> AvroValue::AsBool() const {
  avro_value_t v = Resolved();
  if (avro_value_get_type(&v) != AVRO_BOOLEAN) return Status::Corruption("expected a boolean");
  int b = 0;
  avro_value_get_boolean(&v, &b);
  return b != 0;
}

Result<double> AvroValue::AsDouble() const {
  avro_value_t v = Resolved();
  if (avro_value_get_type(&v) == AVRO_FLOAT) {
    float f = 0;
    avro_value_get_float(&v, &f);
    return static_cast<double>(f);
  }
  if (avro_value_get_type(&v) == AVRO_DOUBLE) {
    double d = 0;
    avro_value_get_double(&v, &d);
    return d;
  }
  return Status::Corruption("expected a float or double");
}

Result<std::string_view> AvroValue::AsBytes() const {
  avro_value_t v = Resolved();
  const void* buf = nullptr;
  size_t size = 0;
  switch (avro_value_get_type(&v)) {
    case AVRO_BYTES:
      avro_value_get_bytes(&v, &buf, &size);
      break;
    case AVRO_FIXED:
      avro_value_get_fixed(&v, &buf, &size);
      break;
    case AVRO_STRING:
      return AsString();
    default:
      return Status::Corruption("expected bytes");
  }
  if (buf == nullptr) return std::string_view();
  return std::string_view(static_cast<const char*>(buf), size);
}

Result<std::string_view> AvroValue::AsString() const {
  avro_value_t v = Resolved();
  if (avro_value_get_type(&v) != AVRO_STRING) return Status::Corruption("expected a string");
  const char* s = nullptr;
  size_t size = 0;
  avro_value_get_string(&v, &s, &size);
  if (s == nullptr || size == 0) return std::string_view();
  return std::string_view(s, size - 1);  // avro-c counts the terminating NUL
}

Result<size_t> AvroValue::Size() const {
  avro_value_t v = Resolved();
  avro_type_t t = avro_value_get_type(&v);
  if (t != AVRO_ARRAY && t != AVRO_MAP && t != AVRO_RECORD) {
    return Status::Corruption("expected an array, map or record");
  }
  size_t n = 0;
  avro_value_get_size(&v, &n);
  return n;
}

Result<AvroValue> AvroValue::Element(size_t i) const {
  avro_value_t v = Resolved();
  avro_value_t child;
  if (avro_value_get_by_index(&v, i, &child, nullptr) != 0) {
    return Status::Corruption("element " + std::to_string(i) + " out of range");
  }
  return AvroValue(child);
}

Result<std::pair<std::string, AvroValue>> AvroValue::MapEntry(size_t i) const {
  avro_value_t v = Resolved();
  if (avro_value_get_type(&v) != AVRO_MAP) return Status::Corruption("expected a map");
  avro_value_t child;
  const char* key = nullptr;
  if (avro_value_get_by_index(&v, i, &child, &key) != 0 || key == nullptr) {
    return Status::Corruption("map entry " + std::to_string(i) + " out of range");
  }
  return std::make_pair(std::string(key), AvroValue(child));
}

Result<std::optional<int64_t>> AvroValue::OptionalInt64(const char* name) const {
  auto f = Field(name);
  if (!f || f->IsNull()) return std::optional<int64_t>();
  auto v = f->AsInt64();
  if (!v.ok()) return v.status().WithContext(name);
  return std::optional<int64_t>(*v);
}

Result<std::optional<std::string>> AvroValue::OptionalString(const char* name) const {
  auto f = Field(name);
  if (!f || f->IsNull()) return std::optional<std::string>();
  auto v = f->AsString();
  if (!v.ok()) return v.status().WithContext(name);
  return std::optional<std::string>(std::string(*v));
}

// ------------------------------------------------------------- AvroFileReader

Result<std::unique_ptr<AvroFileReader>> AvroFileReader::Open(std::string bytes, std::string what,
                                                             AvroLimits limits) {
  InstallAvroAllocator();
  std::unique_ptr<AvroFileReader> r(new AvroFileReader());
  r->bytes_ = std::move(bytes);
  r->what_ = std::move(what);
  r->limits_ = limits;
  Status st = r->ParseHeader();
  if (!st.ok()) return st.WithContext(r->what_);
  return r;
}

AvroFileReader::~AvroFileReader() {
  if (iface_ != nullptr) avro_value_iface_decref(iface_);
  if (schema_ != nullptr) avro_schema_decref(schema_);
}

std::optional<std::string> AvroFileReader::Meta(const std::string& key) const {
  auto it = metadata_.find(key);
  if (it == metadata_.end()) return std::nullopt;
  return it->second;
}

Status AvroFileReader::ParseHeader() {
  std::string_view data(bytes_);
  if (data.substr(0, kMagic.size()) != kMagic) {
    return Status::Corruption("not an Avro object container file (bad magic)");
  }
  Cursor c(data, kMagic.size());
  while (true) {
    int64_t count = 0;
    if (!c.ReadLong(&count)) return Status::Corruption("truncated Avro header");
    if (count == 0) break;
    if (count < 0) {
      int64_t block_size = 0;
      if (count == INT64_MIN || !c.ReadLong(&block_size)) {
        return Status::Corruption("malformed Avro header");
      }
      count = -count;
    }
    if (count > static_cast<int64_t>(data.size())) {
      return Status::Corruption("malformed Avro header map");
    }
    for (int64_t i = 0; i < count; ++i) {
      std::string_view key, value;
      if (!c.ReadBytes(&key) || !c.ReadBytes(&value)) {
        return Status::Corruption("truncated Avro header map");
      }
      metadata_[std::string(key)] = std::string(value);
    }
  }
  std::string_view sync;
  if (!c.ReadFixed(kSyncSize, &sync)) return Status::Corruption("truncated Avro header");
  sync_ = std::string(sync);
  data_start_ = c.pos();

  codec_ = Meta("avro.codec").value_or("null");
  if (codec_ != "null" && codec_ != "deflate" && codec_ != "snappy" && codec_ != "zstandard") {
    return Status::Unsupported("Avro codec '" + codec_.substr(0, 64) + "' is not supported");
  }
  auto schema_json = Meta("avro.schema");
  if (!schema_json) return Status::Corruption("the Avro header has no avro.schema");
  {
    boost::json::error_code ec;
    boost::json::parse_options opts;
    opts.max_depth = 256;
    boost::json::value parsed = boost::json::parse(*schema_json, ec, {}, opts);
    if (ec || !SchemaJsonCheck().Check(parsed, 0)) {
      return Status::Corruption("the Avro writer schema is not valid (or not supported)");
    }
  }
  if (avro_schema_from_json_length(schema_json->data(), schema_json->size(), &schema_) != 0 ||
      schema_ == nullptr) {
    schema_ = nullptr;
    return Status::Corruption("the Avro writer schema does not parse");
  }
  SchemaChecker checker(limits_.max_schema_depth);
  int64_t min_size = 0, nodes = 0;
  if (!checker.Check(schema_, 0, &min_size, &nodes)) {
    return Status::Corruption("unsupported Avro writer schema: " + checker.why());
  }
  if (avro_typeof(schema_) != AVRO_RECORD) {
    return Status::Corruption("the Avro writer schema is not a record");
  }
  record_min_size_ = min_size;
  iface_ = avro_generic_class_from_schema(schema_);
  if (iface_ == nullptr) return Status::Corruption("the Avro writer schema is not usable");
  return Status::OK();
}

Result<std::string_view> AvroFileReader::Decompress(std::string_view block,
                                                    std::string* scratch) const {
  if (codec_ == "null") return block;
  if (codec_ == "deflate") {
    LS_RETURN_IF_ERROR(InflateRaw(block, limits_.max_block_bytes, scratch));
    return std::string_view(*scratch);
  }
  if (codec_ == "snappy") {
    if (block.size() < 4) return Status::Corruption("truncated snappy block");
    std::string_view body = block.substr(0, block.size() - 4);
    size_t n = 0;
    if (!snappy::GetUncompressedLength(body.data(), body.size(), &n)) {
      return Status::Corruption("invalid snappy block");
    }
    if (static_cast<int64_t>(n) > limits_.max_block_bytes) {
      return Status::TooLarge("a decompressed block exceeds the limit");
    }
    scratch->resize(n);
    if (!snappy::RawUncompress(body.data(), body.size(), scratch->data())) {
      return Status::Corruption("invalid snappy block");
    }
    const auto* c = reinterpret_cast<const unsigned char*>(block.data() + block.size() - 4);
    uint32_t want = (uint32_t{c[0]} << 24) | (uint32_t{c[1]} << 16) | (uint32_t{c[2]} << 8) | c[3];
    uint32_t got = static_cast<uint32_t>(
        crc32(0, reinterpret_cast<const Bytef*>(scratch->data()), static_cast<uInt>(n)));
    if (want != got) return Status::Corruption("snappy block checksum mismatch");
    return std::string_view(*scratch);
  }
  // zstandard
  ZSTD_DStream* ds = ZSTD_createDStream();
  if (ds == nullptr) return Status::Internal("ZSTD_createDStream failed");
  ZSTD_initDStream(ds);
  scratch->clear();
  ZSTD_inBuffer in{block.data(), block.size(), 0};
  size_t rc = 1;
  while (in.pos < in.size || rc != 0) {
    if (static_cast<int64_t>(scratch->size()) >= limits_.max_block_bytes) {
      ZSTD_freeDStream(ds);
      return Status::TooLarge("a decompressed block exceeds the limit");
    }
    size_t old = scratch->size();
    size_t grow = std::min<size_t>(std::max<size_t>(old, 64 << 10),
                                   static_cast<size_t>(limits_.max_block_bytes) - old);
    scratch->resize(old + grow);
    ZSTD_outBuffer out{scratch->data() + old, grow, 0};
    rc = ZSTD_decompressStream(ds, &out, &in);
    scratch->resize(old + out.pos);
    if (ZSTD_isError(rc)) {
      ZSTD_freeDStream(ds);
      return Status::Corruption("invalid zstandard block");
    }
    if (in.pos == in.size && rc != 0 && out.pos < grow) {
      ZSTD_freeDStream(ds);
      return Status::Corruption("truncated zstandard block");
    }
  }
  ZSTD_freeDStream(ds);
  return std::string_view(*scratch);
}

Status AvroFileReader::ForEach(const std::function<Status(const AvroValue&)>& fn) {
  std::string_view data(bytes_);
  Cursor c(data, data_start_);
  avro_value_t value;
  if (avro_generic_value_new(iface_, &value) != 0) {
    return Status::Internal(what_ + ": cannot create an Avro value");
  }
  struct ValueGuard {
    avro_value_t* v;
    ~ValueGuard() { avro_value_decref(v); }
  } guard{&value};
  avro_reader_t reader = avro_reader_memory("", 0);
  if (reader == nullptr) return Status::Internal(what_ + ": cannot create an Avro reader");
  struct ReaderGuard {
    avro_reader_t r;
    ~ReaderGuard() { avro_reader_free(r); }
  } reader_guard{reader};

  std::string scratch;
  int64_t records = 0;
  for (int64_t block = 0; !c.AtEnd(); ++block) {
    int64_t count = 0;
    std::string_view raw, sync;
    if (!c.ReadLong(&count) || count < 0 || !c.ReadBytes(&raw) || !c.ReadFixed(kSyncSize, &sync)) {
      return Status::Corruption(what_ + ": truncated or malformed Avro block " +
                                std::to_string(block));
    }
    if (sync != sync_) {
      return Status::Corruption(what_ + ": Avro block " + std::to_string(block) +
                                " does not end with the file's sync marker");
    }
    if (count > limits_.max_records - records) {
      return Status::TooLarge(what_ + ": more than " + std::to_string(limits_.max_records) +
                              " records");
    }
    if (count == 0) continue;
    auto payload = Decompress(raw, &scratch);
    if (!payload.ok()) {
      return payload.status().WithContext(what_ + ": Avro block " + std::to_string(block));
    }
    // Records that take bytes cannot outnumber the bytes.
    if (record_min_size_ > 0 && count > static_cast<int64_t>(payload->size()) / record_min_size_) {
      return Status::Corruption(what_ + ": Avro block " + std::to_string(block) + " claims " +
                                std::to_string(count) + " records in " +
                                std::to_string(payload->size()) + " bytes");
    }
    Cursor check(*payload, 0);
    for (int64_t i = 0; i < count; ++i) {
      if (!SkipDatum(check, schema_, 0)) {
        return Status::Corruption(what_ + ": record " + std::to_string(i) + " of Avro block " +
                                  std::to_string(block) + " is malformed");
      }
    }
    avro_reader_memory_set_source(reader, payload->data(), static_cast<int64_t>(payload->size()));
    for (int64_t i = 0; i < count; ++i) {
      avro_value_reset(&value);
      if (avro_value_read(reader, &value) != 0) {
        return Status::Corruption(what_ + ": record " + std::to_string(i) + " of Avro block " +
                                  std::to_string(block) + " cannot be decoded");
      }
      Status st = fn(AvroValue(value));
      if (!st.ok()) return st;
    }
    records += count;
  }
  return Status::OK();
}

// ------------------------------------------------------------- AvroFileWriter

Result<std::unique_ptr<AvroFileWriter>> AvroFileWriter::Create(
    const std::string& schema_json, const std::map<std::string, std::string>& metadata,
    const std::string& codec) {
  InstallAvroAllocator();
  if (codec != "null" && codec != "deflate") {
    return Status::InvalidArgument("unsupported Avro codec for writing: " + codec);
  }
  std::unique_ptr<AvroFileWriter> w(new AvroFileWriter());
  if (avro_schema_from_json_length(schema_json.data(), schema_json.size(), &w->schema_) != 0) {
    w->schema_ = nullptr;
    return Status::InvalidArgument("invalid Avro schema for writing");
  }
  w->iface_ = avro_generic_class_from_schema(w->schema_);
  if (w->iface_ == nullptr || avro_generic_value_new(w->iface_, &w->record_) != 0) {
    return Status::Internal("cannot create Avro values for the schema");
  }
  w->has_record_ = true;
  w->codec_ = codec;
  std::random_device rd;
  for (size_t i = 0; i < kSyncSize; ++i) w->sync_.push_back(static_cast<char>(rd() & 0xff));

  w->out_.append(kMagic);
  std::map<std::string, std::string> meta = metadata;
  meta["avro.schema"] = schema_json;
  meta["avro.codec"] = codec;
  AppendAvroLong(&w->out_, static_cast<int64_t>(meta.size()));
  for (const auto& [k, v] : meta) {
    AppendAvroLong(&w->out_, static_cast<int64_t>(k.size()));
    w->out_ += k;
    AppendAvroLong(&w->out_, static_cast<int64_t>(v.size()));
    w->out_ += v;
  }
  AppendAvroLong(&w->out_, 0);
  w->out_ += w->sync_;
  return w;
}

AvroFileWriter::~AvroFileWriter() {
  if (has_record_) avro_value_decref(&record_);
  if (iface_ != nullptr) avro_value_iface_decref(iface_);
  if (schema_ != nullptr) avro_schema_decref(schema_);
}

avro_value_t* AvroFileWriter::NewRecord() {
  avro_value_reset(&record_);
  return &record_;
}

Status AvroFileWriter::Append() {
  if (finished_) return Status::FailedPrecondition("the Avro writer is finished");
  size_t size = 0;
  if (avro_value_sizeof(&record_, &size) != 0) {
    return Status::Internal("cannot size an Avro record (is every field set?)");
  }
  size_t old = block_.size();
  block_.resize(old + size);
  avro_writer_t w = avro_writer_memory(block_.data() + old, static_cast<int64_t>(size));
  if (w == nullptr) return Status::Internal("cannot create an Avro writer");
  int rc = avro_value_write(w, &record_);
  avro_writer_free(w);
  if (rc != 0) {
    block_.resize(old);
    return Status::Internal("cannot encode an Avro record");
  }
  ++block_records_;
  if (static_cast<int64_t>(block_.size()) >= kWriterBlockBytes ||
      block_records_ >= kWriterBlockRecords) {
    return FlushBlock();
  }
  return Status::OK();
}

Status AvroFileWriter::FlushBlock() {
  if (block_records_ == 0) return Status::OK();
  std::string_view payload = block_;
  if (codec_ == "deflate") {
    LS_RETURN_IF_ERROR(DeflateRaw(block_, &scratch_));
    payload = scratch_;
  }
  AppendAvroLong(&out_, block_records_);
  AppendAvroLong(&out_, static_cast<int64_t>(payload.size()));
  out_.append(payload);
  out_ += sync_;
  block_.clear();
  block_records_ = 0;
  return Status::OK();
}

Result<std::string> AvroFileWriter::Finish() {
  if (finished_) return Status::FailedPrecondition("the Avro writer is finished");
  LS_RETURN_IF_ERROR(FlushBlock());
  finished_ = true;
  return std::move(out_);
}

// ------------------------------------------------------------ record helpers

Result<avro_value_t> AvroField(avro_value_t* record, const char* name) {
  avro_value_t child;
  if (avro_value_get_by_name(record, name, &child, nullptr) != 0) {
    return Status::Internal(std::string("the Avro schema has no field '") + name + "'");
  }
  return child;
}

Status AvroSetNull(avro_value_t* value) {
  if (avro_value_get_type(value) != AVRO_UNION) {
    return avro_value_set_null(value) == 0 ? Status::OK() : Status::Internal("not nullable");
  }
  avro_schema_t s = avro_value_get_schema(value);
  size_t n = avro_schema_union_size(s);
  for (size_t i = 0; i < n; ++i) {
    if (avro_typeof(avro_schema_union_branch(s, static_cast<int>(i))) == AVRO_NULL) {
      avro_value_t branch;
      if (avro_value_set_branch(value, static_cast<int>(i), &branch) != 0) break;
      avro_value_set_null(&branch);
      return Status::OK();
    }
  }
  return Status::Internal("the Avro union has no null branch");
}

Result<avro_value_t> AvroSetBranch(avro_value_t* value, int branch) {
  avro_value_t b;
  if (avro_value_set_branch(value, branch, &b) != 0) {
    return Status::Internal("invalid Avro union branch");
  }
  return b;
}

Status AvroSetLong(avro_value_t* value, int64_t v) {
  bool ok = false;
  avro_value_t b = NonNullBranch(value, &ok);
  if (ok && avro_value_get_type(&b) == AVRO_INT32) {
    if (v < INT32_MIN || v > INT32_MAX) return Status::Internal("int out of range");
    if (avro_value_set_int(&b, static_cast<int32_t>(v)) == 0) return Status::OK();
  }
  if (ok && avro_value_get_type(&b) == AVRO_INT64 && avro_value_set_long(&b, v) == 0) {
    return Status::OK();
  }
  return Status::Internal("cannot set an Avro int/long");
}

Status AvroSetString(avro_value_t* value, std::string_view v) {
  bool ok = false;
  avro_value_t b = NonNullBranch(value, &ok);
  if (ok && avro_value_get_type(&b) == AVRO_STRING &&
      avro_value_set_string_len(&b, std::string(v).c_str(), v.size() + 1) == 0) {
    return Status::OK();
  }
  return Status::Internal("cannot set an Avro string");
}

Status AvroSetBytes(avro_value_t* value, std::string_view v) {
  bool ok = false;
  avro_value_t b = NonNullBranch(value, &ok);
  void* p = const_cast<char*>(v.data());
  if (ok && avro_value_get_type(&b) == AVRO_BYTES && avro_value_set_bytes(&b, p, v.size()) == 0) {
    return Status::OK();
  }
  if (ok && avro_value_get_type(&b) == AVRO_FIXED && avro_value_set_fixed(&b, p, v.size()) == 0) {
    return Status::OK();
  }
  return Status::Internal("cannot set Avro bytes");
}

Status AvroSetBool(avro_value_t* value, bool v) {
  bool ok = false;
  avro_value_t b = NonNullBranch(value, &ok);
  if (ok && avro_value_get_type(&b) == AVRO_BOOLEAN && avro_value_set_boolean(&b, v) == 0) {
    return Status::OK();
  }
  return Status::Internal("cannot set an Avro boolean");
}

Status AvroSetDouble(avro_value_t* value, double v) {
  bool ok = false;
  avro_value_t b = NonNullBranch(value, &ok);
  if (ok && avro_value_get_type(&b) == AVRO_FLOAT &&
      avro_value_set_float(&b, static_cast<float>(v)) == 0) {
    return Status::OK();
  }
  if (ok && avro_value_get_type(&b) == AVRO_DOUBLE && avro_value_set_double(&b, v) == 0) {
    return Status::OK();
  }
  return Status::Internal("cannot set an Avro float/double");
}

}  // namespace lakeshare::iceberg
