// Test fixture shared by the database catalog's tests: every test runs
// against a fresh SQLite file and a fresh PostgreSQL database (see
// testing/test_database.h), with the catalog schema applied.
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "catalog/catalog_schema.h"
#include "catalog/sql_catalog.h"
#include "catalog/sql_catalog_admin.h"
#include "testing/status_matchers.h"
#include "testing/test_database.h"

namespace lakeshare::testing {

class SqlCatalogFixture : public ::testing::TestWithParam<testing::Backend> {
 protected:
  void SetUp() override {
    auto t = testing::TestDatabase::Create(GetParam());
    ASSERT_OK(t);
    test_db_ = std::move(t).value();
    auto db = OpenCatalogDatabase(test_db_->url());
    ASSERT_OK(db);
    db_ = *db;
    admin_ = std::make_unique<CatalogAdmin>(db_, AdminOptions());
    catalog_ = std::make_unique<SqlCatalog>(db_);
  }

  void TearDown() override {
    catalog_.reset();
    admin_.reset();
    db_.reset();
  }

  // Cheap Argon2id parameters keep the suite fast.
  static CatalogAdminOptions AdminOptions() {
    CatalogAdminOptions o;
    o.password_hash = PasswordHashParams{1024, 1, 1};
    return o;
  }

  // A second, independent handle on the same database: another replica.
  std::shared_ptr<db::Database> OpenAgain() {
    auto db = db::Database::Open(test_db_->url());
    EXPECT_OK(db);
    return db.ok() ? *db : nullptr;
  }

  std::unique_ptr<testing::TestDatabase> test_db_;
  std::shared_ptr<db::Database> db_;
  std::unique_ptr<CatalogAdmin> admin_;
  std::unique_ptr<SqlCatalog> catalog_;
};

#define LAKESHARE_INSTANTIATE_BACKENDS(fixture)                                         \
  INSTANTIATE_TEST_SUITE_P(Backends, fixture,                                           \
                           ::testing::Values(::lakeshare::testing::Backend::kSqlite,    \
                                             ::lakeshare::testing::Backend::kPostgres), \
                           [](const auto& info) { return testing::BackendName(info.param); })

}  // namespace lakeshare::testing
