#include "protocol/changes_stream.h"

#include <boost/json.hpp>

namespace lakeshare {
namespace {

bool CdfEnabled(const TableMetadata& m) {
  auto it = m.configuration.find("delta.enableChangeDataFeed");
  return it != m.configuration.end() && it->second == "true";
}

// A MERGE that changed no row writes files but no data change.
bool IsNoOpMerge(const CommitChanges& c) {
  if (c.operation != "MERGE" || !c.operation_metrics) return false;
  boost::json::error_code ec;
  boost::json::value v = boost::json::parse(*c.operation_metrics, ec);
  if (ec || !v.is_object()) return false;
  for (const char* key :
       {"numTargetRowsInserted", "numTargetRowsUpdated", "numTargetRowsDeleted"}) {
    const auto* m = v.as_object().if_contains(key);
    if (m == nullptr) return false;
    if (m->is_string() ? m->as_string() != "0" : !(m->is_int64() && m->as_int64() == 0)) {
      return false;
    }
  }
  return true;
}

}  // namespace

Result<std::vector<ChangeEntry>> PlanChanges(const std::vector<CommitChanges>& commits,
                                             ChangeMode mode, bool include_historical_metadata,
                                             bool include_historical_protocol,
                                             bool require_cdf_enabled) {
  std::vector<ChangeEntry> plan;
  for (size_t i = 0; i < commits.size(); ++i) {
    const CommitChanges& c = commits[i];
    if (require_cdf_enabled && c.metadata && !CdfEnabled(*c.metadata)) {
      return Status::InvalidArgument("change data was not recorded for version " +
                                     std::to_string(c.version));
    }
    // The start's protocol and metaData are the answer's first lines; later
    // ones are emitted where they change, protocol first as in a commit.
    if (i > 0 && c.protocol && include_historical_protocol) {
      plan.push_back({i, ChangeEntry::kProtocolLine});
    }
    if (i > 0 && c.metadata && include_historical_metadata) {
      plan.push_back({i, ChangeEntry::kMetadataLine});
    }
    bool has_cdc = false;
    for (const auto& ch : c.changes) has_cdc = has_cdc || ch.type == ChangeType::kCdc;
    if (mode == ChangeMode::kChangeDataFeed && IsNoOpMerge(c) && !has_cdc) continue;
    for (size_t j = 0; j < c.changes.size(); ++j) {
      const FileChange& ch = c.changes[j];
      bool emit = false;
      if (mode == ChangeMode::kChangeDataFeed && has_cdc) {
        emit = ch.type == ChangeType::kCdc;
      } else {
        emit = ch.type != ChangeType::kCdc && ch.file.data_change;
      }
      if (emit) plan.push_back({i, static_cast<int64_t>(j)});
    }
  }
  return plan;
}

ChangesBodyStream::ChangesBodyStream(std::string head,
                                     std::shared_ptr<const std::vector<CommitChanges>> commits,
                                     std::vector<ChangeEntry> plan, FileSigner signer,
                                     ChangesStreamOptions options)
    : head_(std::move(head)),
      commits_(std::move(commits)),
      plan_(std::move(plan)),
      signer_(std::move(signer)),
      options_(std::move(options)),
      next_(static_cast<size_t>(options_.start_index)) {}

Result<bool> ChangesBodyStream::Next(std::string* out, size_t size_hint) {
  if (done_) return false;
  if (!head_.empty()) {
    out->append(head_);
    head_.clear();
  }
  std::optional<std::string> next_page;
  std::optional<std::string> error;
  while (next_ < plan_.size() && out->size() < size_hint) {
    const ChangeEntry& e = plan_[next_];
    const CommitChanges& c = (*commits_)[e.commit];
    if (e.change == ChangeEntry::kProtocolLine) {
      AppendDeltaProtocolLine(out, *c.protocol, c.version);
      ++next_;
      continue;
    }
    if (e.change == ChangeEntry::kMetadataLine) {
      if (options_.format == ResponseFormat::kDelta) {
        AppendDeltaMetadataLine(out, *c.metadata, c.version, std::nullopt, std::nullopt);
      } else {
        AppendParquetMetadataLine(out, *c.metadata, /*history_shared=*/true, c.version);
      }
      ++next_;
      continue;
    }
    if (options_.max_files && emitted_ >= *options_.max_files) {
      next_page = options_.make_page_token(next_);
      break;
    }
    const FileChange& ch = c.changes[static_cast<size_t>(e.change)];
    FileLineOptions line_options{true, c.version, c.timestamp_ms};
    std::string_view parquet_key = ch.type == ChangeType::kAdd      ? "add"
                                   : ch.type == ChangeType::kRemove ? "remove"
                                                                    : "cdf";
    std::string_view delta_action = ch.type == ChangeType::kAdd      ? "add"
                                    : ch.type == ChangeType::kRemove ? "remove"
                                                                     : "cdc";
    Status st = AppendFileLine(out, ch.file, signer_, options_.format, options_.id_hash,
                               parquet_key, delta_action, line_options, ch.deletion_timestamp);
    if (!st.ok()) {
      if (!options_.end_stream_action) return st;
      error = st.message();
      break;
    }
    ++next_;
    ++emitted_;
  }
  bool finished = next_page || error || next_ >= plan_.size();
  if (!finished) return true;
  if (options_.end_stream_action) {
    AppendEndStreamActionLine(out, std::nullopt, next_page, signer_.expiration_ms(), error);
  }
  done_ = true;
  return false;
}

}  // namespace lakeshare
