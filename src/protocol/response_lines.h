// Builders for the NDJSON lines of the parquet response format (Delta Sharing's
// PROTOCOL.md, "API Response Actions in Parquet Format"). Each appends one complete line,
// ending in '\n'.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "protocol/response_format.h"
#include "storage/storage.h"
#include "table/table_format.h"

namespace lakeshare {

void AppendParquetProtocolLine(std::string* out);
// `version` is set on the metaData lines of later versions in change answers.
void AppendParquetMetadataLine(std::string* out, const TableMetadata& metadata, bool history_shared,
                               std::optional<int64_t> version = std::nullopt);

struct FileLineOptions {
  bool include_version = false;  // time-travel queries carry version and timestamp
  int64_t version = 0;
  int64_t timestamp_ms = 0;
};
// `id_digest`: the file id's digest when the caller has it (file_id_digests.h),
// else (nullptr) the recorded path is hashed here.
void AppendParquetFileLine(std::string* out, const DataFile& file, const PresignedUrl& url,
                           const FileLineOptions& options, FileIdHash hash = FileIdHash::kMd5,
                           std::string_view key = "file", const unsigned char* id_digest = nullptr);

// The last line of an answer when the client asked for one (or pages).
void AppendEndStreamActionLine(std::string* out, const std::optional<std::string>& refresh_token,
                               const std::optional<std::string>& next_page_token,
                               int64_t min_url_expiration_ms,
                               const std::optional<std::string>& error_message);

// The protocol's stable file id: hex MD5 (or SHA-256) of the path recorded
// in the log.
std::string FileId(std::string_view recorded_path, FileIdHash hash = FileIdHash::kMd5);
void AppendFileId(std::string* out, std::string_view recorded_path, FileIdHash hash);
// The id as a JSON string ("\"<hex>\""), written to `out`; returns its length.
size_t QuotedFileId(std::string_view recorded_path, FileIdHash hash, char out[68]);
// The same from the path's digest (16 bytes for MD5, 32 for SHA-256).
size_t QuotedFileIdOfDigest(const unsigned char* digest, FileIdHash hash, char out[68]);

// Delta response format (Delta Sharing's PROTOCOL.md, "API Response Actions in Delta Format").
// `version` is set on historical protocol lines (includeHistoricalProtocol).
void AppendDeltaProtocolLine(std::string* out, const TableProtocol& protocol,
                             std::optional<int64_t> version = std::nullopt);
void AppendDeltaMetadataLine(std::string* out, const TableMetadata& metadata, int64_t version,
                             std::optional<int64_t> size, std::optional<int64_t> num_files);

struct DeltaFileLine {
  std::string_view action = "add";  // "add", "remove" or "cdc"
  std::string id;
  // The deletion vector as the client must see it (on-disk ones rewritten to
  // a signed URL), and the id of its file.
  std::optional<DeletionVector> deletion_vector;
  std::optional<std::string> deletion_vector_file_id;
  std::optional<int64_t> deletion_timestamp;  // remove only
};
void AppendDeltaFileLine(std::string* out, const DataFile& file, const PresignedUrl& url,
                         const DeltaFileLine& line, const FileLineOptions& options);

// The schema string clients see: top-level field metadata keeps only
// "comment" (as the reference server does); unparseable input is returned
// unchanged.
std::string PublicSchemaString(const std::string& schema_string);

// numRecords from a stats JSON text without parsing all of it.
std::optional<int64_t> NumRecordsFromStats(std::string_view stats);

}  // namespace lakeshare
