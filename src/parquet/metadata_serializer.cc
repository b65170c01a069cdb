#include "parquet/metadata_serializer.h"

#include "parquet/thrift_compact.h"

namespace lakeshare::parquet {
namespace {

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

}  // namespace lakeshare::parquet
