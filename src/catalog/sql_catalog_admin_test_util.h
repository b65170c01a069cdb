// The fixture of CatalogAdmin's tests (sql_catalog_admin_*_test.cc): a
// fresh catalog on SQLite and on PostgreSQL (SqlCatalogFixture), with a
// small catalog to work on.
#pragma once

#include "catalog/sql_catalog_test_util.h"
#include "testing/status_matchers.h"

namespace lakeshare::testing {

class CatalogAdminFixture : public SqlCatalogFixture {
 protected:
  // sales/{default: [orders, items]}, hr/{people: [staff]}; alice granted sales.
  void Populate() {
    ASSERT_OK(admin_->CreateShare({"Sales", "Sales data", "q"}));
    ASSERT_OK(admin_->CreateShare({"hr"}));
    ASSERT_OK(admin_->CreateSchema("sales", "default"));
    ASSERT_OK(admin_->CreateSchema("hr", "people"));
    ASSERT_OK(admin_->AddTable("sales", "default", {"orders", "/data/orders"}));
    ASSERT_OK(admin_->AddTable("sales", "default", {"items", "/data/items"}));
    ASSERT_OK(admin_->AddTable("hr", "people", {"staff", "/data/staff"}));
    ASSERT_OK(admin_->CreateRecipient({"alice"}));
    ASSERT_OK(admin_->Grant("alice", "sales"));
  }
};

}  // namespace lakeshare::testing
