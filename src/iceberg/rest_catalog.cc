#include "iceberg/rest_catalog.h"

#include <curl/curl.h>

#include <boost/json.hpp>
#include <mutex>

namespace lakeshare::iceberg {
namespace {

constexpr size_t kMaxResponseBytes = size_t{64} << 20;

size_t Collect(char* data, size_t size, size_t n, void* user) {
  auto* out = static_cast<std::string*>(user);
  size_t bytes = size * n;
  if (out->size() + bytes > kMaxResponseBytes) return 0;  // aborts the transfer
  out->append(data, bytes);
  return bytes;
}

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

Result<std::string> HttpGet(const std::string& url) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return Status::Internal("curl_easy_init failed");
  std::string body;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  struct curl_slist* headers = curl_slist_append(nullptr, "Accept: application/json");
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  CURLcode rc = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  std::string where = RedactUrl(url);
  if (rc != CURLE_OK) {
    return Status::Unavailable("the Iceberg REST catalog at " + where +
                               " could not be reached: " + curl_easy_strerror(rc));
  }
  if (status == 404) return Status::NotFound("the Iceberg REST catalog has no table at " + where);
  if (status != 200) {
    return Status::Unavailable("the Iceberg REST catalog answered HTTP " + std::to_string(status) +
                               " for " + where);
  }
  return body;
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
