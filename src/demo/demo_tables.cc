#include "demo/demo_tables.h"

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

// Uniform in [0, n) from the raw generator: std::uniform_int_distribution is
// implementation-defined, and the demo data must not depend on the library.
uint64_t Below(std::mt19937_64& rng, uint64_t n) { return rng() % n; }
bool OneIn(std::mt19937_64& rng, uint64_t n) { return Below(rng, n) == 0; }

template <typename T>
DemoValue OrNull(std::mt19937_64& rng, uint64_t one_in, T v) {
  if (OneIn(rng, one_in)) return std::monostate{};
  return DemoValue(std::move(v));
}

DemoTableSpec SalesSpec() {
  return DemoTableSpec{
      "sales",
      "Orders of a fictional retailer, partitioned by sales region.",
      {
          {"order_id", DemoFieldType::kLong, false, "unique order number"},
          {"customer", DemoFieldType::kString, true, ""},
          {"amount", DemoFieldType::kDouble, true, "order total in EUR"},
          {"quantity", DemoFieldType::kInteger, true, ""},
          {"order_date", DemoFieldType::kDate, true, ""},
          {"ordered_at", DemoFieldType::kTimestamp, true, ""},
          {"shipped", DemoFieldType::kBoolean, true, ""},
          {"region", DemoFieldType::kString, true, ""},
      },
      {"region"},
      {{"delta.enableChangeDataFeed", "false"}},
  };
}

const char* const kCustomers[] = {
    "Acme Corp",         "Globex",  "Initech", "Umbrella",    "Stark Industries",
    "Wayne Enterprises", "Soylent", "Hooli",   "Müller GmbH", "Café Olé SARL"};
// "Asia/Pacific" needs Hive escaping, "North America" URI encoding.
const char* const kRegions[] = {"Europe", "North America", "Asia/Pacific"};

// Orders `first_id`.. placed in [from_day, from_day + days) of 2024.
std::vector<DemoRow> SalesRows(std::mt19937_64& rng, int64_t first_id, int count, int from_day,
                               int days, bool null_region_is_initech) {
  const int64_t jan1 = DaysFromCivil(2024, 1, 1);
  std::vector<DemoRow> rows;
  for (int i = 0; i < count; ++i) {
    // One draw per statement: the order of operand evaluation is unspecified.
    int64_t day = jan1 + from_day + static_cast<int64_t>(Below(rng, days));
    int64_t seconds = day * kSecondsPerDay + static_cast<int64_t>(Below(rng, kSecondsPerDay));
    DemoValue region = OneIn(rng, 12) ? DemoValue(std::monostate{})
                                      : DemoValue(std::string(kRegions[Below(rng, 3)]));
    DemoValue customer = OrNull(rng, 15, std::string(kCustomers[Below(rng, 10)]));
    if (null_region_is_initech && std::holds_alternative<std::monostate>(region)) {
      customer = std::string("Initech");
    }
    rows.push_back(DemoRow{
        DemoValue(first_id + i),
        customer,
        OrNull(rng, 15, static_cast<double>(500 + Below(rng, 200000)) / 100.0),
        OrNull(rng, 20, static_cast<int32_t>(1 + Below(rng, 10))),
        DemoValue(static_cast<int32_t>(seconds / kSecondsPerDay)),
        OrNull(rng, 25, seconds * kMicrosPerSecond),
        OrNull(rng, 10, Below(rng, 3) != 0),
        region,
    });
  }
  return rows;
}

Result<DemoTable> WriteSales(const fs::path& dir, int64_t first_commit_ms) {
  DemoDeltaWriter t(dir / "sales", SalesSpec(), /*seed=*/20240101, first_commit_ms);
  LS_RETURN_IF_ERROR(t.Init());
  // v0: the table is created with the first quarter's orders.
  LS_ASSIGN_OR_RETURN(auto v0, t.WriteFiles(SalesRows(t.rng(), 1, 120, 0, 90, false)));
  LS_RETURN_IF_ERROR(t.CommitWrite(v0));
  // v1, v2: appends. In v2 the orders without a region all belong to Initech,
  // so that v3 deletes one file entirely.
  LS_ASSIGN_OR_RETURN(auto v1, t.WriteFiles(SalesRows(t.rng(), 121, 80, 90, 91, false)));
  LS_RETURN_IF_ERROR(t.CommitWrite(v1));
  LS_ASSIGN_OR_RETURN(auto v2, t.WriteFiles(SalesRows(t.rng(), 201, 60, 181, 184, true)));
  LS_RETURN_IF_ERROR(t.CommitWrite(v2));
  // v3: DELETE FROM sales WHERE customer = 'Initech'.
  LS_RETURN_IF_ERROR(t.CommitDelete("(customer = 'Initech')", [](const DemoRow& r) {
    const auto* c = std::get_if<std::string>(&r[1]);
    return c && *c == "Initech";
  }));
  return t.Describe();
}

DemoTableSpec CustomersSpec() {
  return DemoTableSpec{
      "customers",
      "Customer master data of the fictional retailer.",
      {
          {"customer_id", DemoFieldType::kLong, false, ""},
          {"name", DemoFieldType::kString, false, ""},
          {"email", DemoFieldType::kString, true, ""},
          {"country", DemoFieldType::kString, true, "ISO 3166-1 alpha-2"},
          {"signup_date", DemoFieldType::kDate, true, ""},
          {"tier", DemoFieldType::kString, true, ""},
          {"lifetime_value", DemoFieldType::kDouble, true, ""},
          {"loyalty_points", DemoFieldType::kInteger, true, ""},
          {"is_active", DemoFieldType::kBoolean, true, ""},
          {"last_login", DemoFieldType::kTimestamp, true, ""},
      },
      {},
      {},
  };
}

std::vector<DemoRow> CustomerRows(std::mt19937_64& rng, int64_t first_id, int count) {
  static const char* const kFirst[] = {"Ada", "Grace", "Alan", "Edsger", "Barbara",
                                       "Ken", "Linus", "Zoë",  "José",   "Hedy"};
  static const char* const kLast[] = {"Lovelace", "Hopper",   "Turing",   "Dijkstra", "Liskov",
                                      "Thompson", "Torvalds", "Nakamura", "García",   "Lamarr"};
  static const char* const kCountries[] = {"DE", "FR", "US", "JP", "BR", "IN", "GB", "ES"};
  static const char* const kTiers[] = {"bronze", "silver", "gold", "platinum"};
  const int64_t signup_start = DaysFromCivil(2019, 1, 1);
  const int64_t login_start = DaysFromCivil(2024, 6, 1) * kSecondsPerDay;
  std::vector<DemoRow> rows;
  for (int i = 0; i < count; ++i) {
    std::string first = kFirst[Below(rng, 10)], last = kLast[Below(rng, 10)];
    std::string email;
    for (char ch : first + "." + last) {
      email += static_cast<char>(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
    }
    rows.push_back(DemoRow{
        DemoValue(first_id + i),
        DemoValue(first + " " + last),
        OrNull(rng, 8, email + std::to_string(first_id + i) + "@example.com"),
        OrNull(rng, 20, std::string(kCountries[Below(rng, 8)])),
        OrNull(rng, 30, static_cast<int32_t>(signup_start + Below(rng, 5 * 365))),
        OrNull(rng, 10, std::string(kTiers[Below(rng, 4)])),
        OrNull(rng, 12, static_cast<double>(Below(rng, 5'000'000)) / 100.0),
        OrNull(rng, 9, static_cast<int32_t>(Below(rng, 100'000))),
        OrNull(rng, 15, Below(rng, 4) != 0),
        OrNull(rng, 6,
               (login_start + static_cast<int64_t>(Below(rng, 180 * kSecondsPerDay))) *
                   kMicrosPerSecond),
    });
  }
  return rows;
}

Result<DemoTable> WriteCustomers(const fs::path& dir, int64_t first_commit_ms) {
  DemoDeltaWriter t(dir / "customers", CustomersSpec(), /*seed=*/42, first_commit_ms);
  LS_RETURN_IF_ERROR(t.Init());
  // v0: two files, as two Spark tasks would write them.
  std::vector<DemoRow> rows = CustomerRows(t.rng(), 1, 50);
  LS_ASSIGN_OR_RETURN(DemoFile a,
                      t.WriteFile({}, std::vector<DemoRow>(rows.begin(), rows.begin() + 25), 0));
  LS_ASSIGN_OR_RETURN(DemoFile b,
                      t.WriteFile({}, std::vector<DemoRow>(rows.begin() + 25, rows.end()), 1));
  LS_RETURN_IF_ERROR(t.CommitWrite({a, b}));
  LS_ASSIGN_OR_RETURN(auto v1, t.WriteFiles(CustomerRows(t.rng(), 51, 15)));
  LS_RETURN_IF_ERROR(t.CommitWrite(v1));
  return t.Describe();
}

// Customers' loyalty membership with the change data feed on: inserts,
// then a DELETE whose rows are in a change data file (table_changes).
Result<DemoTable> WriteMembers(const fs::path& dir, int64_t first_commit_ms) {
  DemoTableSpec spec = CustomersSpec();
  spec.name = "members";
  spec.description = "Loyalty members, with the change data feed on (load_table_changes).";
  spec.configuration = {{"delta.enableChangeDataFeed", "true"}};
  DemoDeltaWriter t(dir / "members", std::move(spec), /*seed=*/7, first_commit_ms);
  LS_RETURN_IF_ERROR(t.Init());
  LS_ASSIGN_OR_RETURN(auto v0, t.WriteFiles(CustomerRows(t.rng(), 1, 30)));
  LS_RETURN_IF_ERROR(t.CommitWrite(v0));
  LS_ASSIGN_OR_RETURN(auto v1, t.WriteFiles(CustomerRows(t.rng(), 31, 10)));
  LS_RETURN_IF_ERROR(t.CommitWrite(v1));
  // v2: DELETE FROM members WHERE tier = 'bronze'.
  LS_RETURN_IF_ERROR(t.CommitDelete("(tier = 'bronze')", [](const DemoRow& r) {
    const auto* tier = std::get_if<std::string>(&r[5]);
    return tier && *tier == "bronze";
  }));
  return t.Describe();
}

}  // namespace

Result<std::vector<DemoTable>> WriteDemoTables(const std::string& dir) {
  LS_ASSIGN_OR_RETURN(const std::filesystem::path root, CreateDemoFolder(dir));
  // Whole seconds, the last commit of each table 1 s before now.
  const int64_t now_s = NowMillis() / 1000 * 1000;
  std::vector<DemoTable> tables;
  LS_ASSIGN_OR_RETURN(DemoTable sales, WriteSales(root, now_s - 4000));
  tables.push_back(std::move(sales));
  LS_ASSIGN_OR_RETURN(DemoTable customers, WriteCustomers(root, now_s - 2000));
  tables.push_back(std::move(customers));
  LS_ASSIGN_OR_RETURN(DemoTable members, WriteMembers(root, now_s - 3000));
  tables.push_back(std::move(members));
  return tables;
}

}  // namespace lakeshare
