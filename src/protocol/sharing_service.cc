#include "protocol/sharing_service.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <exception>

#include "auth/token.h"
#include "common/encoding.h"
#include "common/json_writer.h"
#include "common/time_util.h"
#include "protocol/capabilities.h"
#include "protocol/errors.h"
#include "protocol/file_filter.h"
#include "protocol/query_request.h"
#include "protocol/response_lines.h"
#include "storage/local_url_signer.h"

namespace lakeshare {

struct SharingService::TableRef {
  TableInfo info;
  ResolvedTable resolved;
  Principal who;
  std::string FullName() const { return info.share + "." + info.schema + "." + info.name; }
};

namespace {

// Errors about a table name it the way the recipient knows it and never
// reveal where it is stored.
HttpResponse TableError(const SharingService::TableRef& t, const Status& status) {
  std::string message = status.message();
  for (const std::string& where : {t.resolved.location, t.info.location}) {
    if (where.empty()) continue;
    for (size_t pos = message.find(where); pos != std::string::npos;
         pos = message.find(where, pos)) {
      message.replace(pos, where.size(), "<table>");
    }
  }
  std::string name = t.FullName();
  if (message.find(name) == std::string::npos) message = "table " + name + ": " + message;
  return ErrorResponse(Status(status.code(), std::move(message)));
}

constexpr std::string_view kJson = "application/json; charset=utf-8";
constexpr std::string_view kNdjson = "application/x-ndjson; charset=utf-8";
constexpr int64_t kDefaultPageSize = 500;
constexpr int64_t kMaxPageSize = 1000;

HttpResponse JsonResponse(std::string body) {
  HttpResponse r;
  r.SetHeader("Content-Type", std::string(kJson));
  r.body = std::move(body);
  return r;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Result<int64_t> ParseInt64Param(const std::string& value, const char* name, int64_t min) {
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  if (value.empty() || ec != std::errc() || ptr != value.data() + value.size() || v < min) {
    return Status::InvalidArgument(std::string("invalid '") + name + "': '" + value + "'");
  }
  return v;
}

Result<bool> ParseBoolParam(const std::string& value, const char* name) {
  std::string v = Lower(value);
  if (v == "true") return true;
  if (v == "false") return false;
  return Status::InvalidArgument(std::string("invalid '") + name + "': '" + value + "'");
}

// One page of a list response: {"items": [...], "nextPageToken": "..."}.
template <typename T, typename WriteItem>
HttpResponse ListPage(const HttpRequest& r, const PageTokenCodec& tokens, const std::string& scope,
                      const std::vector<T>& items, WriteItem write_item) {
  int64_t page_size = kDefaultPageSize;
  if (const std::string* v = r.Query("maxResults")) {
    auto n = ParseInt64Param(*v, "maxResults", 0);
    if (!n.ok()) return ErrorResponse(n.status());
    if (*n > INT32_MAX) {  // an int32 in the protocol
      return ErrorResponse(Status::InvalidArgument("invalid 'maxResults': '" + *v + "'"));
    }
    page_size = std::min(*n, kMaxPageSize);
  }
  uint64_t offset = 0;
  if (const std::string* t = r.Query("pageToken"); t != nullptr && !t->empty()) {
    auto o = tokens.Decode(*t, scope);
    if (!o.ok() || *o > items.size()) {
      return ErrorResponse(Status::InvalidArgument("invalid 'pageToken'"));
    }
    offset = *o;
  }
  uint64_t end = std::min<uint64_t>(items.size(), offset + static_cast<uint64_t>(page_size));
  std::string body;
  JsonWriter w(&body);
  w.BeginObject().Key("items").BeginArray();
  for (uint64_t i = offset; i < end; ++i) write_item(w, items[i]);
  w.EndArray();
  if (end < items.size()) w.Key("nextPageToken").String(tokens.Encode(scope, end));
  w.EndObject();
  return JsonResponse(std::move(body));
}

void WriteShare(JsonWriter& w, const ShareInfo& s) {
  w.BeginObject().Key("name").String(s.name);
  if (s.id) w.Key("id").String(*s.id);
  if (s.display_name) w.Key("displayName").String(*s.display_name);
  if (s.comment) w.Key("comment").String(*s.comment);
  w.EndObject();
}

void WriteTable(JsonWriter& w, const TableInfo& t) {
  w.BeginObject().Key("name").String(t.name).Key("schema").String(t.schema);
  w.Key("share").String(t.share);
  if (t.share_id) w.Key("shareId").String(*t.share_id);
  if (t.id) w.Key("id").String(*t.id);
  w.EndObject();
}

// Reader features a parquet-format client can be served safely, given the
// checks in CheckParquetCompatible.
bool ParquetSafeReaderFeature(const std::string& f) {
  return f == "deletionVectors" || f == "columnMapping" || f == "timestampNtz" ||
         f == "v2Checkpoint" || f == "vacuumProtocolCheck";
}

Status CheckParquetCompatible(const TableSnapshot& s, const std::string& table_name) {
  const auto& config = s.metadata.configuration;
  auto mode = config.find("delta.columnMapping.mode");
  if (mode != config.end() && mode->second != "none") {
    return Status::Unsupported("table " + table_name + " uses column mapping (mode '" +
                               mode->second +
                               "'), which the parquet response format cannot express");
  }
  bool dv_enabled = false;
  if (auto it = config.find("delta.enableDeletionVectors"); it != config.end()) {
    dv_enabled = it->second == "true";
  }
  bool has_dv = dv_enabled || std::any_of(s.files.begin(), s.files.end(), [](const DataFile& f) {
                  return f.deletion_vector.has_value();
                });
  if (has_dv) {
    return Status::Unsupported("table " + table_name +
                               " has deletion vectors, which the parquet response format cannot "
                               "express; rows would be returned that were deleted");
  }
  if (s.protocol.min_reader_version > 3) {
    return Status::Unsupported("table " + table_name + " needs Delta reader version " +
                               std::to_string(s.protocol.min_reader_version));
  }
  if (s.protocol.reader_features) {
    for (const auto& f : *s.protocol.reader_features) {
      if (!ParquetSafeReaderFeature(f)) {
        return Status::Unsupported("table " + table_name + " uses the Delta reader feature '" +
                                   f + "', which the parquet response format cannot express");
      }
    }
  }
  return Status::OK();
}

// Streams the file lines of a query: filtering, limit, and URL signing happen
// piece by piece, so memory stays bounded whatever the number of files.
class QueryBodyStream : public BodyStream {
 public:
  QueryBodyStream(std::string head, std::shared_ptr<const TableSnapshot> snapshot,
                  ResolvedTable table, std::unique_ptr<FileFilter> filter,
                  std::optional<int64_t> limit, SignContext sign_context, int64_t expiration_ms,
                  FileLineOptions line_options, std::string table_name)
      : head_(std::move(head)),
        snapshot_(std::move(snapshot)),
        table_(std::move(table)),
        filter_(std::move(filter)),
        limit_(limit),
        sign_context_(std::move(sign_context)),
        expiration_ms_(expiration_ms),
        line_options_(line_options),
        table_name_(std::move(table_name)),
        root_prefix_(table_.location + "/") {}

  Result<bool> Next(std::string* out, size_t size_hint) override {
    if (!head_.empty()) {
      out->append(head_);
      head_.clear();
    }
    const auto& files = snapshot_->files;
    while (next_ < files.size() && out->size() < size_hint) {
      if (limit_ && rows_ >= *limit_) {
        next_ = files.size();
        break;
      }
      const DataFile& f = files[next_++];
      if (filter_ && !filter_->Keep(f)) continue;
      LS_ASSIGN_OR_RETURN(std::string path, table_.format->ResolveFilePath(f.path));
      // A log entry pointing outside the table must never become a URL.
      if (path.compare(0, root_prefix_.size(), root_prefix_) != 0) {
        return Status::Corruption("table " + table_name_ + ": file '" + f.path +
                                  "' lies outside the table location");
      }
      LS_ASSIGN_OR_RETURN(PresignedUrl url,
                          table_.backend.signer->Presign(path, expiration_ms_, sign_context_));
      AppendParquetFileLine(out, f, url, line_options_);
      if (limit_) {
        if (f.stats) {
          if (auto n = NumRecordsFromStats(*f.stats)) rows_ += *n;
        }
      }
    }
    return next_ < files.size();
  }

 private:
  std::string head_;
  std::shared_ptr<const TableSnapshot> snapshot_;
  ResolvedTable table_;
  std::unique_ptr<FileFilter> filter_;
  std::optional<int64_t> limit_;
  SignContext sign_context_;
  int64_t expiration_ms_;
  FileLineOptions line_options_;
  std::string table_name_;
  std::string root_prefix_;
  size_t next_ = 0;
  int64_t rows_ = 0;
};

// Streams a byte range of a local file.
class FileRangeStream : public BodyStream {
 public:
  FileRangeStream(int fd, int64_t offset, int64_t length)
      : fd_(fd), offset_(offset), remaining_(length), length_(length) {}
  ~FileRangeStream() override { ::close(fd_); }

  Result<bool> Next(std::string* out, size_t size_hint) override {
    size_t want = static_cast<size_t>(std::min<int64_t>(remaining_, std::max<size_t>(size_hint, 4096)));
    size_t old = out->size();
    out->resize(old + want);
    size_t got = 0;
    while (got < want) {
      ssize_t n = ::pread(fd_, out->data() + old + got, want - got, offset_ + static_cast<int64_t>(got));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return Status::IOError("file shrank or could not be read while sending it");
      got += static_cast<size_t>(n);
    }
    offset_ += static_cast<int64_t>(want);
    remaining_ -= static_cast<int64_t>(want);
    return remaining_ > 0;
  }
  std::optional<uint64_t> Length() const override { return static_cast<uint64_t>(length_); }

 private:
  int fd_;
  int64_t offset_;
  int64_t remaining_;
  int64_t length_;
};

// Parses a single "bytes=a-b" / "bytes=a-" / "bytes=-n" range against `size`.
// Returns false when the header should be ignored (serve the whole file);
// *unsatisfiable is set for a well-formed range outside the file.
bool ParseRange(std::string_view header, int64_t size, int64_t* start, int64_t* length,
                bool* unsatisfiable) {
  *unsatisfiable = false;
  constexpr std::string_view kPrefix = "bytes=";
  if (header.substr(0, kPrefix.size()) != kPrefix) return false;
  std::string_view spec = header.substr(kPrefix.size());
  if (spec.find(',') != std::string_view::npos) return false;  // multiple ranges: whole file
  size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return false;
  auto parse = [](std::string_view s, int64_t* v) {
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *v);
    return !s.empty() && ec == std::errc() && ptr == s.data() + s.size() && *v >= 0;
  };
  std::string_view a = spec.substr(0, dash), b = spec.substr(dash + 1);
  int64_t first = 0, last = 0;
  if (a.empty()) {
    if (!parse(b, &last)) return false;
    if (last == 0) {
      *unsatisfiable = true;
      return true;
    }
    *start = std::max<int64_t>(0, size - last);
    *length = size - *start;
    if (size == 0) *unsatisfiable = true;
    return true;
  }
  if (!parse(a, &first)) return false;
  if (b.empty()) {
    last = size - 1;
  } else if (!parse(b, &last) || last < first) {
    return false;
  }
  if (first >= size) {
    *unsatisfiable = true;
    return true;
  }
  last = std::min(last, size - 1);
  *start = first;
  *length = last - first + 1;
  return true;
}

}  // namespace

SharingService::SharingService(SharingServiceOptions options, std::shared_ptr<Catalog> catalog,
                               std::shared_ptr<StorageRegistry> storage)
    : options_(std::move(options)),
      catalog_(std::move(catalog)),
      storage_(storage),
      resolver_(storage),
      page_tokens_(options_.page_token_key) {}

std::string SharingService::BaseUrl(const HttpRequest& r) const {
  if (options_.public_url) return *options_.public_url + options_.endpoint;
  const std::string* host = r.Header("host");
  return "http://" + (host && !host->empty() ? *host : options_.default_host) + options_.endpoint;
}

HttpResponse SharingService::Handle(HttpRequest& request) {
  try {
    std::string_view path = request.path;
    const std::string& prefix = options_.endpoint;
    if (path.substr(0, prefix.size()) != prefix ||
        (path.size() > prefix.size() && path[prefix.size()] != '/')) {
      return ErrorResponse(404, kResourceDoesNotExist, "no such endpoint");
    }
    path.remove_prefix(prefix.size());
    std::vector<std::string> segments;
    size_t start = 0;
    while (start < path.size()) {
      if (path[start] == '/') ++start;
      size_t end = path.find('/', start);
      if (end == std::string_view::npos) end = path.size();
      auto decoded = PercentDecode(path.substr(start, end - start));
      if (!decoded) return ErrorResponse(400, kMalformedRequest, "invalid percent-encoding in path");
      segments.push_back(std::move(*decoded));
      start = end;
    }
    if (!segments.empty() && segments.back().empty()) segments.pop_back();  // trailing '/'
    if (!segments.empty() && segments[0] == "files") return ServeFile(request, segments);
    return Route(request, segments);
  } catch (const std::exception& e) {
    return ErrorResponse(Status::Internal(std::string("unhandled exception: ") + e.what()));
  }
}

HttpResponse SharingService::Route(HttpRequest& r, const std::vector<std::string>& seg) {
  const std::string* auth = r.Header("authorization");
  std::optional<std::string_view> token = auth ? ParseBearerToken(*auth) : std::nullopt;
  auto who = catalog_->Authenticate(token.value_or(std::string_view()));
  if (!who.ok()) return ErrorResponse(who.status());

  const bool get = r.method == "GET";
  auto method_not_allowed = [&](const char* allowed) {
    HttpResponse resp = ErrorResponse(405, "METHOD_NOT_ALLOWED",
                                      "method " + r.method + " is not allowed here");
    resp.SetHeader("Allow", allowed);
    return resp;
  };
  const size_t n = seg.size();
  if (n == 0 || seg[0] != "shares") {
    return ErrorResponse(404, kResourceDoesNotExist, "no such endpoint");
  }
  if (n == 1) return get ? ListShares(r, *who) : method_not_allowed("GET");
  if (n == 2) return get ? GetShare(*who, seg[1]) : method_not_allowed("GET");
  if (n == 3 && seg[2] == "schemas") {
    return get ? ListSchemas(r, *who, seg[1]) : method_not_allowed("GET");
  }
  if (n == 3 && seg[2] == "all-tables") {
    return get ? ListAllTables(r, *who, seg[1]) : method_not_allowed("GET");
  }
  if (n == 5 && seg[2] == "schemas" && seg[4] == "tables") {
    return get ? ListTables(r, *who, seg[1], seg[3]) : method_not_allowed("GET");
  }
  if ((n == 6 || n == 7) && seg[2] == "schemas" && seg[4] == "tables") {
    std::string action = n == 7 ? seg[6] : "";
    const char* allowed = action.empty()               ? "HEAD"
                          : action == "query"          ? "POST"
                          : action == "version" || action == "metadata" || action == "changes"
                              ? "GET"
                              : nullptr;
    if (allowed == nullptr) return ErrorResponse(404, kResourceDoesNotExist, "no such endpoint");
    TableRef t;
    auto info = catalog_->GetTable(*who, seg[1], seg[3], seg[5]);
    if (!info.ok()) {
      if (action.empty()) return HttpResponse{404, {}, "", nullptr};  // HEAD: bare 404
      return ErrorResponse(info.status());
    }
    if (r.method != allowed) return method_not_allowed(allowed);
    t.info = std::move(*info);
    t.who = *who;
    auto resolved = resolver_.Resolve(t.info);
    if (!resolved.ok()) return TableError(t, resolved.status());
    t.resolved = std::move(*resolved);
    if (action.empty() || action == "version") return TableVersion(r, t);
    if (action == "metadata") return TableMetadata(r, t);
    if (action == "query") return QueryTable(r, t);
    return ErrorResponse(Status::Unsupported(
        "table changes (CDF) are not served by this version of lakeshare"));
  }
  return ErrorResponse(404, kResourceDoesNotExist, "no such endpoint");
}

HttpResponse SharingService::ListShares(const HttpRequest& r, const Principal& who) {
  auto shares = catalog_->ListShares(who);
  if (!shares.ok()) return ErrorResponse(shares.status());
  return ListPage(r, page_tokens_, "shares", *shares, WriteShare);
}

HttpResponse SharingService::GetShare(const Principal& who, const std::string& share) {
  auto s = catalog_->GetShare(who, share);
  if (!s.ok()) return ErrorResponse(s.status());
  std::string body;
  JsonWriter w(&body);
  w.BeginObject().Key("share");
  WriteShare(w, *s);
  w.EndObject();
  return JsonResponse(std::move(body));
}

HttpResponse SharingService::ListSchemas(const HttpRequest& r, const Principal& who,
                                         const std::string& share) {
  auto schemas = catalog_->ListSchemas(who, share);
  if (!schemas.ok()) return ErrorResponse(schemas.status());
  return ListPage(r, page_tokens_, "schemas|" + Lower(share), *schemas,
                  [](JsonWriter& w, const SchemaInfo& s) {
                    w.BeginObject().Key("name").String(s.name).Key("share").String(s.share);
                    w.EndObject();
                  });
}

HttpResponse SharingService::ListTables(const HttpRequest& r, const Principal& who,
                                        const std::string& share, const std::string& schema) {
  auto tables = catalog_->ListTables(who, share, schema);
  if (!tables.ok()) return ErrorResponse(tables.status());
  return ListPage(r, page_tokens_, "tables|" + Lower(share) + "|" + Lower(schema), *tables,
                  WriteTable);
}

HttpResponse SharingService::ListAllTables(const HttpRequest& r, const Principal& who,
                                           const std::string& share) {
  auto tables = catalog_->ListAllTables(who, share);
  if (!tables.ok()) return ErrorResponse(tables.status());
  return ListPage(r, page_tokens_, "all-tables|" + Lower(share), *tables, WriteTable);
}

namespace {

Status HistoryNotShared(const std::string& table) {
  return Status::InvalidArgument(
      "Reading table by version or timestamp is not supported because history sharing is not "
      "enabled on table: " + table);
}

// The version a time-travel request names, checked against the table's
// sharing settings; nullopt for "latest".
Result<std::optional<int64_t>> SelectVersion(TableFormat& table, const TableInfo& info,
                                             const std::string& full_name,
                                             std::optional<int64_t> version,
                                             const std::optional<std::string>& timestamp) {
  if (!version && !timestamp) return std::optional<int64_t>();
  if (!info.history_shared) return HistoryNotShared(full_name);
  if (timestamp) {
    auto ms = ParseTimestampMillis(*timestamp);
    if (!ms.ok()) return Status::InvalidArgument("Invalid timestamp: " + ms.status().message());
    LS_ASSIGN_OR_RETURN(int64_t v, table.VersionAtTimestamp(*ms, TimestampBound::kAtOrBefore));
    version = v;
  }
  if (*version < info.start_version) {
    return Status::InvalidArgument("You can only query table data since version " +
                                   std::to_string(info.start_version) + ".");
  }
  return version;
}

}  // namespace

HttpResponse SharingService::TableVersion(const HttpRequest& r, const TableRef& t) {
  TableFormat& table = *t.resolved.format;
  int64_t version = 0;
  if (const std::string* ts = r.Query("startingTimestamp")) {
    if (!t.info.history_shared) return ErrorResponse(HistoryNotShared(t.FullName()));
    auto ms = ParseTimestampMillis(*ts);
    if (!ms.ok()) {
      return ErrorResponse(Status::InvalidArgument("Invalid startingTimestamp: " + *ts));
    }
    auto v = table.VersionAtTimestamp(*ms, TimestampBound::kAtOrAfter);
    if (!v.ok()) return TableError(t, v.status());
    version = *v;
  } else {
    auto v = table.LatestVersion();
    if (!v.ok()) return TableError(t, v.status());
    version = *v;
  }
  HttpResponse resp;
  resp.SetHeader("Delta-Table-Version", std::to_string(version));
  return resp;
}

HttpResponse SharingService::TableMetadata(const HttpRequest& r, const TableRef& t) {
  ClientCapabilities caps = ParseCapabilities(
      r.Header("delta-sharing-capabilities") ? *r.Header("delta-sharing-capabilities") : "");
  if (!caps.AcceptsFormat("parquet")) {
    return ErrorResponse(Status::Unsupported(
        "this server answers in the parquet response format only; add 'parquet' to "
        "responseformat in delta-sharing-capabilities"));
  }
  std::optional<int64_t> version;
  std::optional<std::string> timestamp;
  if (const std::string* v = r.Query("version")) {
    auto n = ParseInt64Param(*v, "version", 0);
    if (!n.ok()) return ErrorResponse(n.status());
    version = *n;
  }
  if (const std::string* ts = r.Query("timestamp")) timestamp = *ts;
  if (version && timestamp) {
    return ErrorResponse(Status::InvalidArgument("Please only provide one of: version, timestamp"));
  }
  auto selected = SelectVersion(*t.resolved.format, t.info, t.FullName(), version, timestamp);
  if (!selected.ok()) return TableError(t, selected.status());
  auto snapshot = t.resolved.format->Snapshot(*selected);
  if (!snapshot.ok()) return TableError(t, snapshot.status());
  Status compatible = CheckParquetCompatible(**snapshot, t.FullName());
  if (!compatible.ok()) return TableError(t, compatible);

  HttpResponse resp;
  resp.SetHeader("Content-Type", std::string(kNdjson));
  resp.SetHeader("Delta-Table-Version", std::to_string((*snapshot)->version));
  resp.SetHeader("delta-sharing-capabilities", "responseformat=parquet");
  AppendParquetProtocolLine(&resp.body);
  AppendParquetMetadataLine(&resp.body, (*snapshot)->metadata, t.info.history_shared);
  return resp;
}

HttpResponse SharingService::QueryTable(const HttpRequest& r, const TableRef& t) {
  ClientCapabilities caps = ParseCapabilities(
      r.Header("delta-sharing-capabilities") ? *r.Header("delta-sharing-capabilities") : "");
  if (!caps.AcceptsFormat("parquet")) {
    return ErrorResponse(Status::Unsupported(
        "this server answers in the parquet response format only; add 'parquet' to "
        "responseformat in delta-sharing-capabilities"));
  }
  bool malformed = false;
  auto query = ParseQueryRequest(r.body, &malformed);
  if (!query.ok()) {
    if (malformed) return ErrorResponse(400, kMalformedRequest, query.status().message());
    return ErrorResponse(query.status());
  }
  if (query->starting_version) {
    return ErrorResponse(Status::Unsupported(
        "streaming queries (startingVersion) are not served by this version of lakeshare"));
  }
  auto selected =
      SelectVersion(*t.resolved.format, t.info, t.FullName(), query->version, query->timestamp);
  if (!selected.ok()) return TableError(t, selected.status());
  auto snapshot = t.resolved.format->Snapshot(*selected);
  if (!snapshot.ok()) return TableError(t, snapshot.status());
  Status compatible = CheckParquetCompatible(**snapshot, t.FullName());
  if (!compatible.ok()) return TableError(t, compatible);

  int64_t expiration = NowMillis() + options_.presigned_url_timeout_seconds * 1000;
  if (t.who.token_expiration_ms) expiration = std::min(expiration, *t.who.token_expiration_ms);
  FileLineOptions line_options;
  line_options.include_version = selected->has_value();
  line_options.version = (*snapshot)->version;
  line_options.timestamp_ms = (*snapshot)->timestamp_ms;

  std::string head;
  AppendParquetProtocolLine(&head);
  AppendParquetMetadataLine(&head, (*snapshot)->metadata, t.info.history_shared);

  HttpResponse resp;
  resp.SetHeader("Content-Type", std::string(kNdjson));
  resp.SetHeader("Delta-Table-Version", std::to_string((*snapshot)->version));
  resp.SetHeader("delta-sharing-capabilities", "responseformat=parquet");
  auto filter = MakeFileFilter(*query, **snapshot);
  resp.stream = std::make_unique<QueryBodyStream>(
      std::move(head), *snapshot, t.resolved, std::move(filter), query->limit_hint,
      SignContext{BaseUrl(r)}, expiration, line_options, t.FullName());
  return resp;
}

HttpResponse SharingService::ServeFile(const HttpRequest& r, const std::vector<std::string>& seg) {
  if (r.method != "GET" && r.method != "HEAD") {
    HttpResponse resp = ErrorResponse(405, "METHOD_NOT_ALLOWED", "files can only be read");
    resp.SetHeader("Allow", "GET, HEAD");
    return resp;
  }
  const std::string* expires = r.Query("expires");
  const std::string* signature = r.Query("signature");
  if (seg.size() != 3 || expires == nullptr || signature == nullptr) {
    return ErrorResponse(Status::PermissionDenied("invalid or expired file URL"));
  }
  auto path = storage_->local_signer()->Verify(seg[1], seg[2], *expires, *signature, NowMillis());
  if (!path.ok()) return ErrorResponse(path.status());

  int fd = ::open(path->c_str(), O_RDONLY | O_CLOEXEC);
  struct stat st;
  if (fd < 0 || ::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    if (fd >= 0) ::close(fd);
    return ErrorResponse(Status::NotFound("the file no longer exists"));
  }
  int64_t size = st.st_size, start = 0, length = size;
  HttpResponse resp;
  resp.SetHeader("Content-Type", "application/octet-stream");
  resp.SetHeader("Accept-Ranges", "bytes");
  resp.SetHeader("Cache-Control", "private, max-age=0");
  if (const std::string* range = r.Header("range")) {
    bool unsatisfiable = false;
    if (ParseRange(*range, size, &start, &length, &unsatisfiable)) {
      if (unsatisfiable) {
        ::close(fd);
        HttpResponse e = ErrorResponse(416, "RANGE_NOT_SATISFIABLE", "range outside the file");
        e.SetHeader("Content-Range", "bytes */" + std::to_string(size));
        return e;
      }
      resp.status = 206;
      resp.SetHeader("Content-Range", "bytes " + std::to_string(start) + "-" +
                                          std::to_string(start + length - 1) + "/" +
                                          std::to_string(size));
    }
  }
  resp.stream = std::make_unique<FileRangeStream>(fd, start, length);
  return resp;
}

}  // namespace lakeshare
