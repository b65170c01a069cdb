#include "iceberg/shared_schema.h"

#include <algorithm>
#include <map>

namespace lakeshare::iceberg {
namespace {

bool IsIdentity(const PartitionField& f) { return f.transform == "identity"; }

void IndexFields(const std::vector<NestedField>& fields, const std::string& prefix,
                 std::map<int32_t, std::pair<std::string, const Type*>>* by_id,
                 std::map<std::string, int32_t>* by_path) {
  for (const NestedField& f : fields) {
    std::string path = prefix.empty() ? f.name : prefix + "." + f.name;
    (*by_id)[f.id] = {path, f.type.get()};
    if (by_path != nullptr) (*by_path)[path] = f.id;
    if (f.type->is_nested()) IndexFields(f.type->fields, path, by_id, by_path);
  }
}

void ScanTypes(const std::vector<NestedField>& fields, bool* ntz, bool* variant,
               std::set<int32_t>* defaults) {
  for (const NestedField& f : fields) {
    TypeId t = f.type->id;
    if (t == TypeId::kTimestamp || t == TypeId::kTimestampNs) *ntz = true;
    if (t == TypeId::kVariant) *variant = true;
    if (f.has_initial_default) defaults->insert(f.id);
    if (f.type->is_nested()) ScanTypes(f.type->fields, ntz, variant, defaults);
  }
}

}  // namespace

SchemaReport AnalyzeSchema(const IcebergMetadata& m, const Schema& s) {
  SchemaReport r;
  bool ntz = false, variant = false, widening = false;
  ScanTypes(s.fields, &ntz, &variant, &r.default_field_ids);
  std::map<int32_t, std::pair<std::string, const Type*>> ids;
  std::map<std::string, int32_t> paths;
  IndexFields(s.fields, "", &ids, &paths);
  for (const Schema& other : m.schemas) {
    if (other.schema_id == s.schema_id) continue;
    std::map<int32_t, std::pair<std::string, const Type*>> oids;
    std::map<std::string, int32_t> opaths;
    IndexFields(other.fields, "", &oids, &opaths);
    std::optional<std::string> conflict;
    for (const auto& [id, entry] : ids) {
      auto it = oids.find(id);
      if (!conflict && it != oids.end() && it->second.first != entry.first) {
        conflict = "column '" + entry.first + "' was renamed (it is '" + it->second.first +
                   "' in schema " + std::to_string(other.schema_id) + ")";
      }
      if (it != oids.end() && !entry.second->is_nested() && !it->second.second->is_nested() &&
          TypeName(*entry.second) != TypeName(*it->second.second)) {
        widening = true;
      }
      auto p = opaths.find(entry.first);
      if (!conflict && p != opaths.end() && p->second != id) {
        conflict = "column '" + entry.first + "' was dropped and added again (field ids " +
                   std::to_string(p->second) + " and " + std::to_string(id) + ")";
      }
    }
    if (conflict) {
      r.name_conflicts.insert(other.schema_id);
      if (!r.name_conflict) r.name_conflict = std::move(conflict);
    }
  }
  if (ntz) r.reader_features.push_back("timestampNtz");
  if (widening) r.reader_features.push_back("typeWidening");
  if (variant) r.reader_features.push_back("variantType");
  return r;
}

std::set<int32_t> AllFieldIds(const Schema& s) {
  std::map<int32_t, std::pair<std::string, const Type*>> ids;
  IndexFields(s.fields, "", &ids, nullptr);
  std::set<int32_t> out;
  for (const auto& [id, entry] : ids) out.insert(id);
  return out;
}

bool NeedsColumnMapping(const IcebergMetadata& m, const SchemaReport& report,
                        const std::optional<int64_t>& origin) {
  if (report.name_conflicts.empty()) return false;
  const SnapshotInfo* o = origin ? m.SnapshotById(*origin) : nullptr;
  if (o == nullptr || !o->schema_id || m.SchemaById(*o->schema_id) == nullptr) return true;
  return report.name_conflicts.count(*o->schema_id) != 0;
}

std::string FieldPathOf(const Schema& s, int32_t id) {
  std::map<int32_t, std::pair<std::string, const Type*>> ids;
  IndexFields(s.fields, "", &ids, nullptr);
  auto it = ids.find(id);
  return it == ids.end() ? "#" + std::to_string(id) : it->second.first;
}

const Schema* SchemaFor(const IcebergMetadata& m, const SnapshotInfo* s) {
  if (s == nullptr || (m.current_snapshot_id && *m.current_snapshot_id == s->snapshot_id)) {
    return m.CurrentSchema();
  }
  if (s->schema_id) {
    if (const Schema* schema = m.SchemaById(*s->schema_id)) return schema;
  }
  return m.CurrentSchema();
}

PartitionColumnList PartitionColumns(const IcebergMetadata& m, const Schema& schema,
                                     const std::set<int32_t>& spec_ids, bool partial) {
  PartitionColumnList out;
  std::set<int32_t> ids = spec_ids;
  if (ids.empty()) ids.insert(m.default_spec_id);
  // Identity sources in spec order (the lowest spec id first).
  std::vector<int32_t> sources;
  for (int32_t id : ids) {
    const PartitionSpec* spec = m.SpecById(id);
    if (spec == nullptr) {
      if (id == *ids.begin()) return out;
      continue;
    }
    for (const PartitionField& f : spec->fields) {
      if (IsIdentity(f) &&
          std::find(sources.begin(), sources.end(), f.source_id) == sources.end()) {
        sources.push_back(f.source_id);
      }
    }
  }
  for (int32_t source : sources) {
    const NestedField* col = nullptr;
    for (const NestedField& f : schema.fields) {
      if (f.id == source) col = &f;
    }
    if (col == nullptr || !IsExposablePartitionType(*col->type)) continue;
    bool everywhere = true;
    for (int32_t id : ids) {
      const PartitionSpec* spec = m.SpecById(id);
      bool found = false;
      if (spec != nullptr) {
        for (const PartitionField& f : spec->fields) {
          found = found || (IsIdentity(f) && f.source_id == source);
        }
      }
      everywhere = everywhere && found;
    }
    if (everywhere || partial) out.emplace_back(col->name, col);
  }
  return out;
}

TableProtocol MakeProtocol(const SchemaReport& report, bool column_mapping) {
  TableProtocol p;
  std::vector<std::string> features = report.reader_features;
  if (column_mapping) features.insert(features.begin(), "columnMapping");
  if (!features.empty()) {
    p.min_reader_version = 3;
    p.min_writer_version = 7;
    p.reader_features = features;
    p.writer_features = features;
  }
  return p;
}

TableMetadata MakeMetadata(const std::string& table_id, const IcebergMetadata& m,
                           const Schema& schema, const PartitionColumnList& parts,
                           bool column_mapping,
                           const std::map<int32_t, std::string>* physical_names) {
  TableMetadata md;
  md.id = table_id;
  if (auto c = m.properties.find("comment"); c != m.properties.end()) md.description = c->second;
  md.format_provider = "parquet";
  const bool by_name = column_mapping && physical_names != nullptr;
  md.schema_string = by_name ? SparkSchemaString(schema, *physical_names)
                             : SparkSchemaString(schema, column_mapping);
  if (column_mapping) {
    md.configuration["delta.columnMapping.mode"] = by_name ? "name" : "id";
    int32_t max_id = 0;
    for (const Schema& any : m.schemas) {
      for (int32_t id : AllFieldIds(any)) max_id = std::max(max_id, id);
    }
    md.configuration["delta.columnMapping.maxColumnId"] = std::to_string(max_id);
  }
  for (const auto& [name, f] : parts) {
    // Logical names (the list may carry physical ones).
    std::string logical = name;
    for (const NestedField& top : schema.fields) {
      if (top.id == f->id) logical = top.name;
    }
    md.partition_columns.push_back(std::move(logical));
  }
  // Append-only snapshot ranges have a change feed (added files as inserts).
  md.configuration["delta.enableChangeDataFeed"] = "true";
  return md;
}

}  // namespace lakeshare::iceberg
