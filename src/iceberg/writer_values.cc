#include "iceberg/writer_values.h"

#include <cstring>
#include <type_traits>
#include <variant>
#include <vector>

#include "iceberg/avro_writer.h"
#include "iceberg/manifest.h"

namespace lakeshare::iceberg {
namespace {

std::string LittleEndianBytes(uint64_t v, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  return out;
}

}  // namespace

const char* IcebergTypeName(TypeId t) {
  switch (t) {
    case TypeId::kBoolean:
      return "boolean";
    case TypeId::kInt:
      return "int";
    case TypeId::kLong:
      return "long";
    case TypeId::kDouble:
      return "double";
    case TypeId::kString:
      return "string";
    case TypeId::kDate:
      return "date";
    case TypeId::kTimestampTz:
      return "timestamptz";
    default:
      return nullptr;
  }
}

parquet::ColumnType ParquetTypeOf(TypeId t) {
  switch (t) {
    case TypeId::kBoolean:
      return parquet::ColumnType::kBoolean;
    case TypeId::kInt:
      return parquet::ColumnType::kInt32;
    case TypeId::kLong:
      return parquet::ColumnType::kInt64;
    case TypeId::kDouble:
      return parquet::ColumnType::kDouble;
    case TypeId::kString:
      return parquet::ColumnType::kString;
    case TypeId::kDate:
      return parquet::ColumnType::kDate;
    default:
      return parquet::ColumnType::kTimestampMicros;
  }
}

std::string AvroPartitionType(TypeId t) {
  switch (t) {
    case TypeId::kBoolean:
      return "\"boolean\"";
    case TypeId::kInt:
      return "\"int\"";
    case TypeId::kDate:
      return R"({"type":"int","logicalType":"date"})";
    case TypeId::kLong:
      return "\"long\"";
    case TypeId::kTimestampTz:
      return R"({"type":"long","logicalType":"timestamp-micros","adjust-to-utc":true})";
    case TypeId::kDouble:
      return "\"double\"";
    default:
      return "\"string\"";
  }
}

size_t RowCount(const parquet::ColumnData& c) {
  return std::visit([](const auto& v) { return v.size(); }, c.values);
}

bool IsValid(const parquet::ColumnData& c, size_t row) {
  return c.validity.empty() || c.validity[row];
}

std::string PartitionText(TypeId t, const parquet::ColumnData& c, size_t row) {
  if (!IsValid(c, row)) return "__HIVE_DEFAULT_PARTITION__";
  Type type;
  type.id = t;
  PartitionDatum d;
  std::visit(
      [&](const auto& v) {
        using V = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<V, std::vector<bool>>) {
          d.kind = PartitionDatum::Kind::kBool;
          d.b = v[row];
        } else if constexpr (std::is_same_v<V, std::vector<std::string>>) {
          d.kind = PartitionDatum::Kind::kBytes;
          d.bytes = v[row];
        } else if constexpr (std::is_same_v<V, std::vector<double>> ||
                             std::is_same_v<V, std::vector<float>>) {
          d.kind = PartitionDatum::Kind::kDouble;
          d.d = v[row];
        } else {
          d.kind = PartitionDatum::Kind::kInt;
          d.i = v[row];
        }
      },
      c.values);
  auto s = PartitionValueString(type, d);
  if (!s.ok() || !*s) return "__HIVE_DEFAULT_PARTITION__";
  return **s;
}

bool SameValue(const parquet::ColumnData& c, size_t a, size_t b) {
  if (IsValid(c, a) != IsValid(c, b)) return false;
  if (!IsValid(c, a)) return true;
  return std::visit([&](const auto& v) { return v[a] == v[b]; }, c.values);
}

Status SetPartitionValue(avro_value_t* field, TypeId t, const parquet::ColumnData& c, size_t row) {
  if (!IsValid(c, row)) return AvroSetNull(field);
  return std::visit(
      [&](const auto& v) -> Status {
        using V = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<V, std::vector<bool>>) {
          return AvroSetBool(field, v[row]);
        } else if constexpr (std::is_same_v<V, std::vector<std::string>>) {
          return AvroSetString(field, v[row]);
        } else if constexpr (std::is_same_v<V, std::vector<double>> ||
                             std::is_same_v<V, std::vector<float>>) {
          return AvroSetDouble(field, v[row]);
        } else {
          return AvroSetLong(field, v[row]);
        }
      },
      c.values);
}

std::optional<std::string> BoundBytes(TypeId type, const parquet::ColumnData& data, size_t row) {
  if (!IsValid(data, row)) return std::nullopt;
  return std::visit(
      [&](const auto& v) -> std::optional<std::string> {
        using V = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<V, std::vector<bool>>) {
          return std::string(1, v[row] ? '\x01' : '\x00');
        } else if constexpr (std::is_same_v<V, std::vector<std::string>>) {
          return v[row];
        } else if constexpr (std::is_same_v<V, std::vector<double>>) {
          uint64_t bits = 0;
          std::memcpy(&bits, &v[row], 8);
          return LittleEndianBytes(bits, 8);
        } else if constexpr (std::is_same_v<V, std::vector<float>>) {
          uint32_t bits = 0;
          std::memcpy(&bits, &v[row], 4);
          return LittleEndianBytes(bits, 4);
        } else if constexpr (std::is_same_v<V, std::vector<int32_t>>) {
          return LittleEndianBytes(static_cast<uint32_t>(v[row]), 4);
        } else {
          (void)type;
          return LittleEndianBytes(static_cast<uint64_t>(v[row]), 8);
        }
      },
      data.values);
}

}  // namespace lakeshare::iceberg
