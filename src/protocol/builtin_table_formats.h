// The table formats lakeshare serves, registered by name: "delta",
// "iceberg" and "hudi". A new format adds its factory here (one Register line).
// Thread-safe: the registry is immutable once built.
#pragma once

#include <memory>

#include "table/table_format_registry.h"

namespace lakeshare {

// Delta tables: the location is the table folder (with _delta_log/).
std::shared_ptr<const TableFormatFactory> MakeDeltaFormatFactory();
// Iceberg tables: a table folder, a metadata file, or a REST catalog table
// URL (whose files lie wherever the catalog's current metadata says).
std::shared_ptr<const TableFormatFactory> MakeIcebergFormatFactory();
// Hudi tables: the table folder (with .hoodie/); the table option
// "hudiView": "read_optimized" serves base files only. Merged file slices go
// to the process's merge cache (ContentCache::Default()).
std::shared_ptr<const TableFormatFactory> MakeHudiFormatFactory();

// Every built-in format; the same instance on every call.
std::shared_ptr<const TableFormatRegistry> BuiltinTableFormats();

}  // namespace lakeshare
