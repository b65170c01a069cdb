#include "storage/catalog_connections.h"

#include <set>

namespace lakeshare {
namespace {

std::string WithoutTrailingSlash(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

bool IsHttpUrl(const std::string& s) {
  return s.rfind("http://", 0) == 0 || s.rfind("https://", 0) == 0;
}

}  // namespace

CatalogConnections::CatalogConnections(std::vector<CatalogConnectionConfig> entries,
                                       const CloudEnvironment& env,
                                       std::shared_ptr<HttpClient> http,
                                       const CatalogConnections* previous)
    : env_(env) {
  for (CatalogConnectionConfig& c : entries) {
    c.uri = WithoutTrailingSlash(c.uri);
    HttpAuthConfig& a = c.auth;
    if (c.type == "glue") {
      a.kind = HttpAuthConfig::Kind::kSigV4;
      if (a.service.empty()) a.service = "glue";
      if (a.region.empty()) {
        a.region =
            env.Get("AWS_REGION").empty() ? env.Get("AWS_DEFAULT_REGION") : env.Get("AWS_REGION");
      }
      if (c.uri.empty() && !a.region.empty()) c.uri = "https://glue." + a.region + ".amazonaws.com";
    }
    if (a.kind == HttpAuthConfig::Kind::kOAuth2 && a.token_endpoint.empty() && !c.uri.empty()) {
      a.token_endpoint = c.uri + "/v1/oauth/tokens";
    }
    Connection conn;
    if (previous != nullptr) {
      for (const Connection& old : previous->connections_) {
        if (old.config == c) conn.auth = old.auth;
      }
    }
    if (!conn.auth) conn.auth = std::make_shared<HttpAuthenticator>(a, http, env);
    conn.config = std::move(c);
    connections_.push_back(std::move(conn));
  }
}

Status CatalogConnections::Validate() const {
  std::set<std::string> names, uris;
  for (const Connection& conn : connections_) {
    const CatalogConnectionConfig& c = conn.config;
    std::string what = "icebergCatalogs '" + c.name + "'";
    if (c.name.empty()) return Status::InvalidArgument("icebergCatalogs: an entry has no name");
    if (!names.insert(c.name).second) {
      return Status::InvalidArgument("icebergCatalogs: the name '" + c.name + "' is used twice");
    }
    if (c.type != "rest" && c.type != "glue") {
      return Status::InvalidArgument(what + ": type must be rest or glue");
    }
    if (!IsHttpUrl(c.uri)) {
      return Status::InvalidArgument(
          what + (c.type == "glue" ? ": needs a region (or AWS_REGION) or an http(s) uri"
                                   : ": needs an http(s) uri (the catalog's base, before /v1)"));
    }
    if (c.type == "rest" && !uris.insert(c.uri).second) {
      return Status::InvalidArgument(what + ": another entry has the uri " + c.uri);
    }
    LS_RETURN_IF_ERROR(HttpAuthenticator::Validate(c.auth, env_, what));
  }
  return Status::OK();
}

const CatalogConnections::Connection* CatalogConnections::ForUrl(const std::string& url) const {
  const Connection* best = nullptr;
  for (const Connection& conn : connections_) {
    const std::string& uri = conn.config.uri;
    if (conn.config.type != "rest" || uri.empty() || url.compare(0, uri.size(), uri) != 0) continue;
    if (url.size() > uri.size() && url[uri.size()] != '/' && url[uri.size()] != '?') continue;
    if (best == nullptr || uri.size() > best->config.uri.size()) best = &conn;
  }
  return best;
}

const CatalogConnections::Connection* CatalogConnections::ByName(const std::string& name) const {
  for (const Connection& conn : connections_) {
    if (conn.config.name == name) return &conn;
  }
  return nullptr;
}

std::vector<std::string> CatalogConnections::Describe() const {
  std::vector<std::string> out;
  for (const Connection& conn : connections_) {
    out.push_back(conn.config.name + ": " + conn.config.type + " catalog at " + conn.config.uri +
                  ", " + conn.auth->Describe());
  }
  return out;
}

}  // namespace lakeshare
