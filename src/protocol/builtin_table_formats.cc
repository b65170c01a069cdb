#include "protocol/builtin_table_formats.h"

#include <algorithm>
#include <cassert>
#include <string_view>

#include "catalog/table_location_map.h"
#include "delta/delta_table.h"
#include "hudi/hudi_table.h"
#include "iceberg/glue_catalog.h"
#include "iceberg/iceberg_table.h"
#include "iceberg/rest_catalog.h"
#include "iceberg/table_location.h"
#include "storage/routing_storage.h"

namespace lakeshare {
namespace {

class DeltaFormatFactory : public TableFormatFactory {
 public:
  Result<std::string> TableKey(const std::string& location,
                               const TableOpenContext& context) const override {
    return context.storage->NormalizeLocation(location);
  }
  Result<OpenedTable> Open(const std::string& key, const TableOpenContext& context) const override {
    LS_ASSIGN_OR_RETURN(StorageBackend backend, context.storage->ForLocation(key));
    return OpenedTable{std::make_shared<DeltaTable>(key, backend.storage),
                       [key]() -> Result<std::string> { return key; }};
  }
};

// A table's location map (its "locationMap" option: "from\tto" lines) over
// the global one, the real locations normalized; and those locations.
struct IcebergLocations {
  iceberg::LocationMap map;
  std::vector<std::string> targets;
};

Result<IcebergLocations> IcebergLocationsOf(std::string_view table_map,
                                            const StorageRegistry& registry) {
  LS_ASSIGN_OR_RETURN(TableLocationMap entries, DecodeTableLocationMap(table_map));
  for (auto& entry : registry.location_map()) entries.push_back(std::move(entry));
  IcebergLocations out;
  for (auto& [from, to] : entries) {
    LS_ASSIGN_OR_RETURN(std::string target, registry.NormalizeLocation(to));
    if (std::find(out.targets.begin(), out.targets.end(), target) == out.targets.end()) {
      out.targets.push_back(target);
    }
    out.map.push_back(iceberg::LocationMapping{std::move(from), std::move(target)});
  }
  return out;
}

class IcebergFormatFactory : public TableFormatFactory {
 public:
  // A table with its own location map is a table of its own.
  static constexpr std::string_view kMapMarker = "|locationMap:";

  Result<std::string> TableKey(const std::string& location,
                               const TableOpenContext& context) const override {
    std::string key = location;
    if (!IcebergTable::IsRestLocation(location)) {
      LS_ASSIGN_OR_RETURN(key, context.storage->NormalizeLocation(location));
    }
    auto map = context.table_options.find("locationMap");
    if (map != context.table_options.end() && !map->second.empty()) {
      key += std::string(kMapMarker) + map->second;
    }
    return key;
  }

  Result<OpenedTable> Open(const std::string& full_key,
                           const TableOpenContext& context) const override {
    std::string key = full_key;
    std::string_view table_map;
    if (size_t marker = full_key.find(kMapMarker); marker != std::string::npos) {
      key.resize(marker);
      table_map = std::string_view(full_key).substr(marker + kMapMarker.size());
    }
    LS_ASSIGN_OR_RETURN(IcebergLocations locations,
                        IcebergLocationsOf(table_map, *context.storage));
    // Files in mapped locations are read through their own backends.
    std::shared_ptr<Storage> routing;
    if (!locations.map.empty()) routing = std::make_shared<RoutingStorage>(context.storage);
    if (IcebergTable::IsRestLocation(key)) {
      // The storage is known only once the catalog names the table's location.
      IcebergTableOptions options;
      std::shared_ptr<StorageRegistry> registry = context.storage;
      options.resolve_location = [registry, routing](const std::string& location)
          -> Result<std::pair<std::string, std::shared_ptr<Storage>>> {
        LS_ASSIGN_OR_RETURN(std::string normalized, registry->NormalizeLocation(location));
        LS_ASSIGN_OR_RETURN(StorageBackend backend, registry->ForLocation(normalized));
        return std::make_pair(normalized, routing ? routing : backend.storage);
      };
      options.location_map = locations.map;
      // Catalogs that need a login (`icebergCatalogs:`, and the catalog
      // database's); one authenticator per catalog, so its tables share the
      // cached token. Looked up on every catalog request, not once here: a
      // connection added, changed (a rotated secret) or removed since the
      // table was opened applies to its next request.
      if (iceberg::IsGlueLocation(key)) {
        LS_ASSIGN_OR_RETURN(iceberg::GlueTableRef ref, iceberg::ParseGlueLocation(key));
        auto glue_of = [registry, ref,
                        key]() -> Result<std::pair<std::shared_ptr<const CatalogConnections>,
                                                   const CatalogConnections::Connection*>> {
          std::shared_ptr<const CatalogConnections> catalogs = registry->catalog_connections();
          const CatalogConnections::Connection* glue =
              catalogs ? catalogs->ByName(ref.catalog) : nullptr;
          if (glue == nullptr || glue->config.type != "glue") {
            return Status::InvalidArgument("the table location " + key +
                                           " names no icebergCatalogs entry of type glue called '" +
                                           ref.catalog + "'");
          }
          return std::make_pair(std::move(catalogs), glue);
        };
        LS_RETURN_IF_ERROR(glue_of().status());
        options.metadata_location = [glue_of, ref]() -> Result<std::string> {
          LS_ASSIGN_OR_RETURN(auto found, glue_of());
          const CatalogConnections::Connection& glue = *found.second;
          return iceberg::GlueMetadataLocation(*glue.auth, glue.config.uri, glue.config.catalog_id,
                                               ref);
        };
      } else {
        auto plain = std::make_shared<HttpClient>(iceberg::RestCatalogHttpOptions());
        options.http_get = [registry, plain](const std::string& url) {
          std::shared_ptr<const CatalogConnections> catalogs = registry->catalog_connections();
          const CatalogConnections::Connection* rest = catalogs ? catalogs->ForUrl(url) : nullptr;
          return rest != nullptr ? iceberg::RestCatalogGet(*rest->auth, url)
                                 : iceberg::RestCatalogGet(*plain, url);
        };
      }
      std::shared_ptr<ContentCache> dv_cache = ContentCache::Default();
      options.dv_cache = dv_cache;
      auto table = std::make_shared<IcebergTable>(key, nullptr, std::move(options));
      OpenedTable out{table, [table] { return table->TableRoot(); }};
      if (dv_cache) out.derived_location = dv_cache->dir();
      out.other_locations = std::move(locations.targets);
      return out;
    }
    // A table configured by its metadata file has its files in the table
    // folder above it.
    std::string root = IcebergTable::TableFolderOf(key);
    LS_ASSIGN_OR_RETURN(StorageBackend backend, context.storage->ForLocation(root));
    // Deletion-vector files of row-level deletes go to the process's file
    // cache, which the table signs as its derived files.
    IcebergTableOptions options;
    options.dv_cache = ContentCache::Default();
    options.location_map = locations.map;
    OpenedTable out{
        std::make_shared<IcebergTable>(key, routing ? routing : backend.storage, options),
        [root]() -> Result<std::string> { return root; }};
    if (options.dv_cache) out.derived_location = options.dv_cache->dir();
    out.other_locations = std::move(locations.targets);
    return out;
  }
};

class HudiFormatFactory : public TableFormatFactory {
 public:
  // The read-optimized view of a table is a table of its own.
  static constexpr std::string_view kReadOptimized = "|read_optimized";

  Result<std::string> TableKey(const std::string& location,
                               const TableOpenContext& context) const override {
    LS_ASSIGN_OR_RETURN(std::string key, context.storage->NormalizeLocation(location));
    auto view = context.table_options.find("hudiView");
    if (view != context.table_options.end() && view->second != "snapshot") {
      if (view->second != "read_optimized") {
        return Status::InvalidArgument("hudiView must be snapshot or read_optimized");
      }
      key += kReadOptimized;
    }
    return key;
  }

  Result<OpenedTable> Open(const std::string& key, const TableOpenContext& context) const override {
    std::string location = key;
    HudiTableOptions options;
    if (location.size() > kReadOptimized.size() &&
        location.compare(location.size() - kReadOptimized.size(), kReadOptimized.size(),
                         kReadOptimized) == 0) {
      location.resize(location.size() - kReadOptimized.size());
      options.read_optimized = true;
    }
    LS_ASSIGN_OR_RETURN(StorageBackend backend, context.storage->ForLocation(location));
    options.merge_cache = ContentCache::Default();
    options.verify_files = location.find("://") == std::string::npos;  // local: a stat each
    auto table = std::make_shared<HudiTable>(location, backend.storage, std::move(options));
    OpenedTable out{table, [location]() -> Result<std::string> { return location; }};
    out.derived_location = table->DerivedFilesRoot();
    return out;
  }
};

}  // namespace

std::shared_ptr<const TableFormatFactory> MakeDeltaFormatFactory() {
  return std::make_shared<DeltaFormatFactory>();
}

std::shared_ptr<const TableFormatFactory> MakeIcebergFormatFactory() {
  return std::make_shared<IcebergFormatFactory>();
}

std::shared_ptr<const TableFormatFactory> MakeHudiFormatFactory() {
  return std::make_shared<HudiFormatFactory>();
}

std::shared_ptr<const TableFormatRegistry> BuiltinTableFormats() {
  static const std::shared_ptr<const TableFormatRegistry> kRegistry = [] {
    auto r = std::make_shared<TableFormatRegistry>();
    Status delta = r->Register("delta", MakeDeltaFormatFactory());
    Status iceberg = r->Register("iceberg", MakeIcebergFormatFactory());
    Status hudi = r->Register("hudi", MakeHudiFormatFactory());
    // Fixed names registered once: a failure here is a programming error.
    assert(delta.ok() && iceberg.ok() && hudi.ok());
    (void)delta;
    (void)iceberg;
    (void)hudi;
    return r;
  }();
  return kRegistry;
}

}  // namespace lakeshare
