#include "parquet/parquet_writer.h"

#include <bit>
#include <cmath>
#include <cstring>
#include <set>

#include "parquet/compression.h"
#include "parquet/file_assembler.h"
#include "parquet/rle_hybrid.h"

namespace lakeshare::parquet {
namespace {

static_assert(std::endian::native == std::endian::little,
              "PLAIN encoding below copies little-endian values as they are in memory");

Type PhysicalType(ColumnType t) {
  switch (t) {
    case ColumnType::kBoolean:
      return Type::kBoolean;
    case ColumnType::kInt8:
    case ColumnType::kInt16:
    case ColumnType::kInt32:
    case ColumnType::kDate:
      return Type::kInt32;
    case ColumnType::kInt64:
    case ColumnType::kTimestampMicros:
      return Type::kInt64;
    case ColumnType::kFloat:
      return Type::kFloat;
    case ColumnType::kDouble:
      return Type::kDouble;
    case ColumnType::kString:
    case ColumnType::kBinary:
      return Type::kByteArray;
  }
  return Type::kByteArray;
}

// The variant index ColumnValues must hold for a column type.
size_t ValuesIndex(ColumnType t) { return ColumnValuesIndex(PhysicalType(t)); }

constexpr const char* kValuesTypeNames[] = {"bool",  "int32_t", "int64_t",
                                            "float", "double",  "std::string"};

size_t RowCount(const ColumnValues& v) {
  return std::visit([](const auto& vec) { return vec.size(); }, v);
}

template <typename T>
std::string LittleEndianBytes(T v) {
  std::string s(sizeof(T), '\0');
  std::memcpy(s.data(), &v, sizeof(T));
  return s;
}

// Running min/max in the type's sort order (parquet's TYPE_ORDER).
template <typename T>
struct MinMax {
  std::optional<T> min, max;
  void Add(const T& v) {
    if constexpr (std::is_floating_point_v<T>) {
      if (std::isnan(v)) return;  // NaN has no place in the order
    }
    if (!min || Less(v, *min)) min = v;
    if (!max || Less(*max, v)) max = v;
  }
  static bool Less(const T& a, const T& b) {
    if constexpr (std::is_floating_point_v<T>) {
      // -0.0 sorts before +0.0 so that a zero min is -0.0 and a zero max +0.0,
      // as the spec asks of writers.
      if (a == 0 && b == 0) return std::signbit(a) && !std::signbit(b);
    }
    // std::string compares as unsigned bytes (char_traits<char>), which is
    // the order parquet and Delta use for strings and binary.
    return a < b;
  }
};

// One column chunk of one row group, encoded page by page.
class ChunkEncoder {
 public:
  ChunkEncoder(const ColumnSpec& spec, const ColumnData& data, size_t rows,
               const WriterOptions& options)
      : spec_(spec), data_(data), rows_(rows), options_(options) {}

  // Appends the chunk's pages to the file and fills *chunk.
  Status Encode(FileAssembler* file, ColumnChunk* chunk) {
    return std::visit([&](const auto& values) { return EncodeTyped(values, file, chunk); },
                      data_.values);
  }

 private:
  bool Valid(size_t row) const { return data_.validity.empty() || data_.validity[row]; }

  template <typename T>
  Status EncodeTyped(const std::vector<T>& values, FileAssembler* file, ColumnChunk* chunk) {
    MinMax<T> minmax;
    int64_t nulls = 0;
    for (size_t i = 0; i < rows_; ++i) {
      if (!Valid(i)) {
        ++nulls;
        continue;
      }
      LS_RETURN_IF_ERROR(CheckValue(values[i], i));
      minmax.Add(values[i]);
    }
    if (nulls > 0 && !spec_.nullable) {
      return Status::InvalidArgument("column '" + spec_.name + "' is required but has nulls");
    }

    FileAssembler::Chunk pages = file->BeginChunk();
    size_t row = 0;
    while (row < rows_) {
      size_t end = row;
      int64_t bytes = 0;
      while (end < rows_ && bytes < options_.data_page_size &&
             static_cast<int64_t>(end - row) < options_.max_rows_per_page) {
        bytes += Valid(end) ? EncodedSize(values[end]) : 0;
        ++end;
      }
      std::string body;
      if (spec_.nullable) {
        std::vector<uint32_t> levels(end - row);
        for (size_t i = row; i < end; ++i) levels[i - row] = Valid(i) ? 1 : 0;
        std::string encoded;
        AppendRleHybrid(levels.data(), levels.size(), 1, &encoded);
        AppendU32(static_cast<uint32_t>(encoded.size()), &body);
        body += encoded;
      }
      AppendPlain(values, row, end, &body);
      LS_RETURN_IF_ERROR(
          file->AppendDataPage(spec_.name, body, static_cast<int32_t>(end - row), &pages));
      row = end;
    }

    ColumnMetaData& md = file->EndChunk(pages, chunk);
    md.type = PhysicalType(spec_.type);
    md.encodings = {Encoding::kPlain};
    if (spec_.nullable) md.encodings.push_back(Encoding::kRle);
    md.path_in_schema = {spec_.name};
    md.num_values = static_cast<int64_t>(rows_);
    if (options_.write_statistics) {
      Statistics& stats = md.statistics.emplace();
      stats.null_count = nulls;
      if (minmax.min) {
        std::string lo = StatBytes(*minmax.min), hi = StatBytes(*minmax.max);
        if (lo.size() <= options_.max_statistics_size &&
            hi.size() <= options_.max_statistics_size) {
          stats.min_value = std::move(lo);
          stats.max_value = std::move(hi);
        }
      }
    }
    return Status::OK();
  }

  Status CheckValue(bool, size_t) const { return Status::OK(); }
  Status CheckValue(int64_t, size_t) const { return Status::OK(); }
  Status CheckValue(float, size_t) const { return Status::OK(); }
  Status CheckValue(double, size_t) const { return Status::OK(); }
  Status CheckValue(int32_t v, size_t row) const {
    int32_t lo = INT32_MIN, hi = INT32_MAX;
    if (spec_.type == ColumnType::kInt8) lo = INT8_MIN, hi = INT8_MAX;
    if (spec_.type == ColumnType::kInt16) lo = INT16_MIN, hi = INT16_MAX;
    if (v < lo || v > hi) {
      return Status::InvalidArgument("column '" + spec_.name + "' row " + std::to_string(row) +
                                     ": value " + std::to_string(v) + " out of range");
    }
    return Status::OK();
  }
  Status CheckValue(const std::string& v, size_t row) const {
    if (v.size() > UINT32_MAX) {
      return Status::InvalidArgument("column '" + spec_.name + "': value too long");
    }
    if (spec_.type == ColumnType::kString && !IsValidUtf8(v)) {
      return Status::InvalidArgument("column '" + spec_.name + "' row " + std::to_string(row) +
                                     ": invalid UTF-8");
    }
    return Status::OK();
  }

  static int64_t EncodedSize(bool) { return 1; }  // an over-estimate (1 bit)
  template <typename T>
  requires std::is_arithmetic_v<T>
  static int64_t EncodedSize(T) { return sizeof(T); }
  static int64_t EncodedSize(const std::string& s) { return 4 + static_cast<int64_t>(s.size()); }

  void AppendPlain(const std::vector<bool>& v, size_t from, size_t to, std::string* out) const {
    // Bit-packed, least significant bit first.
    uint8_t byte = 0;
    int bits = 0;
    for (size_t i = from; i < to; ++i) {
      if (!Valid(i)) continue;
      if (v[i]) byte |= static_cast<uint8_t>(1u << bits);
      if (++bits == 8) {
        out->push_back(static_cast<char>(byte));
        byte = 0;
        bits = 0;
      }
    }
    if (bits > 0) out->push_back(static_cast<char>(byte));
  }
  template <typename T>
  requires std::is_arithmetic_v<T>
  void AppendPlain(const std::vector<T>& v, size_t from, size_t to, std::string* out) const {
    for (size_t i = from; i < to; ++i) {
      if (!Valid(i)) continue;
      char buf[sizeof(T)];
      std::memcpy(buf, &v[i], sizeof(T));
      out->append(buf, sizeof(T));
    }
  }
  void AppendPlain(const std::vector<std::string>& v, size_t from, size_t to,
                   std::string* out) const {
    for (size_t i = from; i < to; ++i) {
      if (!Valid(i)) continue;
      AppendU32(static_cast<uint32_t>(v[i].size()), out);
      out->append(v[i]);
    }
  }

  static std::string StatBytes(bool v) { return std::string(1, v ? '\1' : '\0'); }
  template <typename T>
  requires std::is_arithmetic_v<T>
  static std::string StatBytes(T v) { return LittleEndianBytes(v); }
  static std::string StatBytes(const std::string& v) { return v; }

  const ColumnSpec& spec_;
  const ColumnData& data_;
  size_t rows_;
  const WriterOptions& options_;
};

}  // namespace

size_t ColumnValuesIndex(Type t) {
  switch (t) {
    case Type::kBoolean:
      return 0;
    case Type::kInt32:
      return 1;
    case Type::kInt64:
      return 2;
    case Type::kFloat:
      return 3;
    case Type::kDouble:
      return 4;
    case Type::kByteArray:
      return 5;
    default:
      return std::variant_npos;
  }
}

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<uint8_t>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    int n;
    uint32_t cp;
    if ((c & 0xe0) == 0xc0) {
      n = 1, cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      n = 2, cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      n = 3, cp = c & 0x07;
    } else {
      return false;
    }
    if (s.size() - i <= static_cast<size_t>(n)) return false;
    for (int k = 1; k <= n; ++k) {
      auto cc = static_cast<uint8_t>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    static const uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += n + 1;
  }
  return true;
}

std::vector<SchemaElement> ToSchemaElements(const ParquetSchema& schema) {
  std::vector<SchemaElement> out;
  SchemaElement& root = out.emplace_back();
  root.name = "schema";
  root.num_children = static_cast<int32_t>(schema.columns.size());
  for (const ColumnSpec& c : schema.columns) {
    SchemaElement& e = out.emplace_back();
    e.name = c.name;
    e.type = PhysicalType(c.type);
    e.repetition_type = c.nullable ? Repetition::kOptional : Repetition::kRequired;
    e.field_id = c.field_id;
    switch (c.type) {
      case ColumnType::kInt8:
        e.converted_type = ConvertedType::kInt8;
        e.logical_type = LogicalType::Integer(8, true);
        break;
      case ColumnType::kInt16:
        e.converted_type = ConvertedType::kInt16;
        e.logical_type = LogicalType::Integer(16, true);
        break;
      case ColumnType::kString:
        e.converted_type = ConvertedType::kUtf8;
        e.logical_type = LogicalType::String();
        break;
      case ColumnType::kDate:
        e.converted_type = ConvertedType::kDate;
        e.logical_type = LogicalType::Date();
        break;
      case ColumnType::kTimestampMicros:
        e.converted_type = ConvertedType::kTimestampMicros;
        e.logical_type = LogicalType::Timestamp(true, TimeUnit::kMicros);
        break;
      default:
        break;
    }
  }
  return out;
}

ParquetWriter::ParquetWriter(ParquetSchema schema, WriterOptions options)
    : schema_(std::move(schema)),
      options_(std::move(options)),
      file_(ToSchemaElements(schema_), schema_.columns.size(), options_) {}

Result<ParquetWriter> ParquetWriter::Create(ParquetSchema schema, WriterOptions options) {
  if (schema.columns.empty()) return Status::InvalidArgument("parquet schema has no columns");
  std::set<std::string> names;
  for (const ColumnSpec& c : schema.columns) {
    if (c.name.empty()) return Status::InvalidArgument("parquet column with an empty name");
    if (!names.insert(c.name).second) {
      return Status::InvalidArgument("duplicate parquet column '" + c.name + "'");
    }
  }
  if (options.data_page_size <= 0 || options.max_rows_per_page <= 0) {
    return Status::InvalidArgument("page size limits must be positive");
  }
  // Fail early on a codec we cannot write rather than at the first page.
  LS_RETURN_IF_ERROR(Compress(options.codec, ""));
  return ParquetWriter(std::move(schema), std::move(options));
}

Status ParquetWriter::AddRowGroup(const std::vector<ColumnData>& columns) {
  if (file_.finished()) return Status::FailedPrecondition("parquet writer already finished");
  if (columns.size() != schema_.columns.size()) {
    return Status::InvalidArgument("row group has " + std::to_string(columns.size()) +
                                   " columns, schema has " +
                                   std::to_string(schema_.columns.size()));
  }
  size_t rows = RowCount(columns[0].values);
  for (size_t c = 0; c < columns.size(); ++c) {
    const ColumnSpec& spec = schema_.columns[c];
    size_t want = ValuesIndex(spec.type);
    if (columns[c].values.index() != want) {
      return Status::InvalidArgument("column '" + spec.name + "' needs std::vector<" +
                                     kValuesTypeNames[want] + "> values");
    }
    if (RowCount(columns[c].values) != rows) {
      return Status::InvalidArgument("column '" + spec.name + "' has " +
                                     std::to_string(RowCount(columns[c].values)) +
                                     " values, expected " + std::to_string(rows));
    }
    if (!columns[c].validity.empty() && columns[c].validity.size() != rows) {
      return Status::InvalidArgument("column '" + spec.name + "' validity has the wrong length");
    }
  }
  if (rows == 0) return Status::OK();
  if (rows > INT32_MAX) return Status::InvalidArgument("row group too large");

  // On failure the partial chunks are cut off again, leaving the file unchanged.
  return file_.AddRowGroup(static_cast<int64_t>(rows), [&](size_t c, ColumnChunk* chunk) {
    return ChunkEncoder(schema_.columns[c], columns[c], rows, options_).Encode(&file_, chunk);
  });
}

Result<std::string> ParquetWriter::Finish() { return file_.Finish(); }

Result<std::string> WriteParquetFile(const ParquetSchema& schema,
                                     const std::vector<std::vector<ColumnData>>& row_groups,
                                     const WriterOptions& options) {
  LS_ASSIGN_OR_RETURN(ParquetWriter writer, ParquetWriter::Create(schema, options));
  for (const auto& group : row_groups) LS_RETURN_IF_ERROR(writer.AddRowGroup(group));
  return writer.Finish();
}

}  // namespace lakeshare::parquet
