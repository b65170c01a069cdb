#include "protocol/table_resolver.h"

#include "delta/delta_table.h"

namespace lakeshare {

Result<ResolvedTable> TableResolver::Resolve(const TableInfo& table) {
  ResolvedTable out;
  LS_ASSIGN_OR_RETURN(out.location, storage_->NormalizeLocation(table.location));
  LS_ASSIGN_OR_RETURN(out.backend, storage_->ForLocation(out.location));
  if (table.format != "delta") {
    return Status::Unsupported("table format '" + table.format + "' is not supported");
  }
  std::string key = table.format + "|" + out.location;
  std::lock_guard<std::mutex> lock(mu_);
  auto& slot = tables_[key];
  if (!slot) slot = std::make_shared<DeltaTable>(out.location, out.backend.storage);
  out.format = slot;
  return out;
}

}  // namespace lakeshare
