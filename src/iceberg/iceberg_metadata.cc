#include "iceberg/iceberg_metadata.h"

#include <zlib.h>

#include <algorithm>
#include <set>

namespace lakeshare::iceberg {
namespace {

namespace json = boost::json;

std::optional<int64_t> GetInt(const json::object& o, const char* key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return std::nullopt;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64() && v->as_uint64() <= static_cast<uint64_t>(INT64_MAX)) {
    return static_cast<int64_t>(v->as_uint64());
  }
  return std::nullopt;
}

// Snapshot ids are Java longs; some writers print ids above INT64_MAX, which
// are taken as the same 64 bits (the way they appear in Avro manifests).
std::optional<int64_t> GetId(const json::object& o, const char* key) {
  const json::value* v = o.if_contains(key);
  if (v != nullptr && v->is_uint64()) return static_cast<int64_t>(v->as_uint64());
  return GetInt(o, key);
}

std::optional<std::string> GetString(const json::object& o, const char* key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return std::string(v->as_string());
}

Result<int32_t> GetInt32(const json::object& o, const char* key, const char* what) {
  auto v = GetInt(o, key);
  if (!v || *v < INT32_MIN || *v > INT32_MAX) {
    return Status::Corruption(std::string(what) + " has no valid '" + key + "'");
  }
  return static_cast<int32_t>(*v);
}

Result<std::vector<PartitionField>> ParseSpecFields(const json::value& fields, bool v1) {
  if (!fields.is_array()) return Status::Corruption("partition spec fields are not a list");
  std::vector<PartitionField> out;
  int32_t next_id = 1000;
  for (const json::value& f : fields.as_array()) {
    if (!f.is_object()) return Status::Corruption("a partition field is not an object");
    const json::object& o = f.as_object();
    PartitionField pf;
    LS_ASSIGN_OR_RETURN(pf.source_id, GetInt32(o, "source-id", "a partition field"));
    if (auto id = GetInt(o, "field-id"); id && *id >= INT32_MIN && *id <= INT32_MAX) {
      pf.field_id = static_cast<int32_t>(*id);
    } else if (v1) {
      pf.field_id = next_id;
    } else {
      return Status::Corruption("a partition field has no field-id");
    }
    next_id = std::max(next_id, pf.field_id) + 1;
    auto name = GetString(o, "name");
    auto transform = GetString(o, "transform");
    if (!name || !transform) return Status::Corruption("a partition field has no name/transform");
    pf.name = *name;
    pf.transform = *transform;
    out.push_back(std::move(pf));
  }
  return out;
}

Result<SnapshotInfo> ParseSnapshot(const json::value& v) {
  if (!v.is_object()) return Status::Corruption("a snapshot is not an object");
  const json::object& o = v.as_object();
  SnapshotInfo s;
  auto id = GetId(o, "snapshot-id");
  auto ts = GetInt(o, "timestamp-ms");
  if (!id || !ts) return Status::Corruption("a snapshot has no snapshot-id or timestamp-ms");
  s.snapshot_id = *id;
  s.timestamp_ms = *ts;
  s.parent_id = GetId(o, "parent-snapshot-id");
  s.sequence_number = GetInt(o, "sequence-number").value_or(0);
  if (s.sequence_number < 0) return Status::Corruption("a snapshot has a negative sequence number");
  s.manifest_list = GetString(o, "manifest-list");
  if (const json::value* m = o.if_contains("manifests"); m != nullptr && m->is_array()) {
    for (const json::value& p : m->as_array()) {
      if (!p.is_string()) return Status::Corruption("a snapshot manifest path is not a string");
      s.manifests.emplace_back(p.as_string());
    }
  }
  if (!s.manifest_list && o.if_contains("manifests") == nullptr) {
    return Status::Corruption("snapshot " + std::to_string(s.snapshot_id) +
                              " has neither manifest-list nor manifests");
  }
  if (auto sid = GetInt(o, "schema-id"); sid && *sid >= INT32_MIN && *sid <= INT32_MAX) {
    s.schema_id = static_cast<int32_t>(*sid);
  }
  s.first_row_id = GetInt(o, "first-row-id");
  if (const json::value* sum = o.if_contains("summary"); sum != nullptr && sum->is_object()) {
    for (const auto& [k, val] : sum->as_object()) {
      if (val.is_string()) s.summary[std::string(k)] = std::string(val.as_string());
    }
    auto op = s.summary.find("operation");
    if (op != s.summary.end()) s.operation = op->second;
  }
  return s;
}

}  // namespace

bool IsGzip(std::string_view data) {
  return data.size() >= 2 && static_cast<unsigned char>(data[0]) == 0x1f &&
         static_cast<unsigned char>(data[1]) == 0x8b;
}

Result<std::string> Gunzip(std::string_view in, int64_t max_bytes) {
  z_stream z{};
  if (inflateInit2(&z, 15 + 32) != Z_OK) return Status::Internal("inflateInit2 failed");
  std::string out;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    if (static_cast<int64_t>(out.size()) >= max_bytes) {
      inflateEnd(&z);
      return Status::TooLarge("gzip data inflates past " + std::to_string(max_bytes) + " bytes");
    }
    size_t old = out.size();
    size_t grow = std::min<size_t>(std::max<size_t>(old, 64 << 10), max_bytes - old);
    out.resize(old + grow);
    z.next_out = reinterpret_cast<Bytef*>(out.data() + old);
    z.avail_out = static_cast<uInt>(grow);
    rc = inflate(&z, Z_NO_FLUSH);
    out.resize(old + grow - z.avail_out);
    if (rc == Z_STREAM_END) break;
    if ((rc != Z_OK && rc != Z_BUF_ERROR) || (z.avail_in == 0 && z.avail_out != 0)) {
      inflateEnd(&z);
      return Status::Corruption("invalid or truncated gzip data");
    }
  }
  inflateEnd(&z);
  return out;
}

const Schema* IcebergMetadata::SchemaById(int32_t id) const {
  for (const Schema& s : schemas) {
    if (s.schema_id == id) return &s;
  }
  return nullptr;
}

const PartitionSpec* IcebergMetadata::SpecById(int32_t id) const {
  for (const PartitionSpec& s : specs) {
    if (s.spec_id == id) return &s;
  }
  return nullptr;
}

const SnapshotInfo* IcebergMetadata::SnapshotById(int64_t id) const {
  for (const SnapshotInfo& s : snapshots) {
    if (s.snapshot_id == id) return &s;
  }
  return nullptr;
}

Result<IcebergMetadata> ParseMetadata(std::string_view bytes, const MetadataLimits& limits) {
  std::string inflated;
  if (IsGzip(bytes)) {
    LS_ASSIGN_OR_RETURN(inflated, Gunzip(bytes, limits.max_inflated_bytes));
    bytes = inflated;
  }
  json::parse_options opts;
  opts.max_depth = 256;
  json::error_code ec;
  json::value root = json::parse(bytes, ec, {}, opts);
  if (ec) return Status::Corruption("table metadata is not valid JSON: " + ec.message());
  if (!root.is_object()) return Status::Corruption("table metadata is not a JSON object");
  const json::object& o = root.as_object();

  IcebergMetadata m;
  auto fv = GetInt(o, "format-version");
  if (!fv) return Status::Corruption("table metadata has no format-version");
  if (*fv < 1 || *fv > 3) {
    return Status::Unsupported("Iceberg format version " + std::to_string(*fv) +
                               " is not supported (1 to 3 are)");
  }
  m.format_version = static_cast<int>(*fv);
  bool v1 = m.format_version == 1;
  m.table_uuid = GetString(o, "table-uuid").value_or("");
  if (m.table_uuid.empty() && !v1) return Status::Corruption("table metadata has no table-uuid");
  auto location = GetString(o, "location");
  if (!location) return Status::Corruption("table metadata has no location");
  m.location = *location;
  m.last_sequence_number = GetInt(o, "last-sequence-number").value_or(0);
  m.last_updated_ms = GetInt(o, "last-updated-ms").value_or(0);
  m.next_row_id = GetInt(o, "next-row-id");

  // Schemas.
  if (const json::value* schemas = o.if_contains("schemas"); schemas != nullptr) {
    if (!schemas->is_array()) return Status::Corruption("'schemas' is not a list");
    for (const json::value& s : schemas->as_array()) {
      LS_ASSIGN_OR_RETURN(Schema schema, ParseSchema(s));
      m.schemas.push_back(std::move(schema));
    }
    auto current = GetInt(o, "current-schema-id");
    if (!current) return Status::Corruption("table metadata has no current-schema-id");
    m.current_schema_id = static_cast<int32_t>(*current);
  } else if (const json::value* schema = o.if_contains("schema"); schema != nullptr) {
    LS_ASSIGN_OR_RETURN(Schema s, ParseSchema(*schema));
    m.current_schema_id = s.schema_id;
    m.schemas.push_back(std::move(s));
  }
  if (m.CurrentSchema() == nullptr) {
    return Status::Corruption("table metadata has no current schema (schema id " +
                              std::to_string(m.current_schema_id) + ")");
  }
  std::set<int32_t> schema_ids;
  for (const Schema& s : m.schemas) {
    if (!schema_ids.insert(s.schema_id).second) {
      return Status::Corruption("schema id " + std::to_string(s.schema_id) + " appears twice");
    }
  }

  // Partition specs.
  if (const json::value* specs = o.if_contains("partition-specs"); specs != nullptr) {
    if (!specs->is_array()) return Status::Corruption("'partition-specs' is not a list");
    for (const json::value& s : specs->as_array()) {
      if (!s.is_object()) return Status::Corruption("a partition spec is not an object");
      PartitionSpec spec;
      LS_ASSIGN_OR_RETURN(spec.spec_id, GetInt32(s.as_object(), "spec-id", "a partition spec"));
      const json::value* fields = s.as_object().if_contains("fields");
      if (fields == nullptr) return Status::Corruption("a partition spec has no fields");
      LS_ASSIGN_OR_RETURN(spec.fields, ParseSpecFields(*fields, v1));
      m.specs.push_back(std::move(spec));
    }
    m.default_spec_id = static_cast<int32_t>(GetInt(o, "default-spec-id").value_or(0));
  } else if (const json::value* fields = o.if_contains("partition-spec"); fields != nullptr) {
    PartitionSpec spec;
    LS_ASSIGN_OR_RETURN(spec.fields, ParseSpecFields(*fields, true));
    m.specs.push_back(std::move(spec));
  } else {
    m.specs.push_back(PartitionSpec{});  // unpartitioned
  }

  if (const json::value* props = o.if_contains("properties"); props != nullptr) {
    if (props->is_object()) {
      for (const auto& [k, v] : props->as_object()) {
        if (v.is_string()) m.properties[std::string(k)] = std::string(v.as_string());
      }
    }
  }

  // Snapshots.
  if (const json::value* snaps = o.if_contains("snapshots"); snaps != nullptr) {
    if (!snaps->is_array()) return Status::Corruption("'snapshots' is not a list");
    std::set<int64_t> ids;
    for (const json::value& s : snaps->as_array()) {
      LS_ASSIGN_OR_RETURN(SnapshotInfo snap, ParseSnapshot(s));
      if (!ids.insert(snap.snapshot_id).second) {
        return Status::Corruption("snapshot " + std::to_string(snap.snapshot_id) +
                                  " appears twice");
      }
      m.snapshots.push_back(std::move(snap));
    }
  }
  std::optional<int64_t> current = GetId(o, "current-snapshot-id");
  if (const json::value* refs = o.if_contains("refs"); refs != nullptr && refs->is_object()) {
    if (const json::value* main = refs->as_object().if_contains("main");
        main != nullptr && main->is_object()) {
      if (auto id = GetId(main->as_object(), "snapshot-id")) current = id;
    }
  }
  if (current && *current != -1) {
    if (m.SnapshotById(*current) == nullptr) {
      return Status::Corruption("the current snapshot " + std::to_string(*current) +
                                " is not in the metadata");
    }
    m.current_snapshot_id = current;
  }
  return m;
}

std::vector<const SnapshotInfo*> MainLineage(const IcebergMetadata& m) {
  std::vector<const SnapshotInfo*> out;
  if (!m.current_snapshot_id) return out;
  std::map<int64_t, const SnapshotInfo*> by_id;
  for (const SnapshotInfo& s : m.snapshots) by_id[s.snapshot_id] = &s;
  auto find = [&](int64_t id) -> const SnapshotInfo* {
    auto it = by_id.find(id);
    return it == by_id.end() ? nullptr : it->second;
  };
  std::set<int64_t> seen;
  const SnapshotInfo* s = find(*m.current_snapshot_id);
  while (s != nullptr && seen.insert(s->snapshot_id).second) {
    out.push_back(s);
    s = s->parent_id ? find(*s->parent_id) : nullptr;
  }
  std::reverse(out.begin(), out.end());
  return out;
}

}  // namespace lakeshare::iceberg
