// The sharing service of a running server and the configuration it was built
// from, replaced whole when SIGHUP re-reads the configuration: a new
// SharingService (new YAML catalog, new settings) is swapped in atomically.
// A request keeps the service it started with to its end — a streamed answer
// holds it until its last piece — so a reload drops nothing in flight.
// What changed is logged (config/config_reload.h); a configuration that
// fails to load is refused with the reason and the running one stays.
//
// Threading: Handle() from any thread; Reload() from one thread at a time
// (the server's signal strand).
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>

#include "config/server_config.h"
#include "protocol/sharing_service.h"
#include "server/http.h"

namespace lakeshare {

class LiveSharing {
 public:
  // Re-reads the configuration (file, environment, command-line overrides).
  using Loader = std::function<Result<ServerConfig>()>;
  // Builds the service for a configuration.
  using Factory = std::function<std::shared_ptr<SharingService>(const ServerConfig&)>;
  // What else a reload applies (log format and level, cache bounds).
  using Applier = std::function<void(const ServerConfig&)>;

  LiveSharing(ServerConfig running, Loader loader, Factory factory, Applier apply);

  // Builds the first service.
  void Start();
  HttpResponse Handle(HttpRequest& request);
  // The current service's check of a request's head (SharingService::CheckHead).
  std::optional<HttpResponse> CheckHead(HttpRequest& head);
  // Re-reads the configuration; logs the outcome.
  void Reload();

 private:
  ServerConfig running_;
  Loader loader_;
  Factory factory_;
  Applier apply_;
  std::atomic<std::shared_ptr<SharingService>> service_;
};

}  // namespace lakeshare
