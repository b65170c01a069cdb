#include "protocol/response_lines.h"

#include <boost/json.hpp>

#include <charconv>

#include "common/crypto.h"
#include "common/encoding.h"
#include "common/json_writer.h"

namespace lakeshare {

void AppendParquetProtocolLine(std::string* out) {
  // Parquet-format clients only ever see reader version 1: everything they
  // cannot read is refused before this line is written.
  out->append("{\"protocol\":{\"minReaderVersion\":1}}\n");
}

void AppendParquetMetadataLine(std::string* out, const TableMetadata& m, bool history_shared) {
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
  w.EndObject().EndObject();
  out->push_back('\n');
}

void AppendParquetFileLine(std::string* out, const DataFile& f, const PresignedUrl& url,
                           const FileLineOptions& o) {
  JsonWriter w(out);
  w.BeginObject().Key("file").BeginObject();
  w.Key("url").String(url.url);
  w.Key("id").String(FileId(f.path));
  w.Key("partitionValues").BeginObject();
  for (const auto& [k, v] : f.partition_values) {
    w.Key(k);
    if (v) {
      w.String(*v);
    } else {
      w.Null();
    }
  }
  w.EndObject();
  w.Key("size").Int(f.size);
  if (f.stats) w.Key("stats").String(*f.stats);
  if (o.include_version) {
    w.Key("version").Int(o.version);
    w.Key("timestamp").Int(o.timestamp_ms);
  }
  w.Key("expirationTimestamp").Int(url.expiration_ms);
  w.EndObject().EndObject();
  out->push_back('\n');
}

std::string FileId(const std::string& recorded_path) { return HexEncode(Md5(recorded_path)); }

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
