// Streams the file lines of a query answer: filtering, limitHint, paging,
// URL signing and line formatting happen piece by piece, so memory stays
// bounded whatever the number of files.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "protocol/file_filter.h"
#include "protocol/response_format.h"
#include "protocol/response_lines.h"
#include "protocol/table_resolver.h"
#include "server/http.h"

namespace lakeshare {

// Signs the files of one table for one response.
class FileSigner {
 public:
  FileSigner(ResolvedTable table, SignContext context, int64_t expiration_ms,
             std::string table_name)
      : table_(std::move(table)),
        context_(std::move(context)),
        expiration_ms_(expiration_ms),
        table_name_(std::move(table_name)),
        root_prefix_(table_.location + "/"),
        derived_prefix_(table_.derived_location.empty() ? "" : table_.derived_location + "/") {
    for (const auto& [location, backend] : table_.other_locations) {
      other_prefixes_.push_back(location + "/");
    }
  }

  // A URL for a file recorded in the log, valid until the next call: the
  // signer reuses its buffers (this runs once per file of an answer). A path
  // outside the table's location is kCorruption: the log must never lead a
  // URL elsewhere.
  Result<const PresignedUrl*> SignDataFile(std::string_view recorded_path) const;
  // What SignDataFile checks of the path (it resolves, inside the table),
  // without signing, and that a local file is no link out of the table:
  // run over every file of an answer before its 200, so a bad path is a
  // JSON error (kCorruption) and not a body that breaks off.
  Status CheckDataFile(std::string_view recorded_path) const;
  // The DV as a delta-format client must see it: on-disk DVs get a signed
  // URL (storageType "p"); inline ones pass unchanged. Also its file id.
  Result<DeletionVector> ShareDeletionVector(const DeletionVector& dv,
                                             std::optional<std::string>* file_id,
                                             FileIdHash hash) const;
  int64_t expiration_ms() const { return expiration_ms_; }

 private:
  // `what` names the file in errors (built only then: this runs per file).
  // The backend of a resolved path, and the length of the folder it lies in.
  template <typename What>
  Result<const StorageBackend*> BackendFor(const std::string& path, const What& what,
                                           size_t* root_length) const;
  template <typename What>
  Status SignPath(const std::string& path, const What& what, PresignedUrl* url) const;
  ResolvedTable table_;
  SignContext context_;
  int64_t expiration_ms_;
  std::string table_name_;
  std::string root_prefix_;
  std::string derived_prefix_;               // files the format wrote itself ("" for none)
  std::vector<std::string> other_prefixes_;  // of table_.other_locations, same order
  // Scratch of SignDataFile (one signer per stream, never shared).
  mutable std::string path_;
  mutable PresignedUrl url_;
};

// Appends one file line in the chosen format. `action` is "add", "remove"
// or "cdc" (parquet keys "file" for snapshot queries, "add"/"remove"/"cdf"
// for changes). `id_digest`: the digest of the file's id when the caller has
// it (file_id_digests.h), else nullptr.
Status AppendFileLine(std::string* out, const DataFile& file, const FileSigner& signer,
                      ResponseFormat format, FileIdHash hash, std::string_view parquet_key,
                      std::string_view delta_action, const FileLineOptions& line_options,
                      std::optional<int64_t> deletion_timestamp = std::nullopt,
                      const unsigned char* id_digest = nullptr);

// The kept id digests (file_id_digests.h) of the files of a FileList, for
// a reader that walks forward through it.
class FileIdCursor {
 public:
  // The digest of files[i]; i must not decrease between calls.
  const unsigned char* At(const FileList& files, size_t i, FileIdHash hash);

 private:
  bool started_ = false;
  size_t chunk_ = 0;
  size_t chunk_begin_ = 0;
  size_t chunk_end_ = 0;
  std::shared_ptr<const std::string> ids_;
};

// Appends the "file" lines of snapshot files [begin, end) that `filter`
// keeps (null: every file, with their kept ids). On an error *out ends
// with the lines before the failing file.
Status AppendFileRangeLines(std::string* out, const FileList& files, size_t begin, size_t end,
                            const FileFilter* filter, const FileSigner& signer,
                            ResponseFormat format, FileIdHash hash,
                            const FileLineOptions& line_options);

class LinesAhead;

struct QueryStreamOptions {
  ResponseFormat format = ResponseFormat::kParquet;
  FileIdHash id_hash = FileIdHash::kMd5;
  FileLineOptions line_options;
  std::optional<int64_t> limit;      // limitHint: rows wanted
  uint64_t start_index = 0;          // resume position (page tokens)
  int64_t rows_so_far = 0;           // rows returned by earlier pages
  std::optional<int64_t> max_files;  // page size
  bool end_stream_action = false;    // finish with an endStreamAction line
  std::optional<std::string> refresh_token;
  // Makes the nextPageToken for a page that stops before the end.
  std::function<std::string(uint64_t next_index, int64_t rows)> make_page_token;
  // A whole answer (no limit, no max_files) of at least this many files is
  // produced on more than one core (lines_ahead.h); smaller ones, and pages,
  // on the calling thread. The bytes are the same either way.
  size_t parallel_min_files = 2048;
};

class QueryBodyStream : public BodyStream {
 public:
  QueryBodyStream(std::string head, std::shared_ptr<const TableSnapshot> snapshot,
                  FileSigner signer, std::unique_ptr<FileFilter> filter,
                  QueryStreamOptions options);
  ~QueryBodyStream() override;

  Result<bool> Next(std::string* out, size_t size_hint) override;

 private:
  // Next when the lines come from ahead_.
  Result<bool> NextAhead(std::string* out, size_t size_hint);
  // After a line failed: the error, or (endStreamAction answers) its line.
  Result<bool> Fail(std::string* out, const Status& st);

  std::string head_;
  std::shared_ptr<const TableSnapshot> snapshot_;
  FileSigner signer_;
  std::shared_ptr<const FileFilter> filter_;
  QueryStreamOptions options_;
  size_t next_;
  int64_t rows_;
  int64_t emitted_ = 0;
  bool done_ = false;
  bool parallel_ = false;  // whole answer: lines from ahead_ (made at the first Next)
  std::unique_ptr<LinesAhead> ahead_;
  FileIdCursor ids_;  // unfiltered answers
};

}  // namespace lakeshare
