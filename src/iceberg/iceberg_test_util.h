// Shared helpers of the Iceberg unit tests: paths into the shared test data.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "iceberg/iceberg_table.h"
#include "storage/local_storage.h"

namespace lakeshare::testing {

inline std::filesystem::path IcebergTestData() {
  return std::filesystem::path(LAKESHARE_TESTDATA_DIR) / "iceberg" / "duckdb-iceberg";
}

inline std::string TablePath(const std::string& relative) {
  return (IcebergTestData() / relative).string();
}

inline std::shared_ptr<IcebergTable> OpenTable(const std::string& relative,
                                               IcebergTableOptions options = {}) {
  return std::make_shared<IcebergTable>(TablePath(relative), std::make_shared<LocalStorage>(),
                                        std::move(options));
}

}  // namespace lakeshare::testing
