#include "delta/delta_checkpoint_writer.h"

#include <map>

#include "parquet/nested_writer.h"

namespace lakeshare {
namespace {

using parquet::LeafChunk;
using parquet::NestedField;
using parquet::Repetition;
using parquet::Type;

std::vector<NestedField> CheckpointSchema() {
  auto i32 = [](const char* n) { return NestedField::Leaf(n, Type::kInt32); };
  auto i64 = [](const char* n) { return NestedField::Leaf(n, Type::kInt64); };
  auto str = [](const char* n) { return NestedField::String(n); };
  return {
      NestedField::Group("protocol", {i32("minReaderVersion"), i32("minWriterVersion"),
                                      NestedField::StringList("readerFeatures"),
                                      NestedField::StringList("writerFeatures")}),
      NestedField::Group(
          "metaData",
          {str("id"), str("name"), str("description"),
           NestedField::Group("format", {str("provider"), NestedField::StringMap("options")}),
           str("schemaString"), NestedField::StringList("partitionColumns"),
           NestedField::StringMap("configuration"), i64("createdTime")}),
      NestedField::Group(
          "add", {str("path"), NestedField::StringMap("partitionValues"), i64("size"),
                  i64("modificationTime"), NestedField::Leaf("dataChange", Type::kBoolean),
                  NestedField::StringMap("tags"), str("stats"),
                  NestedField::Group("deletionVector",
                                     {str("storageType"), str("pathOrInlineDv"), i32("offset"),
                                      i32("sizeInBytes"), i64("cardinality")})}),
  };
}

// Shreds one row group's actions into the leaves' levels and values.
class Shredder {
 public:
  explicit Shredder(const parquet::Schema& schema) : schema_(schema) {
    leaves_.resize(static_cast<size_t>(schema.num_leaves()));
    for (int l = 0; l < schema.num_leaves(); ++l) {
      const parquet::SchemaNode& n = schema.leaf(l);
      LeafChunk& c = leaves_[static_cast<size_t>(l)];
      switch (n.physical_type) {
        case Type::kBoolean:
          c.values = std::vector<bool>();
          break;
        case Type::kInt32:
          c.values = std::vector<int32_t>();
          break;
        case Type::kInt64:
          c.values = std::vector<int64_t>();
          break;
        default:
          c.values = std::vector<std::string>();
          break;
      }
      index_[schema.DottedPath(n)] = l;
    }
  }

  std::vector<LeafChunk> Take() { return std::move(leaves_); }

  // Every leaf under `prefix` gets an entry "null at definition level def".
  void Absent(const std::string& prefix, int16_t def) {
    for (auto it = index_.lower_bound(prefix); it != index_.end(); ++it) {
      if (it->first.compare(0, prefix.size(), prefix) != 0) break;
      Entry(it->second, def, 0);
    }
  }
  template <typename T>
  void Scalar(const std::string& path, const std::optional<T>& v) {
    int l = index_.at(path);
    const int16_t max = schema_.leaf(l).max_def;
    if (v) {
      Entry(l, max, 0);
      std::get<std::vector<Stored<T>>>(leaves_[static_cast<size_t>(l)].values).push_back(*v);
    } else {
      Entry(l, static_cast<int16_t>(max - 1), 0);
    }
  }
  // A MAP<string,string> node at `path` (nullopt: a null map).
  void Map(const std::string& path,
           const std::optional<std::vector<std::pair<std::string, std::optional<std::string>>>>&
               entries) {
    int k = index_.at(path + ".key_value.key"), v = index_.at(path + ".key_value.value");
    const int16_t entry_def = schema_.leaf(k).max_def;  // key is required
    const int16_t rep = schema_.leaf(k).max_rep;
    const int16_t map_def = static_cast<int16_t>(entry_def - 1);
    if (!entries || entries->empty()) {
      int16_t d = entries ? map_def : static_cast<int16_t>(map_def - 1);
      Entry(k, d, 0);
      Entry(v, d, 0);
      return;
    }
    int16_t r = 0;
    for (const auto& [key, value] : *entries) {
      Entry(k, entry_def, r);
      Strings(k).push_back(key);
      if (value) {
        Entry(v, static_cast<int16_t>(entry_def + 1), r);
        Strings(v).push_back(*value);
      } else {
        Entry(v, entry_def, r);
      }
      r = rep;
    }
  }
  void List(const std::string& path, const std::optional<std::vector<std::string>>& items) {
    int e = index_.at(path + ".list.element");
    const int16_t element_def = schema_.leaf(e).max_def;
    const int16_t rep = schema_.leaf(e).max_rep;
    const int16_t list_def = static_cast<int16_t>(element_def - 2);
    if (!items || items->empty()) {
      Entry(e, items ? static_cast<int16_t>(list_def) : static_cast<int16_t>(list_def - 1), 0);
      return;
    }
    int16_t r = 0;
    for (const std::string& item : *items) {
      Entry(e, element_def, r);
      Strings(e).push_back(item);
      r = rep;
    }
  }

 private:
  template <typename T>
  using Stored = std::conditional_t<std::is_same_v<T, const char*>, std::string, T>;

  void Entry(int l, int16_t def, int16_t rep) {
    const parquet::SchemaNode& n = schema_.leaf(l);
    LeafChunk& c = leaves_[static_cast<size_t>(l)];
    if (n.max_def > 0) c.def_levels.push_back(def);
    if (n.max_rep > 0) c.rep_levels.push_back(rep);
  }
  std::vector<std::string>& Strings(int l) {
    return std::get<std::vector<std::string>>(leaves_[static_cast<size_t>(l)].values);
  }

  const parquet::Schema& schema_;
  std::vector<LeafChunk> leaves_;
  std::map<std::string, int> index_;
};

using Entries = std::vector<std::pair<std::string, std::optional<std::string>>>;

Entries StringEntries(const std::map<std::string, std::string>& m) {
  Entries out;
  for (const auto& [k, v] : m) out.emplace_back(k, v);
  return out;
}

void ShredProtocol(const TableProtocol& p, Shredder* s) {
  s->Scalar<int32_t>("protocol.minReaderVersion", p.min_reader_version);
  s->Scalar<int32_t>("protocol.minWriterVersion", p.min_writer_version);
  s->List("protocol.readerFeatures", p.reader_features);
  s->List("protocol.writerFeatures", p.writer_features);
  s->Absent("metaData.", 0);
  s->Absent("add.", 0);
}

void ShredMetadata(const TableMetadata& m, Shredder* s) {
  s->Absent("protocol.", 0);
  s->Scalar<std::string>("metaData.id", m.id);
  s->Scalar<std::string>("metaData.name", m.name);
  s->Scalar<std::string>("metaData.description", m.description);
  s->Scalar<std::string>("metaData.format.provider", m.format_provider);
  s->Map("metaData.format.options", StringEntries(m.format_options));
  s->Scalar<std::string>("metaData.schemaString", m.schema_string);
  s->List("metaData.partitionColumns", m.partition_columns);
  s->Map("metaData.configuration", StringEntries(m.configuration));
  s->Scalar<int64_t>("metaData.createdTime", m.created_time);
  s->Absent("add.", 0);
}

void ShredAdd(const DataFile& f, Shredder* s) {
  s->Absent("protocol.", 0);
  s->Absent("metaData.", 0);
  s->Scalar<std::string>("add.path", f.path.str());
  Entries pv;
  for (const auto& [k, v] : f.partition_values) pv.emplace_back(k, v);
  s->Map("add.partitionValues", pv);
  s->Scalar<int64_t>("add.size", f.size);
  s->Scalar<int64_t>("add.modificationTime", f.modification_time);
  s->Scalar<bool>("add.dataChange", f.data_change);
  if (f.tags) {
    s->Map("add.tags", StringEntries(*f.tags));
  } else {
    s->Map("add.tags", std::nullopt);
  }
  s->Scalar<std::string>("add.stats", f.stats.ToOptional());
  if (f.deletion_vector) {
    const DeletionVector& dv = *f.deletion_vector;
    s->Scalar<std::string>("add.deletionVector.storageType", dv.storage_type);
    s->Scalar<std::string>("add.deletionVector.pathOrInlineDv", dv.path_or_inline_dv);
    s->Scalar<int32_t>("add.deletionVector.offset", dv.offset);
    s->Scalar<int32_t>("add.deletionVector.sizeInBytes", dv.size_in_bytes);
    s->Scalar<int64_t>("add.deletionVector.cardinality", dv.cardinality);
  } else {
    s->Absent("add.deletionVector.", 1);
  }
}

}  // namespace

Result<std::string> WriteCheckpointParquet(const TableProtocol* protocol,
                                           const TableMetadata* metadata,
                                           const std::vector<DataFile>& files,
                                           const CheckpointWriteOptions& options) {
  parquet::WriterOptions w;
  w.codec = options.codec;
  w.data_page_size = options.data_page_size;
  LS_ASSIGN_OR_RETURN(parquet::NestedParquetWriter writer,
                      parquet::NestedParquetWriter::Create(CheckpointSchema(), w));
  const int64_t per_group = std::max<int64_t>(options.rows_per_row_group, 1);
  size_t next = 0;
  bool header = true;
  while (header || next < files.size()) {
    Shredder s(writer.schema());
    int64_t rows = 0;
    if (header) {
      if (protocol != nullptr) ShredProtocol(*protocol, &s), ++rows;
      if (metadata != nullptr) ShredMetadata(*metadata, &s), ++rows;
      header = false;
    }
    for (; next < files.size() && rows < per_group; ++next, ++rows) ShredAdd(files[next], &s);
    LS_RETURN_IF_ERROR(writer.AddRowGroup(rows, s.Take()));
  }
  return writer.Finish();
}

std::string LastCheckpointJson(int64_t version, int64_t actions, int64_t size_in_bytes,
                               int64_t num_add_files, std::optional<int32_t> parts) {
  std::string out =
      "{\"version\":" + std::to_string(version) + ",\"size\":" + std::to_string(actions);
  if (parts) out += ",\"parts\":" + std::to_string(*parts);
  out += ",\"sizeInBytes\":" + std::to_string(size_in_bytes) +
         ",\"numOfAddFiles\":" + std::to_string(num_add_files) + "}";
  return out;
}

}  // namespace lakeshare
