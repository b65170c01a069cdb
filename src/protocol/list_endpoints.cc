#include "protocol/list_endpoints.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "common/json_writer.h"
#include "common/time_util.h"
#include "protocol/request_params.h"

namespace lakeshare {
namespace {

constexpr int64_t kDefaultPageSize = 500;
constexpr int64_t kMaxPageSize = 1000;
constexpr int64_t kPageTokenTtlMs = 3LL * 24 * 3600 * 1000;  // as query page tokens

// One page of a list response: {"items": [...], "nextPageToken": "..."}.
template <typename T, typename WriteItem>
Result<HttpResponse> ListPage(const EndpointContext& ctx, const HttpRequest& r,
                              const std::string& scope, const std::vector<T>& items,
                              WriteItem write_item) {
  int64_t page_size = kDefaultPageSize;
  LS_ASSIGN_OR_RETURN(std::optional<int64_t> max_results, Int64Param(r, "maxResults", 0));
  if (max_results) {
    if (*max_results > INT32_MAX) {  // an int32 in the protocol
      return Status::InvalidArgument("invalid 'maxResults': '" + *r.Query("maxResults") + "'");
    }
    page_size = std::min(*max_results, kMaxPageSize);
  }
  uint64_t offset = 0;
  int64_t now = NowMillis();
  if (const std::string* t = r.Query("pageToken"); t != nullptr && !t->empty()) {
    auto o = ctx.page_tokens.Decode(*t, scope, now);
    if (!o.ok() || *o > items.size()) return Status::InvalidArgument("invalid 'pageToken'");
    offset = *o;
  }
  uint64_t end = std::min<uint64_t>(items.size(), offset + static_cast<uint64_t>(page_size));
  std::string body;
  JsonWriter w(&body);
  w.BeginObject().Key("items").BeginArray();
  for (uint64_t i = offset; i < end; ++i) write_item(w, items[i]);
  w.EndArray();
  if (end < items.size()) {
    w.Key("nextPageToken").String(ctx.page_tokens.Encode(scope, end, now + kPageTokenTtlMs));
  }
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

void WriteSchema(JsonWriter& w, const SchemaInfo& s) {
  w.BeginObject().Key("name").String(s.name).Key("share").String(s.share);
  w.EndObject();
}

void WriteTable(JsonWriter& w, const TableInfo& t) {
  w.BeginObject().Key("name").String(t.name).Key("schema").String(t.schema);
  w.Key("share").String(t.share);
  if (t.share_id) w.Key("shareId").String(*t.share_id);
  if (t.id) w.Key("id").String(*t.id);
  w.EndObject();
}

}  // namespace

Result<HttpResponse> ListShares(const EndpointContext& ctx, const ShareCall& call) {
  LS_ASSIGN_OR_RETURN(std::vector<ShareInfo> shares, ctx.catalog.ListShares(call.who));
  return ListPage(ctx, call.request, "shares", shares, WriteShare);
}

Result<HttpResponse> GetShare(const EndpointContext& ctx, const ShareCall& call) {
  LS_ASSIGN_OR_RETURN(ShareInfo share, ctx.catalog.GetShare(call.who, call.share));
  std::string body;
  JsonWriter w(&body);
  w.BeginObject().Key("share");
  WriteShare(w, share);
  w.EndObject();
  return JsonResponse(std::move(body));
}

Result<HttpResponse> ListSchemas(const EndpointContext& ctx, const ShareCall& call) {
  LS_ASSIGN_OR_RETURN(std::vector<SchemaInfo> schemas,
                      ctx.catalog.ListSchemas(call.who, call.share));
  return ListPage(ctx, call.request, "schemas|" + AsciiLower(call.share), schemas, WriteSchema);
}

Result<HttpResponse> ListTables(const EndpointContext& ctx, const ShareCall& call) {
  LS_ASSIGN_OR_RETURN(std::vector<TableInfo> tables,
                      ctx.catalog.ListTables(call.who, call.share, call.schema));
  return ListPage(ctx, call.request,
                  "tables|" + AsciiLower(call.share) + "|" + AsciiLower(call.schema), tables,
                  WriteTable);
}

Result<HttpResponse> ListAllTables(const EndpointContext& ctx, const ShareCall& call) {
  LS_ASSIGN_OR_RETURN(std::vector<TableInfo> tables,
                      ctx.catalog.ListAllTables(call.who, call.share));
  return ListPage(ctx, call.request, "all-tables|" + AsciiLower(call.share), tables, WriteTable);
}

}  // namespace lakeshare
