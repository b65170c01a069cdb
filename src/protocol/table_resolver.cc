#include "protocol/table_resolver.h"

#include "delta/delta_table.h"
#include "hudi/hudi_table.h"
#include "iceberg/iceberg_table.h"

namespace lakeshare {

Result<ResolvedTable> TableResolver::Resolve(const TableInfo& table) {
  ResolvedTable out;
  if (table.format == "iceberg" && IcebergTable::IsRestLocation(table.location)) {
    // An Iceberg REST catalog table: its files are wherever the catalog's
    // current metadata says, so the storage is known only after asking.
    std::shared_ptr<TableFormat> format;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto& slot = tables_["iceberg|" + table.location];
      if (!slot) {
        IcebergTableOptions options;
        std::shared_ptr<StorageRegistry> registry = storage_;
        options.resolve_location = [registry](const std::string& location)
            -> Result<std::pair<std::string, std::shared_ptr<Storage>>> {
          LS_ASSIGN_OR_RETURN(std::string normalized, registry->NormalizeLocation(location));
          LS_ASSIGN_OR_RETURN(StorageBackend backend, registry->ForLocation(normalized));
          return std::make_pair(normalized, backend.storage);
        };
        slot = std::make_shared<IcebergTable>(table.location, nullptr, std::move(options));
      }
      format = slot;
    }
    LS_ASSIGN_OR_RETURN(out.location, static_cast<IcebergTable&>(*format).TableRoot());
    LS_ASSIGN_OR_RETURN(out.backend, storage_->ForLocation(out.location));
    out.format = std::move(format);
    return out;
  }
  LS_ASSIGN_OR_RETURN(std::string location, storage_->NormalizeLocation(table.location));
  if (table.format != "delta" && table.format != "iceberg" && table.format != "hudi") {
    return Status::Unsupported("table format '" + table.format + "' is not supported");
  }
  // An Iceberg table may be configured by its metadata file; files lie in
  // the table folder above it.
  out.location = table.format == "iceberg" ? IcebergTable::TableFolderOf(location) : location;
  LS_ASSIGN_OR_RETURN(out.backend, storage_->ForLocation(out.location));
  std::string key =
      table.format + "|" + (table.format == "hudi" ? table.hudi_view + "|" : "") + location;
  std::lock_guard<std::mutex> lock(mu_);
  auto& slot = tables_[key];
  if (!slot) {
    if (table.format == "iceberg") {
      slot = std::make_shared<IcebergTable>(location, out.backend.storage);
    } else if (table.format == "hudi") {
      HudiTableOptions hudi;
      hudi.merge_cache = hudi::MergeCache::Default();
      hudi.read_optimized = table.hudi_view == "read_optimized";
      hudi.verify_files = location.find("://") == std::string::npos;  // local: a stat each
      slot = std::make_shared<HudiTable>(location, out.backend.storage, std::move(hudi));
    } else {
      slot = std::make_shared<DeltaTable>(location, out.backend.storage);
    }
  }
  out.format = slot;
  if (table.format == "hudi") {
    out.derived_location = static_cast<HudiTable&>(*slot).DerivedFilesRoot();
    if (!out.derived_location.empty()) {
      LS_ASSIGN_OR_RETURN(out.derived_backend, storage_->ForLocation(out.derived_location));
    }
  }
  return out;
}

}  // namespace lakeshare
