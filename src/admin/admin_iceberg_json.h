// The admin API's JSON for Iceberg catalog connections
// (catalog/iceberg_catalog_store.h): the answer shapes and their writer.
// Secrets never appear: each is shown as whether it is set
// ("clientSecretSet", "tokenSet", "secretAccessKeySet", "sessionTokenSet").
#pragma once

#include <boost/json/object.hpp>

#include "admin/api_schema.h"
#include "catalog/iceberg_catalog_store.h"

namespace lakeshare {

const Shape& IcebergCatalogShape();
const Shape& IcebergCatalogListShape();
// The request's "auth" object (create: kind required by the handler's
// rules; update: every field optional).
const Shape& IcebergCatalogAuthRequestShape();

boost::json::object IcebergCatalogJson(const IcebergCatalogRecord& r);

}  // namespace lakeshare
