#include "iceberg/rest_catalog.h"

#include <boost/json.hpp>

namespace lakeshare::iceberg {
namespace {

constexpr int64_t kMaxResponseBytes = int64_t{64} << 20;

}  // namespace

std::string RedactUrl(const std::string& url) {
  std::string out = url.substr(0, url.find_first_of("?#"));
  size_t scheme = out.find("://");
  if (scheme != std::string::npos) {
    size_t host = scheme + 3;
    size_t at = out.find('@', host);
    size_t slash = out.find('/', host);
    if (at != std::string::npos && (slash == std::string::npos || at < slash)) {
      out.erase(host, at + 1 - host);
    }
  }
  return out;
}

HttpClientOptions RestCatalogHttpOptions() {
  HttpClientOptions o;
  o.request_timeout_ms = 30000;
  return o;
}

namespace {

HttpCall CatalogCall(const std::string& url) {
  HttpCall call;
  call.url = url;
  call.headers = {{"Accept", "application/json"}};
  call.max_response_bytes = kMaxResponseBytes;
  call.what = "the Iceberg REST catalog at " + RedactUrl(url);
  call.peer = "the Iceberg REST catalog";
  return call;
}

Result<std::string> CatalogBody(HttpAnswer answer, const std::string& url) {
  const std::string where = RedactUrl(url);
  if (answer.status == 404) {
    return Status::NotFound("the Iceberg REST catalog has no table at " + where);
  }
  if (answer.status == 401 || answer.status == 403) {
    return Status::Unavailable(
        "the Iceberg REST catalog refused the configured credentials (HTTP " +
        std::to_string(answer.status) + ") for " + where);
  }
  if (answer.status != 200) {
    return Status::Unavailable("the Iceberg REST catalog answered HTTP " +
                               std::to_string(answer.status) + " for " + where);
  }
  return std::move(answer.body);
}

}  // namespace

Result<std::string> RestCatalogGet(HttpClient& http, const std::string& url) {
  LS_ASSIGN_OR_RETURN(HttpAnswer answer, http.Send(CatalogCall(url)));
  return CatalogBody(std::move(answer), url);
}

Result<std::string> RestCatalogGet(HttpAuthenticator& auth, const std::string& url) {
  LS_ASSIGN_OR_RETURN(HttpAnswer answer, auth.Send(CatalogCall(url)));
  return CatalogBody(std::move(answer), url);
}

Result<std::string> LoadTableMetadataLocation(const std::string& table_url, const HttpGetFn& get) {
  LS_ASSIGN_OR_RETURN(std::string body, get(table_url));
  boost::json::error_code ec;
  boost::json::value v = boost::json::parse(body, ec);
  std::string where = RedactUrl(table_url);
  if (ec || !v.is_object()) {
    return Status::Corruption("the Iceberg REST catalog's answer for " + where +
                              " is not a JSON object");
  }
  const boost::json::value* loc = v.as_object().if_contains("metadata-location");
  if (loc == nullptr || !loc->is_string() || loc->as_string().empty()) {
    return Status::Corruption("the Iceberg REST catalog's answer for " + where +
                              " has no metadata-location");
  }
  return std::string(loc->as_string());
}

}  // namespace lakeshare::iceberg
