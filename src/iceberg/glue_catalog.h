// AWS Glue Data Catalog as a catalog of Iceberg tables: GetTable (the Glue
// JSON 1.1 API, signed with SigV4 for service "glue") and the
// `metadata_location` table parameter Iceberg's Glue catalog writes.
//
// A table is configured as glue://<catalog>/<database>/<table>, <catalog>
// naming an `icebergCatalogs:` entry of type glue (its endpoint, region,
// account and credentials).
//
// Errors: Glue's EntityNotFoundException is kNotFound; a table that is not
// an Iceberg table (table_type other than ICEBERG) or has no
// metadata_location kInvalidArgument; AccessDenied and other refusals,
// network failures kUnavailable; a malformed answer kCorruption; a
// malformed glue:// location kInvalidArgument. Messages name the catalog,
// database and table, never a credential. Thread-safe.
#pragma once

#include <string>

#include "common/status.h"
#include "storage/http_auth.h"

namespace lakeshare::iceberg {

struct GlueTableRef {
  std::string catalog;  // the icebergCatalogs entry
  std::string database;
  std::string table;
};

bool IsGlueLocation(const std::string& location);
Result<GlueTableRef> ParseGlueLocation(const std::string& location);

// The metadata file location Glue records for `ref`. `endpoint` is the Glue
// API's base URL; `catalog_id` the account id ("" for the caller's).
Result<std::string> GlueMetadataLocation(HttpAuthenticator& auth, const std::string& endpoint,
                                         const std::string& catalog_id, const GlueTableRef& ref);

// The metadata location in a GetTable answer body (exposed for tests).
Result<std::string> ParseGlueGetTable(const std::string& body, const GlueTableRef& ref);

}  // namespace lakeshare::iceberg
