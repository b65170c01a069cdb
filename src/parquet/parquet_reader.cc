#include "parquet/parquet_reader.h"

#include <algorithm>
#include <cstdio>

#include "parquet/metadata_parser.h"
#include "parquet/thrift_compact.h"

namespace lakeshare::parquet {
namespace {

Status Corrupt(const std::string& what) { return Status::Corruption("parquet file: " + what); }

// Counts the structs of a Thrift compact value without building anything, so
// that a footer whose parsed form would be huge is refused before parsing.
Status CountStructs(CompactReader* r, CType type, int64_t* budget) {
  switch (type) {
    case CType::kStruct: {
      if (--*budget < 0) return Corrupt("footer has too many structures");
      LS_RETURN_IF_ERROR(r->StructBegin());
      while (true) {
        FieldHeader h;
        LS_RETURN_IF_ERROR(r->ReadFieldHeader(&h));
        if (h.type == CType::kStop) break;
        if (h.is_bool()) continue;
        LS_RETURN_IF_ERROR(CountStructs(r, h.type, budget));
      }
      r->StructEnd();
      return Status::OK();
    }
    case CType::kList:
    case CType::kSet: {
      ContainerHeader c;
      LS_RETURN_IF_ERROR(r->ReadListHeader(&c));
      LS_RETURN_IF_ERROR(r->ContainerEnter());
      CType elem = c.elem == CType::kBoolFalse ? CType::kBoolTrue : c.elem;
      for (uint32_t i = 0; i < c.size; ++i) {
        if (elem == CType::kStruct || elem == CType::kList || elem == CType::kSet ||
            elem == CType::kMap) {
          LS_RETURN_IF_ERROR(CountStructs(r, elem, budget));
        } else {
          LS_RETURN_IF_ERROR(r->SkipElement(elem));
        }
      }
      r->ContainerLeave();
      return Status::OK();
    }
    case CType::kMap: {
      ContainerHeader c;
      LS_RETURN_IF_ERROR(r->ReadMapHeader(&c));
      LS_RETURN_IF_ERROR(r->ContainerEnter());
      for (uint32_t i = 0; i < c.size; ++i) {
        for (CType t : {c.elem, c.value}) {
          if (t == CType::kStruct || t == CType::kList || t == CType::kSet || t == CType::kMap) {
            LS_RETURN_IF_ERROR(CountStructs(r, t, budget));
          } else {
            LS_RETURN_IF_ERROR(r->SkipElement(t));
          }
        }
      }
      r->ContainerLeave();
      return Status::OK();
    }
    default:
      return r->SkipElement(type);
  }
}

Result<FileMetaData> ParseFooterBytes(std::string_view footer, const ReaderOptions& options) {
  {
    CompactReader r(footer);
    int64_t budget = options.max_footer_structs;
    LS_RETURN_IF_ERROR(CountStructs(&r, CType::kStruct, &budget));
  }
  LS_ASSIGN_OR_RETURN(FileMetaData md, ParseFileMetaData(footer));
  if (md.has_encryption_algorithm) {
    return Status::Unsupported("parquet: encrypted files are not supported");
  }
  return md;
}

// True for parquet-mr releases before 1.2.9, whose column chunk sizes leave
// out the dictionary page header (PARQUET-816).
bool NeedsChunkPadding(const std::optional<std::string>& created_by) {
  if (!created_by) return false;
  int major = 0, minor = 0, patch = 0;
  if (std::sscanf(created_by->c_str(), "parquet-mr version %d.%d.%d", &major, &minor, &patch) !=
      3) {
    return false;
  }
  return major < 1 || (major == 1 && (minor < 2 || (minor == 2 && patch < 9)));
}

Status ValidateMetadata(const FileMetaData& md, const Schema& schema) {
  if (md.num_rows < 0) return Corrupt("negative row count");
  for (size_t g = 0; g < md.row_groups.size(); ++g) {
    const RowGroup& rg = md.row_groups[g];
    std::string where = "row group " + std::to_string(g) + ": ";
    if (rg.num_rows < 0) return Corrupt(where + "negative row count");
    if (rg.columns.size() != static_cast<size_t>(schema.num_leaves())) {
      return Corrupt(where + std::to_string(rg.columns.size()) + " column chunks for " +
                     std::to_string(schema.num_leaves()) + " leaf columns");
    }
  }
  return Status::OK();
}

}  // namespace

const ColumnBatch* RowGroupBatch::Find(int leaf_index) const {
  auto it = std::lower_bound(columns.begin(), columns.end(), leaf_index,
                             [](const ColumnBatch& b, int l) { return b.leaf_index < l; });
  return it != columns.end() && it->leaf_index == leaf_index ? &*it : nullptr;
}

Result<FileMetaData> ReadFooter(std::string_view file, const ReaderOptions& options) {
  if (file.size() < kParquetMagic.size() + kFooterTrailerSize) {
    return Corrupt("too short (" + std::to_string(file.size()) + " bytes)");
  }
  if (file.substr(0, 4) != kParquetMagic) return Corrupt("bad magic at the start");
  LS_ASSIGN_OR_RETURN(uint32_t len, ParseFooterLength(file.substr(file.size() - 8)));
  if (len > file.size() - 12) return Corrupt("footer length exceeds the file");
  if (len > options.max_footer_bytes) return Corrupt("footer larger than the limit");
  return ParseFooterBytes(file.substr(file.size() - 8 - len, len), options);
}

Result<ParquetReader> ParquetReader::Open(std::shared_ptr<const RandomAccessFile> file,
                                          const ReaderOptions& options) {
  if (file == nullptr) return Status::InvalidArgument("ParquetReader::Open: no file");
  const uint64_t size = file->Size();
  if (size < kParquetMagic.size() + kFooterTrailerSize) {
    return Corrupt("too short (" + std::to_string(size) + " bytes)");
  }
  uint64_t tail_size = std::clamp<uint64_t>(options.footer_read_size, kFooterTrailerSize, size);
  std::string tail(static_cast<size_t>(tail_size), '\0');
  LS_RETURN_IF_ERROR(file->ReadAt(size - tail_size, tail.size(), tail.data()));
  if (tail_size == size && tail.substr(0, 4) != kParquetMagic) {
    return Corrupt("bad magic at the start");
  }
  LS_ASSIGN_OR_RETURN(uint32_t len,
                      ParseFooterLength(std::string_view(tail).substr(tail.size() - 8)));
  if (len > size - 12) return Corrupt("footer length " + std::to_string(len) + " exceeds the file");
  if (len > options.max_footer_bytes) {
    return Corrupt("footer of " + std::to_string(len) + " bytes exceeds the limit");
  }
  std::string_view footer;
  std::string more;
  if (len + kFooterTrailerSize <= tail_size) {
    footer = std::string_view(tail).substr(tail.size() - 8 - len, len);
  } else {
    more.resize(len);
    LS_RETURN_IF_ERROR(file->ReadAt(size - 8 - len, len, more.data()));
    footer = more;
  }
  LS_ASSIGN_OR_RETURN(FileMetaData md, ParseFooterBytes(footer, options));
  LS_ASSIGN_OR_RETURN(Schema schema, Schema::Make(md.schema, options.max_schema_depth));
  LS_RETURN_IF_ERROR(ValidateMetadata(md, schema));

  ParquetReader reader;
  reader.file_ = std::move(file);
  reader.options_ = options;
  reader.data_end_ = size - 8 - len;
  reader.chunk_padding_ = NeedsChunkPadding(md.created_by) ? 100 : 0;
  reader.metadata_ = std::make_shared<const FileMetaData>(std::move(md));
  reader.schema_ = std::make_shared<const Schema>(std::move(schema));
  return reader;
}

int64_t ParquetReader::row_group_rows(int row_group) const {
  if (row_group < 0 || row_group >= num_row_groups()) return 0;
  return metadata_->row_groups[static_cast<size_t>(row_group)].num_rows;
}

Result<ParquetReader::ChunkRange> ParquetReader::RangeOf(int row_group, int leaf) const {
  if (row_group < 0 || row_group >= num_row_groups()) {
    return Status::InvalidArgument("no row group " + std::to_string(row_group));
  }
  if (leaf < 0 || leaf >= schema_->num_leaves()) {
    return Status::InvalidArgument("no leaf column " + std::to_string(leaf));
  }
  const RowGroup& rg = metadata_->row_groups[static_cast<size_t>(row_group)];
  const ColumnChunk& cc = rg.columns[static_cast<size_t>(leaf)];
  auto name = [&] { return schema_->DottedPath(schema_->leaf(leaf)); };
  if (cc.has_crypto_metadata || cc.encrypted_column_metadata) {
    return Status::Unsupported("parquet: encrypted column '" + name() + "'");
  }
  if (cc.file_path) {
    return Status::Unsupported("parquet: column '" + name() + "' is stored in another file");
  }
  if (!cc.meta_data) return Corrupt("column '" + name() + "' has no metadata");
  const ColumnMetaData& meta = *cc.meta_data;
  // The chunk starts at its dictionary page when it has one (writers that
  // have none sometimes record offset 0).
  int64_t start = meta.data_page_offset;
  if (meta.dictionary_page_offset && *meta.dictionary_page_offset > 0 &&
      *meta.dictionary_page_offset < start) {
    start = *meta.dictionary_page_offset;
  }
  int64_t length = meta.total_compressed_size;
  if (start < 0 || length < 0 || static_cast<uint64_t>(start) > data_end_ ||
      static_cast<uint64_t>(length) > data_end_ - static_cast<uint64_t>(start)) {
    return Corrupt("column '" + name() + "' lies outside the data");
  }
  if (length > options_.max_chunk_bytes) {
    return Corrupt("column '" + name() + "' chunk of " + std::to_string(length) +
                   " bytes exceeds the limit");
  }
  uint64_t read = static_cast<uint64_t>(length);
  read += std::min<uint64_t>(chunk_padding_, data_end_ - static_cast<uint64_t>(start) - read);
  return ChunkRange{leaf, static_cast<uint64_t>(start), read};
}

Result<ColumnBatch> ParquetReader::Decode(int row_group, int leaf,
                                          std::shared_ptr<const std::string> buffer,
                                          std::string_view chunk) const {
  const RowGroup& rg = metadata_->row_groups[static_cast<size_t>(row_group)];
  return DecodeColumnChunk(std::move(buffer), chunk, schema_, leaf,
                           *rg.columns[static_cast<size_t>(leaf)].meta_data, rg.num_rows,
                           options_.chunk);
}

Result<ColumnBatch> ParquetReader::ReadColumnChunk(int row_group, int leaf) const {
  LS_ASSIGN_OR_RETURN(ChunkRange r, RangeOf(row_group, leaf));
  auto bytes = std::make_shared<std::string>(static_cast<size_t>(r.length), '\0');
  LS_RETURN_IF_ERROR(file_->ReadAt(r.offset, bytes->size(), bytes->data()));
  const std::string_view chunk = *bytes;
  return Decode(row_group, leaf, std::move(bytes), chunk);
}

Result<RowGroupBatch> ParquetReader::ReadRowGroup(int row_group,
                                                  const std::vector<int>& leaves) const {
  std::vector<int> sorted = leaves;
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  std::vector<ChunkRange> ranges;
  ranges.reserve(sorted.size());
  for (int leaf : sorted) {
    LS_ASSIGN_OR_RETURN(ChunkRange r, RangeOf(row_group, leaf));
    ranges.push_back(r);
  }
  // Chunks close to each other are fetched with one read (one request on an
  // object store); the decoded batches share the buffer.
  std::vector<ChunkRange> by_offset = ranges;
  std::sort(by_offset.begin(), by_offset.end(),
            [](const ChunkRange& a, const ChunkRange& b) { return a.offset < b.offset; });
  std::vector<std::pair<std::shared_ptr<const std::string>, std::string_view>> views(
      static_cast<size_t>(schema_->num_leaves()));
  for (size_t i = 0; i < by_offset.size();) {
    uint64_t begin = by_offset[i].offset, end = begin + by_offset[i].length;
    size_t j = i + 1;
    while (j < by_offset.size() &&
           (by_offset[j].offset <= end || by_offset[j].offset - end <= options_.coalesce_gap) &&
           std::max(end, by_offset[j].offset + by_offset[j].length) - begin <=
               static_cast<uint64_t>(options_.max_chunk_bytes)) {
      end = std::max(end, by_offset[j].offset + by_offset[j].length);
      ++j;
    }
    auto buffer = std::make_shared<std::string>(static_cast<size_t>(end - begin), '\0');
    LS_RETURN_IF_ERROR(file_->ReadAt(begin, buffer->size(), buffer->data()));
    std::shared_ptr<const std::string> shared = std::move(buffer);
    for (size_t k = i; k < j; ++k) {
      views[static_cast<size_t>(by_offset[k].leaf)] = {
          shared, std::string_view(*shared).substr(static_cast<size_t>(by_offset[k].offset - begin),
                                                   static_cast<size_t>(by_offset[k].length))};
    }
    i = j;
  }
  RowGroupBatch out;
  out.schema = schema_;
  out.num_rows = row_group_rows(row_group);
  out.columns.reserve(sorted.size());
  for (int leaf : sorted) {
    auto& [buffer, view] = views[static_cast<size_t>(leaf)];
    LS_ASSIGN_OR_RETURN(ColumnBatch b, Decode(row_group, leaf, buffer, view));
    out.columns.push_back(std::move(b));
  }
  return out;
}

}  // namespace lakeshare::parquet
