// Streams the answer of a change query: /changes (change data feed) and
// /query with startingVersion (streaming). Both walk commits start..end and
// emit per-commit file actions, optionally paged.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "protocol/query_stream.h"
#include "table/table_format.h"

namespace lakeshare {

enum class ChangeMode {
  kChangeDataFeed,  // /changes: cdc actions when a commit has them, else add/remove
  kStreaming,       // /query startingVersion: add/remove with dataChange
};

// One line of a change answer, in commit order.
struct ChangeEntry {
  size_t commit = 0;  // index into the commits
  // Index into that commit's changes, or one of the special lines below.
  int64_t change = kMetadataLine;
  static constexpr int64_t kMetadataLine = -1;  // the commit's metaData
  static constexpr int64_t kProtocolLine = -2;  // the commit's protocol (delta format)
};

// Which lines a change answer has. kUnsupported/kInvalidArgument for rules
// the reference server applies to change data feeds (CDF not enabled in a
// commit of the range, ...).
Result<std::vector<ChangeEntry>> PlanChanges(const std::vector<CommitChanges>& commits,
                                             ChangeMode mode, bool include_historical_metadata,
                                             bool include_historical_protocol,
                                             bool require_cdf_enabled);

struct ChangesStreamOptions {
  ResponseFormat format = ResponseFormat::kParquet;
  FileIdHash id_hash = FileIdHash::kMd5;
  uint64_t start_index = 0;          // resume position (page tokens)
  std::optional<int64_t> max_files;  // page size (file lines)
  bool end_stream_action = false;
  std::function<std::string(uint64_t next_index)> make_page_token;
};

class ChangesBodyStream : public BodyStream {
 public:
  ChangesBodyStream(std::string head, std::shared_ptr<const std::vector<CommitChanges>> commits,
                    std::vector<ChangeEntry> plan, FileSigner signer, ChangesStreamOptions options);

  Result<bool> Next(std::string* out, size_t size_hint) override;

 private:
  std::string head_;
  std::shared_ptr<const std::vector<CommitChanges>> commits_;
  std::vector<ChangeEntry> plan_;
  FileSigner signer_;
  ChangesStreamOptions options_;
  size_t next_;
  int64_t emitted_ = 0;
  bool done_ = false;
};

}  // namespace lakeshare
