#include "parquet/parquet_metadata.h"

#include <type_traits>

#include "parquet/thrift_compact.h"

namespace lakeshare::parquet {

LogicalType LogicalType::Timestamp(bool utc, TimeUnit unit) {
  LogicalType t = Of(Kind::kTimestamp);
  t.is_adjusted_to_utc = utc;
  t.unit = unit;
  return t;
}

LogicalType LogicalType::Decimal(int32_t scale, int32_t precision) {
  LogicalType t = Of(Kind::kDecimal);
  t.decimal_scale = scale;
  t.decimal_precision = precision;
  return t;
}

LogicalType LogicalType::Integer(int8_t bit_width, bool is_signed) {
  LogicalType t = Of(Kind::kInteger);
  t.bit_width = bit_width;
  t.is_signed = is_signed;
  return t;
}

namespace {

// ================================================================ writing

template <typename E>
int32_t EnumValue(E e) {
  return static_cast<int32_t>(e);
}

void WriteEmptyStructField(CompactWriter* w, int16_t id) {
  w->StructField(id);
  w->StructEnd();
}

void WriteStatistics(CompactWriter* w, const Statistics& s) {
  w->StructBegin();
  if (s.max) w->BinaryField(1, *s.max);
  if (s.min) w->BinaryField(2, *s.min);
  if (s.null_count) w->I64Field(3, *s.null_count);
  if (s.distinct_count) w->I64Field(4, *s.distinct_count);
  if (s.max_value) w->BinaryField(5, *s.max_value);
  if (s.min_value) w->BinaryField(6, *s.min_value);
  if (s.is_max_value_exact) w->BoolField(7, *s.is_max_value_exact);
  if (s.is_min_value_exact) w->BoolField(8, *s.is_min_value_exact);
  w->StructEnd();
}

void WriteTimeUnit(CompactWriter* w, TimeUnit unit) {
  w->StructBegin();
  WriteEmptyStructField(w, static_cast<int16_t>(unit));
  w->StructEnd();
}

void WriteLogicalType(CompactWriter* w, const LogicalType& t) {
  using K = LogicalType::Kind;
  w->StructBegin();
  int16_t id = static_cast<int16_t>(t.kind);
  switch (t.kind) {
    case K::kDecimal:
      w->StructField(id);
      w->I32Field(1, t.decimal_scale);
      w->I32Field(2, t.decimal_precision);
      w->StructEnd();
      break;
    case K::kTime:
    case K::kTimestamp:
      w->StructField(id);
      w->BoolField(1, t.is_adjusted_to_utc);
      w->FieldHeader(2, CType::kStruct);
      WriteTimeUnit(w, t.unit);
      w->StructEnd();
      break;
    case K::kInteger:
      w->StructField(id);
      w->I8Field(1, t.bit_width);
      w->BoolField(2, t.is_signed);
      w->StructEnd();
      break;
    case K::kVariant:
      w->StructField(id);
      if (t.variant_specification_version) w->I8Field(1, *t.variant_specification_version);
      w->StructEnd();
      break;
    case K::kGeometry:
    case K::kGeography:
      w->StructField(id);
      if (t.crs) w->BinaryField(1, *t.crs);
      if (t.kind == K::kGeography && t.edge_interpolation_algorithm) {
        w->I32Field(2, *t.edge_interpolation_algorithm);
      }
      w->StructEnd();
      break;
    case K::kUnrecognized:
      break;  // callers skip the field instead
    default:
      WriteEmptyStructField(w, id);
      break;
  }
  w->StructEnd();
}

void WriteKeyValues(CompactWriter* w, int16_t id, const std::vector<KeyValue>& kvs) {
  w->ListField(id, CType::kStruct, static_cast<uint32_t>(kvs.size()));
  for (const KeyValue& kv : kvs) {
    w->StructBegin();
    w->BinaryField(1, kv.key);
    if (kv.value) w->BinaryField(2, *kv.value);
    w->StructEnd();
  }
}

void WriteSchemaElement(CompactWriter* w, const SchemaElement& e) {
  w->StructBegin();
  if (e.type) w->I32Field(1, EnumValue(*e.type));
  if (e.type_length) w->I32Field(2, *e.type_length);
  if (e.repetition_type) w->I32Field(3, EnumValue(*e.repetition_type));
  w->BinaryField(4, e.name);
  if (e.num_children) w->I32Field(5, *e.num_children);
  if (e.converted_type) w->I32Field(6, EnumValue(*e.converted_type));
  if (e.scale) w->I32Field(7, *e.scale);
  if (e.precision) w->I32Field(8, *e.precision);
  if (e.field_id) w->I32Field(9, *e.field_id);
  if (e.logical_type && e.logical_type->kind != LogicalType::Kind::kUnrecognized) {
    w->FieldHeader(10, CType::kStruct);
    WriteLogicalType(w, *e.logical_type);
  }
  w->StructEnd();
}

void WriteColumnMetaData(CompactWriter* w, const ColumnMetaData& m) {
  w->StructBegin();
  w->I32Field(1, EnumValue(m.type));
  w->ListField(2, CType::kI32, static_cast<uint32_t>(m.encodings.size()));
  for (Encoding e : m.encodings) w->I32(EnumValue(e));
  w->ListField(3, CType::kBinary, static_cast<uint32_t>(m.path_in_schema.size()));
  for (const std::string& p : m.path_in_schema) w->Binary(p);
  w->I32Field(4, EnumValue(m.codec));
  w->I64Field(5, m.num_values);
  w->I64Field(6, m.total_uncompressed_size);
  w->I64Field(7, m.total_compressed_size);
  if (!m.key_value_metadata.empty()) WriteKeyValues(w, 8, m.key_value_metadata);
  w->I64Field(9, m.data_page_offset);
  if (m.index_page_offset) w->I64Field(10, *m.index_page_offset);
  if (m.dictionary_page_offset) w->I64Field(11, *m.dictionary_page_offset);
  if (m.statistics) {
    w->FieldHeader(12, CType::kStruct);
    WriteStatistics(w, *m.statistics);
  }
  if (!m.encoding_stats.empty()) {
    w->ListField(13, CType::kStruct, static_cast<uint32_t>(m.encoding_stats.size()));
    for (const PageEncodingStats& s : m.encoding_stats) {
      w->StructBegin();
      w->I32Field(1, EnumValue(s.page_type));
      w->I32Field(2, EnumValue(s.encoding));
      w->I32Field(3, s.count);
      w->StructEnd();
    }
  }
  if (m.bloom_filter_offset) w->I64Field(14, *m.bloom_filter_offset);
  if (m.bloom_filter_length) w->I32Field(15, *m.bloom_filter_length);
  w->StructEnd();
}

void WriteColumnChunk(CompactWriter* w, const ColumnChunk& c) {
  w->StructBegin();
  if (c.file_path) w->BinaryField(1, *c.file_path);
  w->I64Field(2, c.file_offset);
  if (c.meta_data) {
    w->FieldHeader(3, CType::kStruct);
    WriteColumnMetaData(w, *c.meta_data);
  }
  if (c.offset_index_offset) w->I64Field(4, *c.offset_index_offset);
  if (c.offset_index_length) w->I32Field(5, *c.offset_index_length);
  if (c.column_index_offset) w->I64Field(6, *c.column_index_offset);
  if (c.column_index_length) w->I32Field(7, *c.column_index_length);
  if (c.encrypted_column_metadata) w->BinaryField(9, *c.encrypted_column_metadata);
  w->StructEnd();
}

void WriteRowGroup(CompactWriter* w, const RowGroup& g) {
  w->StructBegin();
  w->ListField(1, CType::kStruct, static_cast<uint32_t>(g.columns.size()));
  for (const ColumnChunk& c : g.columns) WriteColumnChunk(w, c);
  w->I64Field(2, g.total_byte_size);
  w->I64Field(3, g.num_rows);
  if (!g.sorting_columns.empty()) {
    w->ListField(4, CType::kStruct, static_cast<uint32_t>(g.sorting_columns.size()));
    for (const SortingColumn& s : g.sorting_columns) {
      w->StructBegin();
      w->I32Field(1, s.column_idx);
      w->BoolField(2, s.descending);
      w->BoolField(3, s.nulls_first);
      w->StructEnd();
    }
  }
  if (g.file_offset) w->I64Field(5, *g.file_offset);
  if (g.total_compressed_size) w->I64Field(6, *g.total_compressed_size);
  if (g.ordinal) w->I16Field(7, *g.ordinal);
  w->StructEnd();
}

// ================================================================ parsing

Status Corrupt(std::string_view strct, std::string_view what) {
  return Status::Corruption("parquet " + std::string(strct) + ": " + std::string(what));
}

// Tracks which field ids (< 64) a struct contained, to check required ones.
class Seen {
 public:
  void Mark(int16_t id) {
    if (id >= 0 && id < 64) bits_ |= uint64_t{1} << id;
  }
  bool Has(int16_t id) const { return id >= 0 && id < 64 && (bits_ >> id) & 1; }

 private:
  uint64_t bits_ = 0;
};

// Reads the fields of one struct, handing each header to `on_field`, which
// must consume the value (read or skip it).
template <typename F>
Status ReadStruct(CompactReader* r, F&& on_field) {
  LS_RETURN_IF_ERROR(r->StructBegin());
  while (true) {
    FieldHeader h;
    LS_RETURN_IF_ERROR(r->ReadFieldHeader(&h));
    if (h.type == CType::kStop) break;
    LS_RETURN_IF_ERROR(on_field(h));
  }
  r->StructEnd();
  return Status::OK();
}

// Reads a bare value of type T; `wire` is the expected wire type.
Status ReadValue(CompactReader* r, int8_t* v) { return r->ReadI8(v); }
Status ReadValue(CompactReader* r, int16_t* v) { return r->ReadI16(v); }
Status ReadValue(CompactReader* r, int32_t* v) { return r->ReadI32(v); }
Status ReadValue(CompactReader* r, int64_t* v) { return r->ReadI64(v); }
Status ReadValue(CompactReader* r, std::string* v) { return r->ReadBinary(v); }
template <typename E>
requires std::is_enum_v<E> Status ReadValue(CompactReader* r, E* v) {
  int32_t raw;
  LS_RETURN_IF_ERROR(r->ReadI32(&raw));
  *v = static_cast<E>(raw);
  return Status::OK();
}

template <typename T>
constexpr CType WireType() {
  if constexpr (std::is_same_v<T, bool>) return CType::kBoolTrue;
  if constexpr (std::is_same_v<T, int8_t>) return CType::kByte;
  if constexpr (std::is_same_v<T, int16_t>) return CType::kI16;
  if constexpr (std::is_same_v<T, int32_t> || std::is_enum_v<T>) return CType::kI32;
  if constexpr (std::is_same_v<T, int64_t>) return CType::kI64;
  if constexpr (std::is_same_v<T, std::string>) return CType::kBinary;
}

// Reads a scalar field into *v when the wire type matches; a field whose wire
// type differs from the schema's is skipped (as generated Thrift code does).
template <typename T>
Status Field(CompactReader* r, const FieldHeader& h, T* v, Seen* seen = nullptr) {
  if constexpr (std::is_same_v<T, bool>) {
    if (!h.is_bool()) return r->SkipField(h);
    *v = h.bool_value();
  } else {
    if (h.type != WireType<T>()) return r->SkipField(h);
    LS_RETURN_IF_ERROR(ReadValue(r, v));
  }
  if (seen) seen->Mark(h.id);
  return Status::OK();
}

template <typename T>
Status Field(CompactReader* r, const FieldHeader& h, std::optional<T>* v) {
  bool matches;
  if constexpr (std::is_same_v<T, bool>) {
    matches = h.is_bool();
  } else {
    matches = h.type == WireType<T>();
  }
  if (!matches) return r->SkipField(h);
  T tmp{};
  LS_RETURN_IF_ERROR(Field(r, h, &tmp));
  *v = std::move(tmp);
  return Status::OK();
}

// Reads a list field whose elements are read by `read_elem(T*)`. A list of
// another element type is skipped.
template <typename T, typename ReadElem>
Status ListField(CompactReader* r, const FieldHeader& h, CType elem, std::vector<T>* out,
                 ReadElem&& read_elem, Seen* seen = nullptr) {
  if (h.type != CType::kList && h.type != CType::kSet) return r->SkipField(h);
  ContainerHeader c;
  LS_RETURN_IF_ERROR(r->ReadListHeader(&c));
  LS_RETURN_IF_ERROR(r->ContainerEnter());
  CType want = elem == CType::kBoolFalse ? CType::kBoolTrue : elem;
  if (c.elem != want) {
    for (uint32_t i = 0; i < c.size; ++i) LS_RETURN_IF_ERROR(r->SkipElement(c.elem));
    r->ContainerLeave();
    return Status::OK();
  }
  out->clear();
  for (uint32_t i = 0; i < c.size; ++i) {
    T value{};
    LS_RETURN_IF_ERROR(read_elem(&value));
    out->push_back(std::move(value));
  }
  r->ContainerLeave();
  if (seen) seen->Mark(h.id);
  return Status::OK();
}

template <typename T>
Status ScalarListField(CompactReader* r, const FieldHeader& h, std::vector<T>* out,
                       Seen* seen = nullptr) {
  return ListField(
      r, h, WireType<T>(), out, [r](T* v) { return ReadValue(r, v); }, seen);
}

// A struct-typed field parsed by `parse(CompactReader*, T*)`.
template <typename T, typename Parse>
Status StructField(CompactReader* r, const FieldHeader& h, std::optional<T>* out, Parse&& parse,
                   Seen* seen = nullptr) {
  if (h.type != CType::kStruct) return r->SkipField(h);
  T value{};
  LS_RETURN_IF_ERROR(parse(r, &value));
  *out = std::move(value);
  if (seen) seen->Mark(h.id);
  return Status::OK();
}

template <typename T, typename Parse>
Status StructListField(CompactReader* r, const FieldHeader& h, std::vector<T>* out, Parse&& parse,
                       Seen* seen = nullptr) {
  return ListField(
      r, h, CType::kStruct, out, [&](T* v) { return parse(r, v); }, seen);
}

Status RequireAll(const Seen& seen, std::initializer_list<int16_t> ids, std::string_view strct) {
  for (int16_t id : ids) {
    if (!seen.Has(id)) return Corrupt(strct, "required field " + std::to_string(id) + " missing");
  }
  return Status::OK();
}

Status ParseStatisticsStruct(CompactReader* r, Statistics* s) {
  return ReadStruct(r, [&](const FieldHeader& h) -> Status {
    switch (h.id) {
      case 1:
        return Field(r, h, &s->max);
      case 2:
        return Field(r, h, &s->min);
      case 3:
        return Field(r, h, &s->null_count);
      case 4:
        return Field(r, h, &s->distinct_count);
      case 5:
        return Field(r, h, &s->max_value);
      case 6:
        return Field(r, h, &s->min_value);
      case 7:
        return Field(r, h, &s->is_max_value_exact);
      case 8:
        return Field(r, h, &s->is_min_value_exact);
      default:
        return r->SkipField(h);
    }
  });
}

Status ParseTimeUnit(CompactReader* r, TimeUnit* unit) {
  bool any = false;
  LS_RETURN_IF_ERROR(ReadStruct(r, [&](const FieldHeader& h) -> Status {
    if (h.type == CType::kStruct) {
      *unit = static_cast<TimeUnit>(h.id);
      any = true;
    }
    return r->SkipField(h);
  }));
  if (!any) return Corrupt("TimeUnit", "empty union");
  return Status::OK();
}

// TimeType and TimestampType share their layout.
Status ParseTimeLike(CompactReader* r, LogicalType* t) {
  Seen seen;
  LS_RETURN_IF_ERROR(ReadStruct(r, [&](const FieldHeader& h) -> Status {
    switch (h.id) {
      case 1:
        return Field(r, h, &t->is_adjusted_to_utc, &seen);
      case 2:
        if (h.type != CType::kStruct) return r->SkipField(h);
        seen.Mark(2);
        return ParseTimeUnit(r, &t->unit);
      default:
        return r->SkipField(h);
    }
  }));
  return RequireAll(seen, {1, 2}, "TimestampType");
}

Status ParseLogicalType(CompactReader* r, LogicalType* t) {
  using K = LogicalType::Kind;
  return ReadStruct(r, [&](const FieldHeader& h) -> Status {
    if (h.type != CType::kStruct) return r->SkipField(h);
    K kind = static_cast<K>(h.id);
    switch (kind) {
      case K::kDecimal: {
        Seen seen;
        LS_RETURN_IF_ERROR(ReadStruct(r, [&](const FieldHeader& f) -> Status {
          if (f.id == 1) return Field(r, f, &t->decimal_scale, &seen);
          if (f.id == 2) return Field(r, f, &t->decimal_precision, &seen);
          return r->SkipField(f);
        }));
        LS_RETURN_IF_ERROR(RequireAll(seen, {1, 2}, "DecimalType"));
        break;
      }
      case K::kTime:
      case K::kTimestamp:
        LS_RETURN_IF_ERROR(ParseTimeLike(r, t));
        break;
      case K::kInteger: {
        Seen seen;
        LS_RETURN_IF_ERROR(ReadStruct(r, [&](const FieldHeader& f) -> Status {
          if (f.id == 1) return Field(r, f, &t->bit_width, &seen);
          if (f.id == 2) return Field(r, f, &t->is_signed, &seen);
          return r->SkipField(f);
        }));
        LS_RETURN_IF_ERROR(RequireAll(seen, {1, 2}, "IntType"));
        break;
      }
      case K::kVariant:
        LS_RETURN_IF_ERROR(ReadStruct(r, [&](const FieldHeader& f) -> Status {
          if (f.id == 1) return Field(r, f, &t->variant_specification_version);
          return r->SkipField(f);
        }));
        break;
      case K::kGeometry:
      case K::kGeography:
        LS_RETURN_IF_ERROR(ReadStruct(r, [&](const FieldHeader& f) -> Status {
          if (f.id == 1) return Field(r, f, &t->crs);
          if (f.id == 2 && kind == K::kGeography) {
            return Field(r, f, &t->edge_interpolation_algorithm);
          }
          return r->SkipField(f);
        }));
        break;
      case K::kString:
      case K::kMap:
      case K::kList:
      case K::kEnum:
      case K::kDate:
      case K::kUnknown:
      case K::kJson:
      case K::kBson:
      case K::kUuid:
      case K::kFloat16:
        LS_RETURN_IF_ERROR(r->SkipField(h));
        break;
      default:
        // A member added after this code was written.
        LS_RETURN_IF_ERROR(r->SkipField(h));
        kind = K::kUnrecognized;
        break;
    }
    t->kind = kind;
    return Status::OK();
  });
}

Status ParseSchemaElement(CompactReader* r, SchemaElement* e) {
  Seen seen;
  LS_RETURN_IF_ERROR(ReadStruct(r, [&](const FieldHeader& h) -> Status {
    switch (h.id) {
      case 1:
        return Field(r, h, &e->type);
      case 2:
        return Field(r, h, &e->type_length);
      case 3:
        return Field(r, h, &e->repetition_type);
      case 4:
        return Field(r, h, &e->name, &seen);
      case 5:
        return Field(r, h, &e->num_children);
      case 6:
        return Field(r, h, &e->converted_type);
      case 7:
        return Field(r, h, &e->scale);
      case 8:
        return Field(r, h, &e->precision);
      case 9:
        return Field(r, h, &e->field_id);
      case 10:
        return StructField(r, h, &e->logical_type, ParseLogicalType);
      default:
        return r->SkipField(h);
    }
  }));
  return RequireAll(seen, {4}, "SchemaElement");
}

Status ParseKeyValue(CompactReader* r, KeyValue* kv) {
  Seen seen;
  LS_RETURN_IF_ERROR(ReadStruct(r, [&](const FieldHeader& h) -> Status {
    switch (h.id) {
      case 1:
        return Field(r, h, &kv->key, &seen);
      case 2:
        return Field(r, h, &kv->value);
      default:
        return r->SkipField(h);
    }
  }));
  return RequireAll(seen, {1}, "KeyValue");
}

Status ParseSortingColumn(CompactReader* r, SortingColumn* s) {
  Seen seen;
  LS_RETURN_IF_ERROR(ReadStruct(r, [&](const FieldHeader& h) -> Status {
    switch (h.id) {
      case 1:
        return Field(r, h, &s->column_idx, &seen);
      case 2:
        return Field(r, h, &s->descending, &seen);
      case 3:
        return Field(r, h, &s->nulls_first, &seen);
      default:
        return r->SkipField(h);
    }
  }));
  return RequireAll(seen, {1, 2, 3}, "SortingColumn");
}

Status ParsePageEncodingStats(CompactReader* r, PageEncodingStats* s) {
  Seen seen;
  LS_RETURN_IF_ERROR(ReadStruct(r, [&](const FieldHeader& h) -> Status {
    switch (h.id) {
      case 1:
        return Field(r, h, &s->page_type, &seen);
      case 2:
        return Field(r, h, &s->encoding, &seen);
      case 3:
        return Field(r, h, &s->count, &seen);
      default:
        return r->SkipField(h);
    }
  }));
  return RequireAll(seen, {1, 2, 3}, "PageEncodingStats");
}

Status ParseColumnMetaData(CompactReader* r, ColumnMetaData* m) {
  Seen seen;
  LS_RETURN_IF_ERROR(ReadStruct(r, [&](const FieldHeader& h) -> Status {
    switch (h.id) {
      case 1:
        return Field(r, h, &m->type, &seen);
      case 2:
        return ScalarListField(r, h, &m->encodings, &seen);
      case 3:
        return ScalarListField(r, h, &m->path_in_schema, &seen);
      case 4:
        return Field(r, h, &m->codec, &seen);
      case 5:
        return Field(r, h, &m->num_values, &seen);
      case 6:
        return Field(r, h, &m->total_uncompressed_size, &seen);
      case 7:
        return Field(r, h, &m->total_compressed_size, &seen);
      case 8:
        return StructListField(r, h, &m->key_value_metadata, ParseKeyValue);
      case 9:
        return Field(r, h, &m->data_page_offset, &seen);
      case 10:
        return Field(r, h, &m->index_page_offset);
      case 11:
        return Field(r, h, &m->dictionary_page_offset);
      case 12:
        return StructField(r, h, &m->statistics, ParseStatisticsStruct);
      case 13:
        return StructListField(r, h, &m->encoding_stats, ParsePageEncodingStats);
      case 14:
        return Field(r, h, &m->bloom_filter_offset);
      case 15:
        return Field(r, h, &m->bloom_filter_length);
      default:
        return r->SkipField(h);
    }
  }));
  return RequireAll(seen, {1, 2, 3, 4, 5, 6, 7, 9}, "ColumnMetaData");
}

Status ParseColumnChunk(CompactReader* r, ColumnChunk* c) {
  Seen seen;
  LS_RETURN_IF_ERROR(ReadStruct(r, [&](const FieldHeader& h) -> Status {
    switch (h.id) {
      case 1:
        return Field(r, h, &c->file_path);
      case 2:
        return Field(r, h, &c->file_offset, &seen);
      case 3:
        return StructField(r, h, &c->meta_data, ParseColumnMetaData);
      case 4:
        return Field(r, h, &c->offset_index_offset);
      case 5:
        return Field(r, h, &c->offset_index_length);
      case 6:
        return Field(r, h, &c->column_index_offset);
      case 7:
        return Field(r, h, &c->column_index_length);
      case 8:
        if (h.type == CType::kStruct) c->has_crypto_metadata = true;
        return r->SkipField(h);
      case 9:
        return Field(r, h, &c->encrypted_column_metadata);
      default:
        return r->SkipField(h);
    }
  }));
  return RequireAll(seen, {2}, "ColumnChunk");
}

Status ParseRowGroup(CompactReader* r, RowGroup* g) {
  Seen seen;
  LS_RETURN_IF_ERROR(ReadStruct(r, [&](const FieldHeader& h) -> Status {
    switch (h.id) {
      case 1:
        return StructListField(r, h, &g->columns, ParseColumnChunk, &seen);
      case 2:
        return Field(r, h, &g->total_byte_size, &seen);
      case 3:
        return Field(r, h, &g->num_rows, &seen);
      case 4:
        return StructListField(r, h, &g->sorting_columns, ParseSortingColumn);
      case 5:
        return Field(r, h, &g->file_offset);
      case 6:
        return Field(r, h, &g->total_compressed_size);
      case 7:
        return Field(r, h, &g->ordinal);
      default:
        return r->SkipField(h);
    }
  }));
  return RequireAll(seen, {1, 2, 3}, "RowGroup");
}

Status ParseColumnOrder(CompactReader* r, ColumnOrder* o) {
  o->type_defined_order = false;
  return ReadStruct(r, [&](const FieldHeader& h) -> Status {
    if (h.id == 1 && h.type == CType::kStruct) o->type_defined_order = true;
    return r->SkipField(h);
  });
}

Status ParseFileMetaDataStruct(CompactReader* r, FileMetaData* m) {
  Seen seen;
  LS_RETURN_IF_ERROR(ReadStruct(r, [&](const FieldHeader& h) -> Status {
    switch (h.id) {
      case 1:
        return Field(r, h, &m->version, &seen);
      case 2:
        return StructListField(r, h, &m->schema, ParseSchemaElement, &seen);
      case 3:
        return Field(r, h, &m->num_rows, &seen);
      case 4:
        return StructListField(r, h, &m->row_groups, ParseRowGroup, &seen);
      case 5:
        return StructListField(r, h, &m->key_value_metadata, ParseKeyValue);
      case 6:
        return Field(r, h, &m->created_by);
      case 7:
        return StructListField(r, h, &m->column_orders, ParseColumnOrder);
      case 8:
        if (h.type == CType::kStruct) m->has_encryption_algorithm = true;
        return r->SkipField(h);
      case 9:
        return Field(r, h, &m->footer_signing_key_metadata);
      default:
        return r->SkipField(h);
    }
  }));
  return RequireAll(seen, {1, 2, 3, 4}, "FileMetaData");
}

Status ParseDataPageHeader(CompactReader* r, DataPageHeader* d) {
  Seen seen;
  LS_RETURN_IF_ERROR(ReadStruct(r, [&](const FieldHeader& h) -> Status {
    switch (h.id) {
      case 1:
        return Field(r, h, &d->num_values, &seen);
      case 2:
        return Field(r, h, &d->encoding, &seen);
      case 3:
        return Field(r, h, &d->definition_level_encoding, &seen);
      case 4:
        return Field(r, h, &d->repetition_level_encoding, &seen);
      case 5:
        return StructField(r, h, &d->statistics, ParseStatisticsStruct);
      default:
        return r->SkipField(h);
    }
  }));
  return RequireAll(seen, {1, 2, 3, 4}, "DataPageHeader");
}

Status ParseDictionaryPageHeader(CompactReader* r, DictionaryPageHeader* d) {
  Seen seen;
  LS_RETURN_IF_ERROR(ReadStruct(r, [&](const FieldHeader& h) -> Status {
    switch (h.id) {
      case 1:
        return Field(r, h, &d->num_values, &seen);
      case 2:
        return Field(r, h, &d->encoding, &seen);
      case 3:
        return Field(r, h, &d->is_sorted);
      default:
        return r->SkipField(h);
    }
  }));
  return RequireAll(seen, {1, 2}, "DictionaryPageHeader");
}

Status ParseDataPageHeaderV2(CompactReader* r, DataPageHeaderV2* d) {
  Seen seen;
  LS_RETURN_IF_ERROR(ReadStruct(r, [&](const FieldHeader& h) -> Status {
    switch (h.id) {
      case 1:
        return Field(r, h, &d->num_values, &seen);
      case 2:
        return Field(r, h, &d->num_nulls, &seen);
      case 3:
        return Field(r, h, &d->num_rows, &seen);
      case 4:
        return Field(r, h, &d->encoding, &seen);
      case 5:
        return Field(r, h, &d->definition_levels_byte_length, &seen);
      case 6:
        return Field(r, h, &d->repetition_levels_byte_length, &seen);
      case 7:
        return Field(r, h, &d->is_compressed);
      case 8:
        return StructField(r, h, &d->statistics, ParseStatisticsStruct);
      default:
        return r->SkipField(h);
    }
  }));
  return RequireAll(seen, {1, 2, 3, 4, 5, 6}, "DataPageHeaderV2");
}

Status ParsePageHeaderStruct(CompactReader* r, PageHeader* p) {
  Seen seen;
  LS_RETURN_IF_ERROR(ReadStruct(r, [&](const FieldHeader& h) -> Status {
    switch (h.id) {
      case 1:
        return Field(r, h, &p->type, &seen);
      case 2:
        return Field(r, h, &p->uncompressed_page_size, &seen);
      case 3:
        return Field(r, h, &p->compressed_page_size, &seen);
      case 4:
        return Field(r, h, &p->crc);
      case 5:
        return StructField(r, h, &p->data_page_header, ParseDataPageHeader);
      case 6:
        if (h.type == CType::kStruct) p->has_index_page_header = true;
        return r->SkipField(h);
      case 7:
        return StructField(r, h, &p->dictionary_page_header, ParseDictionaryPageHeader);
      case 8:
        return StructField(r, h, &p->data_page_header_v2, ParseDataPageHeaderV2);
      default:
        return r->SkipField(h);
    }
  }));
  LS_RETURN_IF_ERROR(RequireAll(seen, {1, 2, 3}, "PageHeader"));
  if (p->uncompressed_page_size < 0 || p->compressed_page_size < 0) {
    return Corrupt("PageHeader", "negative page size");
  }
  return Status::OK();
}

template <typename T, typename Parse>
Result<T> ParseTop(std::string_view bytes, size_t* consumed, Parse&& parse) {
  CompactReader r(bytes);
  T value;
  LS_RETURN_IF_ERROR(parse(&r, &value));
  if (consumed) *consumed = r.position();
  return value;
}

}  // namespace

void SerializeStatistics(const Statistics& s, std::string* out) {
  CompactWriter w(out);
  WriteStatistics(&w, s);
}

void SerializePageHeader(const PageHeader& p, std::string* out) {
  CompactWriter w(out);
  w.StructBegin();
  w.I32Field(1, EnumValue(p.type));
  w.I32Field(2, p.uncompressed_page_size);
  w.I32Field(3, p.compressed_page_size);
  if (p.crc) w.I32Field(4, *p.crc);
  if (const auto& d = p.data_page_header) {
    w.StructField(5);
    w.I32Field(1, d->num_values);
    w.I32Field(2, EnumValue(d->encoding));
    w.I32Field(3, EnumValue(d->definition_level_encoding));
    w.I32Field(4, EnumValue(d->repetition_level_encoding));
    if (d->statistics) {
      w.FieldHeader(5, CType::kStruct);
      WriteStatistics(&w, *d->statistics);
    }
    w.StructEnd();
  }
  if (p.has_index_page_header) WriteEmptyStructField(&w, 6);
  if (const auto& d = p.dictionary_page_header) {
    w.StructField(7);
    w.I32Field(1, d->num_values);
    w.I32Field(2, EnumValue(d->encoding));
    if (d->is_sorted) w.BoolField(3, *d->is_sorted);
    w.StructEnd();
  }
  if (const auto& d = p.data_page_header_v2) {
    w.StructField(8);
    w.I32Field(1, d->num_values);
    w.I32Field(2, d->num_nulls);
    w.I32Field(3, d->num_rows);
    w.I32Field(4, EnumValue(d->encoding));
    w.I32Field(5, d->definition_levels_byte_length);
    w.I32Field(6, d->repetition_levels_byte_length);
    if (d->is_compressed) w.BoolField(7, *d->is_compressed);
    if (d->statistics) {
      w.FieldHeader(8, CType::kStruct);
      WriteStatistics(&w, *d->statistics);
    }
    w.StructEnd();
  }
  w.StructEnd();
}

void SerializeFileMetaData(const FileMetaData& m, std::string* out) {
  CompactWriter w(out);
  w.StructBegin();
  w.I32Field(1, m.version);
  w.ListField(2, CType::kStruct, static_cast<uint32_t>(m.schema.size()));
  for (const SchemaElement& e : m.schema) WriteSchemaElement(&w, e);
  w.I64Field(3, m.num_rows);
  w.ListField(4, CType::kStruct, static_cast<uint32_t>(m.row_groups.size()));
  for (const RowGroup& g : m.row_groups) WriteRowGroup(&w, g);
  if (!m.key_value_metadata.empty()) WriteKeyValues(&w, 5, m.key_value_metadata);
  if (m.created_by) w.BinaryField(6, *m.created_by);
  if (!m.column_orders.empty()) {
    w.ListField(7, CType::kStruct, static_cast<uint32_t>(m.column_orders.size()));
    for (const ColumnOrder& o : m.column_orders) {
      w.StructBegin();
      // An unknown order cannot be written back; an empty union stands for it.
      if (o.type_defined_order) WriteEmptyStructField(&w, 1);
      w.StructEnd();
    }
  }
  if (m.footer_signing_key_metadata) w.BinaryField(9, *m.footer_signing_key_metadata);
  w.StructEnd();
}

Result<FileMetaData> ParseFileMetaData(std::string_view bytes, size_t* consumed) {
  return ParseTop<FileMetaData>(bytes, consumed, ParseFileMetaDataStruct);
}

Result<PageHeader> ParsePageHeader(std::string_view bytes, size_t* consumed) {
  return ParseTop<PageHeader>(bytes, consumed, ParsePageHeaderStruct);
}

Result<Statistics> ParseStatistics(std::string_view bytes, size_t* consumed) {
  return ParseTop<Statistics>(bytes, consumed, ParseStatisticsStruct);
}

Result<uint32_t> ParseFooterLength(std::string_view last8) {
  if (last8.size() != kFooterTrailerSize) {
    return Status::Corruption("parquet: file too short for a footer");
  }
  std::string_view magic = last8.substr(4);
  if (magic == "PARE") return Status::Unsupported("parquet: encrypted footers are not supported");
  if (magic != kParquetMagic)
    return Status::Corruption("parquet: bad magic at the end of the file");
  uint32_t len = 0;
  for (int i = 0; i < 4; ++i)
    len |= static_cast<uint32_t>(static_cast<uint8_t>(last8[i])) << (8 * i);
  return len;
}

Result<FileMetaData> ParseFileFooter(std::string_view file) {
  if (file.size() < kParquetMagic.size() + kFooterTrailerSize) {
    return Status::Corruption("parquet: file too short (" + std::to_string(file.size()) +
                              " bytes)");
  }
  if (file.substr(0, 4) != kParquetMagic) {
    return Status::Corruption("parquet: bad magic at the start of the file");
  }
  LS_ASSIGN_OR_RETURN(uint32_t len, ParseFooterLength(file.substr(file.size() - 8)));
  if (len > file.size() - kParquetMagic.size() - kFooterTrailerSize) {
    return Status::Corruption("parquet: footer length " + std::to_string(len) +
                              " exceeds the file");
  }
  std::string_view footer = file.substr(file.size() - kFooterTrailerSize - len, len);
  return ParseFileMetaData(footer);
}

}  // namespace lakeshare::parquet
