#include "delta/checkpoint_row_group.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "delta/delta_checkpoint_values.h"
#include "parquet/record_view.h"

namespace lakeshare {
namespace {

using parquet::ListView;
using parquet::MapView;
using parquet::ParquetReader;
using parquet::RecordNode;
using parquet::RecordTree;
using parquet::RowGroupBatch;

std::vector<std::string> SplitDots(std::string_view dotted) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t dot = dotted.find('.', start);
    out.emplace_back(dotted.substr(start, dot == std::string_view::npos ? dot : dot - start));
    if (dot == std::string_view::npos) return out;
    start = dot + 1;
  }
}

void AddLeaves(const parquet::Schema& schema, std::string_view dotted, std::vector<int>* out) {
  const parquet::SchemaNode* n = schema.FindPath(SplitDots(dotted));
  if (n == nullptr) return;
  std::vector<int> leaves = schema.LeavesUnder(*n);
  out->insert(out->end(), leaves.begin(), leaves.end());
}

void SortUnique(std::vector<int>* v) {
  std::sort(v->begin(), v->end());
  v->erase(std::unique(v->begin(), v->end()), v->end());
}

}  // namespace

CheckpointColumnPlan PlanCheckpointColumns(const parquet::Schema& schema) {
  static const char* const kMain[] = {
      "protocol.minReaderVersion",
      "protocol.minWriterVersion",
      "protocol.readerFeatures",
      "protocol.writerFeatures",
      "metaData.id",
      "metaData.name",
      "metaData.description",
      "metaData.format.provider",
      "metaData.format.options",
      "metaData.schemaString",
      "metaData.partitionColumns",
      "metaData.configuration",
      "metaData.createdTime",
      "add.path",
      "add.size",
      "add.modificationTime",
      "add.dataChange",
      "add.deletionVector.storageType",
      "add.deletionVector.pathOrInlineDv",
      "add.deletionVector.offset",
      "add.deletionVector.sizeInBytes",
      "add.deletionVector.cardinality",
      "add.tags",
      "sidecar.path",
      "sidecar.sizeInBytes",
      "sidecar.modificationTime",
      "checkpointMetadata.version",
  };
  CheckpointColumnPlan plan;
  std::string current;  // the action of plan.actions.back()
  for (const char* c : kMain) {
    std::string_view column(c);
    std::string action(column.substr(0, column.find('.')));
    if (action == "add") {
      AddLeaves(schema, column, &plan.main);
      continue;
    }
    if (plan.actions.empty() || action != current) plan.actions.emplace_back();
    current = action;
    AddLeaves(schema, column, &plan.actions.back().leaves);
  }
  std::erase_if(plan.actions,
                [](const CheckpointColumnPlan::Action& a) { return a.leaves.empty(); });
  for (CheckpointColumnPlan::Action& a : plan.actions) {
    SortUnique(&a.leaves);
    a.probe = a.leaves.front();
  }
  AddLeaves(schema, "add.stats", &plan.stats);
  AddLeaves(schema, "add.partitionValues", &plan.pv_map);
  AddLeaves(schema, "add.stats_parsed", &plan.stats_parsed);
  AddLeaves(schema, "add.partitionValues_parsed", &plan.pv_parsed);
  for (auto* v : {&plan.main, &plan.stats, &plan.pv_map, &plan.stats_parsed, &plan.pv_parsed}) {
    SortUnique(v);
  }
  return plan;
}

namespace {

class RowReader {
 public:
  RowReader(const std::string& name, int row_group) : name_(name), row_group_(row_group) {}

  Status Error(int64_t row, std::string_view what) const {
    return Status::Corruption("Delta checkpoint " + name_ + " row group " +
                              std::to_string(row_group_) + " row " + std::to_string(row) + ": " +
                              std::string(what));
  }

  static const RecordNode* Child(const RecordNode* n, std::string_view name) {
    return n == nullptr ? nullptr : n->Child(name);
  }
  static bool Valid(const RecordNode* n, int64_t slot) { return n != nullptr && n->IsValid(slot); }
  static std::optional<std::string> OptString(const RecordNode* n, int64_t slot) {
    if (!Valid(n, slot)) return std::nullopt;
    return std::string(n->String(slot));
  }
  static std::vector<std::string> Strings(const RecordNode* list, int64_t slot) {
    std::vector<std::string> out;
    if (!Valid(list, slot)) return out;
    ListView lv = list->AsList();
    if (lv.elements == nullptr || lv.element == nullptr) return out;
    for (int64_t e : lv.elements->Elements(slot)) {
      if (lv.element->IsValid(e)) out.emplace_back(lv.element->String(e));
    }
    return out;
  }
  static std::optional<std::vector<std::string>> OptStrings(const RecordNode* list, int64_t slot) {
    if (!Valid(list, slot)) return std::nullopt;
    return Strings(list, slot);
  }
  // A string map; null values dropped (as the JSON parser does).
  static std::map<std::string, std::string> StringMap(const RecordNode* map, int64_t slot) {
    std::map<std::string, std::string> out;
    if (!Valid(map, slot)) return out;
    MapView mv = map->AsMap();
    if (mv.entries == nullptr || mv.key == nullptr) return out;
    for (int64_t e : mv.entries->Elements(slot)) {
      if (mv.value == nullptr || !mv.value->IsValid(e)) continue;
      out[std::string(mv.key->String(e))] = std::string(mv.value->String(e));
    }
    return out;
  }

  Result<TableProtocol> Protocol(const RecordNode& p, int64_t row) const {
    TableProtocol protocol;
    const RecordNode* reader = p.Child("minReaderVersion");
    const RecordNode* writer = p.Child("minWriterVersion");
    if (!Valid(reader, row)) return Error(row, "protocol.minReaderVersion is missing");
    if (!Valid(writer, row)) return Error(row, "protocol.minWriterVersion is missing");
    protocol.min_reader_version = reader->Int32(row);
    protocol.min_writer_version = writer->Int32(row);
    protocol.reader_features = OptStrings(p.Child("readerFeatures"), row);
    protocol.writer_features = OptStrings(p.Child("writerFeatures"), row);
    return protocol;
  }

  Result<TableMetadata> Metadata(const RecordNode& m, int64_t row) const {
    TableMetadata metadata;
    std::optional<std::string> id = OptString(m.Child("id"), row);
    if (!id) return Error(row, "metaData.id is missing");
    metadata.id = std::move(*id);
    metadata.name = OptString(m.Child("name"), row);
    metadata.description = OptString(m.Child("description"), row);
    const RecordNode* format = m.Child("format");
    if (std::optional<std::string> provider = OptString(Child(format, "provider"), row)) {
      metadata.format_provider = std::move(*provider);
    }
    metadata.format_options = StringMap(Child(format, "options"), row);
    std::optional<std::string> schema = OptString(m.Child("schemaString"), row);
    metadata.schema_string = schema ? std::move(*schema) : R"({"type":"struct","fields":[]})";
    metadata.partition_columns = Strings(m.Child("partitionColumns"), row);
    metadata.configuration = StringMap(m.Child("configuration"), row);
    const RecordNode* created = m.Child("createdTime");
    if (Valid(created, row)) metadata.created_time = created->Int64(row);
    return metadata;
  }

  Result<DeltaSidecar> Sidecar(const RecordNode& s, int64_t row) const {
    DeltaSidecar sidecar;
    std::optional<std::string> path = OptString(s.Child("path"), row);
    if (!path || path->empty()) return Error(row, "sidecar.path is missing");
    sidecar.path = std::move(*path);
    const RecordNode* size = s.Child("sizeInBytes");
    if (!Valid(size, row)) return Error(row, "sidecar.sizeInBytes is missing");
    sidecar.size_in_bytes = size->Int64(row);
    const RecordNode* mtime = s.Child("modificationTime");
    if (Valid(mtime, row)) sidecar.modification_time = mtime->Int64(row);
    return sidecar;
  }

 private:
  const std::string& name_;
  int row_group_;
};

// The add columns of one tree, looked up once per row group.
struct AddNodes {
  explicit AddNodes(const RecordTree& tree) : add(tree.Find("add")) {
    if (add == nullptr) return;
    path = add->Child("path");
    size = add->Child("size");
    modification_time = add->Child("modificationTime");
    data_change = add->Child("dataChange");
    stats = add->Child("stats");
    pv = add->Child("partitionValues");
    dv = add->Child("deletionVector");
    tags = add->Child("tags");
  }
  const RecordNode* add;
  const RecordNode* path = nullptr;
  const RecordNode* size = nullptr;
  const RecordNode* modification_time = nullptr;
  const RecordNode* data_change = nullptr;
  const RecordNode* stats = nullptr;
  const RecordNode* pv = nullptr;
  const RecordNode* dv = nullptr;
  const RecordNode* tags = nullptr;
};

Status FillDeletionVector(const RowReader& r, const RecordNode& dv, int64_t row, DataFile* file) {
  DeletionVector d;
  std::optional<std::string> type = RowReader::OptString(dv.Child("storageType"), row);
  std::optional<std::string> path = RowReader::OptString(dv.Child("pathOrInlineDv"), row);
  const RecordNode* size = dv.Child("sizeInBytes");
  const RecordNode* cardinality = dv.Child("cardinality");
  if (!type || type->empty()) return r.Error(row, "add.deletionVector.storageType is missing");
  if (!path) return r.Error(row, "add.deletionVector.pathOrInlineDv is missing");
  if (!RowReader::Valid(size, row))
    return r.Error(row, "add.deletionVector.sizeInBytes is missing");
  if (!RowReader::Valid(cardinality, row)) {
    return r.Error(row, "add.deletionVector.cardinality is missing");
  }
  d.storage_type = std::move(*type);
  d.path_or_inline_dv = std::move(*path);
  d.size_in_bytes = size->Int32(row);
  d.cardinality = cardinality->Int64(row);
  if (d.size_in_bytes < 0 || d.cardinality < 0) {
    return r.Error(row, "add.deletionVector: negative size or cardinality");
  }
  const RecordNode* offset = dv.Child("offset");
  if (RowReader::Valid(offset, row)) {
    if (offset->Int32(row) < 0) return r.Error(row, "add.deletionVector.offset is negative");
    d.offset = offset->Int32(row);
  }
  file->deletion_vector = std::move(d);
  return Status::OK();
}

Result<RecordTree> ReadTree(const ParquetReader& reader, int rg, const std::vector<int>& leaves,
                            const std::string& name) {
  Result<RowGroupBatch> batch = reader.ReadRowGroup(rg, leaves);
  if (!batch.ok()) return batch.status().WithContext("Delta checkpoint " + name);
  Result<RecordTree> tree = RecordTree::Make(std::move(*batch));
  if (!tree.ok()) return tree.status().WithContext("Delta checkpoint " + name);
  return tree;
}

// Whether the action whose first leaf is `probe` may be non-null in row
// group `rg`: the chunk's null count when the writer recorded one, else its
// definition levels. Without `read_probe` (an object store: a read of its
// own would be a request of its own) the answer is yes, and the action's
// columns come with the row group's others.
Result<bool> ActionMayOccur(const ParquetReader& reader, int rg, int probe, const std::string& name,
                            bool read_probe) {
  const parquet::ColumnChunk& chunk =
      reader.metadata().row_groups[static_cast<size_t>(rg)].columns[static_cast<size_t>(probe)];
  if (chunk.meta_data && chunk.meta_data->statistics && chunk.meta_data->statistics->null_count &&
      reader.schema().leaf(probe).max_rep == 0) {
    return *chunk.meta_data->statistics->null_count < chunk.meta_data->num_values;
  }
  if (!read_probe) return true;
  Result<parquet::ColumnBatch> batch = reader.ReadColumnChunk(rg, probe);
  if (!batch.ok()) return batch.status().WithContext("Delta checkpoint " + name);
  if (batch->def_levels.empty()) return batch->num_levels > 0;
  for (int16_t d : batch->def_levels) {
    if (d > 0) return true;
  }
  return false;
}

// The texts of one string column's values as CompactTexts: borrowed from
// the column's decoded pages where a value lies in one as a block (its size
// in the 4 bytes before it, as PLAIN pages and dictionaries of BYTE_ARRAY
// hold every value), else copied. Whether the bytes before a value are its
// size is checked, and within one page, so any encoding is safe; a value's
// page is found by address (the last one's first, then a binary search),
// so a column of many pages costs a logarithm a value, not their number.
class PageTexts {
 public:
  explicit PageTexts(const RecordNode* column) {
    if (column == nullptr || column->batch() == nullptr) return;
    pages_ = &column->batch()->buffers;
    for (const auto& page : *pages_) {
      if (page == nullptr || page->empty()) continue;
      const auto begin = reinterpret_cast<uintptr_t>(page->data());
      by_address_.push_back({begin, begin + page->size()});
    }
    std::sort(by_address_.begin(), by_address_.end());
  }

  CompactText Of(std::string_view v) {
    const auto at = reinterpret_cast<uintptr_t>(v.data());
    if (v.data() != nullptr && (Within(last_, at, v.size()) || Find(at, v.size()))) {
      uint32_t size;
      std::memcpy(&size, v.data() - sizeof size, sizeof size);
      if (size == v.size()) {
        borrowed_ = true;
        return CompactText::Borrow(v.data() - sizeof size);
      }
    }
    return CompactText(v);
  }
  // The pages, when Of borrowed from them.
  void KeepPages(std::vector<std::shared_ptr<const std::string>>* out) const {
    if (borrowed_) out->insert(out->end(), pages_->begin(), pages_->end());
  }

 private:
  using Range = std::pair<uintptr_t, uintptr_t>;  // [begin, end) of a page
  // Whether the page holds the 4 bytes before the value and the value.
  static bool Within(const Range& page, uintptr_t at, size_t size) {
    return at >= page.first + sizeof(uint32_t) && at <= page.second && size <= page.second - at;
  }
  bool Find(uintptr_t at, size_t size) {
    auto it = std::upper_bound(by_address_.begin(), by_address_.end(), Range{at, UINTPTR_MAX});
    if (it == by_address_.begin()) return false;
    --it;
    if (!Within(*it, at, size)) return false;
    last_ = *it;
    return true;
  }

  const std::vector<std::shared_ptr<const std::string>>* pages_ = nullptr;
  std::vector<Range> by_address_;
  Range last_{0, 0};
  bool borrowed_ = false;
};

}  // namespace

Status ReadCheckpointRowGroup(const ParquetReader& reader, const CheckpointColumnPlan& plan, int rg,
                              const std::string& name, bool read_probes,
                              const CheckpointReadOptions& options, CheckpointPart* out) {
  if (!out->files.empty()) return Status::Internal("ReadCheckpointRowGroup: a part per row group");
  const bool parsed_stats_first =
      !plan.stats_parsed.empty() && (plan.stats.empty() || options.prefer_parsed_stats);
  const bool parsed_pv_first =
      !plan.pv_parsed.empty() && (plan.pv_map.empty() || options.prefer_parsed_partition_values);
  std::vector<int> leaves = plan.main;
  for (const CheckpointColumnPlan::Action& action : plan.actions) {
    LS_ASSIGN_OR_RETURN(bool present, ActionMayOccur(reader, rg, action.probe, name, read_probes));
    if (present) leaves.insert(leaves.end(), action.leaves.begin(), action.leaves.end());
  }
  if (!parsed_stats_first) leaves.insert(leaves.end(), plan.stats.begin(), plan.stats.end());
  if (!parsed_pv_first) leaves.insert(leaves.end(), plan.pv_map.begin(), plan.pv_map.end());
  SortUnique(&leaves);
  if (leaves.empty()) return Status::OK();
  LS_ASSIGN_OR_RETURN(RecordTree tree, ReadTree(reader, rg, leaves, name));
  const int64_t rows = tree.num_rows();
  RowReader r(name, rg);

  AddNodes a(tree);
  const RecordNode* protocol = tree.Find("protocol");
  const RecordNode* metadata = tree.Find("metaData");
  const RecordNode* sidecar = tree.Find("sidecar");
  const RecordNode* checkpoint_metadata = tree.Find("checkpointMetadata");

  // Partition value sets seen in this row group, by their entries' bytes.
  constexpr size_t kMaxCachedPartitionValues = 1 << 16;
  struct ViewHash {
    using is_transparent = void;
    size_t operator()(std::string_view v) const { return std::hash<std::string_view>()(v); }
  };
  std::unordered_map<std::string, PartitionValues, ViewHash, std::equal_to<>> pv_cache;
  std::string signature;
  // Rows whose stats / partition values must come from the typed columns.
  std::vector<std::pair<int64_t, size_t>> need_stats, need_pv;
  // Paths and stats stay in the decoded pages (kept below), the snapshot's
  // too: loaded_files.h.
  LoadedFiles& loaded = out->files;
  loaded.files.reserve(static_cast<size_t>(rows));
  PageTexts paths(a.path), stats(a.stats);
  for (int64_t row = 0; row < rows; ++row) {
    if (a.add != nullptr && a.add->IsValid(row)) {
      DataFile& f = loaded.files.emplace_back();
      if (!RowReader::Valid(a.path, row) || a.path->String(row).empty()) {
        return r.Error(row, "add.path is missing");
      }
      f.path = paths.Of(a.path->String(row));
      if (!RowReader::Valid(a.size, row)) return r.Error(row, "add.size is missing");
      f.size = a.size->Int64(row);
      if (f.size < 0) return r.Error(row, "add.size is negative");
      if (RowReader::Valid(a.modification_time, row)) {
        f.modification_time = a.modification_time->Int64(row);
      }
      if (RowReader::Valid(a.data_change, row)) f.data_change = a.data_change->Bool(row);
      if (RowReader::Valid(a.stats, row)) {
        f.stats = stats.Of(a.stats->String(row));
      } else if (!plan.stats_parsed.empty()) {
        need_stats.emplace_back(row, loaded.size() - 1);
      }
      if (RowReader::Valid(a.pv, row)) {
        MapView mv = a.pv->AsMap();
        if (mv.entries == nullptr || mv.key == nullptr) {
          return r.Error(row, "add.partitionValues is not a map");
        }
        // Files of one partition share one set of values: look the row's
        // entries up by their bytes before building anything.
        signature.clear();
        for (int64_t e : mv.entries->Elements(row)) {
          const std::string_view key = mv.key->String(e);
          const bool valid = mv.value != nullptr && mv.value->IsValid(e);
          const std::string_view value = valid ? mv.value->String(e) : std::string_view();
          const uint32_t lengths[2] = {static_cast<uint32_t>(key.size()),
                                       valid ? static_cast<uint32_t>(value.size()) : UINT32_MAX};
          signature.append(reinterpret_cast<const char*>(lengths), sizeof(lengths));
          signature.append(key).append(value);
        }
        auto known = pv_cache.find(std::string_view(signature));
        if (known != pv_cache.end()) {
          f.partition_values = known->second;
        } else {
          for (int64_t e : mv.entries->Elements(row)) {
            std::string_view key = mv.key->String(e);
            if (mv.value != nullptr && mv.value->IsValid(e)) {
              f.partition_values[key] = std::string(mv.value->String(e));
            } else {
              f.partition_values[key] = std::nullopt;
            }
          }
          if (pv_cache.size() < kMaxCachedPartitionValues) {
            pv_cache.emplace(signature, f.partition_values);
          }
        }
      } else if (!plan.pv_parsed.empty()) {
        need_pv.emplace_back(row, loaded.size() - 1);
      }
      if (RowReader::Valid(a.dv, row)) LS_RETURN_IF_ERROR(FillDeletionVector(r, *a.dv, row, &f));
      if (RowReader::Valid(a.tags, row)) {
        std::map<std::string, std::string> tags = RowReader::StringMap(a.tags, row);
        if (!tags.empty()) f.tags = std::move(tags);
      }
    }
    if (RowReader::Valid(protocol, row)) {
      LS_ASSIGN_OR_RETURN(TableProtocol p, r.Protocol(*protocol, row));
      out->protocols.push_back(std::move(p));
    }
    if (RowReader::Valid(metadata, row)) {
      LS_ASSIGN_OR_RETURN(TableMetadata m, r.Metadata(*metadata, row));
      out->metadata.push_back(std::move(m));
    }
    if (RowReader::Valid(sidecar, row)) {
      LS_ASSIGN_OR_RETURN(DeltaSidecar s, r.Sidecar(*sidecar, row));
      out->sidecars.push_back(std::move(s));
    }
    if (RowReader::Valid(checkpoint_metadata, row)) {
      const RecordNode* v = checkpoint_metadata->Child("version");
      if (!RowReader::Valid(v, row)) return r.Error(row, "checkpointMetadata.version is missing");
      out->checkpoint_versions.push_back(v->Int64(row));
    }
  }

  // What the borrowed texts point into (the other columns' pages go with
  // the tree).
  paths.KeepPages(&loaded.pages);
  stats.KeepPages(&loaded.pages);

  if (!need_stats.empty()) {
    LS_ASSIGN_OR_RETURN(RecordTree parsed, ReadTree(reader, rg, plan.stats_parsed, name));
    const RecordNode* stats = parsed.Find("add.stats_parsed");
    for (auto [row, index] : need_stats) {
      if (!RowReader::Valid(stats, row)) continue;
      std::string json;
      AppendParsedStatsJson(*stats, row, &json);
      loaded.files[index].stats = json;
    }
  }
  if (!need_pv.empty()) {
    LS_ASSIGN_OR_RETURN(RecordTree parsed, ReadTree(reader, rg, plan.pv_parsed, name));
    const RecordNode* pv = parsed.Find("add.partitionValues_parsed");
    for (auto [row, index] : need_pv) {
      if (!RowReader::Valid(pv, row)) continue;
      for (const RecordNode& field : pv->children()) {
        loaded.files[index].partition_values[field.name()] = ParsedPartitionValue(field, row);
      }
    }
  }
  if (!need_pv.empty()) {
    PartitionValueInterner interner;
    for (auto [row, index] : need_pv) interner.Intern(&loaded.files[index].partition_values);
  }
  return Status::OK();
}

}  // namespace lakeshare
