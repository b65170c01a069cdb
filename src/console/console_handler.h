// ConsoleHandler: serves the web console under /console/ on the sharing
// server's own port. Its files come from a ConsoleAsset set (the embedded one
// in production); every path below /console/ that is not a file gets
// index.html, so the console's own addresses (/console/shares/sales) can be
// reloaded and bookmarked. The console itself talks to /api/v1 (database
// catalog) or, with a YAML catalog, reads the sharing API read-only.
//
// Responses carry a strict Content-Security-Policy (scripts and styles from
// this origin only, nothing inline), are cached by name (hashed asset names
// immutable for a year, index.html revalidated by ETag) and served
// pre-compressed (Brotli or gzip) when the client accepts it.
//
// Thread-safe after construction (Handle is const). Errors are HTTP
// responses: 404 for a missing file, 405 for anything but GET/HEAD.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "console/console_assets.h"
#include "server/http.h"

namespace lakeshare {

struct ConsoleOptions {
  // "sqlite", "postgresql" (editable through /api/v1) or "yaml" (read-only).
  std::string catalog_backend = "yaml";
  // The sharing API's path prefix, for the read-only view of a YAML catalog.
  std::string sharing_endpoint = "/delta-sharing";

  // The options for a server with this catalogUrl (none: a YAML catalog).
  static ConsoleOptions For(const std::optional<std::string>& catalog_url,
                            std::string sharing_endpoint);
};

class ConsoleHandler {
 public:
  ConsoleHandler(ConsoleOptions options, std::span<const ConsoleAsset> assets);

  // Whether the console answers this (still percent-encoded) request path.
  static bool Serves(std::string_view path);

  HttpResponse Handle(const HttpRequest& request) const;

  // The Content-Security-Policy of every console response.
  static constexpr std::string_view kContentSecurityPolicy =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
      "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

 private:
  HttpResponse ServeAsset(const HttpRequest& request, const ConsoleAsset& asset) const;
  HttpResponse ServerInfo() const;

  ConsoleOptions options_;
  std::unordered_map<std::string_view, const ConsoleAsset*> by_path_;
  const ConsoleAsset* index_ = nullptr;
};

}  // namespace lakeshare
