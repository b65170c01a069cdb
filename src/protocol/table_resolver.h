// Turns a catalog table into its TableFormat reader through the table-format
// registry (table/table_format_registry.h): one shared instance per (format,
// table key) so caches inside the reader are shared by all requests, plus
// the storage backend that signs the URLs of its files. Knows no format by
// name. Thread-safe.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "catalog/catalog.h"
#include "storage/storage_registry.h"
#include "table/table_format.h"
#include "table/table_format_registry.h"

namespace lakeshare {

struct ResolvedTable {
  std::shared_ptr<TableFormat> format;
  StorageBackend backend;
  std::string location;  // normalized: where the table's files lie
  // Files the format writes itself (Hudi's merged file slices) lie under this
  // location instead, signed by derived_backend; empty when it writes none.
  std::string derived_location;
  StorageBackend derived_backend;
  // Further folders of the table's files (OpenedTable::other_locations),
  // normalized, each with its backend.
  std::vector<std::pair<std::string, StorageBackend>> other_locations;
};

class TableResolver {
 public:
  TableResolver(std::shared_ptr<StorageRegistry> storage,
                std::shared_ptr<const TableFormatRegistry> formats);

  // kUnsupported for a format nobody registered; the format's errors
  // otherwise (a bad location, a REST catalog that cannot be reached).
  Result<ResolvedTable> Resolve(const TableInfo& table);

 private:
  std::shared_ptr<const TableFormatRegistry> formats_;
  TableOpenContext context_;
  std::mutex mu_;
  std::map<std::string, OpenedTable> tables_;  // by "format|key"
};

}  // namespace lakeshare
