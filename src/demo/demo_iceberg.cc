#include "demo/demo_iceberg.h"

#include <filesystem>
#include <random>

#include "common/time_util.h"
#include "iceberg/iceberg_writer.h"

namespace lakeshare {
namespace {

namespace fs = std::filesystem;
namespace pq = lakeshare::parquet;
using iceberg::TypeId;

// Microseconds of a whole-second UTC time.
int64_t Micros(int64_t days, int hour, int minute) {
  return ((days * 86400) + hour * 3600 + minute * 60) * 1000000;
}

}  // namespace

Result<std::vector<DemoTable>> WriteDemoIcebergTables(const std::string& dir) {
  fs::path root = fs::path(dir) / "events";
  std::error_code ec;
  if (fs::exists(root, ec)) {
    return Status::FailedPrecondition("demo table folder '" + root.string() + "' already exists");
  }
  IcebergTableSpec spec;
  spec.columns = {
      {"event_id", TypeId::kLong, true, std::string("unique id of the event")},
      {"country", TypeId::kString, false, std::nullopt},
      {"day", TypeId::kDate, false, std::nullopt},
      {"ts", TypeId::kTimestampTz, false, std::nullopt},
      {"user", TypeId::kString, false, std::nullopt},
      {"amount", TypeId::kDouble, false, std::nullopt},
      {"mobile", TypeId::kBoolean, false, std::nullopt},
  };
  spec.partition_by = {"country"};
  spec.properties = {{"comment", "Sample events: an Iceberg table written by lakeshare"}};
  // Recorded as a relative location, as tables copied between hosts are.
  spec.recorded_location = "demo-warehouse/events";
  const int64_t now_s = NowMillis() / 1000 * 1000;
  const int64_t start_ms = now_s - 5000;
  LS_ASSIGN_OR_RETURN(auto writer,
                      IcebergTableWriter::Create(root.string(), spec, start_ms - 1000));

  const int64_t base_day = DaysFromCivil(2024, 3, 1);
  const char* users[] = {"ada", "bob", "chen", "dana", "eve", "farid"};
  // Each file: (country or "" for null, first event id, rows).
  struct FileSpec {
    std::string country;
    int64_t first_id;
    int64_t rows;
  };
  const std::vector<std::vector<FileSpec>> snapshots = {
      {{"DE", 1, 4}, {"FR", 5, 3}},
      {{"US", 8, 5}, {"DE", 13, 2}},
      {{"", 15, 3}, {"JP", 18, 4}},
  };
  int64_t files = 0, rows = 0;
  for (size_t s = 0; s < snapshots.size(); ++s) {
    const auto& list = snapshots[s];
    auto make = [&](size_t i) -> Result<IcebergFileData> {
      const FileSpec& f = list[i];
      std::vector<int64_t> ids, ts;
      std::vector<std::string> country, user;
      std::vector<int32_t> day;
      std::vector<double> amount;
      std::vector<bool> mobile, country_valid, amount_valid;
      for (int64_t r = 0; r < f.rows; ++r) {
        int64_t id = f.first_id + r;
        ids.push_back(id);
        country.push_back(f.country);
        country_valid.push_back(!f.country.empty());
        day.push_back(static_cast<int32_t>(base_day + id % 5));
        ts.push_back(
            Micros(base_day + id % 5, static_cast<int>(id % 24), static_cast<int>(id * 7 % 60)));
        user.push_back(users[id % 6]);
        amount.push_back(static_cast<double>(id * 125 % 1000) / 10.0);
        amount_valid.push_back(id % 7 != 0);
        mobile.push_back(id % 2 == 0);
      }
      IcebergFileData d;
      d.columns.push_back({ids, {}});
      d.columns.push_back({country, country_valid});
      d.columns.push_back({day, {}});
      d.columns.push_back({ts, {}});
      d.columns.push_back({user, {}});
      d.columns.push_back({amount, amount_valid});
      d.columns.push_back({mobile, {}});
      return d;
    };
    IcebergAppendOptions o;
    o.timestamp_ms = start_ms + static_cast<int64_t>(s) * 1000;
    LS_RETURN_IF_ERROR(writer->Append(list.size(), make, o).status());
    files += static_cast<int64_t>(list.size());
    for (const auto& f : list) rows += f.rows;
  }
  DemoTable t;
  t.name = "events";
  t.location = "events";
  t.description = spec.properties["comment"];
  t.partitioned = true;
  t.partition_columns = {"country"};
  t.latest_version = writer->sequence_number();
  t.num_files = files;
  t.num_rows = rows;
  t.format = "iceberg";
  return std::vector<DemoTable>{t};
}

}  // namespace lakeshare
