#include "protocol/endpoint_context.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "server/request_target.h"

namespace lakeshare {

HttpResponse JsonResponse(std::string body) {
  HttpResponse r;
  r.SetHeader("Content-Type", std::string(kJsonContentType));
  r.body = std::move(body);
  return r;
}

namespace {

std::string UnavailableMessage(const TableRef& t) {
  return "table " + t.FullName() +
         " is unavailable: its provider has not set it up correctly (contact the provider of "
         "share '" +
         t.info.share + "')";
}

// What the reference server answers for a table whose files are missing
// (RESOURCE_DOES_NOT_EXIST): the request is fine, the table is not there.
Status ProviderFault(const TableRef& t, const Status& status) {
  std::string message = UnavailableMessage(t);
  if (status.code() == StatusCode::kNotFound && status.message() == message) return status;
  spdlog::warn("table {} is unavailable (the provider must fix it): {}", t.FullName(),
               status.ToString());
  t.provider_fault = status.ToString();
  return Status::NotFound(std::move(message));
}

}  // namespace

Status TableOpenStatus(const TableRef& t, const Status& status) {
  if (status.ok()) return status;
  switch (status.code()) {
    case StatusCode::kIOError:
    case StatusCode::kUnavailable:
    case StatusCode::kTooManyRequests:
    case StatusCode::kInternal:
      return TableStatus(t, status);
    default:
      return ProviderFault(t, status);
  }
}

Status TableStatus(const TableRef& t, const Status& status) {
  if (status.code() == StatusCode::kNotFound || status.code() == StatusCode::kPermissionDenied) {
    return ProviderFault(t, status);
  }
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
  // The transport refuses a Host that is not host[:port]; checked again here
  // because the value goes into URLs the server signs.
  const std::string* host = request.Header("host");
  bool usable = host != nullptr && !host->empty() && IsValidHostHeader(*host);
  return request.scheme + "://" + (usable ? *host : ctx.options.default_host) +
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
