#include "protocol/file_filter.h"

#include <spdlog/spdlog.h>

#include "delta/delta_column_mapping.h"
#include "predicate/evaluate.h"
#include "predicate/json_predicate.h"

namespace lakeshare {
namespace {

class PredicateFileFilter : public FileFilter {
 public:
  PredicateFileFilter(Predicate predicate, int string_prefix_length)
      : predicate_(std::move(predicate)), columns_(predicate_.ColumnNames()) {
    options_.columns = &columns_;
    options_.string_prefix_length = string_prefix_length;
  }

  bool Keep(const DataFile& file) const override {
    FileStats stats;
    if (file.stats) stats = FileStats::Parse(*file.stats, options_);
    FileView view{&file.partition_values, &stats};
    return MayMatch(predicate_, view);
  }

 private:
  Predicate predicate_;
  std::vector<std::string> columns_;
  StatsParseOptions options_;
};

}  // namespace

std::unique_ptr<FileFilter> MakeFileFilter(const QueryRequest& request,
                                           const TableSnapshot& snapshot) {
  // predicateHints (SQL) are accepted and, like the reference server's
  // default, not applied: jsonPredicateHints supersede them.
  if (!request.json_predicate_hints) return nullptr;
  auto predicate = ParseJsonPredicate(*request.json_predicate_hints);
  if (!predicate.ok()) {
    // The protocol says to skip filtering on a bad hint, not to fail.
    spdlog::info("ignoring jsonPredicateHints: {}", predicate.status().message());
    return nullptr;
  }
  int64_t files = static_cast<int64_t>(snapshot.files.size());
  if (!AffordableFilter(*predicate, files)) {
    // Bounds the CPU one request can spend on its hint (see evaluate.h).
    spdlog::info("ignoring jsonPredicateHints: {} nodes over {} files cost too much to apply",
                 predicate->node_count(), files);
    return nullptr;
  }
  // Writers truncate long string max stats to this many characters.
  int prefix = kDefaultStringStatsPrefixLength;
  const auto& config = snapshot.metadata.configuration;
  if (auto it = config.find("delta.dataSkippingStringPrefixLength"); it != config.end()) {
    try {
      prefix = std::stoi(it->second);
    } catch (const std::exception&) {
      // keep the default
    }
  }
  if (ColumnMappingMode(snapshot.metadata)) {
    // Hints name logical columns; partition values and stats use physical ones.
    auto physical = LogicalToPhysicalColumns(snapshot.metadata.schema_string);
    *predicate = predicate->RenameColumns([&](std::string_view key) -> std::optional<std::string> {
      auto it = physical.find(std::string(key));
      if (it == physical.end()) return std::nullopt;
      return it->second;
    });
  }
  return std::make_unique<PredicateFileFilter>(std::move(*predicate), prefix);
}

}  // namespace lakeshare
