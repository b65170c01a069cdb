#include "iceberg/avro_file.h"

#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <array>
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
  size_t remaining() const { return data_.size() - pos_; }
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

// ------------------------------------------------------------ record decoder

// The writer schema compiled once per file (named types expanded into a DAG,
// links resolved: the schema was checked non-recursive), and the values of
// the current record in one flat array: a record's fields, an array's items
// and a map's values are contiguous, so field i or item i is one index away.
class AvroDecodedRecord {
 public:
  struct SchemaNode {
    avro_type_t type = AVRO_NULL;
    int64_t size = 0;               // fixed: bytes; enum: symbols
    uint32_t first = 0, count = 0;  // children in edges_ (record fields, branches, items)
  };
  struct Value {
    avro_type_t type = AVRO_NULL;  // of the union branch for unions
    uint32_t schema = 0;
    uint32_t first = 0, count = 0;  // children in values_
    union {
      int64_t i;
      double d;
    };
    std::string_view bytes;  // string, bytes, fixed
    std::string_view key;    // map entry values: their key
    Value() : i(0) {}
  };
  enum class Outcome { kOk, kMalformed, kTooLarge };

  // Values are indexed by uint32_t.
  explicit AvroDecodedRecord(int64_t max_values)
      : max_values_(std::clamp<int64_t>(max_values, 1, int64_t{UINT32_MAX})) {}

  void Compile(avro_schema_t root) {
    std::map<avro_schema_t, uint32_t> memo;
    root_ = CompileNode(root, &memo);
  }

  // Decodes one record at `c` into values_[0].
  Outcome Decode(Cursor& c) {
    values_.resize(1);
    return DecodeInto(c, 0, root_);
  }

  const Value& value(uint32_t i) const { return values_[i]; }
  // The index of field `name` in record value `v`, or -1. Callers ask for
  // the same few names record after record: a hint per (schema, name
  // pointer) usually answers with one comparison.
  int FindField(const Value& v, std::string_view name) const {
    const uint32_t first = schema_[v.schema].first;
    Hint& h = hints_[((reinterpret_cast<uintptr_t>(name.data()) >> 3) ^ (v.schema * 40503u)) &
                     (kHints - 1)];
    if (h.schema == v.schema && h.name == name.data() && h.index < v.count &&
        names_[first + h.index] == name) {
      return static_cast<int>(h.index);
    }
    for (uint32_t k = 0; k < v.count; ++k) {
      if (names_[first + k] == name) {
        h = Hint{v.schema, name.data(), k};
        return static_cast<int>(k);
      }
    }
    return -1;
  }

 private:
  uint32_t CompileNode(avro_schema_t s, std::map<avro_schema_t, uint32_t>* memo) {
    while (avro_typeof(s) == AVRO_LINK) s = avro_schema_link_target(s);
    if (auto it = memo->find(s); it != memo->end()) return it->second;
    SchemaNode node;
    node.type = avro_typeof(s);
    std::vector<uint32_t> children;
    std::vector<std::string> names;
    switch (node.type) {
      case AVRO_FIXED:
        node.size = avro_schema_fixed_size(s);
        break;
      case AVRO_ENUM:
        node.size = avro_schema_enum_number_of_symbols(s);
        break;
      case AVRO_RECORD:
        for (size_t i = 0; i < avro_schema_record_size(s); ++i) {
          children.push_back(
              CompileNode(avro_schema_record_field_get_by_index(s, static_cast<int>(i)), memo));
          const char* name = avro_schema_record_field_name(s, static_cast<int>(i));
          names.emplace_back(name != nullptr ? name : "");
        }
        break;
      case AVRO_UNION:
        for (size_t i = 0; i < avro_schema_union_size(s); ++i) {
          children.push_back(CompileNode(avro_schema_union_branch(s, static_cast<int>(i)), memo));
        }
        break;
      case AVRO_ARRAY:
        children.push_back(CompileNode(avro_schema_array_items(s), memo));
        break;
      case AVRO_MAP:
        children.push_back(CompileNode(avro_schema_map_values(s), memo));
        break;
      default:
        break;
    }
    node.first = static_cast<uint32_t>(edges_.size());
    node.count = static_cast<uint32_t>(children.size());
    edges_.insert(edges_.end(), children.begin(), children.end());
    names.resize(children.size());
    for (auto& n : names) names_.push_back(std::move(n));
    schema_.push_back(node);
    uint32_t index = static_cast<uint32_t>(schema_.size() - 1);
    (*memo)[s] = index;
    return index;
  }

  static bool LittleEndianBits(Cursor& c, size_t n, uint64_t* bits) {
    std::string_view b;
    if (!c.ReadFixed(n, &b)) return false;
    uint64_t v = 0;
    for (size_t k = 0; k < n; ++k)
      v |= static_cast<uint64_t>(static_cast<uint8_t>(b[k])) << (8 * k);
    *bits = v;
    return true;
  }

  // Appends `n` value slots; false past the value limit.
  bool Grow(uint64_t n, uint32_t* base) {
    if (n > static_cast<uint64_t>(max_values_) ||
        values_.size() > static_cast<uint64_t>(max_values_) - n) {
      return false;
    }
    *base = static_cast<uint32_t>(values_.size());
    values_.resize(values_.size() + n);
    return true;
  }

  Outcome DecodeInto(Cursor& c, uint32_t slot, uint32_t schema) {
    const SchemaNode& sn = schema_[schema];
    Value v;
    v.type = sn.type;
    v.schema = schema;
    switch (sn.type) {
      case AVRO_NULL:
        break;
      case AVRO_BOOLEAN: {
        std::string_view b;
        if (!c.ReadFixed(1, &b)) return Outcome::kMalformed;
        v.i = b[0] != 0 ? 1 : 0;
        break;
      }
      case AVRO_INT32:
        if (!c.ReadLong(&v.i) || v.i < INT32_MIN || v.i > INT32_MAX) return Outcome::kMalformed;
        break;
      case AVRO_INT64:
        if (!c.ReadLong(&v.i)) return Outcome::kMalformed;
        break;
      case AVRO_FLOAT: {
        uint64_t bits = 0;
        if (!LittleEndianBits(c, 4, &bits)) return Outcome::kMalformed;
        float f = 0;
        uint32_t b32 = static_cast<uint32_t>(bits);
        std::memcpy(&f, &b32, 4);
        v.d = f;
        break;
      }
      case AVRO_DOUBLE: {
        uint64_t bits = 0;
        if (!LittleEndianBits(c, 8, &bits)) return Outcome::kMalformed;
        std::memcpy(&v.d, &bits, 8);
        break;
      }
      case AVRO_STRING:
      case AVRO_BYTES:
        if (!c.ReadBytes(&v.bytes)) return Outcome::kMalformed;
        break;
      case AVRO_FIXED:
        if (!c.ReadFixed(static_cast<size_t>(sn.size), &v.bytes)) return Outcome::kMalformed;
        break;
      case AVRO_ENUM:
        if (!c.ReadLong(&v.i) || v.i < 0 || v.i >= sn.size) return Outcome::kMalformed;
        break;
      case AVRO_UNION: {
        int64_t branch = 0;
        if (!c.ReadLong(&branch) || branch < 0 || branch >= sn.count) return Outcome::kMalformed;
        return DecodeInto(c, slot, edges_[sn.first + static_cast<uint32_t>(branch)]);
      }
      case AVRO_RECORD: {
        uint32_t base = 0;
        if (!Grow(sn.count, &base)) return Outcome::kTooLarge;
        for (uint32_t k = 0; k < sn.count; ++k) {
          Outcome o = DecodeInto(c, base + k, edges_[sn.first + k]);
          if (o != Outcome::kOk) return o;
        }
        v.first = base;
        v.count = sn.count;
        break;
      }
      case AVRO_ARRAY:
      case AVRO_MAP: {
        const bool map = sn.type == AVRO_MAP;
        const uint32_t items = edges_[sn.first];
        std::vector<std::pair<uint32_t, uint32_t>> blocks;  // (base, count)
        uint64_t total = 0;
        while (true) {
          int64_t count = 0;
          if (!c.ReadLong(&count)) return Outcome::kMalformed;
          if (count == 0) break;
          if (count < 0) {
            int64_t bytes = 0;
            if (count == INT64_MIN || !c.ReadLong(&bytes) || bytes < 0) return Outcome::kMalformed;
            count = -count;
          }
          // Items take at least a byte (checked on the schema).
          if (static_cast<uint64_t>(count) > c.remaining()) return Outcome::kMalformed;
          uint32_t base = 0;
          if (!Grow(static_cast<uint64_t>(count), &base)) return Outcome::kTooLarge;
          for (int64_t k = 0; k < count; ++k) {
            std::string_view key;
            if (map && !c.ReadBytes(&key)) return Outcome::kMalformed;
            const uint32_t at = base + static_cast<uint32_t>(k);
            Outcome o = DecodeInto(c, at, items);
            if (o != Outcome::kOk) return o;
            values_[at].key = key;
          }
          blocks.emplace_back(base, static_cast<uint32_t>(count));
          total += static_cast<uint64_t>(count);
        }
        if (blocks.size() == 1) {
          v.first = blocks[0].first;
        } else if (blocks.size() > 1) {
          // Items of later blocks follow their predecessors' children: copy
          // the item values together (their own children stay put).
          uint32_t base = 0;
          if (!Grow(total, &base)) return Outcome::kTooLarge;
          uint32_t at = base;
          for (auto [b, n] : blocks) {
            for (uint32_t k = 0; k < n; ++k) values_[at++] = values_[b + k];
          }
          v.first = base;
        }
        v.count = static_cast<uint32_t>(total);
        break;
      }
      default:
        return Outcome::kMalformed;
    }
    values_[slot] = v;
    return Outcome::kOk;
  }

  struct Hint {
    uint32_t schema = UINT32_MAX;
    const char* name = nullptr;
    uint32_t index = 0;
  };
  static constexpr size_t kHints = 64;

  int64_t max_values_;
  mutable std::array<Hint, kHints> hints_{};
  std::vector<SchemaNode> schema_;
  std::vector<uint32_t> edges_;
  std::vector<std::string> names_;  // parallel to edges_ (record fields only)
  uint32_t root_ = 0;
  std::vector<Value> values_;
};

// ------------------------------------------------------------------ AvroValue

avro_type_t AvroValue::type() const { return record_->value(node_).type; }

std::optional<AvroValue> AvroValue::Field(std::string_view name) const {
  const auto& v = record_->value(node_);
  if (v.type != AVRO_RECORD) return std::nullopt;
  int k = record_->FindField(v, name);
  if (k < 0) return std::nullopt;
  return AvroValue(record_, v.first + static_cast<uint32_t>(k));
}

Result<AvroValue> AvroValue::Required(std::string_view name) const {
  auto f = Field(name);
  if (!f || f->IsNull()) return Status::Corruption("missing field '" + std::string(name) + "'");
  return *f;
}

Result<int64_t> AvroValue::AsInt64() const {
  const auto& v = record_->value(node_);
  if (v.type != AVRO_INT32 && v.type != AVRO_INT64) {
    return Status::Corruption("expected an int or long");
  }
  return v.i;
}

Result<bool> AvroValue::AsBool() const {
  const auto& v = record_->value(node_);
  if (v.type != AVRO_BOOLEAN) return Status::Corruption("expected a boolean");
  return v.i != 0;
}

Result<double> AvroValue::AsDouble() const {
  const auto& v = record_->value(node_);
  if (v.type != AVRO_FLOAT && v.type != AVRO_DOUBLE) {
    return Status::Corruption("expected a float or double");
  }
  return v.d;
}

Result<std::string_view> AvroValue::AsBytes() const {
  const auto& v = record_->value(node_);
  if (v.type != AVRO_BYTES && v.type != AVRO_FIXED && v.type != AVRO_STRING) {
    return Status::Corruption("expected bytes");
  }
  return v.bytes;
}

Result<std::string_view> AvroValue::AsString() const {
  const auto& v = record_->value(node_);
  if (v.type != AVRO_STRING) return Status::Corruption("expected a string");
  return v.bytes;
}

Result<size_t> AvroValue::Size() const {
  const auto& v = record_->value(node_);
  if (v.type != AVRO_ARRAY && v.type != AVRO_MAP && v.type != AVRO_RECORD) {
    return Status::Corruption("expected an array, map or record");
  }
  return size_t{v.count};
}

Result<AvroValue> AvroValue::Element(size_t i) const {
  const auto& v = record_->value(node_);
  if ((v.type != AVRO_ARRAY && v.type != AVRO_MAP && v.type != AVRO_RECORD) || i >= v.count) {
    return Status::Corruption("element " + std::to_string(i) + " out of range");
  }
  return AvroValue(record_, v.first + static_cast<uint32_t>(i));
}

Result<std::pair<std::string, AvroValue>> AvroValue::MapEntry(size_t i) const {
  const auto& v = record_->value(node_);
  if (v.type != AVRO_MAP) return Status::Corruption("expected a map");
  if (i >= v.count) return Status::Corruption("map entry " + std::to_string(i) + " out of range");
  const uint32_t at = v.first + static_cast<uint32_t>(i);
  return std::make_pair(std::string(record_->value(at).key), AvroValue(record_, at));
}

Result<std::optional<int64_t>> AvroValue::OptionalInt64(std::string_view name) const {
  auto f = Field(name);
  if (!f || f->IsNull()) return std::optional<int64_t>();
  auto v = f->AsInt64();
  if (!v.ok()) return v.status().WithContext(std::string(name));
  return std::optional<int64_t>(*v);
}

Result<std::optional<std::string>> AvroValue::OptionalString(std::string_view name) const {
  auto f = Field(name);
  if (!f || f->IsNull()) return std::optional<std::string>();
  auto v = f->AsString();
  if (!v.ok()) return v.status().WithContext(std::string(name));
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
  decoded_ = std::make_unique<AvroDecodedRecord>(limits_.max_record_values);
  decoded_->Compile(schema_);
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
    Cursor rc(*payload, 0);
    for (int64_t i = 0; i < count; ++i) {
      switch (decoded_->Decode(rc)) {
        case AvroDecodedRecord::Outcome::kOk:
          break;
        case AvroDecodedRecord::Outcome::kTooLarge:
          return Status::TooLarge(what_ + ": record " + std::to_string(i) + " of Avro block " +
                                  std::to_string(block) + " has more than " +
                                  std::to_string(limits_.max_record_values) + " values");
        case AvroDecodedRecord::Outcome::kMalformed:
          return Status::Corruption(what_ + ": record " + std::to_string(i) + " of Avro block " +
                                    std::to_string(block) + " is malformed");
      }
      Status st = fn(AvroValue(decoded_.get(), 0));
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
