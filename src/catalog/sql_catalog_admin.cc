// CatalogAdmin's construction and roles; its operations are in
// sql_catalog_admin_*.cc, one file per kind of object.
#include "catalog/sql_catalog_admin.h"

#include "catalog/sql_catalog_internal.h"
#include "common/names.h"

namespace lakeshare {

// The public limits are the ones the validation uses.
static_assert(CatalogAdminLimits::kDisplayName == sql_catalog_internal::kMaxDisplayName);
static_assert(CatalogAdminLimits::kComment == sql_catalog_internal::kMaxComment);
static_assert(CatalogAdminLimits::kLocation == sql_catalog_internal::kMaxLocation);
static_assert(CatalogAdminLimits::kPartitionFilter == sql_catalog_internal::kMaxPartitionFilter);
static_assert(CatalogAdminLimits::kId == sql_catalog_internal::kMaxId);
static_assert(CatalogAdminLimits::kAllowlistEntries == sql_catalog_internal::kMaxAllowlistEntries);

std::string_view AdminRoleName(AdminRole role) {
  return role == AdminRole::kAdmin ? "admin" : "viewer";
}

Result<AdminRole> ParseAdminRole(std::string_view text) {
  if (EqualsIgnoreCase(text, "admin")) return AdminRole::kAdmin;
  if (EqualsIgnoreCase(text, "viewer")) return AdminRole::kViewer;
  return Status::InvalidArgument("role must be 'admin' or 'viewer'");
}

CatalogAdmin::CatalogAdmin(std::shared_ptr<db::Database> db, CatalogAdminOptions options)
    : db_(std::move(db)), options_(options) {}

}  // namespace lakeshare
