#include "delta/delta_checkpoint.h"

#include <fcntl.h>
#include <simdjson.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <exception>
#include <future>
#include <limits>
#include <mutex>
#include <new>
#include <system_error>
#include <unordered_map>
#include <utility>

#include "delta/delta_actions.h"
#include "delta/delta_checkpoint_values.h"
#include "delta/delta_paths.h"
#include "parquet/parquet_reader.h"
#include "parquet/record_view.h"
#include "storage/local_storage.h"

namespace lakeshare {
namespace {

using parquet::ListView;
using parquet::MapView;
using parquet::ParquetReader;
using parquet::RecordNode;
using parquet::RecordTree;
using parquet::RowGroupBatch;

std::string_view BaseName(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// The parquet reader's view of an object in Storage: ranged reads only.
// The first read that reaches the end of the object (the reader's footer
// read) is kept: later reads inside it, or ending inside it, take those
// bytes from memory, so a small checkpoint costs one request.
class StorageFile final : public parquet::RandomAccessFile {
 public:
  StorageFile(Storage& storage, std::string path, uint64_t size, std::string name)
      : storage_(storage), path_(std::move(path)), size_(size), name_(std::move(name)) {}

  Result<uint64_t> Size() const override { return size_; }
  Status ReadAt(uint64_t offset, size_t length, char* out) const override {
    if (offset > size_ || length > size_ - offset) {
      return Status::Corruption(name_ + ": read beyond the end of the file");
    }
    std::shared_ptr<const std::string> tail;
    {
      std::lock_guard<std::mutex> lock(mu_);
      tail = tail_;
    }
    const uint64_t tail_start = tail ? size_ - tail->size() : size_;
    const uint64_t end = offset + length;
    if (tail && offset >= tail_start) {
      std::memcpy(out, tail->data() + (offset - tail_start), length);
      return Status::OK();
    }
    // The part before the kept tail is fetched, the rest copied.
    const uint64_t fetch_end = tail && end > tail_start ? tail_start : end;
    Result<std::string> bytes = storage_.ReadRange(path_, static_cast<int64_t>(offset),
                                                   static_cast<int64_t>(fetch_end - offset));
    if (!bytes.ok()) {
      const Status& st = bytes.status();
      // Listed but gone: not the table's absence.
      StatusCode code = st.code() == StatusCode::kNotFound ? StatusCode::kIOError : st.code();
      return Status(code, name_ + ": " + st.message());
    }
    if (bytes->size() != fetch_end - offset) {
      return Status::Corruption(name_ + ": the file is shorter than its listing says");
    }
    std::memcpy(out, bytes->data(), bytes->size());
    if (fetch_end < end) {
      std::memcpy(out + bytes->size(), tail->data(), static_cast<size_t>(end - fetch_end));
    } else if (end == size_ && !tail) {
      std::lock_guard<std::mutex> lock(mu_);
      if (!tail_) tail_ = std::make_shared<const std::string>(std::move(*bytes));
    }
    return Status::OK();
  }

 private:
  Storage& storage_;
  std::string path_;
  uint64_t size_;
  std::string name_;
  mutable std::mutex mu_;
  mutable std::shared_ptr<const std::string> tail_;  // guarded by mu_
};

// A local file read with pread straight into the reader's buffer (no copy
// through std::string); messages name the file as the table sees it.
class LocalCheckpointFile final : public parquet::RandomAccessFile {
 public:
  static Result<std::shared_ptr<const LocalCheckpointFile>> Open(const std::string& path,
                                                                 std::string name) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      return Status::IOError(name + ": cannot open (" + std::strerror(errno) + ")");
    }
    struct stat st;
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      ::close(fd);
      return Status::IOError(name + ": not a regular file");
    }
    return std::shared_ptr<const LocalCheckpointFile>(
        new LocalCheckpointFile(fd, static_cast<uint64_t>(st.st_size), std::move(name)));
  }
  ~LocalCheckpointFile() override { ::close(fd_); }

  Result<uint64_t> Size() const override { return size_; }
  Status ReadAt(uint64_t offset, size_t length, char* out) const override {
    if (offset > size_ || length > size_ - offset) {
      return Status::Corruption(name_ + ": read beyond the end of the file");
    }
    while (length > 0) {
      ssize_t n = ::pread(fd_, out, length, static_cast<off_t>(offset));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Status::IOError(name_ + ": read failed (" + std::strerror(errno) + ")");
      if (n == 0) return Status::IOError(name_ + ": shorter than when it was opened");
      out += n;
      offset += static_cast<uint64_t>(n);
      length -= static_cast<size_t>(n);
    }
    return Status::OK();
  }

 private:
  LocalCheckpointFile(int fd, uint64_t size, std::string name)
      : fd_(fd), size_(size), name_(std::move(name)) {}
  int fd_;
  uint64_t size_;
  std::string name_;
};

// Runs work(i) for i in [0, n) on up to `parallelism` threads; the error of
// the lowest failing index wins.
Status RunParallel(size_t n, size_t parallelism, const std::function<Status(size_t)>& work) {
  std::vector<Status> errors(n);
  std::atomic<size_t> next{0};
  std::atomic<size_t> first_failed{n};
  auto loop = [&]() {
    for (size_t i = next.fetch_add(1); i < n; i = next.fetch_add(1)) {
      if (i > first_failed.load()) break;
      Status st;
      try {
        st = work(i);
      } catch (const std::bad_alloc&) {
        st = Status::Unavailable("Delta checkpoint: out of memory");
      } catch (const std::exception& e) {
        st = Status::Internal(std::string("Delta checkpoint: unexpected exception: ") + e.what());
      }
      if (!st.ok()) {
        errors[i] = std::move(st);
        size_t seen = first_failed.load();
        while (i < seen && !first_failed.compare_exchange_weak(seen, i)) {
        }
      }
    }
  };
  const size_t workers = std::min(n, std::max<size_t>(parallelism, 1));
  std::vector<std::future<void>> helpers;
  for (size_t w = 1; w < workers; ++w) {
    try {
      helpers.push_back(std::async(std::launch::async, loop));
    } catch (const std::system_error&) {
      break;  // no thread to spare: this one does the rest
    }
  }
  loop();
  for (auto& h : helpers) h.get();
  for (Status& st : errors) {
    if (!st.ok()) return st;
  }
  return Status::OK();
}

// The leaf columns one checkpoint file offers, resolved once per file.
struct ColumnPlan {
  std::vector<int> main;  // add (minus the optional parts)
  // The non-file actions (protocol, metaData, sidecar, checkpointMetadata):
  // a few rows of the first row group in a classic checkpoint, so they are
  // decoded only in row groups where their first leaf says they occur.
  struct Action {
    std::vector<int> leaves;
    int probe = -1;
  };
  std::vector<Action> actions;
  std::vector<int> stats;         // add.stats
  std::vector<int> pv_map;        // add.partitionValues
  std::vector<int> stats_parsed;  // add.stats_parsed
  std::vector<int> pv_parsed;     // add.partitionValues_parsed
};

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

ColumnPlan PlanColumns(const parquet::Schema& schema) {
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
  ColumnPlan plan;
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
  std::erase_if(plan.actions, [](const ColumnPlan::Action& a) { return a.leaves.empty(); });
  for (ColumnPlan::Action& a : plan.actions) {
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

// What one row group (or one JSON file) contributes.
struct Part {
  std::vector<DataFile> files;
  std::vector<TableProtocol> protocols;
  std::vector<TableMetadata> metadata;
  std::vector<DeltaSidecar> sidecars;
  std::vector<int64_t> checkpoint_versions;
};

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

Status ReadRowGroup(const ParquetReader& reader, const ColumnPlan& plan, int rg,
                    const std::string& name, bool local, const CheckpointReadOptions& options,
                    Part* out) {
  const bool parsed_stats_first =
      !plan.stats_parsed.empty() && (plan.stats.empty() || options.prefer_parsed_stats);
  const bool parsed_pv_first =
      !plan.pv_parsed.empty() && (plan.pv_map.empty() || options.prefer_parsed_partition_values);
  std::vector<int> leaves = plan.main;
  for (const ColumnPlan::Action& action : plan.actions) {
    LS_ASSIGN_OR_RETURN(bool present, ActionMayOccur(reader, rg, action.probe, name, local));
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
  out->files.reserve(out->files.size() + static_cast<size_t>(rows));
  for (int64_t row = 0; row < rows; ++row) {
    if (a.add != nullptr && a.add->IsValid(row)) {
      DataFile& f = out->files.emplace_back();
      if (!RowReader::Valid(a.path, row) || a.path->String(row).empty()) {
        return r.Error(row, "add.path is missing");
      }
      f.path.assign(a.path->String(row));
      if (!RowReader::Valid(a.size, row)) return r.Error(row, "add.size is missing");
      f.size = a.size->Int64(row);
      if (f.size < 0) return r.Error(row, "add.size is negative");
      if (RowReader::Valid(a.modification_time, row)) {
        f.modification_time = a.modification_time->Int64(row);
      }
      if (RowReader::Valid(a.data_change, row)) f.data_change = a.data_change->Bool(row);
      if (RowReader::Valid(a.stats, row)) {
        f.stats.emplace(a.stats->String(row));
      } else if (!plan.stats_parsed.empty()) {
        need_stats.emplace_back(row, out->files.size() - 1);
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
        need_pv.emplace_back(row, out->files.size() - 1);
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

  if (!need_stats.empty()) {
    LS_ASSIGN_OR_RETURN(RecordTree parsed, ReadTree(reader, rg, plan.stats_parsed, name));
    const RecordNode* stats = parsed.Find("add.stats_parsed");
    for (auto [row, index] : need_stats) {
      if (!RowReader::Valid(stats, row)) continue;
      std::string json;
      AppendParsedStatsJson(*stats, row, &json);
      out->files[index].stats = std::move(json);
    }
  }
  if (!need_pv.empty()) {
    LS_ASSIGN_OR_RETURN(RecordTree parsed, ReadTree(reader, rg, plan.pv_parsed, name));
    const RecordNode* pv = parsed.Find("add.partitionValues_parsed");
    for (auto [row, index] : need_pv) {
      if (!RowReader::Valid(pv, row)) continue;
      for (const RecordNode& field : pv->children()) {
        out->files[index].partition_values[field.name()] = ParsedPartitionValue(field, row);
      }
    }
  }
  if (!need_pv.empty()) {
    PartitionValueInterner interner;
    for (auto [row, index] : need_pv) interner.Intern(&out->files[index].partition_values);
  }
  return Status::OK();
}

// One parquet file of a checkpoint, opened (footer read) and planned.
struct OpenFile {
  std::string name;
  std::optional<ParquetReader> reader;
  ColumnPlan plan;
  bool local = false;  // read with pread (else: requests to a store)
};

Result<OpenFile> OpenCheckpointFile(Storage& storage, const FileInfo& info, std::string name,
                                    const CheckpointReadOptions& options) {
  OpenFile f;
  f.name = std::move(name);
  std::shared_ptr<const parquet::RandomAccessFile> file;
  parquet::ReaderOptions reader_options;
  f.local = dynamic_cast<LocalStorage*>(&storage) != nullptr;
  if (f.local) {
    LS_ASSIGN_OR_RETURN(file, LocalCheckpointFile::Open(info.path, f.name));
  } else {
    file =
        std::make_shared<StorageFile>(storage, info.path, static_cast<uint64_t>(info.size), f.name);
    reader_options.footer_read_size = std::max<uint64_t>(
        reader_options.footer_read_size, static_cast<uint64_t>(options.remote_tail_read_bytes));
  }
  Result<ParquetReader> reader = ParquetReader::Open(std::move(file), reader_options);
  if (!reader.ok()) return reader.status().WithContext("Delta checkpoint " + f.name);
  f.plan = PlanColumns(reader->schema());
  f.reader.emplace(std::move(*reader));
  return f;
}

// Decodes every row group of `files`, in parallel, into parts in file and
// row group order.
Result<std::vector<Part>> ReadParquetFiles(const std::vector<OpenFile>& files,
                                           const CheckpointReadOptions& options) {
  std::vector<std::pair<size_t, int>> tasks;
  for (size_t i = 0; i < files.size(); ++i) {
    for (int rg = 0; rg < files[i].reader->num_row_groups(); ++rg) tasks.emplace_back(i, rg);
  }
  std::vector<Part> parts(tasks.size());
  LS_RETURN_IF_ERROR(RunParallel(tasks.size(), options.parallelism, [&](size_t t) {
    const OpenFile& f = files[tasks[t].first];
    return ReadRowGroup(*f.reader, f.plan, tasks[t].second, f.name, f.local, options, &parts[t]);
  }));
  return parts;
}

Result<Part> ReadJsonCheckpoint(Storage& storage, const FileInfo& info, const std::string& name,
                                const CheckpointReadOptions& options) {
  const int64_t limit = options.max_json_bytes;
  auto too_large = [&]() {
    return Status::TooLarge("Delta checkpoint " + name + " is larger than the limit of " +
                            std::to_string(limit) + " bytes");
  };
  if (info.size > limit) return too_large();
  Result<std::string> content = storage.ReadRange(info.path, 0, limit + 1);
  if (!content.ok()) {
    const Status& st = content.status();
    StatusCode code = st.code() == StatusCode::kNotFound ? StatusCode::kIOError : st.code();
    return Status(code, "reading Delta checkpoint " + name + ": " + st.message());
  }
  if (static_cast<int64_t>(content->size()) > limit) return too_large();
  LS_ASSIGN_OR_RETURN(DeltaCommit commit, ParseDeltaCommit(std::move(*content), name));
  Part part;
  if (commit.protocol) part.protocols.push_back(std::move(*commit.protocol));
  if (commit.metadata) part.metadata.push_back(std::move(*commit.metadata));
  if (commit.checkpoint_metadata_version) {
    part.checkpoint_versions.push_back(*commit.checkpoint_metadata_version);
  }
  part.sidecars = std::move(commit.sidecars);
  for (DeltaFileAction& action : commit.file_actions) {
    if (auto* add = std::get_if<DataFile>(&action)) part.files.push_back(std::move(*add));
  }
  return part;
}

// The location of a sidecar named by a checkpoint.
Result<std::string> SidecarLocation(Storage& storage, const std::string& log_dir,
                                    const DeltaSidecar& sidecar, const std::string& name) {
  std::string relative = CanonicalDeltaPath(sidecar.path);
  bool bad = HasUriScheme(sidecar.path) || relative.empty() || relative.front() == '/';
  for (size_t start = 0; !bad && start <= relative.size();) {
    size_t slash = relative.find('/', start);
    std::string_view segment(relative.data() + start,
                             (slash == std::string::npos ? relative.size() : slash) - start);
    if (segment == ".." || segment.empty()) bad = true;
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  if (bad) {
    return Status::Corruption("Delta checkpoint " + name + ": sidecar path '" + sidecar.path +
                              "' is not a file of _delta_log/_sidecars");
  }
  return storage.Join(storage.Join(log_dir, "_sidecars"), relative);
}

}  // namespace

size_t CheckpointContents::num_files() const {
  size_t n = 0;
  for (const auto& g : files) n += g.size();
  return n;
}

std::string DeltaLogRelativeName(std::string_view path) {
  return "_delta_log/" + std::string(BaseName(path));
}

Result<LastCheckpointHint> ParseLastCheckpoint(std::string content, std::string_view name) {
  auto corrupt = [&](std::string_view what) {
    return Status::Corruption("Delta " + std::string(name) + ": " + std::string(what));
  };
  try {
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (parser.parse(content).get(doc) != simdjson::SUCCESS) return corrupt("invalid JSON");
    simdjson::dom::object obj;
    if (doc.get_object().get(obj) != simdjson::SUCCESS) return corrupt("not a JSON object");
    LastCheckpointHint hint;
    bool has_version = false;
    auto opt_int = [](simdjson::dom::element v) -> std::optional<int64_t> {
      int64_t x = 0;
      if (v.get_int64().get(x) != simdjson::SUCCESS || x < 0) return std::nullopt;
      return x;
    };
    for (simdjson::dom::key_value_pair kv : obj) {
      std::string_view k = kv.key;
      if (k == "version") {
        std::optional<int64_t> v = opt_int(kv.value);
        if (!v) return corrupt("\"version\" is not a non-negative integer");
        hint.version = *v;
        has_version = true;
      } else if (k == "size") {
        hint.size = opt_int(kv.value);
      } else if (k == "parts") {
        std::optional<int64_t> parts = opt_int(kv.value);
        if (parts && *parts > 0 && *parts <= std::numeric_limits<int32_t>::max()) {
          hint.parts = static_cast<int32_t>(*parts);
        }
      } else if (k == "sizeInBytes") {
        hint.size_in_bytes = opt_int(kv.value);
      } else if (k == "numOfAddFiles") {
        hint.num_of_add_files = opt_int(kv.value);
      } else if (k == "v2Checkpoint") {
        simdjson::dom::object v2;
        std::string_view path;
        if (kv.value.get_object().get(v2) == simdjson::SUCCESS &&
            v2["path"].get_string().get(path) == simdjson::SUCCESS) {
          hint.v2_checkpoint_path = std::string(path);
        }
      }
    }
    if (!has_version) return corrupt("no \"version\"");
    return hint;
  } catch (const std::bad_alloc&) {
    return Status::Unavailable("Delta " + std::string(name) + ": out of memory");
  } catch (const std::exception& e) {
    return corrupt(e.what());
  }
}

Result<CheckpointContents> ReadDeltaCheckpoint(Storage& storage, const std::string& log_dir,
                                               const DeltaCheckpoint& checkpoint,
                                               const CheckpointReadOptions& options) {
  if (checkpoint.files.empty()) return Status::Internal("Delta checkpoint without files");
  const std::string first_name = DeltaLogRelativeName(checkpoint.files.front().path);
  try {
    // Top level: the checkpoint's own files (every part, or the one file).
    std::vector<Part> parts;
    const FileInfo& top = checkpoint.files.front();
    const bool json = checkpoint.type == DeltaLogFileType::kV2Checkpoint &&
                      BaseName(top.path).substr(BaseName(top.path).size() - 5) == ".json";
    if (json) {
      LS_ASSIGN_OR_RETURN(Part part, ReadJsonCheckpoint(storage, top, first_name, options));
      parts.push_back(std::move(part));
    } else {
      std::vector<OpenFile> files(checkpoint.files.size());
      LS_RETURN_IF_ERROR(RunParallel(files.size(), options.parallelism, [&](size_t i) -> Status {
        const FileInfo& info = checkpoint.files[i];
        LS_ASSIGN_OR_RETURN(
            files[i], OpenCheckpointFile(storage, info, DeltaLogRelativeName(info.path), options));
        return Status::OK();
      }));
      LS_ASSIGN_OR_RETURN(parts, ReadParquetFiles(files, options));
    }

    CheckpointContents out;
    out.version = checkpoint.version;
    std::vector<DeltaSidecar> sidecars;
    auto merge = [&](Part& part, const std::string& name) -> Status {
      for (TableProtocol& p : part.protocols) {
        if (out.protocol) {
          return Status::Corruption("Delta checkpoint " + name + ": more than one protocol action");
        }
        out.protocol = std::move(p);
      }
      for (TableMetadata& m : part.metadata) {
        if (out.metadata) {
          return Status::Corruption("Delta checkpoint " + name + ": more than one metaData action");
        }
        out.metadata = std::move(m);
      }
      for (int64_t v : part.checkpoint_versions) {
        if (v != checkpoint.version) {
          return Status::Corruption("Delta checkpoint " + name +
                                    ": checkpointMetadata says version " + std::to_string(v) +
                                    ", its name says " + std::to_string(checkpoint.version));
        }
      }
      for (DeltaSidecar& s : part.sidecars) sidecars.push_back(std::move(s));
      if (!part.files.empty()) out.files.push_back(std::move(part.files));
      return Status::OK();
    };
    for (Part& p : parts) LS_RETURN_IF_ERROR(merge(p, first_name));
    parts.clear();

    // V2: the add actions live in the sidecars.
    if (!sidecars.empty()) {
      std::vector<OpenFile> files(sidecars.size());
      LS_RETURN_IF_ERROR(RunParallel(files.size(), options.parallelism, [&](size_t i) -> Status {
        LS_ASSIGN_OR_RETURN(std::string location,
                            SidecarLocation(storage, log_dir, sidecars[i], first_name));
        std::string name = "_delta_log/_sidecars/" + std::string(BaseName(location));
        Result<FileInfo> info = storage.Head(location);
        if (!info.ok()) {
          if (info.status().code() == StatusCode::kNotFound) {
            return Status::Corruption("Delta checkpoint " + first_name + ": its sidecar " + name +
                                      " is missing");
          }
          return info.status().WithContext("Delta checkpoint sidecar " + name);
        }
        LS_ASSIGN_OR_RETURN(files[i], OpenCheckpointFile(storage, *info, name, options));
        return Status::OK();
      }));
      LS_ASSIGN_OR_RETURN(std::vector<Part> sidecar_parts, ReadParquetFiles(files, options));
      for (size_t i = 0; i < sidecar_parts.size(); ++i) {
        Part& p = sidecar_parts[i];
        if (!p.protocols.empty() || !p.metadata.empty() || !p.sidecars.empty()) {
          return Status::Corruption("Delta checkpoint " + first_name +
                                    ": a sidecar holds actions other than add and remove");
        }
        LS_RETURN_IF_ERROR(merge(p, first_name));
      }
    }
    if (!out.protocol) {
      return Status::Corruption("Delta checkpoint " + first_name + ": no protocol action");
    }
    if (!out.metadata) {
      return Status::Corruption("Delta checkpoint " + first_name + ": no metaData action");
    }
    return out;
  } catch (const std::bad_alloc&) {
    return Status::Unavailable("Delta checkpoint " + first_name + ": out of memory");
  } catch (const std::exception& e) {
    return Status::Internal("Delta checkpoint " + first_name +
                            ": unexpected exception: " + e.what());
  }
}

}  // namespace lakeshare
