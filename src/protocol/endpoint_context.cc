#include "protocol/endpoint_context.h"

#include <algorithm>

namespace lakeshare {

HttpResponse JsonResponse(std::string body) {
  HttpResponse r;
  r.SetHeader("Content-Type", std::string(kJsonContentType));
  r.body = std::move(body);
  return r;
}

Status TableStatus(const TableRef& t, const Status& status) {
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
  return Status(status.code(), std::move(message));
}

std::string BaseUrl(const EndpointContext& ctx, const HttpRequest& request) {
  if (ctx.options.public_url) return *ctx.options.public_url + ctx.options.endpoint;
  const std::string* host = request.Header("host");
  return "http://" + (host && !host->empty() ? *host : ctx.options.default_host) +
         ctx.options.endpoint;
}

int64_t UrlExpiration(const EndpointContext& ctx, const TableRef& t, int64_t now_ms) {
  int64_t expiration = now_ms + ctx.options.presigned_url_timeout_seconds * 1000;
  if (t.who.token_expiration_ms) expiration = std::min(expiration, *t.who.token_expiration_ms);
  return t.resolved.backend.signer->ClampExpiration(now_ms, expiration);  // e.g. S3's 7 days
}

ClientCapabilities RequestCapabilities(const HttpRequest& request) {
  const std::string* h = request.Header("delta-sharing-capabilities");
  return ParseCapabilities(h ? *h : std::string_view());
}

}  // namespace lakeshare
