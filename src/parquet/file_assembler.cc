#include "parquet/file_assembler.h"

#include <cstring>

#include "parquet/compression.h"
#include "parquet/metadata_parser.h"
#include "parquet/metadata_serializer.h"
#include "parquet/parquet_writer.h"

namespace lakeshare::parquet {

void AppendU32(uint32_t v, std::string* out) {
  char buf[4];
  for (int i = 0; i < 4; ++i) buf[i] = static_cast<char>((v >> (8 * i)) & 0xff);
  out->append(buf, 4);
}

FileAssembler::FileAssembler(std::vector<SchemaElement> schema, size_t num_leaves,
                             const WriterOptions& options)
    : codec_(options.codec) {
  out_.append(kParquetMagic);
  metadata_.version = 1;
  metadata_.schema = std::move(schema);
  metadata_.created_by = options.created_by.empty()
                             ? std::string("lakeshare version " LAKESHARE_VERSION)
                             : options.created_by;
  metadata_.key_value_metadata = options.key_value_metadata;
  metadata_.column_orders.assign(num_leaves, ColumnOrder{true});
}

Status FileAssembler::AddRowGroup(
    int64_t num_rows, const std::function<Status(size_t leaf, ColumnChunk* chunk)>& encode) {
  if (finished_) return Status::FailedPrecondition("parquet writer already finished");
  const size_t rollback = out_.size();
  RowGroup group;
  group.num_rows = num_rows;
  group.file_offset = static_cast<int64_t>(out_.size());
  int64_t compressed = 0;
  for (size_t leaf = 0; leaf < metadata_.column_orders.size(); ++leaf) {
    ColumnChunk& chunk = group.columns.emplace_back();
    Status st = encode(leaf, &chunk);
    if (!st.ok()) {
      out_.resize(rollback);
      return st;
    }
    group.total_byte_size += chunk.meta_data->total_uncompressed_size;
    compressed += chunk.meta_data->total_compressed_size;
  }
  group.total_compressed_size = compressed;
  if (metadata_.row_groups.size() <= INT16_MAX) {
    group.ordinal = static_cast<int16_t>(metadata_.row_groups.size());
  }
  metadata_.num_rows += num_rows;
  metadata_.row_groups.push_back(std::move(group));
  return Status::OK();
}

Status FileAssembler::AppendDataPage(const std::string& column, const std::string& body,
                                     int32_t num_values, Chunk* chunk) {
  auto too_large = [&] {
    return Status::InvalidArgument("column '" + column + "': a page exceeds 2 GiB");
  };
  if (body.size() > INT32_MAX) return too_large();
  LS_ASSIGN_OR_RETURN(std::string compressed, Compress(codec_, body));
  if (compressed.size() > INT32_MAX) return too_large();
  PageHeader header;
  header.type = PageType::kDataPage;
  header.uncompressed_page_size = static_cast<int32_t>(body.size());
  header.compressed_page_size = static_cast<int32_t>(compressed.size());
  DataPageHeader& dph = header.data_page_header.emplace();
  dph.num_values = num_values;
  dph.encoding = Encoding::kPlain;
  dph.definition_level_encoding = Encoding::kRle;
  dph.repetition_level_encoding = Encoding::kRle;
  std::string header_bytes;
  SerializePageHeader(header, &header_bytes);
  out_.append(header_bytes);
  out_.append(compressed);
  chunk->uncompressed += static_cast<int64_t>(header_bytes.size() + body.size());
  chunk->compressed += static_cast<int64_t>(header_bytes.size() + compressed.size());
  ++chunk->pages;
  return Status::OK();
}

ColumnMetaData& FileAssembler::EndChunk(const Chunk& pages, ColumnChunk* chunk) const {
  chunk->file_offset = pages.start;
  ColumnMetaData& md = chunk->meta_data.emplace();
  md.codec = codec_;
  md.total_uncompressed_size = pages.uncompressed;
  md.total_compressed_size = pages.compressed;
  md.data_page_offset = pages.start;
  md.encoding_stats = {PageEncodingStats{PageType::kDataPage, Encoding::kPlain, pages.pages}};
  return md;
}

Result<std::string> FileAssembler::Finish() {
  if (finished_) return Status::FailedPrecondition("parquet writer already finished");
  finished_ = true;
  std::string footer;
  SerializeFileMetaData(metadata_, &footer);
  if (footer.size() > UINT32_MAX) return Status::InvalidArgument("parquet footer too large");
  out_ += footer;
  AppendU32(static_cast<uint32_t>(footer.size()), &out_);
  out_.append(kParquetMagic);
  return std::move(out_);
}

}  // namespace lakeshare::parquet
