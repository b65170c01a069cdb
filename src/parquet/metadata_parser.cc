#include "parquet/metadata_parser.h"

#include "parquet/thrift_compact.h"
#include "parquet/thrift_struct_reader.h"

namespace lakeshare::parquet {
namespace {

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
