#include "admin/table_inspection.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <set>
#include <system_error>

#include "common/strings.h"
#include "predicate/partition_filter.h"

namespace lakeshare {

namespace {

namespace fs = std::filesystem;

// The problem with the table, named for the provider.
Status Problem(const std::string& location, const std::string& format, const std::string& why) {
  return Status::FailedPrecondition("the " + format + " table at '" + location + "': " + why);
}

// A local location as a path ("" for URIs of other schemes).
std::string LocalPath(const std::string& location) {
  if (location.rfind("file://", 0) == 0) return location.substr(7);
  if (location.rfind("file:", 0) == 0) return location.substr(5);
  if (location.find("://") != std::string::npos) return "";
  return location;
}

// What a local table must have before its format is asked: checked here so
// the message says what is missing rather than how reading failed.
bool IsCatalogUrl(const std::string& location) {
  return location.rfind("http://", 0) == 0 || location.rfind("https://", 0) == 0 ||
         location.rfind("glue://", 0) == 0;
}

Status CheckLocal(const std::string& location, const std::string& format) {
  const std::string path = LocalPath(location);
  if (location.find("://") == std::string::npos && location.rfind("file:", 0) != 0 &&
      (path.empty() || path.front() != '/')) {
    return Problem(location, format,
                   "a relative path; give an absolute path or a URI (s3://, abfss://, gs://, ...)");
  }
  if (path.empty()) return Status::OK();
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st)) return Problem(location, format, "no such file or folder");
  if (format == "delta") {
    if (!fs::is_directory(st)) return Problem(location, format, "not a folder");
    if (!fs::is_directory(fs::path(path) / "_delta_log", ec)) {
      return Problem(location, format, "no _delta_log folder: not a Delta table");
    }
  } else if (format == "hudi") {
    if (!fs::is_directory(fs::path(path) / ".hoodie", ec)) {
      return Problem(location, format, "no .hoodie folder: not a Hudi table");
    }
  }
  return Status::OK();
}

// A reading error as the provider's problem (kTooLarge and the like keep
// their code: they are limits, not the table's fault).
Status AsProblem(const Status& s, const std::string& location, const std::string& format) {
  switch (s.code()) {
    case StatusCode::kTooLarge:
    case StatusCode::kTooManyRequests:
    case StatusCode::kInternal:
      return s;
    case StatusCode::kUnsupported:
      return Problem(location, format, "unsupported: " + std::string(s.message()));
    default:
      return Problem(location, format, std::string(s.message()));
  }
}

}  // namespace

// Counts a running inspection; releases it on scope exit.
class TableInspector::Slot {
 public:
  explicit Slot(TableInspector* owner) : owner_(owner) {}
  Slot(const Slot&) = delete;
  Slot& operator=(const Slot&) = delete;
  ~Slot() {
    {
      std::lock_guard<std::mutex> lock(owner_->mu_);
      --owner_->running_;
    }
    owner_->slot_free_.notify_one();
  }

  static Result<std::unique_ptr<Slot>> Take(TableInspector* owner) {
    std::unique_lock<std::mutex> lock(owner->mu_);
    const bool free = owner->slot_free_.wait_for(
        lock, std::chrono::milliseconds(owner->options_.max_wait_ms),
        [owner] { return owner->running_ < owner->options_.max_concurrent; });
    if (!free) {
      return Status::TooManyRequests("other tables are being read: try again in a moment");
    }
    ++owner->running_;
    return std::make_unique<Slot>(owner);
  }

 private:
  TableInspector* owner_;
};

TableInspector::TableInspector(std::shared_ptr<StorageRegistry> storage,
                               std::shared_ptr<const TableFormatRegistry> formats,
                               TableInspectorOptions options)
    : storage_(std::move(storage)), formats_(std::move(formats)), options_(options) {}

TableOptions HudiViewOptions(const std::string& hudi_view) {
  std::string view = AsciiLower(hudi_view);  // as the catalog stores it
  if (view.empty() || view == "snapshot") return {};
  return {{"hudiView", std::move(view)}};
}

TableOptions SharedTableOptions(const std::string& hudi_view,
                                const TableLocationMap& location_map) {
  TableOptions options = HudiViewOptions(hudi_view);
  if (!location_map.empty()) options[kLocationMapOption] = EncodeTableLocationMap(location_map);
  return options;
}

Result<std::shared_ptr<TableFormat>> TableInspector::Open(const std::string& location,
                                                          const std::string& format,
                                                          const TableOptions& table_options) {
  return OpenLocked(location, AsciiLower(format), table_options);
}

Result<std::shared_ptr<TableFormat>> TableInspector::OpenLocked(const std::string& location,
                                                                const std::string& format,
                                                                const TableOptions& table_options) {
  LS_ASSIGN_OR_RETURN(OpenedTable opened, OpenTableLocked(location, format, table_options));
  return opened.format;
}

Result<OpenedTable> TableInspector::OpenTableLocked(const std::string& location,
                                                    const std::string& format,
                                                    const TableOptions& table_options) {
  const TableFormatFactory* factory = formats_->Find(format);
  if (factory == nullptr) {
    return Status::InvalidArgument("unknown table format '" + format + "'");
  }
  LS_RETURN_IF_ERROR(CheckLocal(location, format));
  TableOpenContext context;
  context.storage = storage_;
  context.table_options = table_options;
  auto key = factory->TableKey(location, context);
  if (!key.ok()) return AsProblem(key.status(), location, format);
  // A catalog service's URL (Iceberg REST, glue://) is no storage location:
  // the format asks the catalog where the files are, and they are checked then.
  if (!IsCatalogUrl(location)) {
    auto backend = storage_->ForLocation(location);
    if (!backend.ok()) return AsProblem(backend.status(), location, format);
  }
  const std::string slot = format + "|" + *key;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = open_.find(slot); it != open_.end()) return it->second;
  }
  auto opened = factory->Open(*key, context);
  if (!opened.ok()) return AsProblem(opened.status(), location, format);
  std::lock_guard<std::mutex> lock(mu_);
  if (open_.size() >= options_.max_open_tables) open_.clear();
  return open_.emplace(slot, std::move(*opened)).first->second;
}

Result<TablePreview> TableInspector::Preview(const std::string& location,
                                             const std::string& format_name,
                                             const PreviewRequest& request,
                                             const TableOptions& table_options) {
  const std::string format = AsciiLower(format_name.empty() ? "delta" : format_name);
  LS_ASSIGN_OR_RETURN(auto slot, Slot::Take(this));
  LS_ASSIGN_OR_RETURN(OpenedTable table, OpenTableLocked(location, format, table_options));
  auto preview = ReadTablePreview(table, *storage_, request, options_.preview);
  if (preview.ok()) return preview;
  // A version outside the table is the caller's mistake, not the table's.
  if (preview.status().code() == StatusCode::kInvalidArgument) return preview.status();
  return AsProblem(preview.status(), location, format);
}

Result<TableInspection> TableInspector::Inspect(const std::string& location,
                                                const std::string& format_name,
                                                const std::optional<std::string>& partition_filter,
                                                const TableOptions& table_options) {
  const std::string format = AsciiLower(format_name.empty() ? "delta" : format_name);
  std::optional<PartitionFilter> filter;
  if (partition_filter && !partition_filter->empty()) {
    LS_ASSIGN_OR_RETURN(filter, PartitionFilter::Parse(*partition_filter));
  }
  LS_ASSIGN_OR_RETURN(auto slot, Slot::Take(this));
  LS_ASSIGN_OR_RETURN(auto table, OpenLocked(location, format, table_options));
  auto snapshot = table->Snapshot(std::nullopt);
  if (!snapshot.ok()) return AsProblem(snapshot.status(), location, format);
  const TableSnapshot& s = **snapshot;
  TableInspection out;
  out.format = format;
  out.version = s.version;
  out.timestamp_ms = s.timestamp_ms;
  out.schema_string = s.metadata.schema_string;
  out.partition_columns = s.metadata.partition_columns;
  if (s.protocol.reader_features) out.reader_features = *s.protocol.reader_features;
  out.unreadable_reason = s.unreadable_reason;
  for (const DataFile& f : s.files) {
    ++out.num_files;
    out.size_bytes += f.size;
  }
  if (filter) {
    // CheckColumns speaks to recipients; the provider is told which column.
    for (const std::string& column : filter->columns()) {
      const bool known =
          std::any_of(s.metadata.partition_columns.begin(), s.metadata.partition_columns.end(),
                      [&](const std::string& p) { return AsciiLower(p) == column; });
      if (!known) {
        std::string have;
        for (const std::string& p : s.metadata.partition_columns) {
          have += (have.empty() ? "" : ", ") + p;
        }
        return Problem(location, format,
                       "the partition filter names '" + column +
                           "', which is not a partition column (" +
                           (have.empty() ? "the table has none" : "they are: " + have) + ")");
      }
    }
    PartitionFilterSummary sum;
    std::set<std::vector<std::pair<std::string, std::optional<std::string>>>> all;
    std::set<std::vector<std::pair<std::string, std::optional<std::string>>>> kept;
    for (const DataFile& f : s.files) {
      std::vector<std::pair<std::string, std::optional<std::string>>> key(
          f.partition_values.begin(), f.partition_values.end());
      all.insert(key);
      if (filter->Admits(f)) {
        ++sum.files_kept;
        kept.insert(std::move(key));
      }
    }
    sum.partitions_total = static_cast<int64_t>(all.size());
    sum.partitions_kept = static_cast<int64_t>(kept.size());
    for (const auto& k : kept) {
      if (sum.kept.size() == 20) break;
      sum.kept.push_back(k);
    }
    out.partition_filter = std::move(sum);
  }
  return out;
}

Result<TableHistoryPage> TableInspector::History(const std::string& location,
                                                 const std::string& format_name,
                                                 std::optional<int64_t> before, int64_t max_results,
                                                 const TableOptions& table_options) {
  const std::string format = AsciiLower(format_name.empty() ? "delta" : format_name);
  max_results = std::clamp<int64_t>(max_results, 1, kMaxHistoryPage);
  LS_ASSIGN_OR_RETURN(auto slot, Slot::Take(this));
  LS_ASSIGN_OR_RETURN(auto table, OpenLocked(location, format, table_options));
  auto latest = table->LatestVersion();
  if (!latest.ok()) return AsProblem(latest.status(), location, format);
  TableHistoryPage page;
  const int64_t end = before ? std::min(*before - 1, *latest) : *latest;
  if (end < 0) return page;
  const int64_t start = std::max<int64_t>(0, end - max_results + 1);
  auto commits = table->Changes(start, end);
  std::vector<CommitChanges> found;
  if (commits.ok()) {
    found = std::move(*commits);
  } else if (commits.status().code() == StatusCode::kInvalidArgument) {
    // Older commits are gone: read back from the newest until one is missing.
    for (int64_t v = end; v >= start; --v) {
      auto one = table->Changes(v, v);
      if (!one.ok()) break;
      for (CommitChanges& c : *one) found.insert(found.begin(), std::move(c));
    }
  } else {
    return AsProblem(commits.status(), location, format);
  }
  for (auto it = found.rbegin(); it != found.rend(); ++it) {
    TableCommit c{
        .version = it->version, .timestamp_ms = it->timestamp_ms, .operation = it->operation};
    for (const FileChange& f : it->changes) {
      if (f.type == ChangeType::kAdd) ++c.files_added;
      if (f.type == ChangeType::kRemove) ++c.files_removed;
    }
    page.commits.push_back(std::move(c));
  }
  if (!page.commits.empty() && page.commits.back().version > 0 &&
      static_cast<int64_t>(found.size()) == end - start + 1) {
    page.next_before = page.commits.back().version;
  }
  return page;
}

}  // namespace lakeshare
