#include "protocol/response_lines.h"

#include <boost/json.hpp>
#include <charconv>
#include <cstring>
#include <memory>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "common/cpu_features.h"
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

// A file line written in one pass into one buffer, then appended to the
// answer at once: the lines of a large answer are its hot path, and a
// JsonWriter call per key cost an append (and its capacity check and copy)
// per fragment. The buffer is sized for the line's worst case before anything
// is written (`Reserve`), so writes are unchecked.
class LineBuffer {
 public:
  LineBuffer() = default;
  LineBuffer(const LineBuffer&) = delete;
  LineBuffer& operator=(const LineBuffer&) = delete;

  // Room for `bound` bytes; call once, before writing.
  void Reserve(size_t bound) {
    if (bound > sizeof(stack_)) {
      heap_ = std::make_unique<char[]>(bound);  // only for unusually large lines
      begin_ = p_ = heap_.get();
    }
  }
  template <size_t N>
  void Lit(const char (&s)[N]) {
    std::memcpy(p_, s, N - 1);
    p_ += N - 1;
  }
  void Raw(std::string_view s) {
    std::memcpy(p_, s.data(), s.size());
    p_ += s.size();
  }
  void Str(std::string_view s) {
    *p_++ = '"';
    p_ = WriteJsonEscaped(s, p_);
    *p_++ = '"';
  }
  void Int(int64_t v) { p_ = std::to_chars(p_, p_ + 20, v).ptr; }
  void AppendTo(std::string* out) const { out->append(begin_, static_cast<size_t>(p_ - begin_)); }

  // Worst-case sizes of the parts.
  static size_t StrBound(std::string_view s) { return JsonEscapedBound(s.size()) + 2; }

 private:
  char stack_[4096];
  std::unique_ptr<char[]> heap_;
  char* begin_ = stack_;
  char* p_ = stack_;
};

size_t PartitionValuesBound(const DataFile& f) {
  size_t n = 0;
  for (const auto& [k, v] : f.partition_values) {
    n += LineBuffer::StrBound(k) + 2 + (v ? LineBuffer::StrBound(*v) : 4);
  }
  return n;
}

// "partitionValues":{"k":"v",...} as JsonWriter writes it (values may be null).
void WritePartitionValues(LineBuffer& b, const DataFile& f) {
  b.Lit("\"partitionValues\":{");
  bool first = true;
  for (const auto& [k, v] : f.partition_values) {
    if (!first) b.Lit(",");
    first = false;
    b.Str(k);
    b.Lit(":");
    if (v) {
      b.Str(*v);
    } else {
      b.Lit("null");
    }
  }
  b.Lit("}");
}

// ,"version":..,"timestamp":.. (when asked) and ,"expirationTimestamp":..,
// the fields both formats' file lines share.
void WriteVersionAndExpiration(LineBuffer& b, const FileLineOptions& o, const PresignedUrl& url) {
  if (o.include_version) {
    b.Lit(",\"version\":");
    b.Int(o.version);
    b.Lit(",\"timestamp\":");
    b.Int(o.timestamp_ms);
  }
  b.Lit(",\"expirationTimestamp\":");
  b.Int(url.expiration_ms);
}

// Literal keys and punctuation of a line, with its ints: far below this.
constexpr size_t kLineFixedBound = 512;

}  // namespace

void AppendParquetFileLine(std::string* out, const DataFile& f, const PresignedUrl& url,
                           const FileLineOptions& o, FileIdHash hash, std::string_view key,
                           const unsigned char* id_digest) {
  const bool stats = f.stats && key != "cdf" && key != "remove";
  LineBuffer b;
  b.Reserve(kLineFixedBound + key.size() + LineBuffer::StrBound(url.url) + 68 +
            PartitionValuesBound(f) + (stats ? LineBuffer::StrBound(*f.stats) : 0));
  b.Lit("{\"");
  b.Raw(key);  // a literal of the caller's
  b.Lit("\":{\"url\":");
  b.Str(url.url);
  b.Lit(",\"id\":");
  char id[68];  // the quoted hex digest
  size_t id_len = id_digest != nullptr ? QuotedFileIdOfDigest(id_digest, hash, id)
                                       : QuotedFileId(f.path, hash, id);
  b.Raw(std::string_view(id, id_len));
  b.Lit(",");
  WritePartitionValues(b, f);
  b.Lit(",\"size\":");
  b.Int(f.size);
  if (stats) {
    b.Lit(",\"stats\":");
    b.Str(*f.stats);
  }
  WriteVersionAndExpiration(b, o, url);
  b.Lit("}}\n");
  b.AppendTo(out);
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

std::string FileId(std::string_view recorded_path, FileIdHash hash) {
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

#if defined(__x86_64__)
namespace {

// 16 digest bytes to 32 hex digits: each nibble looked up by one shuffle.
__attribute__((target("ssse3"))) void HexOf16Ssse3(const unsigned char* in, char* out) {
  const __m128i digits =
      _mm_setr_epi8('0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'a', 'b', 'c', 'd', 'e', 'f');
  const __m128i nibble = _mm_set1_epi8(0x0f);
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in));
  const __m128i hi = _mm_shuffle_epi8(digits, _mm_and_si128(_mm_srli_epi16(v, 4), nibble));
  const __m128i lo = _mm_shuffle_epi8(digits, _mm_and_si128(v, nibble));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out), _mm_unpacklo_epi8(hi, lo));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 16), _mm_unpackhi_epi8(hi, lo));
}

}  // namespace
#endif

size_t QuotedFileIdOfDigest(const unsigned char* digest, FileIdHash hash, char out[68]) {
  const size_t n = hash == FileIdHash::kSha256 ? 32 : 16;
  out[0] = '"';
  out[1 + 2 * n] = '"';
#if defined(__x86_64__)
  if (kCpuHasSsse3) {
    for (size_t i = 0; i < n; i += 16) HexOf16Ssse3(digest + i, out + 1 + 2 * i);
    return 2 + 2 * n;
  }
#endif
  static constexpr char kHexDigits[] = "0123456789abcdef";
  for (size_t i = 0; i < n; ++i) {
    out[1 + 2 * i] = kHexDigits[digest[i] >> 4];
    out[2 + 2 * i] = kHexDigits[digest[i] & 15];
  }
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
  const bool stats = f.stats && line.action != "cdc";
  std::string dv;  // rare: written by the Delta module's own writer
  if (line.deletion_vector) {
    JsonWriter w(&dv);
    WriteDeletionVectorField(w, *line.deletion_vector);
  }
  size_t bound = kLineFixedBound + LineBuffer::StrBound(line.id) + LineBuffer::StrBound(url.url) +
                 LineBuffer::StrBound(line.action) + PartitionValuesBound(f) +
                 (stats ? LineBuffer::StrBound(*f.stats) : 0) + dv.size();
  if (line.deletion_vector_file_id) bound += LineBuffer::StrBound(*line.deletion_vector_file_id);
  if (f.tags) {
    for (const auto& [k, v] : *f.tags)
      bound += LineBuffer::StrBound(k) + LineBuffer::StrBound(v) + 2;
  }
  LineBuffer b;
  b.Reserve(bound);
  b.Lit("{\"file\":{\"id\":");
  b.Str(line.id);
  if (line.deletion_vector_file_id) {
    b.Lit(",\"deletionVectorFileId\":");
    b.Str(*line.deletion_vector_file_id);
  }
  WriteVersionAndExpiration(b, o, url);
  b.Lit(",\"deltaSingleAction\":{");
  b.Str(line.action);
  b.Lit(":{\"path\":");
  b.Str(url.url);
  b.Lit(",");
  WritePartitionValues(b, f);
  b.Lit(",\"size\":");
  b.Int(f.size);
  if (line.action == "remove") {
    if (line.deletion_timestamp) {
      b.Lit(",\"deletionTimestamp\":");
      b.Int(*line.deletion_timestamp);
    }
  } else if (line.action == "add") {
    b.Lit(",\"modificationTime\":");
    b.Int(f.modification_time);
  }
  if (f.data_change) {
    b.Lit(",\"dataChange\":true");
  } else {
    b.Lit(",\"dataChange\":false");
  }
  if (stats) {
    b.Lit(",\"stats\":");
    b.Str(*f.stats);
  }
  if (!dv.empty()) {
    b.Lit(",");
    b.Raw(dv);
  }
  if (f.tags) {
    b.Lit(",\"tags\":{");
    bool first = true;
    for (const auto& [k, v] : *f.tags) {
      if (!first) b.Lit(",");
      first = false;
      b.Str(k);
      b.Lit(":");
      b.Str(v);
    }
    b.Lit("}");
  }
  b.Lit("}}}}\n");
  b.AppendTo(out);
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
