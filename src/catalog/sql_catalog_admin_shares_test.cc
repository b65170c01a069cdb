// CatalogAdmin: shares, schemas and tables.
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "auth/token.h"
#include "catalog/sql_catalog_admin.h"
#include "catalog/sql_catalog_admin_test_util.h"
#include "catalog/sql_catalog_internal.h"
#include "catalog/sql_catalog_test_util.h"
#include "common/time_util.h"
#include "db/migrations.h"
#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

using testing::StatusIs;

using CatalogAdminSharesTest = testing::CatalogAdminFixture;

TEST_P(CatalogAdminSharesTest, SharesCrud) {
  auto created = admin_->CreateShare({"Sales", "Sales data", "quarterly"});
  ASSERT_OK(created);
  EXPECT_EQ(created->id.size(), 36u);
  EXPECT_EQ(created->version, 1);
  EXPECT_EQ(admin_->CreateShare({"SALES"}).status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(admin_->CreateShare({"SALES"}).status().message(),
            "share 'SALES' (or its id) already exists");
  auto got = admin_->GetShare("sales");
  ASSERT_OK(got);
  EXPECT_EQ(got->name, "Sales");
  EXPECT_EQ(got->display_name, "Sales data");

  ShareUpdate u;
  u.name = "Revenue";
  u.comment = "";  // clears
  auto updated = admin_->UpdateShare("sales", u, created->version);
  ASSERT_OK(updated);
  EXPECT_EQ(updated->name, "Revenue");
  EXPECT_EQ(updated->comment, std::nullopt);
  EXPECT_EQ(updated->display_name, "Sales data");
  EXPECT_EQ(updated->version, 2);
  EXPECT_EQ(updated->id, created->id);
  // A stale version is refused.
  auto stale = admin_->UpdateShare("revenue", ShareUpdate{}, 1);
  EXPECT_EQ(stale.status().code(), StatusCode::kFailedPrecondition) << stale.status();
  EXPECT_EQ(admin_->GetShare("sales").status(), Status::NotFound("share 'sales' not found"));
  // Renaming onto another share's name is refused.
  ASSERT_OK(admin_->CreateShare({"other"}));
  ShareUpdate clash;
  clash.name = "REVENUE";
  EXPECT_EQ(admin_->UpdateShare("other", clash).status().code(), StatusCode::kAlreadyExists);

  EXPECT_EQ(admin_->ListShares()->size(), 2u);
  ASSERT_OK(admin_->DeleteShare("REVENUE"));
  EXPECT_EQ(admin_->DeleteShare("revenue").code(), StatusCode::kNotFound);
  EXPECT_EQ(admin_->ListShares()->size(), 1u);
  // An explicit id is kept.
  ShareSpec with_id{"fixed"};
  with_id.id = "11111111-2222-3333-4444-555555555555";
  EXPECT_EQ(admin_->CreateShare(with_id)->id, *with_id.id);
}

TEST_P(CatalogAdminSharesTest, SchemasAndTablesCrud) {
  ASSERT_OK(admin_->CreateShare({"s"}));
  ASSERT_OK(admin_->CreateSchema("S", "Default"));
  EXPECT_EQ(admin_->CreateSchema("s", "DEFAULT").status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(admin_->CreateSchema("nope", "x").status(), Status::NotFound("share 'nope' not found"));
  ASSERT_OK(admin_->CreateSchema("s", "other"));
  EXPECT_EQ(admin_->ListSchemas("s")->size(), 2u);

  TableSpec spec{"Orders", "s3://bucket/warehouse/orders_v7"};  // shared under another name
  spec.history_shared = true;
  spec.start_version = 3;
  spec.partition_filter = "region = 'EU'";
  spec.format = "DELTA";
  auto t = admin_->AddTable("s", "default", spec);
  ASSERT_OK(t);
  EXPECT_EQ(t->share, "s");
  EXPECT_EQ(t->schema, "Default");
  EXPECT_EQ(t->format, "delta");
  EXPECT_EQ(admin_->AddTable("s", "default", {"ORDERS", "/x"}).status().code(),
            StatusCode::kAlreadyExists);
  // The same name in another schema is fine.
  EXPECT_OK(admin_->AddTable("s", "other", {"orders", "/x"}));

  auto got = admin_->GetTable("S", "DEFAULT", "orders");
  ASSERT_OK(got);
  EXPECT_EQ(got->location, "s3://bucket/warehouse/orders_v7");
  EXPECT_EQ(got->partition_filter, "region = 'EU'");
  EXPECT_TRUE(got->history_shared);
  EXPECT_EQ(got->start_version, 3);

  TableUpdate u;
  u.location = "/new";
  u.history_shared = false;
  u.partition_filter = "";
  auto updated = admin_->UpdateTable("s", "default", "orders", u, got->version);
  ASSERT_OK(updated);
  EXPECT_EQ(updated->location, "/new");
  EXPECT_FALSE(updated->history_shared);
  EXPECT_EQ(updated->partition_filter, std::nullopt);
  EXPECT_EQ(updated->start_version, 3);
  EXPECT_EQ(admin_->UpdateTable("s", "default", "orders", u, got->version).status().code(),
            StatusCode::kFailedPrecondition);

  EXPECT_EQ(admin_->ListTables("s")->size(), 2u);
  EXPECT_EQ(admin_->ListTables("s", "other")->size(), 1u);
  auto renamed = admin_->RenameSchema("s", "other", "archive");
  ASSERT_OK(renamed);
  EXPECT_EQ(admin_->GetTable("s", "archive", "orders")->schema, "archive");
  ASSERT_OK(admin_->RemoveTable("s", "default", "orders"));
  EXPECT_EQ(admin_->GetTable("s", "default", "orders").status(),
            Status::NotFound("table 'orders' not found"));
  // Deleting a schema, then a share, takes their contents along.
  ASSERT_OK(admin_->DeleteSchema("s", "archive"));
  EXPECT_TRUE(admin_->ListTables("s")->empty());
  ASSERT_OK(admin_->AddTable("s", "default", {"t", "/t"}));
  ASSERT_OK(admin_->DeleteShare("s"));
  EXPECT_EQ(db_->Query("SELECT COUNT(*) FROM shared_tables")->front().Int(0), 0);
  EXPECT_EQ(db_->Query("SELECT COUNT(*) FROM share_schemas")->front().Int(0), 0);
}

// A Hudi table's view is stored per table (NULL for snapshot), validated
// against its format, and reaches the sharing side as the format option
// the Hudi factory reads.
TEST_P(CatalogAdminSharesTest, HudiViewIsStoredPerTableAndReachesTheSharingSide) {
  ASSERT_OK(admin_->CreateShare({"s"}));
  ASSERT_OK(admin_->CreateSchema("s", "d"));
  TableSpec ro{"trips_ro", "/data/trips"};
  ro.format = "hudi";
  ro.hudi_view = "READ_OPTIMIZED";
  auto added = admin_->AddTable("s", "d", ro);
  ASSERT_OK(added);
  EXPECT_EQ(added->hudi_view, "read_optimized");
  TableSpec snap{"trips", "/data/trips"};
  snap.format = "hudi";
  ASSERT_OK(admin_->AddTable("s", "d", snap));
  EXPECT_EQ(
      db_->Query("SELECT hudi_view FROM shared_tables WHERE name = 'trips'")->front().OptText(0),
      std::nullopt);
  EXPECT_EQ(admin_->GetTable("s", "d", "trips_ro")->hudi_view, "read_optimized");
  EXPECT_EQ(admin_->GetTable("s", "d", "trips")->hudi_view, "snapshot");

  // Only hudi tables have a read-optimized view; unknown views are refused.
  TableSpec delta_ro{"orders", "/data/orders"};
  delta_ro.hudi_view = "read_optimized";
  EXPECT_THAT(admin_->AddTable("s", "d", delta_ro).status(),
              StatusIs(StatusCode::kInvalidArgument, ::testing::HasSubstr("hudi tables only")));
  TableSpec bad{"x", "/x"};
  bad.format = "hudi";
  bad.hudi_view = "incremental";
  EXPECT_THAT(admin_->AddTable("s", "d", bad).status(),
              StatusIs(StatusCode::kInvalidArgument, ::testing::HasSubstr("'incremental'")));

  // The sharing side's catalog gives the view to the format.
  ASSERT_OK(admin_->CreateRecipient({"r"}));
  ASSERT_OK(admin_->Grant("r", "s"));
  auto token = admin_->CreateToken("r", std::nullopt);
  ASSERT_OK(token);
  Principal who = *catalog_->Authenticate(token->token);
  auto info = catalog_->GetTable(who, "s", "d", "trips_ro");
  ASSERT_OK(info);
  EXPECT_EQ(info->format, "hudi");
  EXPECT_EQ(info->format_options,
            (std::map<std::string, std::string>{{"hudiView", "read_optimized"}}));
  EXPECT_TRUE(catalog_->GetTable(who, "s", "d", "trips")->format_options.empty());

  // Updates: back to snapshot; a read-optimized table cannot leave hudi
  // unless its view goes back to snapshot in the same update.
  TableUpdate to_snapshot;
  to_snapshot.hudi_view = "snapshot";
  auto updated = admin_->UpdateTable("s", "d", "trips_ro", to_snapshot);
  ASSERT_OK(updated);
  EXPECT_EQ(updated->hudi_view, "snapshot");
  EXPECT_TRUE(catalog_->GetTable(who, "s", "d", "trips_ro")->format_options.empty());
  TableUpdate to_ro;
  to_ro.hudi_view = "read_optimized";
  ASSERT_OK(admin_->UpdateTable("s", "d", "trips_ro", to_ro));
  TableUpdate to_delta;
  to_delta.format = "delta";
  EXPECT_THAT(admin_->UpdateTable("s", "d", "trips_ro", to_delta).status(),
              StatusIs(StatusCode::kInvalidArgument, ::testing::HasSubstr("hudi tables only")));
  to_delta.hudi_view = "snapshot";
  auto moved = admin_->UpdateTable("s", "d", "trips_ro", to_delta);
  ASSERT_OK(moved);
  EXPECT_EQ(moved->format, "delta");
  EXPECT_EQ(moved->hudi_view, "snapshot");
}

// An Iceberg table's location map is stored per table (NULL for none, in
// the order given), validated as the config file's, and reaches the
// sharing side as the "locationMap" option the Iceberg factory reads.
TEST_P(CatalogAdminSharesTest, LocationMapIsStoredPerTableAndReachesTheSharingSide) {
  ASSERT_OK(admin_->CreateShare({"s"}));
  ASSERT_OK(admin_->CreateSchema("s", "d"));
  const TableLocationMap map = {{"/test-warehouse/", "/data/copy"},
                                {"hdfs://nn:8020/wh/", "s3://bucket/wh/"}};
  TableSpec ice{"ice", "/data/copy/ice"};
  ice.format = "ICEBERG";
  ice.location_map = map;
  auto added = admin_->AddTable("s", "d", ice);
  ASSERT_OK(added);
  EXPECT_EQ(added->location_map, map);
  EXPECT_EQ(admin_->GetTable("s", "d", "ice")->location_map, map);
  EXPECT_EQ(
      db_->Query("SELECT location_map FROM shared_tables WHERE name = 'ice'")->front().OptText(0),
      "/test-warehouse/\t/data/copy\nhdfs://nn:8020/wh/\ts3://bucket/wh/\n");
  TableSpec plain{"plain", "/data/plain"};
  plain.format = "iceberg";
  ASSERT_OK(admin_->AddTable("s", "d", plain));
  EXPECT_EQ(
      db_->Query("SELECT location_map FROM shared_tables WHERE name = 'plain'")->front().OptText(0),
      std::nullopt);
  EXPECT_TRUE(admin_->GetTable("s", "d", "plain")->location_map.empty());

  // The config file's rules.
  struct Bad {
    std::string format;
    TableLocationMap map;
    std::string message;
  };
  const Bad bad[] = {
      {"delta", {{"/a/", "/b/"}}, "iceberg tables only"},
      {"iceberg", {{"/a/", "relative/b"}}, "not an absolute path or a URI"},
      {"iceberg", {{"/", "/b"}}, "other than '/'"},
      {"iceberg", {{"/a/", ""}}, "other than '/'"},
      {"iceberg", {{"/a\tb/", "/b"}}, "control characters"},
      {"iceberg", {{"/a/", "/b\n"}}, "control characters"},
      {"iceberg", {{"/a/", "/b"}, {"/a/", "/c"}}, "twice"},
      {"iceberg", {{"/a/", "/" + std::string(kMaxLocation, 'x')}}, "longer than"},
      {"iceberg", TableLocationMap(kMaxLocationMapEntries + 1, {"/a/", "/b"}), "more than 64"},
  };
  for (const Bad& b : bad) {
    TableSpec t{"x", "/x"};
    t.format = b.format;
    t.location_map = b.map;
    EXPECT_THAT(admin_->AddTable("s", "d", t).status(),
                StatusIs(StatusCode::kInvalidArgument, ::testing::HasSubstr(b.message)))
        << b.message;
  }

  // The sharing side's catalog gives the map to the format.
  ASSERT_OK(admin_->CreateRecipient({"r"}));
  ASSERT_OK(admin_->Grant("r", "s"));
  auto token = admin_->CreateToken("r", std::nullopt);
  ASSERT_OK(token);
  Principal who = *catalog_->Authenticate(token->token);
  auto info = catalog_->GetTable(who, "s", "d", "ice");
  ASSERT_OK(info);
  EXPECT_EQ(
      info->format_options,
      (std::map<std::string, std::string>{
          {"locationMap", "/test-warehouse/\t/data/copy\nhdfs://nn:8020/wh/\ts3://bucket/wh/\n"}}));
  EXPECT_TRUE(catalog_->GetTable(who, "s", "d", "plain")->format_options.empty());

  // Updates replace the map; a table keeps it only while it is iceberg;
  // an empty map removes it.
  TableUpdate replace;
  replace.location_map = TableLocationMap{{"/old/", "/new"}};
  ASSERT_OK(admin_->UpdateTable("s", "d", "ice", replace));
  EXPECT_EQ(catalog_->GetTable(who, "s", "d", "ice")->format_options.at("locationMap"),
            "/old/\t/new\n");
  TableUpdate to_delta;
  to_delta.format = "delta";
  EXPECT_THAT(admin_->UpdateTable("s", "d", "ice", to_delta).status(),
              StatusIs(StatusCode::kInvalidArgument, ::testing::HasSubstr("iceberg tables only")));
  TableUpdate bad_update;
  bad_update.location_map = TableLocationMap{{"/a/", "b"}};
  EXPECT_THAT(admin_->UpdateTable("s", "d", "ice", bad_update).status(),
              StatusIs(StatusCode::kInvalidArgument, ::testing::HasSubstr("absolute")));
  TableUpdate clear;
  clear.location_map = TableLocationMap{};
  auto cleared = admin_->UpdateTable("s", "d", "ice", clear);
  ASSERT_OK(cleared);
  EXPECT_TRUE(cleared->location_map.empty());
  EXPECT_TRUE(catalog_->GetTable(who, "s", "d", "ice")->format_options.empty());
  EXPECT_EQ(
      db_->Query("SELECT location_map FROM shared_tables WHERE name = 'ice'")->front().OptText(0),
      std::nullopt);
  ASSERT_OK(admin_->UpdateTable("s", "d", "ice", to_delta));
}

LAKESHARE_INSTANTIATE_BACKENDS(CatalogAdminSharesTest);

}  // namespace
}  // namespace lakeshare

namespace lakeshare {
namespace {

using CatalogAdminSchemaCreationTest = testing::CatalogAdminFixture;

// Adding a table may create its schema (the console's "Add a table"), in the
// same transaction; the share must exist.
TEST_P(CatalogAdminSchemaCreationTest, AddTableCreatesAMissingSchemaOnRequest) {
  Populate();
  TableSpec spec{"t1", "/data/t1"};
  EXPECT_THAT(admin_->AddTable("sales", "fresh", spec), StatusIs(StatusCode::kNotFound));
  spec.create_schema = true;
  ASSERT_OK_AND_ASSIGN(TableRecord t, admin_->AddTable("sales", "fresh", spec));
  EXPECT_EQ(t.schema, "fresh");
  ASSERT_OK_AND_ASSIGN(auto schemas, admin_->ListSchemas("sales"));
  EXPECT_EQ(schemas.size(), 2u);
  spec.name = "t2";  // the schema exists now: simply added
  ASSERT_OK(admin_->AddTable("sales", "FRESH", spec));
  ASSERT_OK_AND_ASSIGN(auto tables, admin_->ListTables("sales", std::string_view("fresh")));
  EXPECT_EQ(tables.size(), 2u);
  EXPECT_THAT(admin_->AddTable("nope", "fresh", spec), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(admin_->AddTable("sales", "bad name!", spec), StatusIs(StatusCode::kInvalidArgument));
  ASSERT_OK_AND_ASSIGN(auto after, admin_->ListSchemas("sales"));
  EXPECT_EQ(after.size(), 2u);
}

LAKESHARE_INSTANTIATE_BACKENDS(CatalogAdminSchemaCreationTest);

// A page of tables cut by the database: bytewise order of the lower-case
// names on both backends (the pages' tokens assume it), search as a plain
// substring (% and _ are not wildcards).
TEST_P(CatalogAdminSchemaCreationTest, TablePagesAreCutByTheDatabase) {
  ASSERT_OK(admin_->CreateShare({"s"}));
  ASSERT_OK(admin_->CreateSchema("s", "d"));
  for (const char* name : {"b_2", "B10", "a1", "b_1", "bx1", "Z", "c%1"}) {
    ASSERT_OK(admin_->AddTable("s", "d", {name, "/data/x"}));
  }
  auto names = [](const std::vector<TableRecord>& v) {
    std::vector<std::string> out;
    for (const TableRecord& t : v) out.push_back(t.name);
    return out;
  };
  ASSERT_OK_AND_ASSIGN(auto first, admin_->ListTablesPage("s", "d", {.limit = 3}));
  EXPECT_EQ(names(first), (std::vector<std::string>{"a1", "B10", "b_1"}));
  ASSERT_OK_AND_ASSIGN(auto next, admin_->ListTablesPage("s", "d", {.after = "b_1", .limit = 10}));
  EXPECT_EQ(names(next), (std::vector<std::string>{"b_2", "bx1", "c%1", "Z"}));
  ASSERT_OK_AND_ASSIGN(auto found, admin_->ListTablesPage("s", "d", {.search = "b_", .limit = 10}));
  EXPECT_EQ(names(found), (std::vector<std::string>{"b_1", "b_2"}));
  ASSERT_OK_AND_ASSIGN(auto pct, admin_->ListTablesPage("s", "d", {.search = "%", .limit = 10}));
  EXPECT_EQ(names(pct), std::vector<std::string>{"c%1"});
  EXPECT_THAT(admin_->ListTablesPage("s", "nope", {}), StatusIs(StatusCode::kNotFound));
}

// The settings' rules without a table (the admin API applies them before it
// reads the table): as AddTable's, formats and views in any case.
TEST(TableFormatSettingsTest, AreCheckedAsAddTableChecksThem) {
  const TableLocationMap map = {{"/test-warehouse/", "/data/copy/"}};
  EXPECT_OK(ValidateTableFormatSettings("Iceberg", "snapshot", map));
  EXPECT_OK(ValidateTableFormatSettings("HUDI", "Read_Optimized", {}));
  EXPECT_OK(ValidateTableFormatSettings("delta", "snapshot", {}));
  EXPECT_THAT(ValidateTableFormatSettings("orc", "snapshot", {}),
              StatusIs(StatusCode::kInvalidArgument, ::testing::HasSubstr("not a supported")));
  EXPECT_THAT(ValidateTableFormatSettings("delta", "read_optimized", {}),
              StatusIs(StatusCode::kInvalidArgument, ::testing::HasSubstr("hudi tables only")));
  EXPECT_THAT(ValidateTableFormatSettings("hudi", "incremental", {}),
              StatusIs(StatusCode::kInvalidArgument, ::testing::HasSubstr("hudiView")));
  EXPECT_THAT(ValidateTableFormatSettings("delta", "snapshot", map),
              StatusIs(StatusCode::kInvalidArgument, ::testing::HasSubstr("iceberg tables only")));
  EXPECT_THAT(ValidateTableFormatSettings("iceberg", "snapshot", {{"/a/", "relative/b"}}),
              StatusIs(StatusCode::kInvalidArgument,
                       ::testing::HasSubstr("locationMap: 'relative/b' is not an absolute path")));
}

}  // namespace
}  // namespace lakeshare
