// The Delta-style `stats` JSON of an Iceberg data file, from the metrics of
// its manifest entry: numRecords, and minValues / maxValues / nullCount per
// column of `schema` (structs nested, other nested types left out), bounds
// decoded from Iceberg's single-value serialization. A column with NaN
// values gets no bounds (they would not bound it). Runs for every file of
// every snapshot built, so it appends into one buffer, without temporaries.
// Pure function: thread-safe.
#pragma once

#include <string>

#include "iceberg/iceberg_schema.h"
#include "iceberg/manifest.h"

namespace lakeshare::iceberg {

void AppendStatsJson(std::string* out, const ManifestEntry& entry, const Schema& schema);

}  // namespace lakeshare::iceberg
