#include "protocol/query_stream.h"

#include <spdlog/spdlog.h>

#include "common/prefetch.h"
#include "delta/dv_descriptor.h"
#include "protocol/file_id_digests.h"
#include "protocol/lines_ahead.h"

namespace lakeshare {
namespace {

constexpr size_t kPrefetchDistance = 8;

// The texts of a file live apart from the vector of files (in the pages of
// a checkpoint, in its order, not the answer's): fetch those of the files a
// few places after `i` (before `end`) so the loop answering `i` does not
// wait on memory. In two steps, as a text's size is in its first bytes:
// the first line of each text 2 * kPrefetchDistance places ahead, without
// reading it, and the rest kPrefetchDistance places ahead, once it is near.
// Always inlined: see common/prefetch.h.
[[gnu::always_inline]] inline void PrefetchAhead(const FileList& files, size_t i, size_t end) {
  if (i + 2 * kPrefetchDistance < end) {
    const DataFile& far = files[i + 2 * kPrefetchDistance];
    __builtin_prefetch(far.path.block_address());
    __builtin_prefetch(far.stats.block_address());
  }
  if (i + kPrefetchDistance < end) {
    const DataFile& near = files[i + kPrefetchDistance];
    PrefetchText(near.path.view());
    PrefetchText(near.stats.view());
  }
}

}  // namespace

template <typename What>
Result<const StorageBackend*> FileSigner::BackendFor(const std::string& path, const What& what,
                                                     size_t* root_length) const {
  if (path.compare(0, root_prefix_.size(), root_prefix_) == 0) {
    *root_length = root_prefix_.size() - 1;
    return &table_.backend;
  }
  if (!derived_prefix_.empty() && path.compare(0, derived_prefix_.size(), derived_prefix_) == 0) {
    *root_length = derived_prefix_.size() - 1;
    return &table_.derived_backend;
  }
  for (size_t i = 0; i < other_prefixes_.size(); ++i) {
    const std::string& prefix = other_prefixes_[i];
    if (path.compare(0, prefix.size(), prefix) == 0) {
      *root_length = prefix.size() - 1;
      return &table_.other_locations[i].second;
    }
  }
  return Status::Corruption("table " + table_name_ + ": " + what() +
                            " lies outside the table location");
}

template <typename What>
Status FileSigner::SignPath(const std::string& path, const What& what, PresignedUrl* url) const {
  size_t root_length = 0;
  LS_ASSIGN_OR_RETURN(const StorageBackend* backend, BackendFor(path, what, &root_length));
  return backend->signer->PresignBeneathInto(path, root_length, expiration_ms_, context_, url);
}

Status FileSigner::CheckDataFile(std::string_view recorded_path) const {
  // Lexical only: a check on the file system per file would cost a system
  // call per line of every answer (seconds on a million files). Links out of
  // the table are refused where the bytes are read: a signed local URL
  // opens its file beneath the table folder it seals (local_url_signer.h).
  Status st = table_.format->ResolveFilePathInto(recorded_path, &path_);
  if (st.ok()) {
    size_t root_length = 0;
    st = BackendFor(
             path_, [&] { return "file '" + std::string(recorded_path) + "'"; }, &root_length)
             .status();
  }
  if (st.ok()) return st;
  // The provider's table is at fault: the server log gets the whole reason,
  // the recipient the table's problem but not where files are kept.
  spdlog::warn("table {}: file '{}' cannot be served: {}", table_name_, recorded_path,
               st.message());
  const bool absolute = recorded_path.empty() || recorded_path[0] == '/' ||
                        recorded_path.find(':') != std::string::npos;
  std::string file = absolute ? "a file recorded by an absolute path"
                              : "file '" + std::string(recorded_path) + "'";
  return Status(st.code(),
                "table " + table_name_ + ": " + file + " does not lie in the table location");
}

Result<const PresignedUrl*> FileSigner::SignDataFile(std::string_view recorded_path) const {
  LS_RETURN_IF_ERROR(table_.format->ResolveFilePathInto(recorded_path, &path_));
  LS_RETURN_IF_ERROR(SignPath(
      path_, [&] { return "file '" + std::string(recorded_path) + "'"; }, &url_));
  return &url_;
}

Result<DeletionVector> FileSigner::ShareDeletionVector(const DeletionVector& dv,
                                                       std::optional<std::string>* file_id,
                                                       FileIdHash hash) const {
  if (dv.storage_type == "i") return dv;
  if (dv.storage_type == "p" && !derived_prefix_.empty() &&
      dv.path_or_inline_dv.compare(0, derived_prefix_.size(), derived_prefix_) == 0) {
    // A DV file the format wrote itself (Iceberg deletes) in its derived files.
    PresignedUrl url;
    LS_RETURN_IF_ERROR(table_.derived_backend.signer->PresignInto(dv.path_or_inline_dv,
                                                                  expiration_ms_, context_, &url));
    *file_id = FileId(dv.path_or_inline_dv.substr(derived_prefix_.size()), hash);
    DeletionVector shared = dv;
    shared.path_or_inline_dv = std::move(url.url);
    return shared;
  }
  auto relative = DeletionVectorRelativePath(dv);
  if (!relative.ok()) return relative.status().WithContext("table " + table_name_);
  PresignedUrl url;
  LS_RETURN_IF_ERROR(SignPath(
      root_prefix_ + *relative, [&] { return "deletion vector '" + *relative + "'"; }, &url));
  *file_id = FileId(*relative, hash);
  DeletionVector shared = dv;
  shared.storage_type = "p";
  shared.path_or_inline_dv = std::move(url.url);
  return shared;
}

Status AppendFileLine(std::string* out, const DataFile& f, const FileSigner& signer,
                      ResponseFormat format, FileIdHash hash, std::string_view parquet_key,
                      std::string_view delta_action, const FileLineOptions& line_options,
                      std::optional<int64_t> deletion_timestamp, const unsigned char* id_digest) {
  LS_ASSIGN_OR_RETURN(const PresignedUrl* signed_url, signer.SignDataFile(f.path));
  const PresignedUrl& url = *signed_url;
  if (format == ResponseFormat::kParquet) {
    AppendParquetFileLine(out, f, url, line_options, hash, parquet_key, id_digest);
    return Status::OK();
  }
  DeltaFileLine line;
  line.action = delta_action;
  if (id_digest != nullptr) {
    char id[68];
    const size_t n = QuotedFileIdOfDigest(id_digest, hash, id);
    line.id.assign(id + 1, n - 2);
  } else {
    line.id = FileId(f.path, hash);
  }
  line.deletion_timestamp = deletion_timestamp;
  if (f.deletion_vector) {
    LS_ASSIGN_OR_RETURN(
        line.deletion_vector,
        signer.ShareDeletionVector(*f.deletion_vector, &line.deletion_vector_file_id, hash));
  }
  AppendDeltaFileLine(out, f, url, line, line_options);
  return Status::OK();
}

const unsigned char* FileIdCursor::At(const FileList& files, size_t i, FileIdHash hash) {
  if (!started_ || i >= chunk_end_) {
    const auto& chunks = files.chunks();
    if (!started_) {
      // The chunk holding i: the last one starting at or before it.
      size_t lo = 0;
      size_t hi = chunks.size();
      while (hi - lo > 1) {
        const size_t mid = lo + (hi - lo) / 2;
        (files.chunk_start(mid) <= i ? lo : hi) = mid;
      }
      chunk_ = lo;
      started_ = true;
    }
    while (files.chunk_start(chunk_) + chunks[chunk_]->size() <= i) ++chunk_;
    chunk_begin_ = files.chunk_start(chunk_);
    chunk_end_ = chunk_begin_ + chunks[chunk_]->size();
    ids_ = FileIdDigests::Global().Of(chunks[chunk_], hash);
  }
  return reinterpret_cast<const unsigned char*>(ids_->data()) +
         (i - chunk_begin_) * FileIdDigests::DigestSize(hash);
}

Status AppendFileRangeLines(std::string* out, const FileList& files, size_t begin, size_t end,
                            const FileFilter* filter, const FileSigner& signer,
                            ResponseFormat format, FileIdHash hash,
                            const FileLineOptions& line_options) {
  FileIdCursor ids;
  for (size_t i = begin; i < end; ++i) {
    PrefetchAhead(files, i, end);
    const DataFile& f = files[i];
    if (filter != nullptr && !filter->Keep(f)) continue;
    const unsigned char* id_digest = filter == nullptr ? ids.At(files, i, hash) : nullptr;
    LS_RETURN_IF_ERROR(AppendFileLine(out, f, signer, format, hash, "file", "add", line_options,
                                      std::nullopt, id_digest));
  }
  return Status::OK();
}

QueryBodyStream::QueryBodyStream(std::string head, std::shared_ptr<const TableSnapshot> snapshot,
                                 FileSigner signer, std::unique_ptr<FileFilter> filter,
                                 QueryStreamOptions options)
    : head_(std::move(head)),
      snapshot_(std::move(snapshot)),
      signer_(std::move(signer)),
      filter_(std::move(filter)),
      options_(std::move(options)),
      next_(static_cast<size_t>(options_.start_index)),
      rows_(options_.rows_so_far) {
  // limitHint and maxFiles decide after each line whether another follows:
  // those answers stay on one thread.
  const size_t files = snapshot_->files.size();
  parallel_ = !options_.limit && !options_.max_files && next_ < files &&
              files - next_ >= options_.parallel_min_files;
}

QueryBodyStream::~QueryBodyStream() = default;

Result<bool> QueryBodyStream::Fail(std::string* out, const Status& st) {
  if (!options_.end_stream_action) return st;  // truncates the body: the client sees it
  // A client that reads endStreamAction learns why the answer is incomplete.
  AppendEndStreamActionLine(out, options_.refresh_token, std::nullopt, signer_.expiration_ms(),
                            st.message());
  done_ = true;
  return false;
}

Result<bool> QueryBodyStream::NextAhead(std::string* out, size_t size_hint) {
  if (!ahead_) {
    ahead_ = std::make_unique<LinesAhead>(
        LinesAhead::Source{snapshot_, filter_, signer_, options_.format, options_.id_hash,
                           options_.line_options},
        next_, size_hint);
  }
  while (true) {
    LinesAhead::Taken taken = ahead_->Take(out);
    if (!taken.status.ok()) return Fail(out, taken.status);
    if (taken.last) break;
    if (!out->empty()) return true;
  }
  next_ = snapshot_->files.size();
  ahead_.reset();  // its helpers and buffers go before the last piece is written
  if (options_.end_stream_action) {
    AppendEndStreamActionLine(out, options_.refresh_token, std::nullopt, signer_.expiration_ms(),
                              std::nullopt);
  }
  done_ = true;
  return false;
}

Result<bool> QueryBodyStream::Next(std::string* out, size_t size_hint) {
  if (done_) return false;
  if (!head_.empty()) {
    out->append(head_);
    head_.clear();
  }
  if (parallel_) return NextAhead(out, size_hint);
  const auto& files = snapshot_->files;
  std::optional<std::string> next_page;
  while (next_ < files.size() && out->size() < size_hint) {
    if (options_.limit && rows_ >= *options_.limit) {
      next_ = files.size();
      break;
    }
    if (options_.max_files && emitted_ >= *options_.max_files) {
      next_page = options_.make_page_token(next_, rows_);
      break;
    }
    PrefetchAhead(files, next_, files.size());
    const size_t i = next_++;
    const DataFile& f = files[i];
    if (filter_ && !filter_->Keep(f)) continue;
    // Every file is answered: its ids are hashed once per chunk and kept
    // for the next answers on this snapshot.
    const unsigned char* id_digest = filter_ ? nullptr : ids_.At(files, i, options_.id_hash);
    Status st = AppendFileLine(out, f, signer_, options_.format, options_.id_hash, "file", "add",
                               options_.line_options, std::nullopt, id_digest);
    if (!st.ok()) return Fail(out, st);
    ++emitted_;
    if (options_.limit && f.stats) {
      if (auto n = NumRecordsFromStats(*f.stats)) {
        // Rows hidden by a deletion vector are not returned.
        int64_t deleted = f.deletion_vector ? f.deletion_vector->cardinality : 0;
        rows_ += std::max<int64_t>(0, *n - deleted);
      }
    }
  }
  bool finished = next_page.has_value() || next_ >= files.size();
  if (!finished) return true;
  if (options_.end_stream_action) {
    AppendEndStreamActionLine(out, options_.refresh_token, next_page, signer_.expiration_ms(),
                              std::nullopt);
  }
  done_ = true;
  return false;
}

}  // namespace lakeshare
