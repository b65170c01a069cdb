#include "protocol/sharing_service.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <exception>

#include "auth/token.h"
#include "common/crypto.h"
#include "common/encoding.h"
#include "common/json_writer.h"
#include "common/time_util.h"
#include "delta/dv_descriptor.h"
#include "protocol/capabilities.h"
#include "protocol/changes_stream.h"
#include "protocol/file_filter.h"
#include "protocol/query_request.h"
#include "protocol/query_stream.h"
#include "protocol/response_format.h"
#include "protocol/response_lines.h"
#include "protocol/share_partition_filter.h"
#include "server/errors.h"
#include "storage/local_url_signer.h"

namespace lakeshare {

struct SharingService::TableRef {
  TableInfo info;
  ResolvedTable resolved;
  Principal who;
  std::string FullName() const { return info.share + "." + info.schema + "." + info.name; }
};

struct SharingService::ChangeRequest {
  ChangeMode mode = ChangeMode::kChangeDataFeed;
  std::optional<int64_t> starting_version;
  std::optional<std::string> starting_timestamp;
  std::optional<int64_t> ending_version;
  std::optional<std::string> ending_timestamp;
  bool include_historical_metadata = false;
  bool include_historical_protocol = false;  // delta format only
  std::optional<int64_t> max_files;
  std::optional<std::string> page_token;
  std::string digest;  // of the parameters, for page tokens
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
constexpr int64_t kMaxFilesPerPage = 10000;
constexpr int64_t kPageTokenTtlMs = 3LL * 24 * 3600 * 1000;  // as the reference server
constexpr int64_t kRefreshTokenTtlMs = 3600 * 1000;

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

// Streams a byte range of a local file.
class FileRangeStream : public BodyStream {
 public:
  FileRangeStream(int fd, int64_t offset, int64_t length)
      : fd_(fd), offset_(offset), remaining_(length), length_(length) {}
  ~FileRangeStream() override { ::close(fd_); }

  Result<bool> Next(std::string* out, size_t size_hint) override {
    size_t want =
        static_cast<size_t>(std::min<int64_t>(remaining_, std::max<size_t>(size_hint, 4096)));
    size_t old = out->size();
    out->resize(old + want);
    size_t got = 0;
    while (got < want) {
      ssize_t n =
          ::pread(fd_, out->data() + old + got, want - got, offset_ + static_cast<int64_t>(got));
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
      page_tokens_(options_.page_token_key),
      query_tokens_(HmacSha256(options_.page_token_key, "query-tokens")) {}

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
      if (!decoded)
        return ErrorResponse(400, kMalformedRequest, "invalid percent-encoding in path");
      segments.push_back(std::move(*decoded));
      start = end;
    }
    if (!segments.empty() && segments.back().empty()) segments.pop_back();  // trailing '/'
    if (!segments.empty() && segments[0] == "files") return ServeFile(request, segments);
    if (!options_.audit) return Route(request, segments, nullptr);
    SharingAuditEvent event;
    event.time_ms = NowMillis();
    event.remote_address = request.remote_address;
    DescribeSharingRequest(segments, &event);
    HttpResponse response = Route(request, segments, &event.recipient);
    AuditResponse(&response, std::move(event), options_.audit);
    return response;
  } catch (const std::exception& e) {
    return ErrorResponse(Status::Internal(std::string("unhandled exception: ") + e.what()));
  }
}

HttpResponse SharingService::Route(HttpRequest& r, const std::vector<std::string>& seg,
                                   std::string* recipient) {
  const std::string* auth = r.Header("authorization");
  std::optional<std::string_view> token = auth ? ParseBearerToken(*auth) : std::nullopt;
  auto who = catalog_->AuthenticateFrom(token.value_or(std::string_view()), r.remote_address);
  if (!who.ok()) return ErrorResponse(who.status());
  if (recipient != nullptr) *recipient = who->recipient;

  const bool get = r.method == "GET";
  auto method_not_allowed = [&](const char* allowed) {
    HttpResponse resp =
        ErrorResponse(405, "METHOD_NOT_ALLOWED", "method " + r.method + " is not allowed here");
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
    const char* allowed = action.empty()      ? "HEAD"
                          : action == "query" ? "POST"
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
    return TableChanges(r, t);
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
      "enabled on table: " +
      table);
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

namespace {

ClientCapabilities RequestCapabilities(const HttpRequest& r) {
  const std::string* h = r.Header("delta-sharing-capabilities");
  return ParseCapabilities(h ? *h : std::string_view());
}

// The head of an NDJSON answer: protocol and metaData lines in `format`.
// The delta format's size and numFiles count only what the share exposes.
std::string HeadLines(ResponseFormat format, const TableSnapshot& s, bool history_shared,
                      const PartitionFilter* share_filter) {
  std::string head;
  if (format == ResponseFormat::kParquet) {
    AppendParquetProtocolLine(&head);
    AppendParquetMetadataLine(&head, s.metadata, history_shared);
  } else {
    int64_t size = 0, count = 0;
    for (const auto& f : s.files) {
      if (share_filter && !share_filter->Admits(f)) continue;
      size += f.size;
      ++count;
    }
    AppendDeltaProtocolLine(&head, s.protocol);
    AppendDeltaMetadataLine(&head, s.metadata, s.version, size, count);
  }
  return head;
}

// The response format for `caps`; when the snapshot cannot be sent in any
// format the client takes, a table that derives its deletion vectors itself
// (Hudi) answers with its snapshot without them instead.
Result<ResponseFormat> ChooseFormatOrPlainSnapshot(TableFormat& table,
                                                   const ClientCapabilities& caps,
                                                   std::shared_ptr<const TableSnapshot>* snapshot,
                                                   const std::string& table_name) {
  auto format = ChooseResponseFormat(caps, **snapshot, table_name);
  if (format.ok()) return format;
  auto plain = table.SnapshotWithoutDeletionVectors((*snapshot)->version);
  if (!plain.ok()) return format;
  *snapshot = std::move(*plain);
  return ChooseResponseFormat(caps, **snapshot, table_name);
}

// Every deletion vector of an answer must be shareable before the 200 goes
// out: a failure half-way would only show as a truncated body.
Status CheckDeletionVectorsShareable(const DataFile& f) {
  if (!f.deletion_vector || f.deletion_vector->storage_type == "i") return Status::OK();
  return DeletionVectorRelativePath(*f.deletion_vector).status();
}

void SetNdjsonHeaders(HttpResponse* resp, int64_t version, ResponseFormat format,
                      bool end_stream_action) {
  resp->SetHeader("Content-Type", std::string(kNdjson));
  resp->SetHeader("Delta-Table-Version", std::to_string(version));
  std::string caps = "responseformat=" + std::string(ResponseFormatName(format));
  if (end_stream_action) caps += ";includeendstreamaction=true";
  resp->SetHeader("delta-sharing-capabilities", caps);
}

// A digest of everything in a query that shapes its answer: a page or
// refresh token is only valid for a request with the same digest.
std::string QueryParamsDigest(const QueryRequest& q, const ClientCapabilities& caps,
                              const std::string* file_id_hash) {
  std::string text;
  auto add = [&](std::string_view part) {
    text += std::to_string(part.size());
    text += ':';
    text += part;
  };
  for (const auto& f : caps.response_formats) add(f);
  add("|");
  for (const auto& f : caps.reader_features) add(f);
  add(file_id_hash ? Lower(*file_id_hash) : "");  // the value is case-insensitive
  add(q.version ? std::to_string(*q.version) : "");
  add(q.timestamp.value_or(""));
  add(q.starting_version ? std::to_string(*q.starting_version) : "");
  add(q.ending_version ? std::to_string(*q.ending_version) : "");
  for (const auto& h : q.predicate_hints) add(h);
  add("|");
  add(q.json_predicate_hints.value_or(""));
  add(q.limit_hint ? std::to_string(*q.limit_hint) : "");
  add(q.include_historical_protocol ? "hp" : "");
  return HexEncode(Sha256(text)).substr(0, 32);
}

}  // namespace

HttpResponse SharingService::TableMetadata(const HttpRequest& r, const TableRef& t) {
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
  auto format = ChooseFormatOrPlainSnapshot(*t.resolved.format, RequestCapabilities(r), &*snapshot,
                                            t.FullName());
  if (!format.ok()) return TableError(t, format.status());
  auto share_filter = LoadSharePartitionFilter(t.info, (*snapshot)->metadata, t.FullName());
  if (!share_filter.ok()) return ErrorResponse(share_filter.status());

  HttpResponse resp;
  SetNdjsonHeaders(&resp, (*snapshot)->version, *format, false);
  resp.body = HeadLines(*format, **snapshot, t.info.history_shared, share_filter->get());
  return resp;
}

HttpResponse SharingService::QueryTable(const HttpRequest& r, const TableRef& t) {
  ClientCapabilities caps = RequestCapabilities(r);
  bool malformed = false;
  auto query = ParseQueryRequest(r.body, &malformed);
  if (!query.ok()) {
    if (malformed) return ErrorResponse(400, kMalformedRequest, query.status().message());
    return ErrorResponse(query.status());
  }
  const std::string* id_hash_header = r.Header("fileidhash");
  if (query->starting_version) {
    if (query->include_refresh_token || query->refresh_token) {
      return ErrorResponse(Status::InvalidArgument(
          "includeRefreshToken and refreshToken are only allowed for queries of the latest "
          "snapshot without a pageToken"));
    }
    ChangeRequest c;
    c.mode = ChangeMode::kStreaming;
    c.starting_version = query->starting_version;
    c.ending_version = query->ending_version;
    c.include_historical_metadata = true;
    c.include_historical_protocol = query->include_historical_protocol;
    c.max_files = query->max_files;
    c.page_token = query->page_token;
    c.digest = QueryParamsDigest(*query, caps, id_hash_header);
    return AnswerChanges(r, t, c);
  }
  bool latest = !query->version && !query->timestamp;
  if ((query->include_refresh_token || query->refresh_token) && (!latest || query->page_token)) {
    return ErrorResponse(Status::InvalidArgument(
        "includeRefreshToken and refreshToken are only allowed for queries of the latest "
        "snapshot without a pageToken"));
  }
  std::string digest =
      DigestWithShareFilter(QueryParamsDigest(*query, caps, id_hash_header), t.info);
  std::string table_key = QueryTokenCodec::TableKey(t.info.share, t.info.schema, t.info.name);
  int64_t now = NowMillis();

  // The snapshot: pinned by a page or refresh token, or chosen by the request.
  std::optional<QueryTokenState> page;
  std::optional<int64_t> version;
  if (query->page_token) {
    auto s = query_tokens_.DecodePage(*query->page_token, table_key, digest, now);
    if (!s.ok()) return ErrorResponse(s.status());
    page = *s;
    version = s->version;
  } else if (query->refresh_token) {
    auto s = query_tokens_.DecodeRefresh(*query->refresh_token, table_key, digest, now);
    if (!s.ok()) return ErrorResponse(s.status());
    version = s->version;
  } else {
    auto selected =
        SelectVersion(*t.resolved.format, t.info, t.FullName(), query->version, query->timestamp);
    if (!selected.ok()) return TableError(t, selected.status());
    version = *selected;
  }
  auto snapshot = t.resolved.format->Snapshot(version);
  if (!snapshot.ok()) return TableError(t, snapshot.status());
  auto format = ChooseFormatOrPlainSnapshot(*t.resolved.format, caps, &*snapshot, t.FullName());
  if (!format.ok()) return TableError(t, format.status());
  auto id_hash = ChooseFileIdHash(id_hash_header, *format);
  if (!id_hash.ok()) return ErrorResponse(id_hash.status());
  auto share_filter = LoadSharePartitionFilter(t.info, (*snapshot)->metadata, t.FullName());
  if (!share_filter.ok()) return ErrorResponse(share_filter.status());
  if (*format == ResponseFormat::kDelta) {
    for (const DataFile& f : (*snapshot)->files) {
      if (*share_filter && !(*share_filter)->Admits(f)) continue;  // never sent
      Status dv = CheckDeletionVectorsShareable(f);
      if (!dv.ok()) return TableError(t, dv);
    }
  }

  int64_t expiration = now + options_.presigned_url_timeout_seconds * 1000;
  if (t.who.token_expiration_ms) expiration = std::min(expiration, *t.who.token_expiration_ms);
  expiration = t.resolved.backend.signer->ClampExpiration(now, expiration);  // e.g. S3's 7 days

  QueryStreamOptions o;
  o.format = *format;
  o.id_hash = *id_hash;
  o.line_options.include_version = !latest;
  o.line_options.version = (*snapshot)->version;
  o.line_options.timestamp_ms = (*snapshot)->timestamp_ms;
  o.limit = query->limit_hint;
  if (page) {
    if (page->next_index > (*snapshot)->files.size()) {
      return ErrorResponse(Status::InvalidArgument("invalid 'pageToken'"));
    }
    o.start_index = page->next_index;
    o.rows_so_far = page->rows;
  }
  if (query->max_files) o.max_files = std::min<int64_t>(*query->max_files, kMaxFilesPerPage);
  o.end_stream_action = caps.include_end_stream_action || query->max_files.has_value() ||
                        query->page_token.has_value() || query->include_refresh_token;
  QueryTokenState base;
  base.table_key = table_key;
  base.params_digest = digest;
  base.version = (*snapshot)->version;
  if (query->include_refresh_token) {
    QueryTokenState refresh = base;
    refresh.expiration_ms = now + kRefreshTokenTtlMs;
    o.refresh_token = query_tokens_.EncodeRefresh(refresh);
  }
  const QueryTokenCodec* codec = &query_tokens_;
  o.make_page_token = [codec, base, now](uint64_t next_index, int64_t rows) {
    QueryTokenState s = base;
    s.next_index = next_index;
    s.rows = rows;
    s.expiration_ms = now + kPageTokenTtlMs;
    return codec->EncodePage(s);
  };

  HttpResponse resp;
  SetNdjsonHeaders(&resp, (*snapshot)->version, *format, o.end_stream_action);
  if (id_hash_header) resp.SetHeader("fileidhash", Lower(*id_hash_header));
  auto filter = AndShareFilter(*share_filter, MakeFileFilter(*query, **snapshot));
  FileSigner signer(t.resolved, SignContext{BaseUrl(r)}, expiration, t.FullName());
  resp.stream = std::make_unique<QueryBodyStream>(
      HeadLines(*format, **snapshot, t.info.history_shared, share_filter->get()), *snapshot,
      std::move(signer), std::move(filter), std::move(o));
  return resp;
}

HttpResponse SharingService::TableChanges(const HttpRequest& r, const TableRef& t) {
  ChangeRequest c;
  auto read_version = [&](const char* name, std::optional<int64_t>* out) -> Status {
    if (const std::string* v = r.Query(name)) {
      LS_ASSIGN_OR_RETURN(int64_t n, ParseInt64Param(*v, name, 0));
      *out = n;
    }
    return Status::OK();
  };
  Status st = read_version("startingVersion", &c.starting_version);
  if (st.ok()) st = read_version("endingVersion", &c.ending_version);
  if (st.ok()) {
    if (const std::string* v = r.Query("maxFiles")) {
      auto n = ParseInt64Param(*v, "maxFiles", 1);
      if (n.ok()) c.max_files = *n;
      st = n.status();
    }
  }
  if (st.ok()) {
    if (const std::string* v = r.Query("includeHistoricalMetadata")) {
      auto b = ParseBoolParam(*v, "includeHistoricalMetadata");
      if (b.ok()) c.include_historical_metadata = *b;
      st = b.status();
    }
  }
  if (st.ok()) {
    if (const std::string* v = r.Query("includeHistoricalProtocol")) {
      auto b = ParseBoolParam(*v, "includeHistoricalProtocol");
      if (b.ok()) c.include_historical_protocol = *b;
      st = b.status();
    }
  }
  if (!st.ok()) return ErrorResponse(st);
  if (const std::string* v = r.Query("startingTimestamp")) c.starting_timestamp = *v;
  if (const std::string* v = r.Query("endingTimestamp")) c.ending_timestamp = *v;
  if (const std::string* v = r.Query("pageToken"); v != nullptr && !v->empty()) c.page_token = *v;
  if (c.starting_version && c.starting_timestamp) {
    return ErrorResponse(
        Status::InvalidArgument("Please only provide one of: startingVersion, startingTimestamp"));
  }
  if (c.ending_version && c.ending_timestamp) {
    return ErrorResponse(
        Status::InvalidArgument("Please only provide one of: endingVersion, endingTimestamp"));
  }
  if (!c.starting_version && !c.starting_timestamp) {
    return ErrorResponse(
        Status::InvalidArgument("Please provide one of: startingVersion, startingTimestamp"));
  }
  c.mode = ChangeMode::kChangeDataFeed;
  // Parsed values, not the raw query string: order and spelling ("True")
  // must not invalidate a page token.
  ClientCapabilities caps = RequestCapabilities(r);
  std::string text = "s=" + (c.starting_version ? std::to_string(*c.starting_version) : "") +
                     "&st=" + c.starting_timestamp.value_or("") +
                     "&e=" + (c.ending_version ? std::to_string(*c.ending_version) : "") +
                     "&et=" + c.ending_timestamp.value_or("") +
                     "&h=" + (c.include_historical_metadata ? "1" : "0") +
                     "&hp=" + (c.include_historical_protocol ? "1" : "0");
  for (const auto& f : caps.response_formats) text += "|" + f;
  for (const auto& f : caps.reader_features) text += "#" + f;
  if (const std::string* h = r.Header("fileidhash")) text += "!" + Lower(*h);
  c.digest = HexEncode(Sha256(text)).substr(0, 32);
  return AnswerChanges(r, t, c);
}

HttpResponse SharingService::AnswerChanges(const HttpRequest& r, const TableRef& t,
                                           const ChangeRequest& c) {
  const bool cdf = c.mode == ChangeMode::kChangeDataFeed;
  if (!t.info.history_shared) {
    return ErrorResponse(
        Status::InvalidArgument((cdf ? "cdf is not enabled on table "
                                     : "Reading table changes (startingVersion) is not "
                                       "supported because history sharing is not "
                                       "enabled on table ") +
                                t.FullName()));
  }
  TableFormat& table = *t.resolved.format;
  auto latest = table.LatestVersion();
  if (!latest.ok()) return TableError(t, latest.status());
  std::string table_key = QueryTokenCodec::TableKey(t.info.share, t.info.schema, t.info.name);
  int64_t now = NowMillis();

  int64_t start = 0, end = *latest;
  std::optional<QueryTokenState> page;
  const std::string digest = DigestWithShareFilter(c.digest, t.info);
  if (c.page_token) {
    auto s = query_tokens_.DecodePage(*c.page_token, table_key, digest, now);
    if (!s.ok()) return ErrorResponse(s.status());
    page = *s;
    end = s->version;  // pinned: later commits do not shift the pages
  }
  if (c.starting_version) {
    start = *c.starting_version;
  } else {
    auto ms = ParseTimestampMillis(*c.starting_timestamp);
    if (!ms.ok()) {
      return ErrorResponse(
          Status::InvalidArgument("Invalid startingTimestamp: " + *c.starting_timestamp));
    }
    auto v = table.VersionAtTimestamp(*ms, TimestampBound::kAtOrAfter);
    if (!v.ok()) return TableError(t, v.status());
    start = *v;
  }
  if (!page) {
    if (c.ending_version) {
      end = *c.ending_version;
    } else if (c.ending_timestamp) {
      auto ms = ParseTimestampMillis(*c.ending_timestamp);
      if (!ms.ok()) {
        return ErrorResponse(
            Status::InvalidArgument("Invalid endingTimestamp: " + *c.ending_timestamp));
      }
      auto v = table.VersionAtTimestamp(*ms, TimestampBound::kAtOrBefore);
      if (!v.ok()) return TableError(t, v.status());
      end = *v;
    }
  }
  if (start < t.info.start_version) {
    return ErrorResponse(Status::InvalidArgument("You can only query table data since version " +
                                                 std::to_string(t.info.start_version) + "."));
  }
  if (start > *latest) {
    return ErrorResponse(Status::InvalidArgument(
        "startingVersion " + std::to_string(start) + " is after the latest version " +
        std::to_string(*latest) + " of table " + t.FullName()));
  }
  if (end > *latest) {
    return ErrorResponse(Status::InvalidArgument(
        "endingVersion " + std::to_string(end) + " is after the latest version " +
        std::to_string(*latest) + " of table " + t.FullName()));
  }
  if (end < start) {
    return ErrorResponse(Status::InvalidArgument("the ending version " + std::to_string(end) +
                                                 " is before the starting version " +
                                                 std::to_string(start)));
  }
  auto first = table.Snapshot(start);
  if (!first.ok()) return TableError(t, first.status());
  if (cdf) {
    auto it = (*first)->metadata.configuration.find("delta.enableChangeDataFeed");
    if (it == (*first)->metadata.configuration.end() || it->second != "true") {
      return ErrorResponse(Status::InvalidArgument("change data was not recorded for version " +
                                                   std::to_string(start)));
    }
  }
  ClientCapabilities caps = RequestCapabilities(r);
  auto format = ChooseFormatOrPlainSnapshot(table, caps, &*first, t.FullName());
  if (!format.ok()) return TableError(t, format.status());
  const std::string* id_hash_header = r.Header("fileidhash");
  auto id_hash = ChooseFileIdHash(id_hash_header, *format);
  if (!id_hash.ok()) return ErrorResponse(id_hash.status());

  auto changes = table.Changes(start, end);
  if (!changes.ok()) return TableError(t, changes.status());
  // Protocol lines carry the delta format's protocol; parquet clients never get them.
  bool historical_protocol = c.include_historical_protocol && *format == ResponseFormat::kDelta;
  auto plan =
      PlanChanges(*changes, c.mode, c.include_historical_metadata, historical_protocol, cdf);
  if (!plan.ok()) return TableError(t, plan.status());
  // The share's partition filter, valid for every metaData of the range.
  auto share_filter = LoadSharePartitionFilter(t.info, (*first)->metadata, t.FullName());
  if (!share_filter.ok()) return ErrorResponse(share_filter.status());
  if (*share_filter) {
    for (const CommitChanges& commit : *changes) {
      if (!commit.metadata) continue;
      auto later = LoadSharePartitionFilter(t.info, *commit.metadata, t.FullName());
      if (!later.ok()) return ErrorResponse(later.status());
    }
    std::erase_if(*plan, [&](const ChangeEntry& e) {
      return e.change >= 0 &&
             !(*share_filter)
                  ->Admits((*changes)[e.commit].changes[static_cast<size_t>(e.change)].file);
    });
  }
  // Every protocol/metaData of the range must be readable in the chosen
  // format, not only the start's (a later commit may turn on DVs or mapping).
  {
    TableSnapshot state;
    state.protocol = (*first)->protocol;
    state.metadata = (*first)->metadata;
    for (const CommitChanges& commit : *changes) {
      if (!commit.protocol && !commit.metadata) continue;
      if (commit.protocol) state.protocol = *commit.protocol;
      if (commit.metadata) state.metadata = *commit.metadata;
      Status ok = *format == ResponseFormat::kParquet
                      ? CheckParquetCompatible(state, t.FullName())
                      : CheckDeltaCompatible(caps, state, t.FullName());
      if (!ok.ok()) return TableError(t, ok);
    }
  }
  if (*format == ResponseFormat::kDelta && !caps.HasReaderFeature("deletionVectors")) {
    for (const ChangeEntry& e : *plan) {
      if (e.change >= 0 &&
          (*changes)[e.commit].changes[static_cast<size_t>(e.change)].file.deletion_vector) {
        return TableError(
            t, Status::Unsupported("table " + t.FullName() +
                                   " has deletion vectors in this range; declare "
                                   "readerfeatures=deletionvectors if the client supports them"));
      }
    }
  }
  // A remove may omit the file's size; clients need it, so ask the store.
  for (const ChangeEntry& e : *plan) {
    if (e.change < 0) continue;
    FileChange& ch = (*changes)[e.commit].changes[static_cast<size_t>(e.change)];
    if (ch.type != ChangeType::kRemove || ch.file.size > 0) continue;
    auto path = table.ResolveFilePath(ch.file.path);
    if (!path.ok()) continue;
    auto info = t.resolved.backend.storage->Head(*path);
    if (info.ok()) ch.file.size = info->size;
  }
  if (*format == ResponseFormat::kParquet) {
    for (const ChangeEntry& e : *plan) {
      if (e.change >= 0 &&
          (*changes)[e.commit].changes[static_cast<size_t>(e.change)].file.deletion_vector) {
        return TableError(
            t, CheckParquetCompatible(**first, t.FullName()).ok()
                   ? Status::Unsupported("table " + t.FullName() +
                                         " has deletion vectors in this range, which the parquet "
                                         "response format cannot express; ask for "
                                         "responseformat=delta with readerfeatures=deletionvectors")
                   : CheckParquetCompatible(**first, t.FullName()));
      }
    }
  }
  for (const ChangeEntry& e : *plan) {
    if (e.change < 0) continue;
    Status dv = CheckDeletionVectorsShareable(
        (*changes)[e.commit].changes[static_cast<size_t>(e.change)].file);
    if (!dv.ok()) return TableError(t, dv);
  }
  if (page && page->next_index > plan->size()) {
    return ErrorResponse(Status::InvalidArgument("invalid 'pageToken'"));
  }

  int64_t expiration = now + options_.presigned_url_timeout_seconds * 1000;
  if (t.who.token_expiration_ms) expiration = std::min(expiration, *t.who.token_expiration_ms);
  expiration = t.resolved.backend.signer->ClampExpiration(now, expiration);  // e.g. S3's 7 days
  ChangesStreamOptions o;
  o.format = *format;
  o.id_hash = *id_hash;
  o.start_index = page ? page->next_index : 0;
  if (c.max_files) o.max_files = std::min<int64_t>(*c.max_files, kMaxFilesPerPage);
  o.end_stream_action =
      caps.include_end_stream_action || c.max_files.has_value() || c.page_token.has_value();
  QueryTokenState base;
  base.table_key = table_key;
  base.params_digest = digest;
  base.version = end;
  const QueryTokenCodec* codec = &query_tokens_;
  o.make_page_token = [codec, base, now](uint64_t next_index) {
    QueryTokenState s = base;
    s.next_index = next_index;
    s.expiration_ms = now + kPageTokenTtlMs;
    return codec->EncodePage(s);
  };

  std::string head;
  if (*format == ResponseFormat::kParquet) {
    AppendParquetProtocolLine(&head);
    AppendParquetMetadataLine(&head, (*first)->metadata, t.info.history_shared);
  } else {
    AppendDeltaProtocolLine(&head, (*first)->protocol);
    AppendDeltaMetadataLine(&head, (*first)->metadata, start, std::nullopt, std::nullopt);
  }
  HttpResponse resp;
  SetNdjsonHeaders(&resp, start, *format, o.end_stream_action);
  if (id_hash_header) resp.SetHeader("fileidhash", Lower(*id_hash_header));
  auto shared = std::make_shared<const std::vector<CommitChanges>>(std::move(*changes));
  FileSigner signer(t.resolved, SignContext{BaseUrl(r)}, expiration, t.FullName());
  resp.stream = std::make_unique<ChangesBodyStream>(
      std::move(head), std::move(shared), std::move(*plan), std::move(signer), std::move(o));
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
  if (seg.size() != 2 || expires == nullptr || signature == nullptr) {
    return ErrorResponse(Status::PermissionDenied("invalid or expired file URL"));
  }
  auto path = storage_->local_signer()->Verify(seg[1], *expires, *signature, NowMillis());
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
  // RFC 6266/8187: the name, percent-encoded, for clients that save the file.
  resp.SetHeader("Content-Disposition", "attachment; filename*=UTF-8''" +
                                            PercentEncode(path->substr(path->rfind('/') + 1)));
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
