#include "iceberg/manifest.h"

#include <charconv>

#include "common/strings.h"

namespace lakeshare::iceberg {
namespace {

Result<int64_t> RequiredInt(const AvroValue& rec, const char* name) {
  LS_ASSIGN_OR_RETURN(AvroValue v, rec.Required(name));
  auto i = v.AsInt64();
  if (!i.ok()) return i.status().WithContext(name);
  return *i;
}

Result<std::string> RequiredString(const AvroValue& rec, const char* name) {
  LS_ASSIGN_OR_RETURN(AvroValue v, rec.Required(name));
  auto s = v.AsString();
  if (!s.ok()) return s.status().WithContext(name);
  return std::string(*s);
}

// The first of several field names that is present and not null.
Result<std::optional<int64_t>> OptionalIntOf(const AvroValue& rec,
                                             std::initializer_list<const char*> names) {
  for (const char* n : names) {
    LS_ASSIGN_OR_RETURN(std::optional<int64_t> v, rec.OptionalInt64(n));
    if (v) return v;
  }
  return std::optional<int64_t>();
}

// Iceberg writes int-keyed maps as arrays of {key, value} records; a real
// Avro map (string keys) is accepted too.
// `out` is overwritten in place (values keep their capacity); `read`
// assigns one value.
template <typename V, typename Read>
Status ReadIdMap(const AvroValue& rec, const char* name, Read read,
                 std::vector<std::pair<int32_t, V>>* out) {
  auto f = rec.Field(name);
  if (!f || f->IsNull()) {
    out->clear();
    return Status::OK();
  }
  LS_ASSIGN_OR_RETURN(size_t n, f->Size());
  out->resize(n);
  bool is_map = f->type() == AVRO_MAP;
  for (size_t i = 0; i < n; ++i) {
    int64_t key = 0;
    std::optional<AvroValue> value;
    if (is_map) {
      LS_ASSIGN_OR_RETURN(auto entry, f->MapEntry(i));
      std::optional<int64_t> id = ParseNumber<int64_t>(entry.first);
      if (!id) return Status::Corruption(std::string(name) + ": a key is not a field id");
      key = *id;
      value = entry.second;
    } else {
      LS_ASSIGN_OR_RETURN(AvroValue e, f->Element(i));
      LS_ASSIGN_OR_RETURN(key, RequiredInt(e, "key"));
      LS_ASSIGN_OR_RETURN(AvroValue v, e.Required("value"));
      value = v;
    }
    if (key < INT32_MIN || key > INT32_MAX) {
      return Status::Corruption(std::string(name) + ": field id out of range");
    }
    (*out)[i].first = static_cast<int32_t>(key);
    Status st = read(*value, &(*out)[i].second);
    if (!st.ok()) return st.WithContext(name);
  }
  return Status::OK();
}

// Fills `d` in place (its bytes keep their capacity).
Status ToDatum(const AvroValue& v, PartitionDatum* d) {
  d->i = 0;
  d->d = 0;
  d->b = false;
  d->bytes.clear();
  switch (v.type()) {
    case AVRO_NULL:
      d->kind = PartitionDatum::Kind::kNull;
      return Status::OK();
    case AVRO_INT32:
    case AVRO_INT64: {
      d->kind = PartitionDatum::Kind::kInt;
      LS_ASSIGN_OR_RETURN(d->i, v.AsInt64());
      return Status::OK();
    }
    case AVRO_FLOAT:
    case AVRO_DOUBLE: {
      d->kind = PartitionDatum::Kind::kDouble;
      LS_ASSIGN_OR_RETURN(d->d, v.AsDouble());
      return Status::OK();
    }
    case AVRO_BOOLEAN: {
      d->kind = PartitionDatum::Kind::kBool;
      LS_ASSIGN_OR_RETURN(d->b, v.AsBool());
      return Status::OK();
    }
    case AVRO_STRING:
    case AVRO_BYTES:
    case AVRO_FIXED: {
      d->kind = PartitionDatum::Kind::kBytes;
      LS_ASSIGN_OR_RETURN(std::string_view b, v.AsBytes());
      d->bytes.assign(b);
      return Status::OK();
    }
    default:
      return Status::Corruption("a partition value has an unsupported Avro type");
  }
}

Status AssignString(const AvroValue& rec, const char* name, std::string* out) {
  LS_ASSIGN_OR_RETURN(AvroValue v, rec.Required(name));
  auto s = v.AsString();
  if (!s.ok()) return s.status().WithContext(name);
  out->assign(*s);
  return Status::OK();
}

// Reads one entry into `*entry`, overwriting every field.
Status ReadEntry(const AvroValue& rec, bool with_metrics, ManifestEntry* entry) {
  ManifestEntry& e = *entry;
  LS_ASSIGN_OR_RETURN(int64_t status, RequiredInt(rec, "status"));
  if (status < 0 || status > 2) {
    return Status::Corruption("invalid entry status " + std::to_string(status));
  }
  e.status = static_cast<EntryStatus>(status);
  LS_ASSIGN_OR_RETURN(e.snapshot_id, rec.OptionalInt64("snapshot_id"));
  LS_ASSIGN_OR_RETURN(e.sequence_number, rec.OptionalInt64("sequence_number"));
  LS_ASSIGN_OR_RETURN(AvroValue df, rec.Required("data_file"));
  LS_ASSIGN_OR_RETURN(std::optional<int64_t> content, df.OptionalInt64("content"));
  if (content && (*content < 0 || *content > 2)) {
    return Status::Corruption("invalid file content " + std::to_string(*content));
  }
  e.content = static_cast<FileContent>(content.value_or(0));
  LS_RETURN_IF_ERROR(AssignString(df, "file_path", &e.file_path));
  if (e.file_path.empty()) return Status::Corruption("an entry has an empty file_path");
  LS_RETURN_IF_ERROR(AssignString(df, "file_format", &e.file_format));
  LS_ASSIGN_OR_RETURN(e.record_count, RequiredInt(df, "record_count"));
  LS_ASSIGN_OR_RETURN(e.referenced_data_file, df.OptionalString("referenced_data_file"));
  LS_ASSIGN_OR_RETURN(e.content_offset, df.OptionalInt64("content_offset"));
  LS_ASSIGN_OR_RETURN(e.content_size, df.OptionalInt64("content_size_in_bytes"));
  LS_ASSIGN_OR_RETURN(e.file_size, RequiredInt(df, "file_size_in_bytes"));
  if (e.record_count < 0 || e.file_size < 0) {
    return Status::Corruption("negative record_count or file_size_in_bytes");
  }
  e.equality_ids.clear();
  if (auto ids = df.Field("equality_ids"); ids && !ids->IsNull()) {
    if (ids->type() != AVRO_ARRAY) return Status::Corruption("equality_ids is not an array");
    LS_ASSIGN_OR_RETURN(size_t n, ids->Size());
    for (size_t i = 0; i < n; ++i) {
      LS_ASSIGN_OR_RETURN(AvroValue v, ids->Element(i));
      LS_ASSIGN_OR_RETURN(int64_t id, v.AsInt64());
      if (id < 0 || id >= (int64_t{1} << 31))
        return Status::Corruption("invalid equality field id");
      e.equality_ids.push_back(static_cast<int32_t>(id));
    }
  }
  e.partition.clear();
  if (auto part = df.Field("partition"); part && !part->IsNull()) {
    if (part->type() != AVRO_RECORD) return Status::Corruption("partition is not a record");
    LS_ASSIGN_OR_RETURN(size_t n, part->Size());
    e.partition.resize(n);
    for (size_t i = 0; i < n; ++i) {
      LS_ASSIGN_OR_RETURN(AvroValue v, part->Element(i));
      LS_RETURN_IF_ERROR(ToDatum(v, &e.partition[i]));
    }
  }
  e.null_counts.clear();
  e.nan_counts.clear();
  e.lower_bounds.clear();
  e.upper_bounds.clear();
  if (with_metrics) {
    auto as_long = [](const AvroValue& v, int64_t* out) -> Status {
      LS_ASSIGN_OR_RETURN(*out, v.AsInt64());
      return Status::OK();
    };
    auto as_bytes = [](const AvroValue& v, std::string* out) -> Status {
      LS_ASSIGN_OR_RETURN(std::string_view b, v.AsBytes());
      out->assign(b);
      return Status::OK();
    };
    LS_RETURN_IF_ERROR(ReadIdMap<int64_t>(df, "null_value_counts", as_long, &e.null_counts));
    LS_RETURN_IF_ERROR(ReadIdMap<int64_t>(df, "nan_value_counts", as_long, &e.nan_counts));
    LS_RETURN_IF_ERROR(ReadIdMap<std::string>(df, "lower_bounds", as_bytes, &e.lower_bounds));
    LS_RETURN_IF_ERROR(ReadIdMap<std::string>(df, "upper_bounds", as_bytes, &e.upper_bounds));
  }
  return Status::OK();
}

std::optional<int32_t> SpecIdOf(const AvroFileReader& reader) {
  if (auto spec = reader.Meta("partition-spec-id")) {
    if (std::optional<int32_t> id = ParseNumber<int32_t>(*spec)) return *id;
  }
  return std::nullopt;
}

}  // namespace

Result<std::vector<ManifestFile>> ReadManifestList(std::string bytes, const std::string& what,
                                                   const AvroLimits& limits) {
  LS_ASSIGN_OR_RETURN(auto reader, AvroFileReader::Open(std::move(bytes), what, limits));
  std::vector<ManifestFile> out;
  int64_t index = 0;
  Status st = reader->ForEach([&](const AvroValue& rec) -> Status {
    auto one = [&]() -> Status {
      ManifestFile m;
      LS_ASSIGN_OR_RETURN(m.path, RequiredString(rec, "manifest_path"));
      if (m.path.empty()) return Status::Corruption("empty manifest_path");
      LS_ASSIGN_OR_RETURN(m.length, RequiredInt(rec, "manifest_length"));
      LS_ASSIGN_OR_RETURN(int64_t spec, RequiredInt(rec, "partition_spec_id"));
      if (spec < INT32_MIN || spec > INT32_MAX) return Status::Corruption("invalid spec id");
      m.spec_id = static_cast<int32_t>(spec);
      LS_ASSIGN_OR_RETURN(std::optional<int64_t> content, rec.OptionalInt64("content"));
      if (content && *content != 0 && *content != 1) {
        return Status::Corruption("invalid manifest content " + std::to_string(*content));
      }
      m.content = static_cast<ManifestContent>(content.value_or(0));
      LS_ASSIGN_OR_RETURN(std::optional<int64_t> seq, rec.OptionalInt64("sequence_number"));
      m.sequence_number = seq.value_or(0);
      LS_ASSIGN_OR_RETURN(m.added_snapshot_id, rec.OptionalInt64("added_snapshot_id"));
      LS_ASSIGN_OR_RETURN(m.added_files,
                          OptionalIntOf(rec, {"added_files_count", "added_data_files_count"}));
      LS_ASSIGN_OR_RETURN(m.existing_files, OptionalIntOf(rec, {"existing_files_count",
                                                                "existing_data_files_count"}));
      LS_ASSIGN_OR_RETURN(m.deleted_files,
                          OptionalIntOf(rec, {"deleted_files_count", "deleted_data_files_count"}));
      out.push_back(std::move(m));
      return Status::OK();
    };
    Status s = one();
    if (!s.ok()) return s.WithContext(what + ": manifest list entry " + std::to_string(index));
    ++index;
    return Status::OK();
  });
  LS_RETURN_IF_ERROR(st);
  return out;
}

Status ForEachManifestEntry(std::string bytes, const std::string& what, bool with_metrics,
                            const std::function<Status(const ManifestEntry&)>& fn,
                            std::optional<int32_t>* spec_id, const AvroLimits& limits) {
  LS_ASSIGN_OR_RETURN(auto reader, AvroFileReader::Open(std::move(bytes), what, limits));
  if (spec_id != nullptr) *spec_id = SpecIdOf(*reader);
  int64_t index = 0;
  ManifestEntry e;
  return reader->ForEach([&](const AvroValue& rec) -> Status {
    Status st = ReadEntry(rec, with_metrics, &e);
    if (!st.ok()) return st.WithContext(what + ": manifest entry " + std::to_string(index));
    ++index;
    return fn(e);
  });
}

Result<std::optional<int32_t>> ManifestSpecId(std::string bytes, const std::string& what,
                                              const AvroLimits& limits) {
  LS_ASSIGN_OR_RETURN(auto reader, AvroFileReader::Open(std::move(bytes), what, limits));
  return SpecIdOf(*reader);
}

Result<Manifest> ReadManifest(std::string bytes, const std::string& what, bool with_metrics,
                              const AvroLimits& limits) {
  Manifest m;
  LS_RETURN_IF_ERROR(ForEachManifestEntry(
      std::move(bytes), what, with_metrics,
      [&](const ManifestEntry& e) {
        m.entries.push_back(e);
        return Status::OK();
      },
      &m.spec_id, limits));
  return m;
}

}  // namespace lakeshare::iceberg
