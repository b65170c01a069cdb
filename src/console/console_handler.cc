#include "console/console_handler.h"

#include <utility>

#include "common/json_writer.h"
#include "common/names.h"
#include "common/strings.h"
#include "server/errors.h"

namespace lakeshare {

namespace {

constexpr std::string_view kRoot = "/console";
constexpr std::string_view kPrefix = "/console/";

// Whether an Accept-Encoding header value accepts `coding` (explicitly or by
// "*"), honouring "q=0" as a refusal.
bool AcceptsEncoding(const std::string* header, std::string_view coding) {
  if (header == nullptr) return false;
  std::string_view rest = *header;
  bool accepted = false;
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    size_t semi = item.find(';');
    std::string_view name = TrimOws(item.substr(0, semi));
    bool refused = false;
    if (semi != std::string_view::npos) {
      std::string_view params = TrimOws(item.substr(semi + 1));
      if (params.rfind("q=", 0) == 0 || params.rfind("Q=", 0) == 0) {
        std::string_view q = TrimOws(params.substr(2));
        refused = !q.empty() && q.find_first_not_of("0.") == std::string_view::npos;
      }
    }
    if (EqualsIgnoreCase(name, coding)) return !refused;  // an explicit entry decides
    if (name == "*") accepted = !refused;
  }
  return accepted;
}

// If-None-Match lists quoted entity tags (or "*"); weak ones compare equal too.
bool EtagMatches(const std::string* header, std::string_view quoted_etag) {
  if (header == nullptr) return false;
  std::string_view rest = *header;
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string_view tag = TrimOws(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    if (tag.rfind("W/", 0) == 0) tag.remove_prefix(2);
    if (tag == "*" || tag == quoted_etag) return true;
  }
  return false;
}

void AddSecurityHeaders(HttpResponse& r) {
  r.SetHeader("Content-Security-Policy", std::string(ConsoleHandler::kContentSecurityPolicy));
  r.SetHeader("X-Content-Type-Options", "nosniff");
  r.SetHeader("X-Frame-Options", "DENY");
  // Console addresses may carry names (and the activation page a secret in
  // its fragment, which browsers never send): leak none of it onwards.
  r.SetHeader("Referrer-Policy", "no-referrer");
  r.SetHeader("Cross-Origin-Opener-Policy", "same-origin");
  r.SetHeader("Cross-Origin-Resource-Policy", "same-origin");
}

// A request for a file (anything under assets/, or a dotted name at the top)
// that does not exist is a 404, never index.html under a script's name. The
// console's own addresses are deeper and may hold dots (share names do).
bool LooksLikeFile(std::string_view rel) {
  if (rel.rfind("assets/", 0) == 0) return true;
  return rel.find('/') == std::string_view::npos && rel.find('.') != std::string_view::npos;
}

}  // namespace

ConsoleOptions ConsoleOptions::For(const std::optional<std::string>& catalog_url,
                                   std::string sharing_endpoint) {
  ConsoleOptions o;
  o.catalog_backend = !catalog_url                           ? "yaml"
                      : catalog_url->rfind("sqlite", 0) == 0 ? "sqlite"
                                                             : "postgresql";
  o.sharing_endpoint = std::move(sharing_endpoint);
  return o;
}

ConsoleHandler::ConsoleHandler(ConsoleOptions options, std::span<const ConsoleAsset> assets)
    : options_(std::move(options)) {
  for (const ConsoleAsset& a : assets) {
    by_path_.emplace(a.path, &a);
    if (a.path == "index.html") index_ = &a;
  }
}

bool ConsoleHandler::Serves(std::string_view path) {
  return path == kRoot || path.rfind(kPrefix, 0) == 0;
}

HttpResponse ConsoleHandler::Handle(const HttpRequest& request) const {
  HttpResponse r;
  if (request.method != "GET" && request.method != "HEAD") {
    r = ErrorResponse(405, "METHOD_NOT_ALLOWED", "the console serves only GET and HEAD");
    r.SetHeader("Allow", "GET, HEAD");
  } else if (request.path == kRoot) {
    r.status = 308;
    r.SetHeader("Location", std::string(kPrefix));
  } else {
    std::string_view rel = std::string_view(request.path).substr(kPrefix.size());
    if (rel.empty()) rel = "index.html";
    if (rel == "server.json") {
      r = ServerInfo();
    } else if (auto it = by_path_.find(rel); it != by_path_.end()) {
      r = ServeAsset(request, *it->second);
    } else if (LooksLikeFile(rel) || index_ == nullptr) {
      r = ErrorResponse(Status::NotFound("no such console file"));
    } else {
      r = ServeAsset(request, *index_);  // one of the console's own pages
    }
  }
  AddSecurityHeaders(r);
  return r;
}

HttpResponse ConsoleHandler::ServeAsset(const HttpRequest& request,
                                        const ConsoleAsset& asset) const {
  HttpResponse r;
  std::string_view body = asset.body;
  std::string etag = "\"" + std::string(asset.etag);
  const std::string* accept = request.Header("accept-encoding");
  if (!asset.brotli.empty() && AcceptsEncoding(accept, "br")) {
    body = asset.brotli;
    r.SetHeader("Content-Encoding", "br");
    etag += "-br";
  } else if (!asset.gzip.empty() && AcceptsEncoding(accept, "gzip")) {
    body = asset.gzip;
    r.SetHeader("Content-Encoding", "gzip");
    etag += "-gz";
  }
  etag += "\"";
  if (!asset.brotli.empty() || !asset.gzip.empty()) r.SetHeader("Vary", "Accept-Encoding");
  r.SetHeader("Cache-Control",
              asset.immutable ? "public, max-age=31536000, immutable" : "no-cache");
  r.SetHeader("ETag", etag);
  if (EtagMatches(request.Header("if-none-match"), etag)) {
    r.status = 304;
    return r;
  }
  r.SetHeader("Content-Type", std::string(asset.content_type));
  r.body.assign(body);
  return r;
}

HttpResponse ConsoleHandler::ServerInfo() const {
  HttpResponse r;
  r.SetHeader("Content-Type", "application/json");
  r.SetHeader("Cache-Control", "no-store");
  JsonWriter w(&r.body);
  w.BeginObject()
      .Key("catalog")
      .String(options_.catalog_backend)
      .Key("editable")
      .Bool(options_.catalog_backend != "yaml")
      .Key("sharingEndpoint")
      .String(options_.sharing_endpoint)
      .EndObject();
  return r;
}

}  // namespace lakeshare
