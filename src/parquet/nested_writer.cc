#include "parquet/nested_writer.h"

#include <bit>
#include <cstring>

#include "parquet/compression.h"
#include "parquet/file_assembler.h"
#include "parquet/rle_hybrid.h"

namespace lakeshare::parquet {
namespace {

static_assert(std::endian::native == std::endian::little,
              "PLAIN encoding below copies little-endian values as they are in memory");

void Flatten(const NestedField& f, std::vector<SchemaElement>* out) {
  SchemaElement& e = out->emplace_back();
  e.name = f.name;
  e.repetition_type = f.repetition;
  e.converted_type = f.converted_type;
  e.logical_type = f.logical_type;
  e.scale = f.scale;
  e.precision = f.precision;
  if (f.type) {
    e.type = f.type;
  } else {
    e.num_children = static_cast<int32_t>(f.children.size());
    for (const NestedField& c : f.children) Flatten(c, out);
  }
}

size_t CountOf(const ColumnValues& v) {
  return std::visit([](const auto& vec) { return vec.size(); }, v);
}

int64_t EncodedSize(const ColumnValues& v, size_t i) {
  if (const auto* s = std::get_if<std::vector<std::string>>(&v)) {
    return 4 + static_cast<int64_t>((*s)[i].size());
  }
  return 8;
}

void AppendPlain(const ColumnValues& values, size_t from, size_t to, std::string* out) {
  std::visit(
      [&](const auto& vec) {
        using T = typename std::decay_t<decltype(vec)>::value_type;
        if constexpr (std::is_same_v<T, bool>) {
          uint8_t byte = 0;
          int bits = 0;
          for (size_t i = from; i < to; ++i) {
            if (vec[i]) byte |= static_cast<uint8_t>(1u << bits);
            if (++bits == 8) {
              out->push_back(static_cast<char>(byte));
              byte = 0;
              bits = 0;
            }
          }
          if (bits > 0) out->push_back(static_cast<char>(byte));
        } else if constexpr (std::is_same_v<T, std::string>) {
          for (size_t i = from; i < to; ++i) {
            AppendU32(static_cast<uint32_t>(vec[i].size()), out);
            out->append(vec[i]);
          }
        } else {
          out->append(reinterpret_cast<const char*>(vec.data() + from), (to - from) * sizeof(T));
        }
      },
      values);
}

void AppendLevels(const std::vector<int16_t>& levels, size_t from, size_t to, int16_t max,
                  std::string* out) {
  std::vector<uint32_t> v(levels.begin() + static_cast<std::ptrdiff_t>(from),
                          levels.begin() + static_cast<std::ptrdiff_t>(to));
  std::string encoded;
  AppendRleHybrid(v.data(), v.size(), BitWidthFor(static_cast<uint32_t>(max)), &encoded);
  AppendU32(static_cast<uint32_t>(encoded.size()), out);
  out->append(encoded);
}

}  // namespace

NestedField NestedField::Leaf(std::string name, Type type, Repetition r) {
  NestedField f;
  f.name = std::move(name);
  f.repetition = r;
  f.type = type;
  return f;
}

NestedField NestedField::String(std::string name, Repetition r) {
  NestedField f = Leaf(std::move(name), Type::kByteArray, r);
  f.converted_type = ConvertedType::kUtf8;
  f.logical_type = LogicalType::String();
  return f;
}

NestedField NestedField::Group(std::string name, std::vector<NestedField> children, Repetition r) {
  NestedField f;
  f.name = std::move(name);
  f.repetition = r;
  f.children = std::move(children);
  return f;
}

NestedField NestedField::StringMap(std::string name) {
  NestedField kv = Group("key_value", {String("key", Repetition::kRequired), String("value")},
                         Repetition::kRepeated);
  NestedField f = Group(std::move(name), {std::move(kv)});
  f.converted_type = ConvertedType::kMap;
  f.logical_type = LogicalType::Map();
  return f;
}

NestedField NestedField::StringList(std::string name) {
  NestedField list = Group("list", {String("element")}, Repetition::kRepeated);
  NestedField f = Group(std::move(name), {std::move(list)});
  f.converted_type = ConvertedType::kList;
  f.logical_type = LogicalType::List();
  return f;
}

std::vector<SchemaElement> FlattenSchema(const std::vector<NestedField>& fields) {
  std::vector<SchemaElement> out;
  SchemaElement& root = out.emplace_back();
  root.name = "schema";
  root.num_children = static_cast<int32_t>(fields.size());
  for (const NestedField& f : fields) Flatten(f, &out);
  return out;
}

NestedParquetWriter::NestedParquetWriter(Schema schema, WriterOptions options,
                                         std::vector<SchemaElement> elements)
    : schema_(std::move(schema)),
      options_(std::move(options)),
      file_(std::move(elements), static_cast<size_t>(schema_.num_leaves()), options_) {}

Result<NestedParquetWriter> NestedParquetWriter::Create(const std::vector<NestedField>& fields,
                                                        WriterOptions options) {
  if (fields.empty()) return Status::InvalidArgument("parquet schema has no columns");
  std::vector<SchemaElement> elements = FlattenSchema(fields);
  Result<Schema> schema = Schema::Make(elements);
  if (!schema.ok()) return Status::InvalidArgument("bad schema: " + schema.status().message());
  for (int l = 0; l < schema->num_leaves(); ++l) {
    if (ColumnValuesIndex(schema->leaf(l).physical_type) == std::variant_npos) {
      return Status::InvalidArgument("nested writer: unsupported physical type");
    }
  }
  if (options.data_page_size <= 0) return Status::InvalidArgument("page size must be positive");
  LS_RETURN_IF_ERROR(Compress(options.codec, ""));
  return NestedParquetWriter(std::move(*schema), std::move(options), std::move(elements));
}

Status NestedParquetWriter::EncodeChunk(const SchemaNode& leaf, const LeafChunk& data,
                                        int64_t num_rows, ColumnChunk* chunk) {
  const std::string name = schema_.DottedPath(leaf);
  auto bad = [&](const std::string& what) {
    return Status::InvalidArgument("column '" + name + "': " + what);
  };
  if (data.values.index() != ColumnValuesIndex(leaf.physical_type)) return bad("wrong value type");
  const bool has_def = leaf.max_def > 0, has_rep = leaf.max_rep > 0;
  if (has_def == data.def_levels.empty()) return bad("definition levels do not fit the schema");
  if (has_rep == data.rep_levels.empty()) return bad("repetition levels do not fit the schema");
  size_t levels = has_def ? data.def_levels.size() : CountOf(data.values);
  if (has_rep && data.rep_levels.size() != levels) return bad("level counts differ");
  size_t non_null = 0, records = 0;
  for (size_t i = 0; i < levels; ++i) {
    int16_t d = has_def ? data.def_levels[i] : leaf.max_def;
    int16_t r = has_rep ? data.rep_levels[i] : 0;
    if (d < 0 || d > leaf.max_def || r < 0 || r > leaf.max_rep) return bad("level out of range");
    if (i == 0 && r != 0) return bad("the first level must start a record");
    non_null += d == leaf.max_def;
    records += r == 0;
  }
  if (non_null != CountOf(data.values)) return bad("value count does not match the levels");
  if (static_cast<int64_t>(records) != num_rows) return bad("record count differs from the rows");
  if (levels > INT32_MAX) return bad("too many values");

  FileAssembler::Chunk pages = file_.BeginChunk();
  size_t entry = 0, value = 0;
  while (entry < levels) {
    size_t end = entry, value_end = value;
    int64_t bytes = 0;
    // A page ends at a record boundary once it is large enough.
    while (end < levels) {
      if (end > entry && bytes >= options_.data_page_size &&
          (!has_rep || data.rep_levels[end] == 0)) {
        break;
      }
      int16_t d = has_def ? data.def_levels[end] : leaf.max_def;
      if (d == leaf.max_def) bytes += EncodedSize(data.values, value_end++);
      bytes += 1;
      ++end;
    }
    std::string body;
    if (has_rep) AppendLevels(data.rep_levels, entry, end, leaf.max_rep, &body);
    if (has_def) AppendLevels(data.def_levels, entry, end, leaf.max_def, &body);
    AppendPlain(data.values, value, value_end, &body);
    LS_RETURN_IF_ERROR(file_.AppendDataPage(name, body, static_cast<int32_t>(end - entry), &pages));
    entry = end;
    value = value_end;
  }

  ColumnMetaData& md = file_.EndChunk(pages, chunk);
  md.type = leaf.physical_type;
  md.encodings = {Encoding::kPlain, Encoding::kRle};
  md.path_in_schema = schema_.PathOf(leaf);
  md.num_values = static_cast<int64_t>(levels);
  return Status::OK();
}

Status NestedParquetWriter::AddRowGroup(int64_t num_rows, const std::vector<LeafChunk>& leaves) {
  if (file_.finished()) return Status::FailedPrecondition("parquet writer already finished");
  if (static_cast<int>(leaves.size()) != schema_.num_leaves()) {
    return Status::InvalidArgument("row group has " + std::to_string(leaves.size()) +
                                   " leaves, schema has " + std::to_string(schema_.num_leaves()));
  }
  if (num_rows <= 0) return Status::OK();
  return file_.AddRowGroup(num_rows, [&](size_t l, ColumnChunk* chunk) {
    return EncodeChunk(schema_.leaf(static_cast<int>(l)), leaves[l], num_rows, chunk);
  });
}

Result<std::string> NestedParquetWriter::Finish() { return file_.Finish(); }

}  // namespace lakeshare::parquet
