// Writes Iceberg tables (format v2) from scratch: parquet data files with
// field ids (our parquet writer), Avro manifests and manifest lists (libavro),
// and vN.metadata.json + metadata/version-hint.text. For the demo, the
// synthetic generator and round-trip tests; not a general Iceberg writer:
// one schema, one partition spec of identity partitions, append snapshots
// and snapshots that add v2 position delete files.
//
// Every data file records its column bounds (Iceberg single-value
// serialization), null and value counts. Identity-partition columns must
// hold one value per file (checked). Files are laid out Hive-style under
// data/col=value/.
//
// Errors: kInvalidArgument for bad input, kFailedPrecondition if the table
// folder already has metadata, kIOError when the file system fails. Not
// thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/status.h"
#include "iceberg/iceberg_schema.h"
#include "iceberg/manifest.h"
#include "parquet/parquet_writer.h"

namespace lakeshare {

struct IcebergColumn {
  std::string name;
  // kBoolean, kInt, kLong, kDouble, kString, kDate, kTimestampTz.
  iceberg::TypeId type = iceberg::TypeId::kLong;
  bool required = false;
  std::optional<std::string> doc;
};

struct IcebergTableSpec {
  std::vector<IcebergColumn> columns;
  std::vector<std::string> partition_by;  // identity partitions, in order
  std::map<std::string, std::string> properties;
  // The `location` written into the metadata (default: the folder itself).
  // Readers re-base it, so a relative or foreign location is fine.
  std::optional<std::string> recorded_location;
};

// One data file: per column (schema order) its values, as the parquet
// writer takes them (int32 for int/date, int64 for long/timestamptz
// micros).
struct IcebergFileData {
  std::vector<parquet::ColumnData> columns;
};

struct IcebergAppendOptions {
  int64_t timestamp_ms = 0;
  size_t files_per_manifest = 10000;
  // false: manifests record the files (with the given sizes) but no parquet
  // file is written; for metadata benchmarks of very large tables.
  bool write_data = true;
  int64_t fake_file_size = 4096;  // the size recorded when !write_data
};

// One v2 position delete file: the rows it deletes, as (data file path as
// data_files() records it, 0-based row position). The writer sorts them by
// path then position (as the spec requires); all its data files must share
// one partition, which becomes the delete file's partition.
struct IcebergPositionDeleteFile {
  std::vector<std::pair<std::string, int64_t>> rows;
};

// The file format of position delete files.
enum class IcebergDeleteFormat { kParquet, kAvro };

class IcebergTableWriter {
 public:
  // Writes metadata/v1.metadata.json (no snapshot) into `dir` (created).
  static Result<std::unique_ptr<IcebergTableWriter>> Create(std::string dir, IcebergTableSpec spec,
                                                            int64_t created_ms);

  // Appends one snapshot of `count` files made by make_file(i). Returns the
  // new snapshot's sequence number.
  Result<int64_t> Append(size_t count,
                         const std::function<Result<IcebergFileData>(size_t)>& make_file,
                         const IcebergAppendOptions& options);

  // Appends one "delete" snapshot: writes each delete file as parquet, or
  // Avro with kAvro (file_path string, field id 2147483546; pos long,
  // 2147483545; Avro fields carry them as `field-id`) next to
  // its data files and lists them in delete manifests (content 1) of the
  // new sequence number, so they apply to every data file appended so far.
  // Always writes the delete files, even when the data files were not
  // written (write_data false). kInvalidArgument for an empty file, a path
  // that is not a data file of this table, files of several partitions, a
  // position outside the data file or a repeated row. Returns the new
  // sequence number.
  Result<int64_t> AddPositionDeletes(std::vector<IcebergPositionDeleteFile> files,
                                     const IcebergAppendOptions& options,
                                     IcebergDeleteFormat format = IcebergDeleteFormat::kParquet);

  // The data files appended so far, in order, as the manifests record them.
  std::vector<std::string> data_files() const;

  const std::string& dir() const { return dir_; }
  std::string table_uuid() const { return uuid_; }
  int64_t sequence_number() const { return sequence_; }

 private:
  IcebergTableWriter() = default;
  Status WriteMetadata(int64_t timestamp_ms);
  std::string SchemaJson() const;
  std::string SpecJson() const;
  std::string ManifestSchemaJson() const;

  struct SnapshotRecord {
    int64_t id = 0;
    std::optional<int64_t> parent;
    int64_t sequence = 0;
    int64_t timestamp_ms = 0;
    std::string manifest_list;
    std::map<std::string, std::string> summary;
  };

  std::string dir_;
  std::string location_;  // as recorded
  IcebergTableSpec spec_;
  std::vector<size_t> partition_index_;  // column index of each partition field
  std::string uuid_;
  int64_t sequence_ = 0;
  int64_t metadata_version_ = 0;
  int64_t last_updated_ms_ = 0;
  struct WrittenManifest {
    iceberg::ManifestFile file;
    int64_t rows = 0;
  };
  // What a later delete file needs of a data file: its folder under the
  // table, its partition tuple (one-row columns) and its row count.
  struct WrittenDataFile {
    std::string path;  // as recorded
    std::string folder;
    std::vector<parquet::ColumnData> partition;
    int64_t rows = 0;
  };
  Status WriteSnapshot(int64_t snapshot_id, int64_t seq, const std::string& run,
                       std::vector<WrittenManifest> new_manifests,
                       std::map<std::string, std::string> summary, int64_t timestamp_ms);
  std::vector<WrittenDataFile> data_files_;
  std::unordered_map<std::string, size_t> data_file_index_;  // path -> data_files_ index
  std::vector<WrittenManifest> manifests_;
  std::vector<SnapshotRecord> snapshots_;
  std::vector<std::pair<int64_t, std::string>> metadata_log_;
  int64_t total_records_ = 0, total_files_ = 0, total_size_ = 0;
  int64_t total_delete_files_ = 0, total_position_deletes_ = 0;
};

}  // namespace lakeshare
