// What a re-read configuration (SIGHUP) changes in a running server. Some
// settings take effect at once — the YAML catalog (shares, recipients),
// presigned URL lifetime, the per-recipient cap of answers in progress,
// log format and level, the snapshot cache bound — and the others (listen
// address, TLS on/off, threads, limits of the HTTP server, the catalog
// database, storage credentials…) need a restart: for those the running
// value stays. Lines never show a secret's value (tokens, keys, passwords,
// storage credentials): they say "changed". Pure functions.
#pragma once

#include <string>
#include <vector>

#include "config/server_config.h"

namespace lakeshare {

struct ConfigReload {
  // The running configuration with the new one's reloadable settings.
  ServerConfig effective;
  std::vector<std::string> applied;       // e.g. "logLevel: info -> debug", "share 'x' added"
  std::vector<std::string> need_restart;  // e.g. "port: 8080 -> 9090 (needs a restart)"
};

ConfigReload PlanConfigReload(const ServerConfig& running, const ServerConfig& loaded);

}  // namespace lakeshare
