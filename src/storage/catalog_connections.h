// The configured catalog services (`icebergCatalogs:`, storage/cloud_config.h
// CatalogConnectionConfig) with one HttpAuthenticator each, so every table
// of a catalog shares its cached OAuth2 token.
//
// Defaults filled in at construction: a REST catalog's OAuth2 token endpoint
// is {uri}/v1/oauth/tokens (the Iceberg REST spec's); a Glue catalog signs
// with SigV4 for service "glue" and, without a uri, talks to
// https://glue.{region}.amazonaws.com. Immutable after construction:
// thread-safe (the authenticators are).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "storage/cloud_config.h"
#include "storage/http_auth.h"
#include "storage/http_client.h"

namespace lakeshare {

class CatalogConnections {
 public:
  struct Connection {
    CatalogConnectionConfig config;  // defaults filled in
    std::shared_ptr<HttpAuthenticator> auth;
  };

  // An entry whose settings (defaults filled in) equal one of `previous`'s
  // takes over its authenticator, so a rebuilt set keeps cached tokens.
  CatalogConnections(std::vector<CatalogConnectionConfig> entries, const CloudEnvironment& env,
                     std::shared_ptr<HttpClient> http,
                     const CatalogConnections* previous = nullptr);

  // Every entry complete and usable, names unique, REST uris not shared:
  // kInvalidArgument naming the entry (never a secret).
  Status Validate() const;

  // The REST catalog whose uri `url` lies under (the longest such uri), or
  // null: requests to `url` go out without authentication.
  const Connection* ForUrl(const std::string& url) const;
  // The catalog named `name` (case-sensitive), or null.
  const Connection* ByName(const std::string& name) const;
  // One line per entry for the startup log: name, type, uri, authentication.
  std::vector<std::string> Describe() const;
  bool empty() const { return connections_.empty(); }
  const std::vector<Connection>& connections() const { return connections_; }

 private:
  std::vector<Connection> connections_;
  CloudEnvironment env_;
};

}  // namespace lakeshare
