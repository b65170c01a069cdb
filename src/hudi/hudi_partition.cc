#include "hudi/hudi_partition.h"

#include "common/encoding.h"
#include "common/strings.h"
#include "common/time_util.h"

namespace lakeshare::hudi {
namespace {

constexpr std::string_view kDefaultPartition = "__HIVE_DEFAULT_PARTITION__";

std::vector<std::string> Segments(const std::string& path) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    out.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return out;
}

std::string FormatTimestampMicros(int64_t micros) {
  int64_t secs = micros >= 0 ? micros / 1000000 : -((-micros + 999999) / 1000000);
  int64_t frac = micros - secs * 1000000;
  int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
  int64_t rem = secs - days * 86400;
  char buf[64];
  std::string date = FormatDate(days);
  std::snprintf(buf, sizeof(buf), " %02d:%02d:%02d", static_cast<int>(rem / 3600),
                static_cast<int>(rem / 60 % 60), static_cast<int>(rem % 60));
  std::string out = date + buf;
  if (frac != 0) {
    std::snprintf(buf, sizeof(buf), ".%06lld", static_cast<long long>(frac));
    out += buf;
    while (out.back() == '0') out.pop_back();
  }
  return out;
}

}  // namespace

PartitionParser::PartitionParser(const TableProperties& props,
                                 std::shared_ptr<const AvroType> schema)
    : hive_(props.hive_style_partitioning),
      url_encoded_(props.url_encode_partitioning),
      field_count_(props.partition_fields.size()) {
  bool after_time_based = false;
  for (size_t i = 0; i < props.partition_fields.size(); ++i) {
    const PartitionField& f = props.partition_fields[i];
    if (f.time_based) {
      after_time_based = true;
      continue;
    }
    // A time-based field may span several segments: later fields of a
    // non-hive path have no known position.
    if (!hive_ && after_time_based) continue;
    Column c;
    c.name = f.name;
    c.position = i;
    if (schema) {
      if (const AvroType::Field* field = schema->NonNull().FindField(f.name)) c.type = field->type;
    }
    columns_.push_back(c.name);
    cols_.push_back(std::move(c));
  }
  positional_ok_ = !after_time_based;
}

Result<std::optional<std::string>> PartitionParser::Render(const Column& c,
                                                           const std::string& raw) const {
  std::string value = raw;
  if (url_encoded_) {
    auto decoded = PercentDecode(value);
    if (!decoded) return Status::Corruption("partition value '" + raw + "' is not URL-encoded");
    value = std::move(*decoded);
  }
  if (value == kDefaultPartition) return std::optional<std::string>();
  if (!c.type) return std::optional<std::string>(value);
  const AvroType& t = c.type->NonNull();
  if (t.kind == AvroType::Kind::kInt && t.logical == "date") {
    if (auto days = ParseNumber<int64_t>(value))
      return std::optional<std::string>(FormatDate(*days));
  }
  if (t.kind == AvroType::Kind::kLong &&
      (t.logical == "timestamp-micros" || t.logical == "local-timestamp-micros" ||
       t.logical == "timestamp-millis" || t.logical == "local-timestamp-millis")) {
    if (auto n = ParseNumber<int64_t>(value)) {
      int64_t micros = t.logical.find("millis") != std::string::npos ? *n * 1000 : *n;
      return std::optional<std::string>(FormatTimestampMicros(micros));
    }
  }
  return std::optional<std::string>(value);
}

Result<PartitionValues> PartitionParser::Parse(const std::string& partition_path) const {
  PartitionValues out;
  if (cols_.empty()) return out;
  std::vector<std::string> segments = Segments(partition_path);
  if (hive_) {
    std::map<std::string, std::string> by_name;
    for (const std::string& s : segments) {
      size_t eq = s.find('=');
      if (eq == std::string::npos) continue;
      by_name.emplace(s.substr(0, eq), s.substr(eq + 1));
    }
    for (const Column& c : cols_) {
      auto it = by_name.find(c.name);
      if (it == by_name.end()) {
        return Status::Corruption("partition path '" + partition_path + "' has no value for '" +
                                  c.name + "'");
      }
      LS_ASSIGN_OR_RETURN(out[c.name], Render(c, it->second));
    }
    return out;
  }
  if (positional_ok_ && segments.size() != field_count_) {
    return Status::Corruption("partition path '" + partition_path + "' does not have " +
                              std::to_string(field_count_) + " segments (one per partition field)");
  }
  for (const Column& c : cols_) {
    if (c.position >= segments.size()) {
      return Status::Corruption("partition path '" + partition_path + "' is too short");
    }
    LS_ASSIGN_OR_RETURN(out[c.name], Render(c, segments[c.position]));
  }
  return out;
}

}  // namespace lakeshare::hudi
