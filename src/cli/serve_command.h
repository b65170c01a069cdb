// `lakeshare serve`: builds the server from a configuration and runs it
// until SIGTERM/SIGINT; SIGHUP re-reads the configuration.
#pragma once

#include <functional>
#include <string>

#include "common/status.h"
#include "config/server_config.h"
#include "storage/storage_registry.h"

namespace lakeshare {

// Called once the server listens, with its base URL (e.g.
// "http://127.0.0.1:8080/delta-sharing").
using ListeningCallback = std::function<void(const std::string& endpoint_url)>;

// Re-reads the configuration on SIGHUP (file, environment and command-line
// overrides, as at start).
using ConfigLoader = std::function<Result<ServerConfig>()>;

// Blocks until the server stops (SIGTERM/SIGINT: a drain of
// shutdownGraceSeconds, then the audit queue is flushed). SIGHUP reloads the
// TLS certificate and, with `reload`, the configuration (cli/live_sharing.h).
// Errors: bad key file, port in use, ...
Status RunServer(const ServerConfig& config, const ListeningCallback& on_listening,
                 const ConfigLoader& reload = {});

// Where the files the server derives from tables go: merged Hudi file
// slices and Iceberg deletion-vector files (created when missing; shared by
// every table of this process; the hudi.mergeCache setting: a local folder,
// or an object-store prefix written through `storage`'s backend for it).
// Whatever reads tables in this process (serving, the table checks) needs
// it first.
Status ConfigureHudiMergeCache(const ServerConfig& config, StorageRegistry& storage);

// Imports the config's shares, schemas, tables, recipients (token hashes)
// and grants into its catalogUrl database; idempotent. Returns a JSON summary.
// With `check`, every table is read first (admin/table_inspection.h) and the
// import is refused, with nothing written, naming each table it cannot read.
Result<std::string> ImportConfigIntoDatabase(const ServerConfig& config, bool check = true);

// Creates an admin-API user in the config's catalogUrl database.
Status CreateAdminUser(const ServerConfig& config, const std::string& name,
                       const std::string& password, bool viewer);

}  // namespace lakeshare
