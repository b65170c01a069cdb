#include "iceberg/equality_deletes.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <map>
#include <mutex>
#include <optional>

#include "common/crypto.h"
#include "common/encoding.h"
#include "common/strings.h"
#include "common/thread_pool.h"
#include "iceberg/avro_file.h"
#include "parquet/parquet_reader.h"
#include "parquet/record_view.h"
#include "table/deletion_vector_bytes.h"

namespace lakeshare::iceberg {

namespace equality_key {

void AppendNull(std::string* key) { key->push_back('\0'); }

void AppendInt(std::string* key, int64_t v) {
  char b[9] = {'\1'};
  auto u = static_cast<uint64_t>(v);
  for (int i = 0; i < 8; ++i) b[1 + i] = static_cast<char>(u >> (8 * i));
  key->append(b, sizeof b);
}

void AppendDouble(std::string* key, double v) {
  // Bits, so -0.0 != 0.0; every NaN as the one canonical NaN.
  uint64_t bits = 0x7ff8000000000000ULL;
  if (!std::isnan(v)) std::memcpy(&bits, &v, sizeof bits);
  AppendInt(key, static_cast<int64_t>(bits));
}

void AppendBytes(std::string* key, std::string_view v) {
  AppendInt(key, static_cast<int64_t>(v.size()));
  key->append(v);
}

void AppendBool(std::string* key, bool v) {
  key->push_back('\1');
  key->push_back(v ? '\1' : '\0');
}

void AppendDecimal(std::string* key, __int128 unscaled) {
  AppendInt(key, static_cast<int64_t>(static_cast<unsigned __int128>(unscaled) >> 64));
  AppendInt(key, static_cast<int64_t>(static_cast<uint64_t>(unscaled)));
}

}  // namespace equality_key

namespace {

namespace ek = equality_key;

std::string Basename(const std::string& p) {
  size_t slash = p.find_last_of('/');
  return slash == std::string::npos ? p : p.substr(slash + 1);
}

// A key column: its field id, its Iceberg type (nullptr when no schema of
// the table has the field any more) and its names (for files without ids).
struct KeyField {
  int32_t id = 0;
  const Type* type = nullptr;
  std::vector<std::string> names;
};

bool FindField(const std::vector<NestedField>& fields, int32_t id, std::vector<std::string>* names,
               const Type** type) {
  for (const NestedField& f : fields) {
    names->push_back(f.name);
    if (f.id == id) {
      *type = f.type.get();
      return true;
    }
    if (f.type && f.type->id == TypeId::kStruct && FindField(f.type->fields, id, names, type)) {
      return true;
    }
    names->pop_back();
  }
  return false;
}

KeyField KeyFieldOf(const FileContext& ctx, int32_t id) {
  KeyField k;
  k.id = id;
  std::vector<const Schema*> schemas = {ctx.schema};
  for (auto it = ctx.meta->schemas.rbegin(); it != ctx.meta->schemas.rend(); ++it) {
    schemas.push_back(&*it);
  }
  for (const Schema* s : schemas) {
    if (s == nullptr) continue;
    k.names.clear();
    if (FindField(s->fields, id, &k.names, &k.type)) return k;
  }
  k.names.clear();
  return k;
}

// The non-repeated leaf of `field` in a parquet file: by field id, else
// (a file written without ids) by name; nullptr when the file lacks it.
const parquet::SchemaNode* LeafOf(const parquet::ParquetReader& reader, const KeyField& field,
                                  const std::string& what, Status* error) {
  const parquet::Schema& schema = reader.schema();
  const auto& elements = reader.metadata().schema;
  bool any_id = false;
  for (int i = 1; i < schema.num_nodes(); ++i) {
    const parquet::SchemaNode& n = schema.node(i);
    const auto index = static_cast<size_t>(n.index);
    if (index >= elements.size() || !elements[index].field_id) continue;
    any_id = true;
    if (*elements[index].field_id != field.id) continue;
    if (!n.is_leaf || n.max_rep > 0) {
      *error = Status::Corruption(what + ": equality key field " + std::to_string(field.id) +
                                  " is not a primitive column outside lists and maps");
      return nullptr;
    }
    return &n;
  }
  if (any_id || field.names.empty()) return nullptr;
  const parquet::SchemaNode* n = schema.FindPath(field.names);
  return n != nullptr && n->is_leaf && n->max_rep == 0 ? n : nullptr;
}

int64_t ScaleToNanos(const parquet::RecordNode& leaf, int64_t row) {
  const parquet::SchemaNode& n = leaf.schema_node();
  if (n.physical_type == parquet::Type::kInt96) return parquet::Int96ToNanos(leaf.Int96At(row));
  const int64_t v = leaf.Int64(row);
  switch (n.logical.unit) {
    case parquet::TimeUnit::kMillis:
      return v * 1'000'000;
    case parquet::TimeUnit::kMicros:
      return v * 1'000;
    default:
      return v;
  }
}

int64_t TimeMicros(const parquet::RecordNode& leaf, int64_t row) {
  const parquet::SchemaNode& n = leaf.schema_node();
  const int64_t v = leaf.Int64(row);
  if (n.logical.kind != parquet::LogicalInfo::Kind::kTime) return v;
  switch (n.logical.unit) {
    case parquet::TimeUnit::kMillis:
      return v * 1'000;
    case parquet::TimeUnit::kNanos:
      return v / 1'000;
    default:
      return v;
  }
}

// Appends the value of `leaf` (nullptr: a column the file lacks) at `row`.
Status AppendValue(const parquet::RecordNode* leaf, int64_t row, const Type* type,
                   std::string* key) {
  if (leaf == nullptr || !leaf->IsValid(row)) {
    ek::AppendNull(key);
    return Status::OK();
  }
  const parquet::Type physical = leaf->schema_node().physical_type;
  const TypeId id = type != nullptr ? type->id : TypeId::kUnknown;
  switch (id) {
    case TypeId::kBoolean:
      ek::AppendBool(key, leaf->Bool(row));
      return Status::OK();
    case TypeId::kInt:
    case TypeId::kLong:
    case TypeId::kDate:
      ek::AppendInt(key, leaf->Int64(row));
      return Status::OK();
    case TypeId::kTime:
      ek::AppendInt(key, TimeMicros(*leaf, row));
      return Status::OK();
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
      ek::AppendInt(key, leaf->TimestampMicros(row));
      return Status::OK();
    case TypeId::kTimestampNs:
    case TypeId::kTimestampTzNs:
      ek::AppendInt(key, ScaleToNanos(*leaf, row));
      return Status::OK();
    case TypeId::kFloat:
    case TypeId::kDouble:
      ek::AppendDouble(key, leaf->Double(row));
      return Status::OK();
    case TypeId::kDecimal: {
      std::optional<__int128> v = leaf->DecimalUnscaled(row);
      if (!v) return Status::Corruption("a decimal key value longer than 16 bytes");
      ek::AppendDecimal(key, *v);
      return Status::OK();
    }
    case TypeId::kString:
    case TypeId::kUuid:
    case TypeId::kFixed:
    case TypeId::kBinary:
      ek::AppendBytes(key, leaf->String(row));
      return Status::OK();
    case TypeId::kUnknown:
      break;  // a dropped field: by the physical type below
    default:
      return Status::Corruption("an equality key column of type " + TypeName(*type));
  }
  switch (physical) {
    case parquet::Type::kBoolean:
      ek::AppendBool(key, leaf->Bool(row));
      break;
    case parquet::Type::kInt32:
    case parquet::Type::kInt64:
      ek::AppendInt(key, leaf->Int64(row));
      break;
    case parquet::Type::kInt96:
      ek::AppendInt(key, ScaleToNanos(*leaf, row));
      break;
    case parquet::Type::kFloat:
    case parquet::Type::kDouble:
      ek::AppendDouble(key, leaf->Double(row));
      break;
    default:
      ek::AppendBytes(key, leaf->String(row));
  }
  return Status::OK();
}

// The bounds of one resolution: compressed key-column bytes left to read,
// and the time it must end by.
struct ScanBudget {
  std::atomic<int64_t> bytes{0};
  int64_t max_bytes = 0;
  std::chrono::steady_clock::time_point deadline;
  int64_t max_ms = 0;

  Status CheckTime() const {
    if (std::chrono::steady_clock::now() <= deadline) return Status::OK();
    return Status::TooLarge("resolving the snapshot's equality deletes takes longer than " +
                            std::to_string(max_ms) + " ms");
  }
};

// Rows between two looks at the clock.
constexpr int64_t kRowsPerTimeCheck = 16384;

// Calls fn(row, key, ends) for every row of the parquet file at `path` with
// the key of `fields` (column i's bytes end at ends[i]); `budget` bounds the
// compressed bytes of key columns read and the time taken.
using KeyFn = std::function<Status(int64_t, const std::string&, const std::vector<size_t>&)>;
Status ForEachKey(Storage& storage, const std::string& path, const std::vector<KeyField>& fields,
                  bool require_all, ScanBudget* budget, const KeyFn& fn) {
  LS_RETURN_IF_ERROR(budget->CheckTime());
  const std::string what = "'" + Basename(path) + "'";
  LS_ASSIGN_OR_RETURN(auto file, storage.OpenRandomAccess(path, std::nullopt));
  auto reader =
      parquet::ParquetReader::Open(std::shared_ptr<const RandomAccessFile>(std::move(file)));
  if (!reader.ok()) return reader.status().WithContext(what);
  std::vector<const parquet::SchemaNode*> nodes;
  std::vector<int> leaves;
  for (const KeyField& f : fields) {
    Status error;
    const parquet::SchemaNode* n = LeafOf(*reader, f, what, &error);
    LS_RETURN_IF_ERROR(error);
    if (n == nullptr && require_all) {
      return Status::Corruption("equality delete file " + what + " has no column with field id " +
                                std::to_string(f.id));
    }
    nodes.push_back(n);
    if (n != nullptr) leaves.push_back(n->leaf_index);
  }
  std::sort(leaves.begin(), leaves.end());
  leaves.erase(std::unique(leaves.begin(), leaves.end()), leaves.end());
  std::vector<std::vector<std::string>> paths;
  for (const parquet::SchemaNode* n : nodes) {
    paths.push_back(n ? reader->schema().PathOf(*n) : std::vector<std::string>{});
  }
  int64_t row_base = 0;
  std::string key;
  std::vector<size_t> ends(fields.size());
  std::vector<const parquet::RecordNode*> columns(fields.size());
  for (int rg = 0; rg < reader->num_row_groups(); ++rg) {
    int64_t bytes = 0;
    const auto& chunks = reader->metadata().row_groups[static_cast<size_t>(rg)].columns;
    for (int leaf : leaves) {
      const auto& chunk = chunks[static_cast<size_t>(leaf)];
      if (chunk.meta_data) bytes += std::max<int64_t>(0, chunk.meta_data->total_compressed_size);
    }
    if (budget->bytes.fetch_sub(bytes) < bytes) {
      return Status::TooLarge("resolving the snapshot's equality deletes would read more than " +
                              std::to_string(budget->max_bytes) + " bytes of key columns");
    }
    LS_RETURN_IF_ERROR(budget->CheckTime());
    const int64_t rows = reader->row_group_rows(rg);
    if (leaves.empty()) {
      // No key column in this file: every row's key is all nulls.
      key.clear();
      for (size_t i = 0; i < fields.size(); ++i) {
        ek::AppendNull(&key);
        ends[i] = key.size();
      }
      for (int64_t r = 0; r < rows; ++r) {
        if (r % kRowsPerTimeCheck == kRowsPerTimeCheck - 1) LS_RETURN_IF_ERROR(budget->CheckTime());
        LS_RETURN_IF_ERROR(fn(row_base + r, key, ends));
      }
      row_base += rows;
      continue;
    }
    auto batch = reader->ReadRowGroup(rg, leaves);
    if (!batch.ok()) return batch.status().WithContext(what);
    auto tree = parquet::RecordTree::Make(std::move(*batch));
    if (!tree.ok()) return tree.status().WithContext(what);
    for (size_t i = 0; i < fields.size(); ++i) {
      const parquet::RecordNode* node = nodes[i] ? &tree->root() : nullptr;
      for (size_t k = 0; node != nullptr && k < paths[i].size(); ++k) {
        node = node->Child(paths[i][k]);
      }
      if (nodes[i] != nullptr && node == nullptr) return Status::Internal("key column not read");
      columns[i] = node;
    }
    for (int64_t r = 0; r < tree->num_rows(); ++r) {
      if (r % kRowsPerTimeCheck == kRowsPerTimeCheck - 1) LS_RETURN_IF_ERROR(budget->CheckTime());
      key.clear();
      for (size_t i = 0; i < fields.size(); ++i) {
        Status st = AppendValue(columns[i], r, fields[i].type, &key);
        if (!st.ok()) return st.WithContext(what);
        ends[i] = key.size();
      }
      LS_RETURN_IF_ERROR(fn(row_base + r, key, ends));
    }
    row_base += tree->num_rows();
  }
  return Status::OK();
}

// Avro equality delete files: read whole (Avro has no footer to seek by),
// at most this size, as Avro position delete files are.
constexpr int64_t kMaxAvroDeleteFileBytes = int64_t{256} << 20;

// Field id -> names path of every record field of an Avro schema (JSON),
// through records and unions of records; `any_id` tells whether the writer
// recorded field ids at all.
void CollectAvroFieldIds(const boost::json::value& schema, std::vector<std::string>* path,
                         std::map<int32_t, std::vector<std::string>>* out, int depth) {
  if (depth > 32) return;
  if (schema.is_array()) {
    for (const boost::json::value& branch : schema.as_array()) {
      CollectAvroFieldIds(branch, path, out, depth + 1);
    }
    return;
  }
  if (!schema.is_object()) return;
  const boost::json::object& o = schema.as_object();
  const boost::json::value* fields = o.if_contains("fields");
  if (fields == nullptr || !fields->is_array()) return;
  for (const boost::json::value& f : fields->as_array()) {
    if (!f.is_object()) continue;
    const boost::json::value* name = f.as_object().if_contains("name");
    if (name == nullptr || !name->is_string()) continue;
    path->emplace_back(name->as_string());
    const boost::json::value* id = f.as_object().if_contains("field-id");
    if (id != nullptr && id->is_int64()) out->emplace(static_cast<int32_t>(id->as_int64()), *path);
    if (const boost::json::value* type = f.as_object().if_contains("type")) {
      CollectAvroFieldIds(*type, path, out, depth + 1);
    }
    path->pop_back();
  }
}

// Appends the Avro value `v` of an equality key column of `type` (nullptr:
// a field no schema has any more) in the form AppendValue gives parquet's.
Status AppendAvroValue(const AvroValue& v, const Type* type, std::string* key) {
  if (v.IsNull()) {
    ek::AppendNull(key);
    return Status::OK();
  }
  const TypeId id = type != nullptr ? type->id : TypeId::kUnknown;
  switch (id) {
    case TypeId::kBoolean: {
      LS_ASSIGN_OR_RETURN(bool b, v.AsBool());
      ek::AppendBool(key, b);
      return Status::OK();
    }
    case TypeId::kInt:
    case TypeId::kLong:
    case TypeId::kDate:
    case TypeId::kTime:  // time-micros
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:  // timestamp-micros
    case TypeId::kTimestampNs:
    case TypeId::kTimestampTzNs: {  // timestamp-nanos
      LS_ASSIGN_OR_RETURN(int64_t i, v.AsInt64());
      ek::AppendInt(key, i);
      return Status::OK();
    }
    case TypeId::kFloat:
    case TypeId::kDouble: {
      LS_ASSIGN_OR_RETURN(double d, v.AsDouble());
      ek::AppendDouble(key, d);
      return Status::OK();
    }
    case TypeId::kDecimal: {
      // Big-endian two's-complement unscaled value (fixed or bytes).
      LS_ASSIGN_OR_RETURN(std::string_view b, v.AsBytes());
      if (b.empty() || b.size() > 16) {
        return Status::Corruption("a decimal key value of " + std::to_string(b.size()) + " bytes");
      }
      unsigned __int128 u =
          static_cast<signed char>(b[0]) < 0 ? ~static_cast<unsigned __int128>(0) : 0;
      for (char c : b) u = (u << 8) | static_cast<unsigned char>(c);
      ek::AppendDecimal(key, static_cast<__int128>(u));
      return Status::OK();
    }
    case TypeId::kString:
    case TypeId::kUuid:
    case TypeId::kFixed:
    case TypeId::kBinary: {
      LS_ASSIGN_OR_RETURN(std::string_view b, v.AsBytes());
      ek::AppendBytes(key, b);
      return Status::OK();
    }
    case TypeId::kUnknown:
      break;  // a dropped field: by the Avro type below
    default:
      return Status::Corruption("an equality key column of type " + TypeName(*type));
  }
  switch (v.type()) {
    case AVRO_BOOLEAN: {
      LS_ASSIGN_OR_RETURN(bool b, v.AsBool());
      ek::AppendBool(key, b);
      return Status::OK();
    }
    case AVRO_INT32:
    case AVRO_INT64: {
      LS_ASSIGN_OR_RETURN(int64_t i, v.AsInt64());
      ek::AppendInt(key, i);
      return Status::OK();
    }
    case AVRO_FLOAT:
    case AVRO_DOUBLE: {
      LS_ASSIGN_OR_RETURN(double d, v.AsDouble());
      ek::AppendDouble(key, d);
      return Status::OK();
    }
    default: {
      LS_ASSIGN_OR_RETURN(std::string_view b, v.AsBytes());
      ek::AppendBytes(key, b);
      return Status::OK();
    }
  }
}

// ForEachKey for an equality delete file in Avro: key columns by the Avro
// schema's field ids (by name for a writer that recorded none); every key
// column must be there. The whole file counts against the scan bytes.
Status ForEachAvroKey(Storage& storage, const std::string& path,
                      const std::vector<KeyField>& fields, ScanBudget* budget, const KeyFn& fn) {
  LS_RETURN_IF_ERROR(budget->CheckTime());
  const std::string what = "equality delete file '" + Basename(path) + "'";
  LS_ASSIGN_OR_RETURN(FileInfo info, storage.Head(path));
  if (info.size > kMaxAvroDeleteFileBytes) {
    return Status::TooLarge(what + " is larger than " + std::to_string(kMaxAvroDeleteFileBytes) +
                            " bytes");
  }
  if (budget->bytes.fetch_sub(info.size) < info.size) {
    return Status::TooLarge("resolving the snapshot's equality deletes would read more than " +
                            std::to_string(budget->max_bytes) + " bytes of key columns");
  }
  LS_ASSIGN_OR_RETURN(std::string bytes, storage.Read(path));
  auto reader = AvroFileReader::Open(std::move(bytes), what);
  if (!reader.ok()) return reader.status();
  std::map<int32_t, std::vector<std::string>> by_id;
  if (auto schema = (*reader)->Meta("avro.schema")) {
    boost::system::error_code ec;
    boost::json::value json = boost::json::parse(*schema, ec);
    std::vector<std::string> names;
    if (!ec) CollectAvroFieldIds(json, &names, &by_id, 0);
  }
  std::vector<std::vector<std::string>> paths;
  for (const KeyField& f : fields) {
    auto it = by_id.find(f.id);
    if (it != by_id.end()) {
      paths.push_back(it->second);
    } else if (by_id.empty() && !f.names.empty()) {
      paths.push_back(f.names);
    } else {
      return Status::Corruption(what + " has no column with field id " + std::to_string(f.id));
    }
  }
  std::string key;
  std::vector<size_t> ends(fields.size());
  int64_t row = 0;
  return (*reader)->ForEach([&](const AvroValue& record) -> Status {
    if (row % kRowsPerTimeCheck == kRowsPerTimeCheck - 1) LS_RETURN_IF_ERROR(budget->CheckTime());
    key.clear();
    for (size_t i = 0; i < fields.size(); ++i) {
      std::optional<AvroValue> v = record;
      for (size_t k = 0; k < paths[i].size() && v && !v->IsNull(); ++k) {
        v = v->Field(paths[i][k]);
        if (!v && k == 0) {
          return Status::Corruption(what + " has no column '" + paths[i][k] + "'");
        }
      }
      if (!v || v->IsNull()) {
        ek::AppendNull(&key);  // a null value or a null enclosing struct
      } else {
        Status st = AppendAvroValue(*v, fields[i].type, &key);
        if (!st.ok()) return st.WithContext(what);
      }
      ends[i] = key.size();
    }
    return fn(row++, key, ends);
  });
}

// The equality delete files sharing key columns and scope.
struct Group {
  std::vector<int32_t> ids;  // sorted
  std::vector<KeyField> fields;
  bool global = false;
  std::string partition;
  std::vector<const DeleteFileRef*> files;
  int64_t max_sequence = 0;
  std::unordered_map<std::string, int64_t> keys;  // key -> highest sequence deleting it
};

struct Work {
  std::string path;
  std::vector<size_t> groups;  // that apply
  int64_t sequence = 0;
  std::string cache_key;
  std::vector<uint64_t> positions;
};

constexpr int64_t kEntryOverhead = 64;  // per hash-set entry, estimated

}  // namespace

Result<PositionsByFile> ResolveEqualityDeletes(
    Storage& storage, const FileContext& ctx,
    const std::vector<std::shared_ptr<const ConvertedManifest>>& data,
    const std::vector<const DeleteFileRef*>& deletes, const EqualityDeleteOptions& options,
    EqualityDeleteStats* stats) {
  EqualityDeleteStats local;
  if (stats == nullptr) stats = &local;
  PositionsByFile out;
  std::vector<Group> groups;
  std::map<std::pair<std::vector<int32_t>, std::string>, size_t> group_of;
  for (const DeleteFileRef* d : deletes) {
    const std::string what = "equality delete file '" + Basename(d->path) + "'";
    if (!EqualsIgnoreCase(d->file_format, "parquet") && !EqualsIgnoreCase(d->file_format, "avro")) {
      return Status::Unsupported(what + " is in " + d->file_format +
                                 " format; only parquet and Avro equality delete files are read");
    }
    if (d->equality_ids.empty()) return Status::Corruption(what + " has no equality_ids");
    std::vector<int32_t> ids = d->equality_ids;
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    const std::string scope = d->unpartitioned ? std::string() : "p" + d->partition;
    auto [it, fresh] = group_of.try_emplace({ids, scope}, groups.size());
    if (fresh) {
      Group g;
      g.ids = ids;
      for (int32_t id : ids) g.fields.push_back(KeyFieldOf(ctx, id));
      g.global = d->unpartitioned;
      g.partition = d->partition;
      groups.push_back(std::move(g));
    }
    Group& g = groups[it->second];
    g.files.push_back(d);
    g.max_sequence = std::max(g.max_sequence, d->data_sequence);
  }

  // The data files some group applies to, and their cache keys.
  std::vector<Work> work;
  for (const auto& cm : data) {
    for (size_t i = 0; i < cm->files; ++i) {
      const int64_t sequence = cm->data_sequence[i];
      const std::string& partition = cm->partitions[cm->partition_of[i]];
      Work w;
      for (size_t g = 0; g < groups.size(); ++g) {
        if (groups[g].max_sequence <= sequence) continue;
        if (!groups[g].global && groups[g].partition != partition) continue;
        w.groups.push_back(g);
      }
      if (w.groups.empty()) continue;
      const DataFile& f = cm->file(i);
      w.path = f.path;
      w.sequence = sequence;
      std::vector<std::string> applied;
      for (size_t g : w.groups) {
        for (const DeleteFileRef* d : groups[g].files) {
          if (d->data_sequence <= sequence) continue;
          std::string ids;
          for (int32_t id : groups[g].ids) ids += std::to_string(id) + ",";
          applied.push_back(d->path + "|" + std::to_string(d->file_size) + "|" + ids);
        }
      }
      std::sort(applied.begin(), applied.end());
      std::string material =
          "iceberg-equality-deletes-v1\n" + f.path.str() + "|" + std::to_string(f.size) + "\n";
      for (const std::string& a : applied) material += a + "\n";
      w.cache_key = HexEncode(Sha256(material));
      work.push_back(std::move(w));
    }
  }
  if (work.empty()) return out;

  // Positions already in the cache.
  std::vector<bool> needed(groups.size(), false);
  std::vector<Work*> scan;
  for (Work& w : work) {
    if (options.cache != nullptr && options.cache->Find(w.cache_key, ".eqd")) {
      auto bytes = options.cache->Read(w.cache_key, ".eqd");
      if (bytes.ok()) {
        if (auto positions = ParseRoaringBitmapArray(*bytes)) {
          w.positions = std::move(*positions);
          ++stats->data_files_cached;
          continue;
        }
      }
    }
    for (size_t g : w.groups) needed[g] = true;
    scan.push_back(&w);
  }

  // The keys of the delete files of the groups still needed.
  std::atomic<int64_t> key_budget{options.max_key_bytes};
  struct Load {
    size_t group;
    const DeleteFileRef* file;
  };
  std::vector<Load> loads;
  for (size_t g = 0; g < groups.size(); ++g) {
    if (!needed[g]) continue;
    for (const DeleteFileRef* d : groups[g].files) loads.push_back({g, d});
  }
  std::vector<std::mutex> locks(groups.size());
  ScanBudget budget;
  budget.bytes = options.max_scan_bytes;
  budget.max_bytes = options.max_scan_bytes;
  budget.max_ms = options.max_scan_ms;
  budget.deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(options.max_scan_ms);
  std::atomic<int64_t> delete_rows{0};
  auto too_many_keys = [&] {
    return Status::TooLarge("the snapshot's equality delete keys need more than " +
                            std::to_string(options.max_key_bytes) + " bytes of memory");
  };
  LS_RETURN_IF_ERROR(ParallelFor(loads.size(), options.max_parallel_reads, [&](size_t i) {
    Group& g = groups[loads[i].group];
    const int64_t seq = loads[i].file->data_sequence;
    std::vector<std::string> keys;
    const KeyFn collect = [&](int64_t, const std::string& key,
                              const std::vector<size_t>&) -> Status {
      const auto cost = static_cast<int64_t>(key.size()) + kEntryOverhead;
      if (key_budget.fetch_sub(cost) < cost) return too_many_keys();
      keys.push_back(key);
      return Status::OK();
    };
    LS_RETURN_IF_ERROR(
        EqualsIgnoreCase(loads[i].file->file_format, "avro")
            ? ForEachAvroKey(storage, loads[i].file->path, g.fields, &budget, collect)
            : ForEachKey(storage, loads[i].file->path, g.fields, true, &budget, collect));
    delete_rows += static_cast<int64_t>(keys.size());
    std::lock_guard<std::mutex> lock(locks[loads[i].group]);
    for (std::string& k : keys) {
      auto [it, fresh] = g.keys.try_emplace(std::move(k), seq);
      if (!fresh) it->second = std::max(it->second, seq);
    }
    return Status::OK();
  }));
  stats->delete_rows = delete_rows.load();

  // The key columns of the affected data files.
  LS_RETURN_IF_ERROR(ParallelFor(scan.size(), options.max_parallel_reads, [&](size_t i) {
    Work& w = *scan[i];
    std::vector<KeyField> fields;
    struct Slice {
      size_t group;
      std::vector<size_t> columns;  // into `fields`
    };
    std::vector<Slice> slices;
    for (size_t g : w.groups) {
      Slice s{g, {}};
      for (const KeyField& f : groups[g].fields) {
        size_t c = 0;
        while (c < fields.size() && fields[c].id != f.id) ++c;
        if (c == fields.size()) fields.push_back(f);
        s.columns.push_back(c);
      }
      slices.push_back(std::move(s));
    }
    std::string group_key;
    LS_RETURN_IF_ERROR(ForEachKey(
        storage, w.path, fields, false, &budget,
        [&](int64_t row, const std::string& key, const std::vector<size_t>& ends) -> Status {
          for (const Slice& s : slices) {
            group_key.clear();
            for (size_t c : s.columns) {
              const size_t begin = c == 0 ? 0 : ends[c - 1];
              group_key.append(key, begin, ends[c] - begin);
            }
            const auto& keys = groups[s.group].keys;
            auto it = keys.find(group_key);
            if (it != keys.end() && it->second > w.sequence) {
              w.positions.push_back(static_cast<uint64_t>(row));
              break;
            }
          }
          return Status::OK();
        }));
    if (options.cache != nullptr) {
      LS_RETURN_IF_ERROR(
          options.cache->Put(w.cache_key, ".eqd", SerializeRoaringBitmapArray(w.positions)));
    }
    return Status::OK();
  }));
  stats->data_files_scanned = static_cast<int64_t>(scan.size());
  for (Work& w : work) {
    if (!w.positions.empty()) out.emplace(std::move(w.path), std::move(w.positions));
  }
  return out;
}

}  // namespace lakeshare::iceberg
