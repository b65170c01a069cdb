#include "table/table_format_registry.h"

namespace lakeshare {

Status TableFormatRegistry::Register(std::string name,
                                     std::shared_ptr<const TableFormatFactory> factory) {
  if (name.empty() || factory == nullptr) {
    return Status::InvalidArgument("a table format needs a name and a factory");
  }
  if (factories_.count(name) > 0) {
    return Status::InvalidArgument("table format '" + name + "' is already registered");
  }
  factories_.emplace(std::move(name), std::move(factory));
  return Status::OK();
}

const TableFormatFactory* TableFormatRegistry::Find(std::string_view name) const {
  auto it = factories_.find(name);
  return it == factories_.end() ? nullptr : it->second.get();
}

std::vector<std::string> TableFormatRegistry::Names() const {
  std::vector<std::string> names;
  names.reserve(factories_.size());
  for (const auto& [name, factory] : factories_) names.push_back(name);
  return names;
}

}  // namespace lakeshare
