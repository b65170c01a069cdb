// Table formats by name ("delta", "iceberg", "hudi"). Each format
// registers one TableFormatFactory that opens a table from the location the
// catalog records; whoever serves tables (protocol/table_resolver.h) knows
// formats only through this registry. Adding a format is: implement
// TableFormat, write its factory, register it under its name.
//
// Threading: register every format before the registry is shared; lookups
// (const) are then thread-safe. Factories must be thread-safe.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "storage/storage_registry.h"
#include "table/table_format.h"

namespace lakeshare {

// What a factory may use to open a table.
struct TableOpenContext {
  std::shared_ptr<StorageRegistry> storage;  // backends and location normalization
  // The catalog's format-specific options of the table being opened (e.g.
  // Hudi's "hudiView"); a factory that reads them puts them in its TableKey.
  std::map<std::string, std::string> table_options;
};

// A table opened by its format: one per (format, TableKey), shared by every
// request for that table so the format's caches serve them all.
struct OpenedTable {
  std::shared_ptr<TableFormat> format;
  // Where the table's data files lie; the storage backend of this location
  // signs their URLs. Asked on every request (a catalog-managed table may
  // move), so it may do I/O; errors are the request's.
  std::function<Result<std::string>()> files_location;
  // Where files the format writes itself lie (Hudi's merge cache), signed by
  // that location's backend; empty for formats that write none.
  std::string derived_location;
  // Further folders the table's files may lie in (an Iceberg location map's
  // real locations), each signed by its own location's backend.
  std::vector<std::string> other_locations;
};

class TableFormatFactory {
 public:
  virtual ~TableFormatFactory() = default;
  // The identity of the table configured at `location` (e.g. its normalized
  // form): locations with the same key share one OpenedTable. No I/O.
  virtual Result<std::string> TableKey(const std::string& location,
                                       const TableOpenContext& context) const = 0;
  // Opens the table under `key` (as TableKey returned it). Should do no I/O:
  // a format reads the table on first use.
  virtual Result<OpenedTable> Open(const std::string& key,
                                   const TableOpenContext& context) const = 0;
};

class TableFormatRegistry {
 public:
  // kInvalidArgument for an empty name or one already registered.
  Status Register(std::string name, std::shared_ptr<const TableFormatFactory> factory);
  // The factory registered as `name` (exact match), or nullptr.
  const TableFormatFactory* Find(std::string_view name) const;
  // Registered names, sorted.
  std::vector<std::string> Names() const;

 private:
  std::map<std::string, std::shared_ptr<const TableFormatFactory>, std::less<>> factories_;
};

}  // namespace lakeshare
