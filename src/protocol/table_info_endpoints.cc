#include "protocol/table_info_endpoints.h"

#include "common/time_util.h"
#include "protocol/ndjson_answer.h"
#include "protocol/request_params.h"
#include "protocol/response_format.h"
#include "protocol/share_partition_filter.h"
#include "protocol/time_travel.h"

namespace lakeshare {

Result<HttpResponse> GetTableVersion(const EndpointContext& ctx, const TableCall& call) {
  const TableRef& t = call.table;
  TableFormat& table = *t.resolved.format;
  int64_t version = 0;
  if (const std::string* ts = call.request.Query("startingTimestamp")) {
    if (!t.info.history_shared) return HistoryNotShared(t.FullName());
    auto ms = ParseTimestampMillis(*ts);
    if (!ms.ok()) return Status::InvalidArgument("Invalid startingTimestamp: " + *ts);
    LS_ASSIGN_OR_RETURN(version,
                        InTable(t, table.VersionAtTimestamp(*ms, TimestampBound::kAtOrAfter)));
  } else {
    // A latest commit /query would refuse is refused here too, without
    // loading the snapshot (/version stays cheap).
    LS_ASSIGN_OR_RETURN(version, InTable(t, table.LatestVersionChecked()));
  }
  HttpResponse resp;
  resp.SetHeader("Delta-Table-Version", std::to_string(version));
  return resp;
}

Result<HttpResponse> GetTableMetadata(const EndpointContext& ctx, const TableCall& call) {
  const TableRef& t = call.table;
  const HttpRequest& r = call.request;
  LS_ASSIGN_OR_RETURN(std::optional<int64_t> version, Int64Param(r, "version", 0));
  std::optional<std::string> timestamp = StringParam(r, "timestamp");
  if (version && timestamp) {
    return Status::InvalidArgument("Please only provide one of: version, timestamp");
  }
  LS_ASSIGN_OR_RETURN(
      std::optional<int64_t> selected,
      InTable(t, SelectVersion(*t.resolved.format, t.info, t.FullName(), version, timestamp)));
  LS_ASSIGN_OR_RETURN(std::shared_ptr<const TableSnapshot> snapshot,
                      InTable(t, t.resolved.format->Snapshot(selected)));
  LS_ASSIGN_OR_RETURN(
      ResponseFormat format,
      InTable(t, ChooseResponseFormatOrPlainSnapshot(*t.resolved.format, RequestCapabilities(r),
                                                     &snapshot, t.FullName())));
  LS_ASSIGN_OR_RETURN(std::shared_ptr<const PartitionFilter> share_filter,
                      LoadSharePartitionFilter(t.info, snapshot->metadata, t.FullName()));

  HttpResponse resp;
  SetNdjsonHeaders(&resp, snapshot->version, format, false);
  resp.body = HeadLines(format, *snapshot, t.info.history_shared, share_filter.get());
  return resp;
}

}  // namespace lakeshare
