// Turns a catalog table into its TableFormat reader, one shared instance per
// (format, location) so caches inside the reader are shared by all requests.
// Thread-safe.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "catalog/catalog.h"
#include "storage/storage_registry.h"
#include "table/table_format.h"

namespace lakeshare {

struct ResolvedTable {
  std::shared_ptr<TableFormat> format;
  StorageBackend backend;
  std::string location;  // normalized
  // Files the format writes itself (Hudi's merged file slices) lie under this
  // location instead, signed by derived_backend; empty when it writes none.
  std::string derived_location;
  StorageBackend derived_backend;
};

class TableResolver {
 public:
  explicit TableResolver(std::shared_ptr<StorageRegistry> storage) : storage_(std::move(storage)) {}

  Result<ResolvedTable> Resolve(const TableInfo& table);

 private:
  std::shared_ptr<StorageRegistry> storage_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<TableFormat>> tables_;
};

}  // namespace lakeshare
