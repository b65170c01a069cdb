#include "admin/table_preview.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <memory>

#include "common/strings.h"
#include "delta/dv_descriptor.h"
#include "parquet/parquet_reader.h"
#include "parquet/row_values.h"
#include "predicate/partition_filter.h"
#include "table/deletion_vector_bytes.h"

namespace lakeshare {

namespace {

namespace json = boost::json;
using Clock = std::chrono::steady_clock;

// What one preview may still read; shared by every file it opens.
struct Budget {
  int64_t max_bytes = 0;
  int64_t used = 0;
  Status Take(uint64_t n) {
    if (static_cast<uint64_t>(max_bytes - used) < n) {
      return Status::TooLarge("the preview's read budget (" + std::to_string(max_bytes >> 20) +
                              " MiB) is spent");
    }
    used += static_cast<int64_t>(n);
    return Status::OK();
  }
};

// A file whose reads are charged to a Budget.
class BudgetedFile final : public RandomAccessFile {
 public:
  BudgetedFile(std::unique_ptr<RandomAccessFile> inner, Budget* budget)
      : inner_(std::move(inner)), budget_(budget) {}
  uint64_t Size() const override { return inner_->Size(); }
  Status ReadAt(uint64_t offset, size_t length, char* out) const override {
    LS_RETURN_IF_ERROR(budget_->Take(length));
    return inner_->ReadAt(offset, length, out);
  }
  bool ReadsAreCheap() const override { return inner_->ReadsAreCheap(); }

 private:
  std::unique_ptr<RandomAccessFile> inner_;
  Budget* budget_;
};

bool EndsWith(const std::string& s, std::string_view tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// Most rows a deletion vector may delete in a preview (8 bytes each).
constexpr uint64_t kMaxDeletedPositions = uint64_t{1} << 23;

// The positions a file's deletion vector deletes, ascending; at most
// `max_positions` (more is kCorruption: the file has fewer rows).
Result<std::vector<uint64_t>> DeletedPositions(const DeletionVector& dv, const OpenedTable& table,
                                               const StorageRegistry& storage, Budget* budget,
                                               uint64_t max_positions) {
  if (static_cast<uint64_t>(std::max<int64_t>(dv.cardinality, 0)) > kMaxDeletedPositions) {
    return Status::TooLarge("a deletion vector deletes more rows than a preview reads past");
  }
  std::string bitmap;
  if (dv.storage_type == "i") {
    auto bytes = Z85Decode(dv.path_or_inline_dv);
    if (!bytes) return Status::Corruption("an inline deletion vector is not Z85");
    bitmap = bytes->substr(0, static_cast<size_t>(std::max(dv.size_in_bytes, 0)));
  } else {
    std::string path;
    if (dv.storage_type == "p" && !table.derived_location.empty() &&
        dv.path_or_inline_dv.rfind(table.derived_location + "/", 0) == 0) {
      path = dv.path_or_inline_dv;  // written by the format itself
    } else {
      LS_ASSIGN_OR_RETURN(std::string relative, DeletionVectorRelativePath(dv));
      LS_ASSIGN_OR_RETURN(std::string root, table.files_location());
      LS_ASSIGN_OR_RETURN(StorageBackend backend, storage.ForLocation(root));
      path = backend.storage->Join(root, relative);
    }
    if (dv.size_in_bytes < 0) return Status::Corruption("a deletion vector has a negative size");
    const int64_t offset = dv.offset.value_or(1);
    const int64_t length = int64_t{dv.size_in_bytes} + 8;
    LS_RETURN_IF_ERROR(budget->Take(static_cast<uint64_t>(length)));
    LS_ASSIGN_OR_RETURN(StorageBackend backend, storage.ForLocation(path));
    LS_ASSIGN_OR_RETURN(std::string range, backend.storage->ReadRange(path, offset, length));
    auto read = ReadDeletionVectorFile(std::string(1, '\x01') + range, 1);
    if (!read) return Status::Corruption("the deletion vector in '" + path + "' is damaged");
    bitmap = std::move(*read);
  }
  // Delta's magic, then the portable 64-bit layout (decoded with a bound:
  // a few bytes of bitmap containers can name millions of rows).
  constexpr std::string_view kMagic("\xD1\xD3\x39\x64", 4);  // 1681511377, little-endian
  if (bitmap.size() < 4 || std::string_view(bitmap).substr(0, 4) != kMagic) {
    return Status::Corruption("a deletion vector's bitmap is damaged");
  }
  auto positions = ParsePortableRoaring64(std::string_view(bitmap).substr(4),
                                          std::min(max_positions, kMaxDeletedPositions));
  if (!positions) {
    return Status::Corruption("a deletion vector's bitmap is damaged or names rows the file lacks");
  }
  return std::move(*positions);
}

class PreviewReader {
 public:
  PreviewReader(const OpenedTable& table, const StorageRegistry& storage,
                const PreviewRequest& request, const PreviewLimits& limits)
      : table_(table),
        storage_(storage),
        request_(request),
        limits_(limits),
        deadline_(Clock::now() + std::chrono::milliseconds(limits.max_millis)) {
    budget_.max_bytes = limits.max_bytes;
  }

  Result<TablePreview> Read() {
    LS_ASSIGN_OR_RETURN(auto snapshot, table_.format->Snapshot(request_.version));
    const TableSnapshot& s = *snapshot;
    if (s.unreadable_reason) {
      return Status::FailedPrecondition("recipients cannot read this version: " +
                                        *s.unreadable_reason);
    }
    out_.version = s.version;
    LS_ASSIGN_OR_RETURN(fields_, ParseSparkSchema(s.metadata.schema_string));
    for (const SparkField& f : fields_) {
      const bool partition =
          std::any_of(s.metadata.partition_columns.begin(), s.metadata.partition_columns.end(),
                      [&](const std::string& p) { return AsciiLower(p) == AsciiLower(f.name); });
      out_.columns.push_back({f.name, f.type.json, partition});
    }
    std::optional<PartitionFilter> filter;
    if (request_.partition_filter && !request_.partition_filter->empty()) {
      LS_ASSIGN_OR_RETURN(filter, PartitionFilter::Parse(*request_.partition_filter));
    }
    const int64_t limit = std::clamp<int64_t>(request_.limit, 1, kMaxPreviewRows);
    for (const DataFile& f : s.files) {
      if (filter && !filter->Admits(f)) continue;
      if (static_cast<int64_t>(out_.rows.size()) >= limit) {
        out_.rows_truncated = true;  // another file follows
        break;
      }
      if (Stop()) break;
      Status st = ReadFile(f, limit);
      if (!st.ok()) {
        if (st.code() != StatusCode::kTooLarge || out_.rows.empty()) return st;
        out_.stopped = std::string(st.message());
        out_.rows_truncated = true;
        break;
      }
      if (out_.rows_truncated) break;
    }
    out_.bytes_read = budget_.used;
    return std::move(out_);
  }

 private:
  // True (and `stopped` set) when a bound forbids reading further.
  bool Stop() {
    if (out_.files_read >= limits_.max_files) {
      out_.stopped = "the preview reads at most " + std::to_string(limits_.max_files) + " files";
    } else if (Clock::now() >= deadline_) {
      out_.stopped =
          "the preview's time limit (" + std::to_string(limits_.max_millis) + " ms) was reached";
    } else {
      return false;
    }
    out_.rows_truncated = true;
    return true;
  }

  Status ReadFile(const DataFile& f, int64_t limit) {
    const std::string lower = AsciiLower(f.path);
    if (EndsWith(lower, ".orc") || EndsWith(lower, ".avro")) {
      return Status::Unsupported("the preview reads parquet files only ('" + f.path.str() + "')");
    }
    LS_ASSIGN_OR_RETURN(std::string path, table_.format->ResolveFilePath(f.path));
    LS_ASSIGN_OR_RETURN(StorageBackend backend, storage_.ForLocation(path));
    std::optional<int64_t> size;
    if (f.size > 0) size = f.size;
    LS_ASSIGN_OR_RETURN(auto raw, backend.storage->OpenRandomAccess(path, size));
    ++out_.files_read;
    auto file = std::make_shared<BudgetedFile>(std::move(raw), &budget_);
    parquet::ReaderOptions options;
    options.max_chunk_bytes = std::max<int64_t>(budget_.max_bytes - budget_.used, 1);
    options.chunk.max_decoded_bytes =
        std::min<int64_t>(options.chunk.max_decoded_bytes, 4 * budget_.max_bytes);
    auto opened = parquet::ParquetReader::Open(file, options);
    if (!opened.ok()) return opened.status().WithContext("data file '" + f.path.str() + "'");
    const parquet::ParquetReader& reader = *opened;
    std::vector<uint64_t> deleted;
    if (f.deletion_vector) {
      const auto rows = static_cast<uint64_t>(std::max<int64_t>(reader.num_rows(), 0));
      LS_ASSIGN_OR_RETURN(deleted,
                          DeletedPositions(*f.deletion_vector, table_, storage_, &budget_, rows));
    }
    const parquet::Schema& schema = reader.schema();
    // Where each column comes from: the log's partition values, or a
    // top-level node of the file (nullptr: the file lacks it, so null).
    std::vector<const std::optional<std::string>*> from_log(fields_.size(), nullptr);
    std::vector<const parquet::SchemaNode*> nodes(fields_.size(), nullptr);
    std::vector<size_t> slots(fields_.size(), 0);
    for (size_t c = 0; c < fields_.size(); ++c) {
      if (out_.columns[c].partition) {
        auto it = f.partition_values.find(fields_[c].physical_name);
        if (it == f.partition_values.end()) it = f.partition_values.find(fields_[c].name);
        if (it != f.partition_values.end()) {
          from_log[c] = &it->second;
          continue;
        }
      }
      nodes[c] = ChildForField(schema, schema.root(), fields_[c]);
      const auto& children = schema.root().children;
      if (nodes[c] != nullptr) {
        slots[c] = static_cast<size_t>(
            std::find(children.begin(), children.end(), nodes[c]->index) - children.begin());
      }
    }
    uint64_t position = 0;
    auto next_deleted = deleted.begin();
    for (int rg = 0; rg < reader.num_row_groups(); ++rg) {
      if (rg > 0 && Stop()) return Status::OK();
      const uint64_t rows_here =
          static_cast<uint64_t>(std::max<int64_t>(reader.row_group_rows(rg), 0));
      // A row group whose rows are all deleted is not read.
      auto after = std::lower_bound(next_deleted, deleted.end(), position + rows_here);
      if (static_cast<uint64_t>(after - next_deleted) == rows_here) {
        position += rows_here;
        next_deleted = after;
        continue;
      }
      // Values only for the rows that may be shown: the rows still wanted,
      // plus the deleted ones among them, plus one to tell whether more follow.
      const auto wanted = limit - static_cast<int64_t>(out_.rows.size()) + 1 +
                          static_cast<int64_t>(after - next_deleted);
      auto rows = parquet::ReadRowGroupRows(reader, rg, wanted);
      if (!rows.ok()) return rows.status().WithContext("data file '" + f.path.str() + "'");
      uint64_t at = position;
      for (const parquet::RowValue& row : *rows) {
        while (next_deleted != deleted.end() && *next_deleted < at) ++next_deleted;
        if (next_deleted != deleted.end() && *next_deleted == at++) continue;
        if (static_cast<int64_t>(out_.rows.size()) >= limit) {
          out_.rows_truncated = true;
          return Status::OK();
        }
        AddRow(row, schema, from_log, nodes, slots);
      }
      position += rows_here;
      next_deleted = after;
    }
    return Status::OK();
  }

  void AddRow(const parquet::RowValue& row, const parquet::Schema& schema,
              const std::vector<const std::optional<std::string>*>& from_log,
              const std::vector<const parquet::SchemaNode*>& nodes,
              const std::vector<size_t>& slots) {
    const auto r = static_cast<int64_t>(out_.rows.size());
    json::array values;
    values.reserve(fields_.size());
    for (size_t c = 0; c < fields_.size(); ++c) {
      bool truncated = false;
      if (from_log[c] != nullptr) {
        values.push_back(
            PartitionValueJson(*from_log[c], fields_[c].type, limits_.values, &truncated));
      } else if (nodes[c] != nullptr && slots[c] < row.children.size()) {
        values.push_back(RowValueJson(row.children[slots[c]], fields_[c].type, schema, *nodes[c],
                                      limits_.values, &truncated));
      } else {
        values.emplace_back(nullptr);
      }
      if (truncated) out_.truncated_cells.emplace_back(r, static_cast<int64_t>(c));
    }
    out_.rows.emplace_back(std::move(values));
  }

  const OpenedTable& table_;
  const StorageRegistry& storage_;
  const PreviewRequest& request_;
  const PreviewLimits& limits_;
  const Clock::time_point deadline_;
  Budget budget_;
  std::vector<SparkField> fields_;
  TablePreview out_;
};

}  // namespace

Result<TablePreview> ReadTablePreview(const OpenedTable& table, const StorageRegistry& storage,
                                      const PreviewRequest& request, const PreviewLimits& limits) {
  if (request.limit < 1 || request.limit > kMaxPreviewRows) {
    return Status::InvalidArgument("limit must be between 1 and " +
                                   std::to_string(kMaxPreviewRows));
  }
  PreviewReader reader(table, storage, request, limits);
  return reader.Read();
}

}  // namespace lakeshare
