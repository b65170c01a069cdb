#include "testing/parquet_column_decoder.h"

#include <cstring>
#include <string>
#include <variant>
#include <vector>

#include "parquet/compression.h"
#include "parquet/rle_hybrid.h"

namespace lakeshare::testing {

using parquet::ColumnChunk;
using parquet::ColumnData;
using parquet::ColumnMetaData;
using parquet::ColumnValues;
using parquet::FileMetaData;
using parquet::PageHeader;
using parquet::PageType;
using parquet::Repetition;
using parquet::Type;

namespace {

// Decodes PLAIN values of `type` for the valid rows of *out (its validity is
// already filled); the values at null rows are default-constructed.
Status DecodePlainValues(Type type, std::string_view data, ColumnData* out) {
  size_t rows = out->validity.size();
  size_t pos = 0;
  auto need = [&](size_t n) -> Status {
    if (data.size() - pos < n) return Status::Corruption("PLAIN values truncated");
    return Status::OK();
  };
  auto fixed = [&]<typename T>(std::vector<T>* v) -> Status {
    v->assign(rows, T{});
    for (size_t i = 0; i < rows; ++i) {
      if (!out->validity[i]) continue;
      LS_RETURN_IF_ERROR(need(sizeof(T)));
      std::memcpy(&(*v)[i], data.data() + pos, sizeof(T));
      pos += sizeof(T);
    }
    return Status::OK();
  };
  switch (type) {
    case Type::kBoolean: {
      std::vector<bool> v(rows, false);
      size_t bit = 0;
      for (size_t i = 0; i < rows; ++i) {
        if (!out->validity[i]) continue;
        if (bit / 8 >= data.size()) return Status::Corruption("PLAIN booleans truncated");
        v[i] = (static_cast<uint8_t>(data[bit / 8]) >> (bit % 8)) & 1;
        ++bit;
      }
      out->values = std::move(v);
      return Status::OK();
    }
    case Type::kInt32: {
      std::vector<int32_t> v;
      LS_RETURN_IF_ERROR(fixed(&v));
      out->values = std::move(v);
      return Status::OK();
    }
    case Type::kInt64: {
      std::vector<int64_t> v;
      LS_RETURN_IF_ERROR(fixed(&v));
      out->values = std::move(v);
      return Status::OK();
    }
    case Type::kFloat: {
      std::vector<float> v;
      LS_RETURN_IF_ERROR(fixed(&v));
      out->values = std::move(v);
      return Status::OK();
    }
    case Type::kDouble: {
      std::vector<double> v;
      LS_RETURN_IF_ERROR(fixed(&v));
      out->values = std::move(v);
      return Status::OK();
    }
    case Type::kByteArray: {
      std::vector<std::string> v(rows);
      for (size_t i = 0; i < rows; ++i) {
        if (!out->validity[i]) continue;
        LS_RETURN_IF_ERROR(need(4));
        uint32_t len;
        std::memcpy(&len, data.data() + pos, 4);
        pos += 4;
        LS_RETURN_IF_ERROR(need(len));
        v[i].assign(data.substr(pos, len));
        pos += len;
      }
      out->values = std::move(v);
      return Status::OK();
    }
    default:
      return Status::Unsupported("physical type not handled by the test decoder");
  }
}

template <typename T>
void AppendValues(std::vector<T>* dst, const ColumnValues& src) {
  const auto& s = std::get<std::vector<T>>(src);
  dst->insert(dst->end(), s.begin(), s.end());
}

}  // namespace

Result<ColumnData> DecodeColumnChunk(std::string_view file, const FileMetaData& md, size_t rg,
                                     size_t col) {
  if (rg >= md.row_groups.size() || col >= md.row_groups[rg].columns.size()) {
    return Status::InvalidArgument("no such column chunk");
  }
  const ColumnChunk& chunk = md.row_groups[rg].columns[col];
  if (!chunk.meta_data) return Status::Corruption("column chunk without metadata");
  const ColumnMetaData& cm = *chunk.meta_data;
  if (col + 1 >= md.schema.size()) return Status::Corruption("schema too short");
  bool nullable = md.schema[col + 1].repetition_type == Repetition::kOptional;

  ColumnData result;
  switch (cm.type) {
    case Type::kBoolean:
      result.values = std::vector<bool>();
      break;
    case Type::kInt32:
      result.values = std::vector<int32_t>();
      break;
    case Type::kInt64:
      result.values = std::vector<int64_t>();
      break;
    case Type::kFloat:
      result.values = std::vector<float>();
      break;
    case Type::kDouble:
      result.values = std::vector<double>();
      break;
    default:
      result.values = std::vector<std::string>();
      break;
  }
  size_t pos = static_cast<size_t>(cm.data_page_offset);
  int64_t read = 0;
  while (read < cm.num_values) {
    if (pos >= file.size()) return Status::Corruption("page offset beyond the file");
    size_t header_size = 0;
    LS_ASSIGN_OR_RETURN(PageHeader header,
                        parquet::ParsePageHeader(file.substr(pos), &header_size));
    pos += header_size;
    if (header.type != PageType::kDataPage || !header.data_page_header) {
      return Status::Unsupported("test decoder reads data page v1 only");
    }
    if (static_cast<size_t>(header.compressed_page_size) > file.size() - pos) {
      return Status::Corruption("page beyond the file");
    }
    LS_ASSIGN_OR_RETURN(std::string body,
                        parquet::Decompress(cm.codec, file.substr(pos, header.compressed_page_size),
                                            header.uncompressed_page_size));
    pos += header.compressed_page_size;
    size_t n = static_cast<size_t>(header.data_page_header->num_values);
    ColumnData page;
    std::string_view values = body;
    if (nullable) {
      if (body.size() < 4) return Status::Corruption("missing level length");
      uint32_t len = 0;  // little-endian
      for (int i = 3; i >= 0; --i) len = (len << 8) | static_cast<uint8_t>(body[i]);
      if (len > body.size() - 4) return Status::Corruption("level length beyond the page");
      std::vector<uint32_t> levels;
      LS_RETURN_IF_ERROR(parquet::RleHybridDecoder(values.substr(4, len), 1).Decode(&levels, n));
      for (uint32_t l : levels) page.validity.push_back(l == 1);
      values = values.substr(4 + len);
    } else {
      page.validity.assign(n, true);
    }
    LS_RETURN_IF_ERROR(DecodePlainValues(cm.type, values, &page));
    result.validity.insert(result.validity.end(), page.validity.begin(), page.validity.end());
    std::visit([&](auto& dst) { AppendValues(&dst, page.values); }, result.values);
    read += static_cast<int64_t>(n);
  }
  return result;
}

}  // namespace lakeshare::testing
