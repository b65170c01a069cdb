#include "iceberg/iceberg_table.h"

#include <gtest/gtest.h>

#include <iostream>

#include "iceberg/iceberg_test_util.h"

namespace lakeshare {
namespace {

using iceberg_test::OpenTable;

TEST(IcebergTableDump, AllTables) {
  for (const char* t : {"iceberg/lineitem_iceberg", "iceberg/lineitem_iceberg_gz", "iceberg/lineitem_iceberg_no_hint", "partition_decimal_hugeint", "partition_timestamptz/default.db/partition_timestamptz", "iceberg_v1_deprecated/default/legacy_v1", "equality_deletes/warehouse/mydb/mytable", "legacy_bare_deletion_vector/warehouse/default/legacy_bare_deletion_vector", "bad_data/bad_iceberg_metadata.json", "custom_write_paths", "big_query_error", "name_mapping/warehouse_1/mydb/t1", "iceberg_v1_repro/repro/merch_v1", "add_columns_with_defaults/default.db/add_columns_with_defaults", "map_stats/default.db/map_stats", "timestamptz_ns", "uuid", "hive_partitioned_table", "column_mapping/warehouse/default.db/my_table"}) {
    auto table = OpenTable(t);
    auto v = table->LatestVersion();
    std::cout << "== " << t << " latest=" << (v.ok() ? std::to_string(*v) : v.status().ToString()) << "\n";
    auto s = table->Snapshot(std::nullopt);
    if (!s.ok()) { std::cout << "  snapshot error: " << s.status() << "\n"; continue; }
    std::cout << "  version " << (*s)->version << " ts " << (*s)->timestamp_ms << " files " << (*s)->files.size()
              << " parts " << (*s)->metadata.partition_columns.size() << " unreadable=" << (*s)->unreadable_reason.value_or("-") << "\n  schema " << (*s)->metadata.schema_string.substr(0, 300) << "\n";
    for (size_t i = 0; i < (*s)->files.size() && i < 2; ++i) {
      const auto& f = (*s)->files[i];
      std::cout << "  file " << f.path.substr(f.path.size() > 80 ? f.path.size() - 80 : 0) << " size " << f.size << " stats " << f.stats.value_or("").substr(0, 400) << "\n";
      for (const auto& [k, pv] : f.partition_values) std::cout << "    pv " << k << "=" << pv.value_or("<null>") << "\n";
    }
  }
}

}  // namespace
}  // namespace lakeshare
