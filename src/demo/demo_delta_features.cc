#include "demo/demo_delta_features.h"

#include <filesystem>
#include <random>
#include <variant>

#include "common/time_util.h"
#include "demo/demo_delta_writer.h"

namespace lakeshare {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kSecondsPerDay = 86'400;
// DVs of more rows go to a DV file: v2's bitmaps of 4 rows are files, its
// bitmap of 3 rows inline.
constexpr int64_t kMaxInlineCardinality = 3;

// Uniform in [0, n) from the raw generator (the demo data must not depend
// on the standard library's distributions).
uint64_t Below(std::mt19937_64& rng, uint64_t n) { return rng() % n; }

DemoTableSpec ShipmentsSpec() {
  return DemoTableSpec{
      "shipments",
      "Parcel shipments; deletes are deletion vectors (read it with a delta-format client).",
      {
          {"shipment_id", DemoFieldType::kLong, false, ""},
          {"order_id", DemoFieldType::kLong, true, ""},
          {"carrier", DemoFieldType::kString, true, ""},
          {"status", DemoFieldType::kString, true, ""},
          {"weight_kg", DemoFieldType::kDouble, true, ""},
          {"shipped_at", DemoFieldType::kTimestamp, true, ""},
      },
      {},
      {{"delta.enableDeletionVectors", "true"}},
  };
}

// Shipments first_id..first_id+count-1. Every 9th is cancelled (v2 deletes
// those), and shipments 7, 32, 57, 82 went by pigeon (v3 deletes those).
std::vector<DemoRow> ShipmentRows(std::mt19937_64& rng, int64_t first_id, int count) {
  static const char* const kCarriers[] = {"DHL", "UPS", "FedEx", "La Poste"};
  static const char* const kStatuses[] = {"delivered", "in transit", "returned"};
  const int64_t start = DaysFromCivil(2024, 3, 1) * kSecondsPerDay;
  std::vector<DemoRow> rows;
  for (int i = 0; i < count; ++i) {
    const int64_t id = first_id + i;
    std::string carrier = id % 25 == 7 ? "Pigeon Post" : kCarriers[Below(rng, 4)];
    std::string status = id % 9 == 0 ? "cancelled" : kStatuses[Below(rng, 3)];
    double weight = static_cast<double>(10 + Below(rng, 3000)) / 100.0;
    int64_t shipped = start + static_cast<int64_t>(Below(rng, 90 * kSecondsPerDay));
    rows.push_back(DemoRow{
        DemoValue(id),
        DemoValue(static_cast<int64_t>(1000 + Below(rng, 9000))),
        DemoValue(std::move(carrier)),
        DemoValue(std::move(status)),
        DemoValue(weight),
        DemoValue(shipped * kMicrosPerSecond),
    });
  }
  return rows;
}

bool CellIs(const DemoRow& row, size_t column, const char* value) {
  const auto* s = std::get_if<std::string>(&row[column]);
  return s && *s == value;
}

Result<DemoTable> WriteShipments(const fs::path& dir, int64_t first_commit_ms) {
  DemoDeltaWriter t(dir / "shipments", ShipmentsSpec(), /*seed=*/1717, first_commit_ms);
  LS_RETURN_IF_ERROR(t.Init());
  std::vector<DemoRow> rows = ShipmentRows(t.rng(), 1, 80);
  LS_ASSIGN_OR_RETURN(DemoFile a,
                      t.WriteFile({}, std::vector<DemoRow>(rows.begin(), rows.begin() + 40), 0));
  LS_ASSIGN_OR_RETURN(DemoFile b,
                      t.WriteFile({}, std::vector<DemoRow>(rows.begin() + 40, rows.end()), 1));
  LS_RETURN_IF_ERROR(t.CommitWrite({a, b}));
  LS_ASSIGN_OR_RETURN(auto v1, t.WriteFiles(ShipmentRows(t.rng(), 81, 20)));
  LS_RETURN_IF_ERROR(t.CommitWrite(v1));
  LS_RETURN_IF_ERROR(t.CommitDeleteWithDeletionVectors(
      "(status = 'cancelled')", [](const DemoRow& r) { return CellIs(r, 3, "cancelled"); },
      kMaxInlineCardinality));
  LS_RETURN_IF_ERROR(t.CommitDeleteWithDeletionVectors(
      "(carrier = 'Pigeon Post')", [](const DemoRow& r) { return CellIs(r, 2, "Pigeon Post"); },
      kMaxInlineCardinality));
  return t.Describe();
}

DemoTableSpec ContactsSpec() {
  return DemoTableSpec{
      "contacts",
      "Business contacts with column mapping; `phone` was renamed to `mobile_phone` in v2.",
      {
          {"contact_id", DemoFieldType::kLong, false, ""},
          {"full_name", DemoFieldType::kString, false, ""},
          {"email", DemoFieldType::kString, true, ""},
          {"phone", DemoFieldType::kString, true, "E.164"},
          {"country", DemoFieldType::kString, true, "ISO 3166-1 alpha-2"},
          {"created_on", DemoFieldType::kDate, true, ""},
      },
      {},
      {{"delta.columnMapping.mode", "name"}},
  };
}

std::vector<DemoRow> ContactRows(std::mt19937_64& rng, int64_t first_id, int count) {
  static const char* const kNames[] = {"Ada Lovelace",   "Grace Hopper", "Alan Turing",
                                       "Barbara Liskov", "Hedy Lamarr",  "Zoë Nakamura",
                                       "José García",    "Ken Thompson"};
  static const char* const kCountries[] = {"DE", "FR", "US", "JP", "BR", "ES"};
  const int64_t created_start = DaysFromCivil(2022, 1, 1);
  std::vector<DemoRow> rows;
  for (int i = 0; i < count; ++i) {
    const int64_t id = first_id + i;
    std::string name = kNames[Below(rng, 8)];
    DemoValue phone = std::monostate{};
    if (Below(rng, 5) != 0) phone = "+49" + std::to_string(1500000000 + Below(rng, 99999999));
    rows.push_back(DemoRow{
        DemoValue(id),
        DemoValue(name),
        DemoValue("contact" + std::to_string(id) + "@example.com"),
        phone,
        DemoValue(std::string(kCountries[Below(rng, 6)])),
        DemoValue(static_cast<int32_t>(created_start + Below(rng, 700))),
    });
  }
  return rows;
}

Result<DemoTable> WriteContacts(const fs::path& dir, int64_t first_commit_ms) {
  DemoDeltaWriter t(dir / "contacts", ContactsSpec(), /*seed=*/2718, first_commit_ms);
  LS_RETURN_IF_ERROR(t.Init());
  std::vector<DemoRow> rows = ContactRows(t.rng(), 1, 30);
  LS_ASSIGN_OR_RETURN(DemoFile a,
                      t.WriteFile({}, std::vector<DemoRow>(rows.begin(), rows.begin() + 15), 0));
  LS_ASSIGN_OR_RETURN(DemoFile b,
                      t.WriteFile({}, std::vector<DemoRow>(rows.begin() + 15, rows.end()), 1));
  LS_RETURN_IF_ERROR(t.CommitWrite({a, b}));
  LS_ASSIGN_OR_RETURN(auto v1, t.WriteFiles(ContactRows(t.rng(), 31, 10)));
  LS_RETURN_IF_ERROR(t.CommitWrite(v1));
  LS_RETURN_IF_ERROR(t.CommitRenameColumn("phone", "mobile_phone"));
  return t.Describe();
}

}  // namespace

Result<std::vector<DemoTable>> WriteDemoDeltaFeatureTables(const std::string& dir) {
  LS_ASSIGN_OR_RETURN(const std::filesystem::path root, CreateDemoFolder(dir));
  // Whole seconds, the last commit of each table 1 s before now.
  const int64_t now_s = NowMillis() / 1000 * 1000;
  std::vector<DemoTable> tables;
  LS_ASSIGN_OR_RETURN(DemoTable shipments, WriteShipments(root, now_s - 4000));
  tables.push_back(std::move(shipments));
  LS_ASSIGN_OR_RETURN(DemoTable contacts, WriteContacts(root, now_s - 3000));
  tables.push_back(std::move(contacts));
  return tables;
}

}  // namespace lakeshare
