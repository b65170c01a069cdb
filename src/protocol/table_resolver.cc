#include "protocol/table_resolver.h"

namespace lakeshare {

TableResolver::TableResolver(std::shared_ptr<StorageRegistry> storage,
                             std::shared_ptr<const TableFormatRegistry> formats)
    : formats_(std::move(formats)) {
  context_.storage = std::move(storage);
}

Result<ResolvedTable> TableResolver::Resolve(const TableInfo& table) {
  const TableFormatFactory* factory = formats_->Find(table.format);
  if (factory == nullptr) {
    return Status::Unsupported("table format '" + table.format + "' is not supported");
  }
  TableOpenContext context = context_;
  context.table_options = table.format_options;
  LS_ASSIGN_OR_RETURN(std::string key, factory->TableKey(table.location, context));
  OpenedTable opened;
  {
    std::lock_guard<std::mutex> lock(mu_);
    std::string slot = table.format + "|" + key;
    auto it = tables_.find(slot);
    if (it == tables_.end()) {
      LS_ASSIGN_OR_RETURN(OpenedTable fresh, factory->Open(key, context));
      it = tables_.emplace(std::move(slot), std::move(fresh)).first;
    }
    opened = it->second;
  }
  ResolvedTable out;
  LS_ASSIGN_OR_RETURN(out.location, opened.files_location());
  LS_ASSIGN_OR_RETURN(out.backend, context_.storage->ForLocation(out.location));
  if (!opened.derived_location.empty()) {
    out.derived_location = opened.derived_location;
    LS_ASSIGN_OR_RETURN(out.derived_backend, context_.storage->ForLocation(out.derived_location));
  }
  for (const std::string& other : opened.other_locations) {
    LS_ASSIGN_OR_RETURN(StorageBackend backend, context_.storage->ForLocation(other));
    out.other_locations.emplace_back(other, std::move(backend));
  }
  out.format = std::move(opened.format);
  return out;
}

}  // namespace lakeshare
