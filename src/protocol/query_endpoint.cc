#include "protocol/query_endpoint.h"

#include <algorithm>
#include <memory>

#include "common/crypto.h"
#include "common/encoding.h"
#include "common/time_util.h"
#include "protocol/changes_endpoint.h"
#include "protocol/file_filter.h"
#include "protocol/ndjson_answer.h"
#include "protocol/query_request.h"
#include "protocol/query_stream.h"
#include "protocol/request_params.h"
#include "protocol/response_format.h"
#include "protocol/share_partition_filter.h"
#include "protocol/time_travel.h"
#include "server/errors.h"
#include "table/snapshot_verdicts.h"

namespace lakeshare {
namespace {

constexpr int64_t kMaxFilesPerPage = 10000;
constexpr int64_t kPageTokenTtlMs = 3LL * 24 * 3600 * 1000;  // as the reference server

// The further folders files may lie in, for keys of verdicts about paths.
std::string OtherLocations(const ResolvedTable& t) {
  std::string out;
  for (const auto& [location, backend] : t.other_locations) out += location + '\n';
  return out;
}
constexpr int64_t kRefreshTokenTtlMs = 3600 * 1000;

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
  add(file_id_hash ? AsciiLower(*file_id_hash) : "");  // the value is case-insensitive
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

Status RefreshNotAllowed() {
  return Status::InvalidArgument(
      "includeRefreshToken and refreshToken are only allowed for queries of the latest "
      "snapshot without a pageToken");
}

}  // namespace

Result<HttpResponse> QueryTable(const EndpointContext& ctx, const TableCall& call) {
  const TableRef& t = call.table;
  const HttpRequest& r = call.request;
  ClientCapabilities caps = RequestCapabilities(r);
  bool malformed = false;
  Result<QueryRequest> parsed = ParseQueryRequest(r.body, &malformed);
  if (!parsed.ok()) {
    // Not a JSON object at all: the reference server's MALFORMED_REQUEST,
    // which no Status code maps to.
    if (malformed) return ErrorResponse(400, kMalformedRequest, parsed.status().message());
    return parsed.status();
  }
  const QueryRequest& query = *parsed;
  const std::string* id_hash_header = r.Header("fileidhash");
  if (query.starting_version) {
    if (query.include_refresh_token || query.refresh_token) return RefreshNotAllowed();
    ChangeRequest c;
    c.mode = ChangeMode::kStreaming;
    c.starting_version = query.starting_version;
    c.ending_version = query.ending_version;
    c.include_historical_metadata = true;
    c.include_historical_protocol = query.include_historical_protocol;
    c.max_files = query.max_files;
    c.page_token = query.page_token;
    c.digest = QueryParamsDigest(query, caps, id_hash_header);
    return AnswerChanges(ctx, call, c);
  }
  bool latest = !query.version && !query.timestamp;
  if ((query.include_refresh_token || query.refresh_token) && (!latest || query.page_token)) {
    return RefreshNotAllowed();
  }
  std::string digest =
      DigestWithShareFilter(QueryParamsDigest(query, caps, id_hash_header), t.info);
  std::string table_key = QueryTokenCodec::TableKey(t.info.share, t.info.schema, t.info.name);
  int64_t now = NowMillis();

  // The snapshot: pinned by a page or refresh token, or chosen by the request.
  std::optional<QueryTokenState> page;
  std::optional<int64_t> version;
  if (query.page_token) {
    LS_ASSIGN_OR_RETURN(page,
                        ctx.query_tokens.DecodePage(*query.page_token, table_key, digest, now));
    version = page->version;
  } else if (query.refresh_token) {
    LS_ASSIGN_OR_RETURN(QueryTokenState refresh, ctx.query_tokens.DecodeRefresh(
                                                     *query.refresh_token, table_key, digest, now));
    version = refresh.version;
  } else {
    LS_ASSIGN_OR_RETURN(version, InTable(t, SelectVersion(*t.resolved.format, t.info, t.FullName(),
                                                          query.version, query.timestamp)));
  }
  LS_ASSIGN_OR_RETURN(std::shared_ptr<const TableSnapshot> snapshot,
                      InTable(t, t.resolved.format->Snapshot(version)));
  LS_ASSIGN_OR_RETURN(ResponseFormat format,
                      InTable(t, ChooseResponseFormatOrPlainSnapshot(*t.resolved.format, caps,
                                                                     &snapshot, t.FullName())));
  LS_ASSIGN_OR_RETURN(FileIdHash id_hash, ChooseFileIdHash(id_hash_header, format));
  LS_ASSIGN_OR_RETURN(std::shared_ptr<const PartitionFilter> share_filter,
                      LoadSharePartitionFilter(t.info, snapshot->metadata, t.FullName()));
  FileSigner signer(t.resolved, SignContext{BaseUrl(ctx, r)}, UrlExpiration(ctx, t, now),
                    t.FullName());
  // Every file the share exposes, whatever the page or predicate: a bad path
  // is then the same JSON error on every request, never a body cut short.
  // O(files), so once per snapshot: the key holds all else it depends on.
  std::string verdict_key = t.FullName() + '\n' + t.resolved.location + '\n' +
                            t.resolved.derived_location + '\n' + OtherLocations(t.resolved) +
                            t.info.partition_filter.value_or("") + '\n' +
                            (format == ResponseFormat::kDelta ? "delta" : "parquet");
  LS_RETURN_IF_ERROR(
      InTable(t, SnapshotVerdicts::Global().GetOrCheck(snapshot, verdict_key, [&]() -> Status {
        for (const DataFile& f : snapshot->files) {
          if (share_filter && !share_filter->Admits(f)) continue;  // never sent
          LS_RETURN_IF_ERROR(signer.CheckDataFile(f.path));
          if (format == ResponseFormat::kDelta) {
            LS_RETURN_IF_ERROR(CheckDeletionVectorsShareable(f, t.resolved.derived_location));
          }
        }
        return Status::OK();
      })));

  QueryStreamOptions o;
  o.format = format;
  o.id_hash = id_hash;
  o.line_options.include_version = !latest;
  o.line_options.version = snapshot->version;
  o.line_options.timestamp_ms = snapshot->timestamp_ms;
  o.limit = query.limit_hint;
  if (page) {
    if (page->next_index > snapshot->files.size()) {
      return Status::InvalidArgument("invalid 'pageToken'");
    }
    o.start_index = page->next_index;
    o.rows_so_far = page->rows;
  }
  if (query.max_files) o.max_files = std::min<int64_t>(*query.max_files, kMaxFilesPerPage);
  o.end_stream_action = caps.include_end_stream_action || query.max_files.has_value() ||
                        query.page_token.has_value() || query.include_refresh_token;
  QueryTokenState base;
  base.table_key = table_key;
  base.params_digest = digest;
  base.version = snapshot->version;
  if (query.include_refresh_token) {
    QueryTokenState refresh = base;
    refresh.expiration_ms = now + kRefreshTokenTtlMs;
    o.refresh_token = ctx.query_tokens.EncodeRefresh(refresh);
  }
  const QueryTokenCodec* codec = &ctx.query_tokens;
  o.make_page_token = [codec, base, now](uint64_t next_index, int64_t rows) {
    QueryTokenState s = base;
    s.next_index = next_index;
    s.rows = rows;
    s.expiration_ms = now + kPageTokenTtlMs;
    return codec->EncodePage(s);
  };

  HttpResponse resp;
  SetNdjsonHeaders(&resp, snapshot->version, format, o.end_stream_action);
  if (id_hash_header) resp.SetHeader("fileidhash", AsciiLower(*id_hash_header));
  auto filter = AndShareFilter(share_filter, MakeFileFilter(query, *snapshot));
  resp.stream = std::make_unique<QueryBodyStream>(
      HeadLines(format, *snapshot, t.info.history_shared, share_filter.get()), snapshot,
      std::move(signer), std::move(filter), std::move(o));
  return resp;
}

}  // namespace lakeshare
