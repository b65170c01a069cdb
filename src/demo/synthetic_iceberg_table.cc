#include "demo/synthetic_iceberg_table.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "common/time_util.h"
#include "iceberg/iceberg_writer.h"

namespace lakeshare {

using iceberg::TypeId;

Result<GeneratedIcebergTable> GenerateIcebergTable(const IcebergGeneratorOptions& options) {
  if (options.dir.empty()) return Status::InvalidArgument("--dir is required");
  if (options.files < 1 || options.snapshots < 1 || options.snapshots > options.files ||
      options.rows_per_file < 1) {
    return Status::InvalidArgument("need files >= snapshots >= 1 and rows per file >= 1");
  }
  if (!(options.delete_fraction >= 0 && options.delete_fraction <= 1) ||
      options.deletes_per_file < 1) {
    return Status::InvalidArgument("need a delete fraction in [0, 1] and deletes per file >= 1");
  }
  if (options.delete_format != "parquet" && options.delete_format != "avro") {
    return Status::InvalidArgument("the delete file format must be parquet or avro, not '" +
                                   options.delete_format + "'");
  }
  IcebergTableSpec spec;
  spec.columns = {
      {"id", TypeId::kLong, true, std::nullopt},
      {"day", TypeId::kDate, false, std::nullopt},
      {"category", TypeId::kString, false, std::nullopt},
      {"value", TypeId::kDouble, false, std::nullopt},
      {"ts", TypeId::kTimestampTz, false, std::nullopt},
  };
  spec.partition_by = {"day"};
  const int64_t now_ms = NowMillis() / 1000 * 1000;
  const int64_t first_ms = now_ms - (options.snapshots + (options.delete_fraction > 0)) * 1000;
  LS_ASSIGN_OR_RETURN(auto writer, IcebergTableWriter::Create(options.dir, spec, first_ms - 1000));
  const int64_t base_day = DaysFromCivil(2020, 1, 1);
  const char* categories[] = {"alpha", "beta", "gamma", "delta", "epsilon"};
  int64_t written = 0;
  for (int64_t s = 0; s < options.snapshots; ++s) {
    int64_t count = options.files / options.snapshots + (s < options.files % options.snapshots);
    int64_t first_file = written;
    auto make = [&](size_t i) -> Result<IcebergFileData> {
      int64_t file = first_file + static_cast<int64_t>(i);
      if (options.progress && (file + 1) % 10000 == 0) {
        options.progress("files", file + 1, options.files);
      }
      int64_t n = options.rows_per_file;
      std::vector<int64_t> ids, ts;
      std::vector<int32_t> day;
      std::vector<std::string> cat;
      std::vector<double> value;
      int32_t d = static_cast<int32_t>(base_day + file / 100);  // 100 files per day
      for (int64_t r = 0; r < n; ++r) {
        int64_t id = file * n + r;
        ids.push_back(id);
        day.push_back(d);
        cat.push_back(categories[(file + r) % 5]);
        value.push_back(static_cast<double>((id * 7919) % 100000) / 100.0);
        ts.push_back((static_cast<int64_t>(d) * 86400 + r * 60) * 1000000);
      }
      IcebergFileData f;
      f.columns.push_back({ids, {}});
      f.columns.push_back({day, {}});
      f.columns.push_back({cat, {}});
      f.columns.push_back({value, {}});
      f.columns.push_back({ts, {}});
      return f;
    };
    IcebergAppendOptions o;
    o.timestamp_ms = first_ms + s * 1000;
    o.files_per_manifest = options.files_per_manifest;
    o.write_data = options.write_data;
    LS_RETURN_IF_ERROR(writer->Append(static_cast<size_t>(count), make, o).status());
    written += count;
    if (options.progress) options.progress("files", written, options.files);
  }
  GeneratedIcebergTable out;
  // Files i with deletes: where floor(i * k / files) steps, so exactly k of
  // them, evenly spaced (k = fraction * files, rounded).
  const int64_t k = std::llround(options.delete_fraction * static_cast<double>(options.files));
  if (k > 0) {
    const std::vector<std::string> paths = writer->data_files();
    const int64_t per_file = std::min(options.deletes_per_file, options.rows_per_file);
    std::map<int64_t, IcebergPositionDeleteFile> by_group;  // day or data file -> delete file
    for (int64_t i = 0; i < written; ++i) {
      if ((i + 1) * k / written == i * k / written) continue;
      IcebergPositionDeleteFile& d = by_group[options.delete_file_per_data_file ? i : i / 100];
      for (int64_t j = 0; j < per_file; ++j) {
        d.rows.emplace_back(paths[static_cast<size_t>(i)], j * options.rows_per_file / per_file);
      }
      ++out.files_with_deletes;
      out.deleted_rows += per_file;
    }
    std::vector<IcebergPositionDeleteFile> files;
    for (auto& [group, file] : by_group) files.push_back(std::move(file));
    out.delete_files = static_cast<int64_t>(files.size());
    IcebergAppendOptions o;
    o.timestamp_ms = first_ms + options.snapshots * 1000;
    o.files_per_manifest = options.files_per_manifest;
    const IcebergDeleteFormat format = options.delete_format == "avro"
                                           ? IcebergDeleteFormat::kAvro
                                           : IcebergDeleteFormat::kParquet;
    LS_RETURN_IF_ERROR(writer->AddPositionDeletes(std::move(files), o, format).status());
  }
  out.latest_version = writer->sequence_number();
  out.files = written;
  out.rows = written * options.rows_per_file;
  return out;
}

}  // namespace lakeshare
