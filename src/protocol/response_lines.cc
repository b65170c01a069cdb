#include "protocol/response_lines.h"

#include <boost/json.hpp>
#include <charconv>

#include "common/crypto.h"
#include "common/encoding.h"
#include "common/json_writer.h"
#include "delta/delta_action_writer.h"

namespace lakeshare {

void AppendParquetProtocolLine(std::string* out) {
  // Parquet-format clients only ever see reader version 1: everything they
  // cannot read is refused before this line is written.
  out->append("{\"protocol\":{\"minReaderVersion\":1}}\n");
}

void AppendParquetMetadataLine(std::string* out, const TableMetadata& m, bool history_shared,
                               std::optional<int64_t> version) {
  JsonWriter w(out);
  w.BeginObject().Key("metaData").BeginObject();
  w.Key("id").String(m.id);
  if (m.name) w.Key("name").String(*m.name);
  if (m.description) w.Key("description").String(*m.description);
  w.Key("format").BeginObject().Key("provider").String("parquet").EndObject();
  w.Key("schemaString").String(PublicSchemaString(m.schema_string));
  w.Key("partitionColumns").BeginArray();
  for (const auto& c : m.partition_columns) w.String(c);
  w.EndArray();
  w.Key("configuration").BeginObject();
  auto cdf = m.configuration.find("delta.enableChangeDataFeed");
  if (history_shared && cdf != m.configuration.end() && cdf->second == "true") {
    w.Key("enableChangeDataFeed").String("true");
  }
  w.EndObject();
  if (version) w.Key("version").Int(*version);
  w.EndObject().EndObject();
  out->push_back('\n');
}

namespace {

void WritePartitionValues(JsonWriter& w, const DataFile& f) {
  w.PlainKey("partitionValues").BeginObject();
  for (const auto& [k, v] : f.partition_values) w.Key(k).StringOrNull(v);
  w.EndObject();
}

}  // namespace

void AppendParquetFileLine(std::string* out, const DataFile& f, const PresignedUrl& url,
                           const FileLineOptions& o, FileIdHash hash, std::string_view key,
                           const unsigned char* id_digest) {
  // The hot path of large answers: literal keys are written as they are.
  JsonWriter w(out);
  w.BeginObject().PlainKey(key).BeginObject();
  w.PlainKey("url").String(url.url);
  char id[68];  // the quoted hex digest, written as a raw value
  size_t id_len = id_digest != nullptr ? QuotedFileIdOfDigest(id_digest, hash, id)
                                       : QuotedFileId(f.path, hash, id);
  w.PlainKey("id").Raw(std::string_view(id, id_len));
  WritePartitionValues(w, f);
  w.PlainKey("size").Int(f.size);
  if (f.stats && key != "cdf" && key != "remove") w.PlainKey("stats").String(*f.stats);
  if (o.include_version) {
    w.PlainKey("version").Int(o.version);
    w.PlainKey("timestamp").Int(o.timestamp_ms);
  }
  w.PlainKey("expirationTimestamp").Int(url.expiration_ms);
  w.EndObject().EndObject();
  out->push_back('\n');
}

void AppendEndStreamActionLine(std::string* out, const std::optional<std::string>& refresh_token,
                               const std::optional<std::string>& next_page_token,
                               int64_t min_url_expiration_ms,
                               const std::optional<std::string>& error_message) {
  JsonWriter w(out);
  w.BeginObject().Key("endStreamAction").BeginObject();
  if (refresh_token) w.Key("refreshToken").String(*refresh_token);
  if (next_page_token) w.Key("nextPageToken").String(*next_page_token);
  w.Key("minUrlExpirationTimestamp").Int(min_url_expiration_ms);
  if (error_message) w.Key("errorMessage").String(*error_message);
  w.EndObject().EndObject();
  out->push_back('\n');
}

std::string FileId(const std::string& recorded_path, FileIdHash hash) {
  std::string out;
  AppendFileId(&out, recorded_path, hash);
  return out;
}

void AppendFileId(std::string* out, std::string_view recorded_path, FileIdHash hash) {
  char id[68];
  size_t n = QuotedFileId(recorded_path, hash, id);
  out->append(id + 1, n - 2);
}

size_t QuotedFileId(std::string_view recorded_path, FileIdHash hash, char out[68]) {
  unsigned char digest[32];
  if (hash == FileIdHash::kSha256) {
    Sha256(recorded_path, digest);
  } else {
    Md5(recorded_path, digest);
  }
  return QuotedFileIdOfDigest(digest, hash, out);
}

size_t QuotedFileIdOfDigest(const unsigned char* digest, FileIdHash hash, char out[68]) {
  const size_t n = hash == FileIdHash::kSha256 ? 32 : 16;
  static constexpr char kHexDigits[] = "0123456789abcdef";
  out[0] = '"';
  for (size_t i = 0; i < n; ++i) {
    out[1 + 2 * i] = kHexDigits[digest[i] >> 4];
    out[2 + 2 * i] = kHexDigits[digest[i] & 15];
  }
  out[1 + 2 * n] = '"';
  return 2 + 2 * n;
}

void AppendDeltaProtocolLine(std::string* out, const TableProtocol& p,
                             std::optional<int64_t> version) {
  JsonWriter w(out);
  w.BeginObject().Key("protocol").BeginObject().Key("deltaProtocol").BeginObject();
  w.Key("minReaderVersion").Int(p.min_reader_version);
  w.Key("minWriterVersion").Int(p.min_writer_version);
  auto list = [&](const char* key, const std::optional<std::vector<std::string>>& features) {
    if (!features) return;
    w.Key(key).BeginArray();
    for (const auto& f : *features) w.String(f);
    w.EndArray();
  };
  list("readerFeatures", p.reader_features);
  list("writerFeatures", p.writer_features);
  w.EndObject();
  if (version) w.Key("version").Int(*version);
  w.EndObject().EndObject();
  out->push_back('\n');
}

void AppendDeltaMetadataLine(std::string* out, const TableMetadata& m, int64_t version,
                             std::optional<int64_t> size, std::optional<int64_t> num_files) {
  JsonWriter w(out);
  w.BeginObject().Key("metaData").BeginObject().Key("deltaMetadata").BeginObject();
  w.Key("id").String(m.id);
  if (m.name) w.Key("name").String(*m.name);
  if (m.description) w.Key("description").String(*m.description);
  w.Key("format").BeginObject().Key("provider").String(m.format_provider);
  w.Key("options").BeginObject();
  for (const auto& [k, v] : m.format_options) w.Key(k).String(v);
  w.EndObject().EndObject();
  // The delta format hands the client the table's own schema and settings:
  // its reader needs column mapping ids, DV flags, ... as the log has them.
  w.Key("schemaString").String(m.schema_string);
  w.Key("partitionColumns").BeginArray();
  for (const auto& c : m.partition_columns) w.String(c);
  w.EndArray();
  w.Key("configuration").BeginObject();
  for (const auto& [k, v] : m.configuration) w.Key(k).String(v);
  w.EndObject();
  if (m.created_time) w.Key("createdTime").Int(*m.created_time);
  w.EndObject();
  w.Key("version").Int(version);
  if (size) w.Key("size").Int(*size);
  if (num_files) w.Key("numFiles").Int(*num_files);
  w.EndObject().EndObject();
  out->push_back('\n');
}

void AppendDeltaFileLine(std::string* out, const DataFile& f, const PresignedUrl& url,
                         const DeltaFileLine& line, const FileLineOptions& o) {
  JsonWriter w(out);
  w.BeginObject().Key("file").BeginObject();
  w.Key("id").String(line.id);
  if (line.deletion_vector_file_id) {
    w.Key("deletionVectorFileId").String(*line.deletion_vector_file_id);
  }
  if (o.include_version) {
    w.Key("version").Int(o.version);
    w.Key("timestamp").Int(o.timestamp_ms);
  }
  w.Key("expirationTimestamp").Int(url.expiration_ms);
  w.Key("deltaSingleAction").BeginObject().Key(line.action).BeginObject();
  w.Key("path").String(url.url);
  WritePartitionValues(w, f);
  w.Key("size").Int(f.size);
  if (line.action == "remove") {
    if (line.deletion_timestamp) w.Key("deletionTimestamp").Int(*line.deletion_timestamp);
  } else if (line.action == "add") {
    w.Key("modificationTime").Int(f.modification_time);
  }
  w.Key("dataChange").Bool(f.data_change);
  if (f.stats && line.action != "cdc") w.Key("stats").String(*f.stats);
  if (line.deletion_vector) WriteDeletionVectorField(w, *line.deletion_vector);
  if (f.tags) {
    w.Key("tags").BeginObject();
    for (const auto& [k, v] : *f.tags) w.Key(k).String(v);
    w.EndObject();
  }
  w.EndObject().EndObject();
  w.EndObject().EndObject();
  out->push_back('\n');
}

std::string PublicSchemaString(const std::string& schema_string) {
  namespace json = boost::json;
  json::error_code ec;
  json::value v = json::parse(schema_string, ec);
  if (ec || !v.is_object()) return schema_string;
  auto* fields = v.as_object().if_contains("fields");
  if (fields == nullptr || !fields->is_array()) return schema_string;
  for (auto& field : fields->as_array()) {
    if (!field.is_object()) continue;
    auto* meta = field.as_object().if_contains("metadata");
    if (meta == nullptr || !meta->is_object()) continue;
    json::object kept;
    if (auto* comment = meta->as_object().if_contains("comment")) kept["comment"] = *comment;
    *meta = std::move(kept);
  }
  return json::serialize(v);
}

std::optional<int64_t> NumRecordsFromStats(std::string_view stats) {
  constexpr std::string_view kKey = "\"numRecords\"";
  size_t pos = stats.find(kKey);
  if (pos == std::string_view::npos) return std::nullopt;
  pos += kKey.size();
  while (pos < stats.size() && (stats[pos] == ' ' || stats[pos] == ':')) ++pos;
  int64_t n = 0;
  auto [ptr, ec] = std::from_chars(stats.data() + pos, stats.data() + stats.size(), n);
  if (ec != std::errc() || n < 0) return std::nullopt;
  return n;
}

}  // namespace lakeshare
