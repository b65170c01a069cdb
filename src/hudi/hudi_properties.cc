#include "hudi/hudi_properties.h"

#include <algorithm>
#include <charconv>

#include "common/strings.h"

namespace lakeshare::hudi {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\f'; }

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::vector<std::string> SplitList(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t comma = s.find(',', start);
    if (comma == std::string::npos) comma = s.size();
    std::string item(TrimWhitespace(std::string_view(s).substr(start, comma - start)));
    if (!item.empty()) out.push_back(std::move(item));
    start = comma + 1;
  }
  return out;
}

void AppendUtf8(std::string* out, uint32_t cp) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// The logical lines of a properties file: comments dropped, continuations
// joined (the continuation's leading blanks removed), escapes kept.
std::vector<std::string> LogicalLines(std::string_view text) {
  std::vector<std::string> lines;
  std::string current;
  bool continuing = false;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find_first_of("\r\n", pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end;
    if (pos < text.size() && text[pos] == '\r') ++pos;
    if (pos < text.size() && text[pos] == '\n') ++pos;
    size_t i = 0;
    while (i < line.size() && IsBlank(line[i])) ++i;
    line.remove_prefix(i);
    if (!continuing) {
      if (line.empty() || line[0] == '#' || line[0] == '!') continue;
      current.clear();
    }
    // An odd number of trailing backslashes continues the line.
    size_t slashes = 0;
    while (slashes < line.size() && line[line.size() - 1 - slashes] == '\\') ++slashes;
    if (slashes % 2 == 1) {
      current.append(line.substr(0, line.size() - 1));
      continuing = true;
      continue;
    }
    current.append(line);
    continuing = false;
    lines.push_back(current);
  }
  if (continuing) lines.push_back(current);
  return lines;
}

std::string Unescape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 == s.size()) {
      out.push_back(s[i]);
      continue;
    }
    char c = s[++i];
    switch (c) {
      case 't':
        out.push_back('\t');
        break;
      case 'n':
        out.push_back('\n');
        break;
      case 'r':
        out.push_back('\r');
        break;
      case 'f':
        out.push_back('\f');
        break;
      case 'u': {
        uint32_t cp = 0;
        if (i + 4 < s.size()) {
          auto [p, ec] = std::from_chars(s.data() + i + 1, s.data() + i + 5, cp, 16);
          if (ec == std::errc() && p == s.data() + i + 5) {
            AppendUtf8(&out, cp);
            i += 4;
            break;
          }
        }
        out.push_back('u');
        break;
      }
      default:
        out.push_back(c);
    }
  }
  return out;
}

bool ParseBool(const std::optional<std::string>& v, bool fallback) {
  if (!v) return fallback;
  std::string u = Upper(TrimWhitespace(*v));
  if (u == "TRUE") return true;
  if (u == "FALSE") return false;
  return fallback;
}

}  // namespace

std::map<std::string, std::string> ParseJavaProperties(std::string_view text) {
  std::map<std::string, std::string> out;
  for (const std::string& line : LogicalLines(text)) {
    // The key ends at the first unescaped '=', ':' or blank.
    size_t i = 0;
    while (i < line.size()) {
      char c = line[i];
      if (c == '\\') {
        i += 2;
        continue;
      }
      if (c == '=' || c == ':' || IsBlank(c)) break;
      ++i;
    }
    size_t key_end = std::min(i, line.size());
    size_t v = key_end;
    while (v < line.size() && IsBlank(line[v])) ++v;
    if (v < line.size() && (line[v] == '=' || line[v] == ':')) ++v;
    while (v < line.size() && IsBlank(line[v])) ++v;
    out[Unescape(std::string_view(line).substr(0, key_end))] =
        Unescape(std::string_view(line).substr(std::min(v, line.size())));
  }
  return out;
}

std::optional<std::string> TableProperties::Get(const std::string& key) const {
  auto it = raw.find(key);
  if (it == raw.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> TableProperties::PartitionColumns() const {
  std::vector<std::string> out;
  for (const PartitionField& f : partition_fields) {
    if (!f.time_based) out.push_back(f.name);
  }
  return out;
}

Result<TableProperties> ParseTableProperties(std::string_view text) {
  TableProperties p;
  p.raw = ParseJavaProperties(text);
  auto version = p.Get("hoodie.table.version");
  if (!version) {
    return Status::Corruption("hoodie.properties has no hoodie.table.version");
  }
  {
    std::string v(TrimWhitespace(*version));
    std::optional<int> n = ParseNumber<int>(v);
    if (!n) {
      return Status::Corruption("hoodie.properties: hoodie.table.version '" + v.substr(0, 32) +
                                "' is not a number");
    }
    p.table_version = *n;
  }
  if (p.table_version != 6 && p.table_version != 8 && p.table_version != 9) {
    return Status::Unsupported("Hudi table version " + std::to_string(p.table_version) +
                               " is not supported (supported: 6, 8 and 9)");
  }
  std::string type = Upper(TrimWhitespace(p.Get("hoodie.table.type").value_or("COPY_ON_WRITE")));
  if (type == "COPY_ON_WRITE") {
    p.type = TableType::kCopyOnWrite;
  } else if (type == "MERGE_ON_READ") {
    p.type = TableType::kMergeOnRead;
  } else {
    return Status::Corruption("hoodie.properties: unknown hoodie.table.type '" +
                              type.substr(0, 32) + "'");
  }
  p.name = TrimWhitespace(p.Get("hoodie.table.name").value_or(""));
  p.base_file_format =
      Upper(TrimWhitespace(p.Get("hoodie.table.base.file.format").value_or("PARQUET")));
  if (p.base_file_format.empty()) p.base_file_format = "PARQUET";

  p.key_generator =
      TrimWhitespace(p.Get("hoodie.table.keygenerator.type")
                         .value_or(p.Get("hoodie.table.keygenerator.class").value_or("")));
  std::string keygen = Upper(p.key_generator);
  bool all_time_based = keygen == "TIMESTAMP" || keygen == "TIMESTAMP_AVRO" ||
                        keygen.find("TIMESTAMPBASED") != std::string::npos;
  for (const std::string& item : SplitList(p.Get("hoodie.table.partition.fields").value_or(""))) {
    PartitionField f;
    size_t colon = item.find(':');
    f.name = TrimWhitespace(item.substr(0, colon));
    if (colon != std::string::npos) {
      std::string kind = Upper(TrimWhitespace(item.substr(colon + 1)));
      f.time_based = kind == "TIMESTAMP";
    }
    if (all_time_based) f.time_based = true;
    if (!f.name.empty()) p.partition_fields.push_back(std::move(f));
  }
  p.record_key_fields = SplitList(p.Get("hoodie.table.recordkey.fields").value_or(""));
  p.ordering_fields = SplitList(p.Get("hoodie.table.ordering.fields")
                                    .value_or(p.Get("hoodie.table.precombine.field").value_or("")));
  p.hive_style_partitioning =
      ParseBool(p.Get("hoodie.datasource.write.hive_style_partitioning"), false);
  p.url_encode_partitioning =
      ParseBool(p.Get("hoodie.datasource.write.partitionpath.urlencode"), false);
  p.populate_meta_fields = ParseBool(p.Get("hoodie.populate.meta.fields"), true);
  p.drop_partition_columns =
      ParseBool(p.Get("hoodie.datasource.write.drop.partition.columns"), false);
  p.cdc_enabled = ParseBool(p.Get("hoodie.table.cdc.enabled"), false);
  if (auto mode = p.Get("hoodie.table.cdc.supplemental.logging.mode")) {
    std::string m(TrimWhitespace(*mode));
    for (char& c : m) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!m.empty()) p.cdc_logging_mode = m;
  }

  std::string payload(TrimWhitespace(p.Get("hoodie.compaction.payload.class").value_or("")));
  auto payload_is = [&](std::string_view simple) {
    return payload.size() >= simple.size() &&
           payload.compare(payload.size() - simple.size(), simple.size(), simple) == 0;
  };
  std::string mode = Upper(TrimWhitespace(p.Get("hoodie.record.merge.mode").value_or("")));
  if (!mode.empty()) {
    p.merge_description = "hoodie.record.merge.mode=" + mode;
    if (mode == "EVENT_TIME_ORDERING") {
      p.merge_mode = MergeMode::kEventTime;
    } else if (mode == "COMMIT_TIME_ORDERING") {
      p.merge_mode = MergeMode::kCommitTime;
    } else {
      p.merge_mode = MergeMode::kCustom;
    }
  } else if (payload.empty() || payload_is(".OverwriteWithLatestAvroPayload")) {
    p.merge_description = "OverwriteWithLatestAvroPayload";
    p.merge_mode = p.table_version >= 8 ? MergeMode::kCommitTime : MergeMode::kOverwriteWithLatest;
  } else if (payload_is(".DefaultHoodieRecordPayload")) {
    p.merge_description = "DefaultHoodieRecordPayload";
    p.merge_mode = MergeMode::kEventTime;
  } else {
    p.merge_description = "payload class " + payload.substr(0, 200);
    p.merge_mode = MergeMode::kCustom;
  }
  // Event-time ordering without an ordering field orders by commit time.
  if (p.merge_mode == MergeMode::kEventTime && p.ordering_fields.empty()) {
    p.merge_mode = MergeMode::kCommitTime;
  }

  std::string zone = Upper(TrimWhitespace(p.Get("hoodie.table.timeline.timezone").value_or("UTC")));
  p.timeline_utc = zone != "LOCAL";
  std::string layout(TrimWhitespace(p.Get("hoodie.timeline.layout.version").value_or("")));
  if (!layout.empty()) {
    auto [ptr, ec] =
        std::from_chars(layout.data(), layout.data() + layout.size(), p.timeline_layout_version);
    if (ec != std::errc()) {
      return Status::Corruption("hoodie.properties: hoodie.timeline.layout.version '" +
                                layout.substr(0, 32) + "' is not a number");
    }
  } else {
    p.timeline_layout_version = p.table_version >= 8 ? 2 : 1;
  }
  if (auto v = p.Get("hoodie.timeline.path"); v && !TrimWhitespace(*v).empty())
    p.timeline_path = TrimWhitespace(*v);
  if (auto v = p.Get("hoodie.archivelog.folder"); v && !TrimWhitespace(*v).empty()) {
    p.archive_path = TrimWhitespace(*v);
  }
  if (auto v = p.Get("hoodie.timeline.history.path"); v && !TrimWhitespace(*v).empty()) {
    p.history_path = TrimWhitespace(*v);
  }
  for (const std::string* folder : {&p.timeline_path, &p.archive_path, &p.history_path}) {
    if (folder->find("..") != std::string::npos || (*folder)[0] == '/') {
      return Status::Corruption("hoodie.properties: timeline folder '" + folder->substr(0, 64) +
                                "' leaves the table");
    }
  }
  if (auto s = p.Get("hoodie.table.create.schema"); s && !TrimWhitespace(*s).empty())
    p.create_schema = *s;
  p.metadata_partitions = p.Get("hoodie.table.metadata.partitions");
  return p;
}

}  // namespace lakeshare::hudi
