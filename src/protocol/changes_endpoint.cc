#include "protocol/changes_endpoint.h"

#include <algorithm>
#include <memory>
#include <vector>

#include "common/crypto.h"
#include "common/encoding.h"
#include "common/time_util.h"
#include "protocol/ndjson_answer.h"
#include "protocol/query_stream.h"
#include "protocol/request_params.h"
#include "protocol/response_format.h"
#include "protocol/response_lines.h"
#include "protocol/share_partition_filter.h"

namespace lakeshare {
namespace {

constexpr int64_t kMaxFilesPerPage = 10000;
constexpr int64_t kPageTokenTtlMs = 3LL * 24 * 3600 * 1000;  // as the reference server

// A digest of the parsed parameters, not of the raw query string: order and
// spelling ("True") must not invalidate a page token.
std::string ChangesParamsDigest(const ChangeRequest& c, const HttpRequest& r) {
  ClientCapabilities caps = RequestCapabilities(r);
  std::string text = "s=" + (c.starting_version ? std::to_string(*c.starting_version) : "") +
                     "&st=" + c.starting_timestamp.value_or("") +
                     "&e=" + (c.ending_version ? std::to_string(*c.ending_version) : "") +
                     "&et=" + c.ending_timestamp.value_or("") +
                     "&h=" + (c.include_historical_metadata ? "1" : "0") +
                     "&hp=" + (c.include_historical_protocol ? "1" : "0");
  for (const auto& f : caps.response_formats) text += "|" + f;
  for (const auto& f : caps.reader_features) text += "#" + f;
  if (const std::string* h = r.Header("fileidhash")) text += "!" + AsciiLower(*h);
  return HexEncode(Sha256(text)).substr(0, 32);
}

const FileChange& ChangeOf(const std::vector<CommitChanges>& commits, const ChangeEntry& e) {
  return commits[e.commit].changes[static_cast<size_t>(e.change)];
}

// The versions start..end a request names, checked against the table.
struct VersionRange {
  int64_t start = 0;
  int64_t end = 0;
};

Result<VersionRange> SelectRange(const TableRef& t, const ChangeRequest& c, int64_t latest,
                                 const std::optional<QueryTokenState>& page) {
  TableFormat& table = *t.resolved.format;
  VersionRange range{0, latest};
  if (page) range.end = page->version;  // pinned: later commits do not shift the pages
  if (c.starting_version) {
    range.start = *c.starting_version;
  } else {
    auto ms = ParseTimestampMillis(*c.starting_timestamp);
    if (!ms.ok())
      return Status::InvalidArgument("Invalid startingTimestamp: " + *c.starting_timestamp);
    LS_ASSIGN_OR_RETURN(range.start,
                        InTable(t, table.VersionAtTimestamp(*ms, TimestampBound::kAtOrAfter)));
  }
  if (!page) {
    if (c.ending_version) {
      range.end = *c.ending_version;
    } else if (c.ending_timestamp) {
      auto ms = ParseTimestampMillis(*c.ending_timestamp);
      if (!ms.ok())
        return Status::InvalidArgument("Invalid endingTimestamp: " + *c.ending_timestamp);
      LS_ASSIGN_OR_RETURN(range.end,
                          InTable(t, table.VersionAtTimestamp(*ms, TimestampBound::kAtOrBefore)));
    }
  }
  if (range.start < t.info.start_version) {
    return Status::InvalidArgument("You can only query table data since version " +
                                   std::to_string(t.info.start_version) + ".");
  }
  if (range.start > latest) {
    return Status::InvalidArgument("startingVersion " + std::to_string(range.start) +
                                   " is after the latest version " + std::to_string(latest) +
                                   " of table " + t.FullName());
  }
  if (range.end > latest) {
    return Status::InvalidArgument("endingVersion " + std::to_string(range.end) +
                                   " is after the latest version " + std::to_string(latest) +
                                   " of table " + t.FullName());
  }
  if (range.end < range.start) {
    return Status::InvalidArgument("the ending version " + std::to_string(range.end) +
                                   " is before the starting version " +
                                   std::to_string(range.start));
  }
  return range;
}

// Every protocol/metaData of the range must be readable in the chosen
// format, not only the start's (a later commit may turn on DVs or mapping);
// and the files must be expressible in it.
Status CheckRangeReadable(const TableRef& t, const ClientCapabilities& caps, ResponseFormat format,
                          const TableSnapshot& first, const std::vector<CommitChanges>& changes,
                          const std::vector<ChangeEntry>& plan) {
  TableSnapshot state;
  state.protocol = first.protocol;
  state.metadata = first.metadata;
  for (const CommitChanges& commit : changes) {
    if (!commit.protocol && !commit.metadata) continue;
    if (commit.protocol) state.protocol = *commit.protocol;
    if (commit.metadata) state.metadata = *commit.metadata;
    LS_RETURN_IF_ERROR(InTable(t, format == ResponseFormat::kParquet
                                      ? CheckParquetCompatible(state, t.FullName())
                                      : CheckDeltaCompatible(caps, state, t.FullName())));
  }
  if (format == ResponseFormat::kDelta && !caps.HasReaderFeature("deletionVectors")) {
    for (const ChangeEntry& e : plan) {
      if (e.change >= 0 && ChangeOf(changes, e).file.deletion_vector) {
        return InTable(
            t, Status::Unsupported("table " + t.FullName() +
                                   " has deletion vectors in this range; declare "
                                   "readerfeatures=deletionvectors if the client supports them"));
      }
    }
  }
  return Status::OK();
}

}  // namespace

Result<HttpResponse> GetTableChanges(const EndpointContext& ctx, const TableCall& call) {
  const HttpRequest& r = call.request;
  ChangeRequest c;
  LS_ASSIGN_OR_RETURN(c.starting_version, Int64Param(r, "startingVersion", 0));
  LS_ASSIGN_OR_RETURN(c.ending_version, Int64Param(r, "endingVersion", 0));
  LS_ASSIGN_OR_RETURN(c.max_files, Int64Param(r, "maxFiles", 1));
  LS_ASSIGN_OR_RETURN(std::optional<bool> historical_metadata,
                      BoolParam(r, "includeHistoricalMetadata"));
  LS_ASSIGN_OR_RETURN(std::optional<bool> historical_protocol,
                      BoolParam(r, "includeHistoricalProtocol"));
  c.include_historical_metadata = historical_metadata.value_or(false);
  c.include_historical_protocol = historical_protocol.value_or(false);
  c.starting_timestamp = StringParam(r, "startingTimestamp");
  c.ending_timestamp = StringParam(r, "endingTimestamp");
  if (const std::string* v = r.Query("pageToken"); v != nullptr && !v->empty()) c.page_token = *v;
  if (c.starting_version && c.starting_timestamp) {
    return Status::InvalidArgument(
        "Please only provide one of: startingVersion, startingTimestamp");
  }
  if (c.ending_version && c.ending_timestamp) {
    return Status::InvalidArgument("Please only provide one of: endingVersion, endingTimestamp");
  }
  if (!c.starting_version && !c.starting_timestamp) {
    return Status::InvalidArgument("Please provide one of: startingVersion, startingTimestamp");
  }
  c.mode = ChangeMode::kChangeDataFeed;
  c.digest = ChangesParamsDigest(c, r);
  return AnswerChanges(ctx, call, c);
}

Result<HttpResponse> AnswerChanges(const EndpointContext& ctx, const TableCall& call,
                                   const ChangeRequest& c) {
  const TableRef& t = call.table;
  const HttpRequest& r = call.request;
  const bool cdf = c.mode == ChangeMode::kChangeDataFeed;
  if (!t.info.history_shared) {
    return Status::InvalidArgument((cdf ? "cdf is not enabled on table "
                                        : "Reading table changes (startingVersion) is not "
                                          "supported because history sharing is not "
                                          "enabled on table ") +
                                   t.FullName());
  }
  TableFormat& table = *t.resolved.format;
  LS_ASSIGN_OR_RETURN(int64_t latest, InTable(t, table.LatestVersion()));
  std::string table_key = QueryTokenCodec::TableKey(t.info.share, t.info.schema, t.info.name);
  int64_t now = NowMillis();

  std::optional<QueryTokenState> page;
  const std::string digest = DigestWithShareFilter(c.digest, t.info);
  if (c.page_token) {
    LS_ASSIGN_OR_RETURN(page, ctx.query_tokens.DecodePage(*c.page_token, table_key, digest, now));
  }
  LS_ASSIGN_OR_RETURN(VersionRange range, SelectRange(t, c, latest, page));
  LS_ASSIGN_OR_RETURN(std::shared_ptr<const TableSnapshot> first,
                      InTable(t, table.Snapshot(range.start)));
  if (cdf) {
    auto it = first->metadata.configuration.find("delta.enableChangeDataFeed");
    if (it == first->metadata.configuration.end() || it->second != "true") {
      return Status::InvalidArgument("change data was not recorded for version " +
                                     std::to_string(range.start));
    }
  }
  ClientCapabilities caps = RequestCapabilities(r);
  LS_ASSIGN_OR_RETURN(ResponseFormat format, InTable(t, ChooseResponseFormatOrPlainSnapshot(
                                                            table, caps, &first, t.FullName())));
  const std::string* id_hash_header = r.Header("fileidhash");
  LS_ASSIGN_OR_RETURN(FileIdHash id_hash, ChooseFileIdHash(id_hash_header, format));

  LS_ASSIGN_OR_RETURN(std::vector<CommitChanges> changes,
                      InTable(t, table.Changes(range.start, range.end)));
  // Protocol lines carry the delta format's protocol; parquet clients never get them.
  bool historical_protocol = c.include_historical_protocol && format == ResponseFormat::kDelta;
  LS_ASSIGN_OR_RETURN(std::vector<ChangeEntry> plan,
                      InTable(t, PlanChanges(changes, c.mode, c.include_historical_metadata,
                                             historical_protocol, cdf)));
  // The share's partition filter, valid for every metaData of the range.
  LS_ASSIGN_OR_RETURN(std::shared_ptr<const PartitionFilter> share_filter,
                      LoadSharePartitionFilter(t.info, first->metadata, t.FullName()));
  if (share_filter) {
    for (const CommitChanges& commit : changes) {
      if (!commit.metadata) continue;
      LS_RETURN_IF_ERROR(LoadSharePartitionFilter(t.info, *commit.metadata, t.FullName()));
    }
    std::erase_if(plan, [&](const ChangeEntry& e) {
      return e.change >= 0 && !share_filter->Admits(ChangeOf(changes, e).file);
    });
  }
  LS_RETURN_IF_ERROR(CheckRangeReadable(t, caps, format, *first, changes, plan));
  if (!c.include_historical_metadata) {
    // Partition values follow the partition columns of their commit; a
    // client that gets only the first metaData line cannot read them when
    // those change in the range (an Iceberg spec adding an identity field).
    for (size_t i = 1; i < changes.size(); ++i) {
      const auto& md = changes[i].metadata;
      if (md && md->partition_columns != first->metadata.partition_columns) {
        return InTable(t,
                       Status::Unsupported(
                           "table " + t.FullName() + " changes its partition columns at version " +
                           std::to_string(changes[i].version) +
                           "; ask with includeHistoricalMetadata=true to receive its metaData, "
                           "or for a range that does not span the change"));
      }
    }
  }
  // A remove may omit the file's size; clients need it, so ask the store.
  for (const ChangeEntry& e : plan) {
    if (e.change < 0) continue;
    FileChange& ch = changes[e.commit].changes[static_cast<size_t>(e.change)];
    if (ch.type != ChangeType::kRemove || ch.file.size > 0) continue;
    auto path = table.ResolveFilePath(ch.file.path);
    if (!path.ok()) continue;
    auto info = t.resolved.backend.storage->Head(*path);
    if (info.ok()) ch.file.size = info->size;
  }
  if (format == ResponseFormat::kParquet) {
    for (const ChangeEntry& e : plan) {
      if (e.change >= 0 && ChangeOf(changes, e).file.deletion_vector) {
        Status why = CheckParquetCompatible(*first, t.FullName());
        return InTable(t, why.ok() ? Status::Unsupported(
                                         "table " + t.FullName() +
                                         " has deletion vectors in this range, which the parquet "
                                         "response format cannot express; ask for "
                                         "responseformat=delta with readerfeatures=deletionvectors")
                                   : why);
      }
    }
  }
  FileSigner signer(t.resolved, SignContext{BaseUrl(ctx, r)}, UrlExpiration(ctx, t, now),
                    t.FullName());
  // Before the 200: a bad path must be a JSON error, not a body cut short.
  for (const ChangeEntry& e : plan) {
    if (e.change < 0) continue;
    const DataFile& f = ChangeOf(changes, e).file;
    LS_RETURN_IF_ERROR(InTable(t, signer.CheckDataFile(f.path)));
    LS_RETURN_IF_ERROR(InTable(t, CheckDeletionVectorsShareable(f, t.resolved.derived_location)));
  }
  if (page && page->next_index > plan.size()) {
    return Status::InvalidArgument("invalid 'pageToken'");
  }

  ChangesStreamOptions o;
  o.format = format;
  o.id_hash = id_hash;
  o.start_index = page ? page->next_index : 0;
  if (c.max_files) o.max_files = std::min<int64_t>(*c.max_files, kMaxFilesPerPage);
  o.end_stream_action =
      caps.include_end_stream_action || c.max_files.has_value() || c.page_token.has_value();
  QueryTokenState base;
  base.table_key = table_key;
  base.params_digest = digest;
  base.version = range.end;
  const QueryTokenCodec* codec = &ctx.query_tokens;
  o.make_page_token = [codec, base, now](uint64_t next_index) {
    QueryTokenState s = base;
    s.next_index = next_index;
    s.expiration_ms = now + kPageTokenTtlMs;
    return codec->EncodePage(s);
  };

  std::string head;
  if (format == ResponseFormat::kParquet) {
    AppendParquetProtocolLine(&head);
    AppendParquetMetadataLine(&head, first->metadata, t.info.history_shared);
  } else {
    AppendDeltaProtocolLine(&head, first->protocol);
    AppendDeltaMetadataLine(&head, first->metadata, range.start, std::nullopt, std::nullopt);
  }
  HttpResponse resp;
  SetNdjsonHeaders(&resp, range.start, format, o.end_stream_action);
  if (id_hash_header) resp.SetHeader("fileidhash", AsciiLower(*id_hash_header));
  auto shared = std::make_shared<const std::vector<CommitChanges>>(std::move(changes));
  resp.stream = std::make_unique<ChangesBodyStream>(
      std::move(head), std::move(shared), std::move(plan), std::move(signer), std::move(o));
  return resp;
}

}  // namespace lakeshare
