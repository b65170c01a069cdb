// Importing the YAML configuration's catalog (shares → schemas → tables,
// recipients with their token hashes and grants) into the catalog database.
//
// Idempotent: objects are matched by name (case-insensitively) and updated
// in place, so importing the same file twice changes nothing the second time
// and an edited file updates what changed. Nothing absent from the file is
// deleted — except, for each recipient in the file, what the file defines
// for it: its grants become exactly the file's, and a token imported from an
// earlier version of the file whose hash is no longer there is revoked (a
// rotated token must stop working). Tokens created through the admin API are
// left alone. Existing ids are kept (a differing id in the file is reported
// as a warning). A recipient's `rateLimit` becomes its rate-limit override
// (requests per second and burst, as the admin API sets them); a recipient
// without one keeps the override it has. The `icebergCatalogs:` entries
// become the database's connections of their names (created or replaced,
// secrets included: iceberg_catalog_store.h); while the file still has
// them, the server uses the file's (remove them from it to manage them with
// the admin API). The whole import is one transaction.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "config/server_config.h"
#include "db/database.h"

namespace lakeshare {

struct ImportSummary {
  int shares_created = 0;
  int shares_updated = 0;
  int schemas_created = 0;
  int schemas_updated = 0;
  int tables_created = 0;
  int tables_updated = 0;
  int recipients_created = 0;
  int recipients_updated = 0;
  int tokens_added = 0;
  int tokens_updated = 0;
  int tokens_revoked = 0;
  int grants_added = 0;
  int grants_removed = 0;
  int iceberg_catalogs_created = 0;
  int iceberg_catalogs_updated = 0;
  std::vector<std::string> warnings;

  int changes() const {
    return shares_created + shares_updated + schemas_created + schemas_updated + tables_created +
           tables_updated + recipients_created + recipients_updated + tokens_added +
           tokens_updated + tokens_revoked + grants_added + grants_removed +
           iceberg_catalogs_created + iceberg_catalogs_updated;
  }
};

// kInvalidArgument for invalid names or text, a malformed token hash, a
// fractional rateLimit.requestsPerSecond (the database keeps whole ones), or
// a grant of a share that neither the file nor the database has;
// kFailedPrecondition if a token hash already belongs to another recipient.
// `config.allow_anonymous` is a server setting, not catalog data (see
// SqlCatalogOptions).
Result<ImportSummary> ImportServerConfig(db::Database& db, const ServerConfig& config);

}  // namespace lakeshare
