// CatalogAdmin's construction and roles; its operations are in
// sql_catalog_admin_*.cc, one file per kind of object.
#include "catalog/sql_catalog_admin.h"

#include "catalog/sql_catalog_internal.h"
#include "common/names.h"

namespace lakeshare {

// The public limits are the ones the validation uses.
static_assert(CatalogAdminLimits::kDisplayName == kMaxDisplayName);
static_assert(CatalogAdminLimits::kComment == kMaxComment);
static_assert(CatalogAdminLimits::kLocation == kMaxLocation);
static_assert(CatalogAdminLimits::kPartitionFilter == kMaxPartitionFilter);
static_assert(CatalogAdminLimits::kId == kMaxId);
static_assert(CatalogAdminLimits::kAllowlistEntries == kMaxAllowlistEntries);

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
