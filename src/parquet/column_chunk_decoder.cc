#include "parquet/column_chunk_decoder.h"

#include <algorithm>
#include <cstring>

#include "parquet/compression.h"
#include "parquet/metadata_parser.h"
#include "parquet/value_decoders.h"

namespace lakeshare::parquet {
namespace {

Status Corrupt(const SchemaNode& leaf, const std::string& what) {
  return Status::Corruption("parquet column '" + leaf.name + "': " + what);
}

// A page's bytes after decompression, with the buffer that holds them.
struct PageData {
  std::shared_ptr<const std::string> owner;
  std::string_view data;
};

class ChunkDecoder {
 public:
  ChunkDecoder(std::shared_ptr<const std::string> buffer, std::string_view chunk,
               std::shared_ptr<const Schema> schema, int leaf, const ColumnMetaData& meta,
               const ChunkLimits& limits)
      : chunk_(std::move(buffer)),
        bytes_(chunk),
        leaf_(schema->leaf(leaf)),
        meta_(meta),
        limits_(limits),
        budget_(limits.max_decoded_bytes) {
    batch_.schema = std::move(schema);
    batch_.leaf_index = leaf;
    ctx_.type = leaf_.physical_type;
    ctx_.type_length = leaf_.type_length;
    ctx_.byte_budget = &budget_;
    keep_pages_ =
        leaf_.physical_type == Type::kByteArray || leaf_.physical_type == Type::kFixedLenByteArray;
  }

  Result<ColumnBatch> Run(int64_t row_group_rows) {
    if (meta_.type != leaf_.physical_type) {
      return Corrupt(leaf_, "chunk type differs from the schema's");
    }
    int codec = static_cast<int>(meta_.codec);
    if (codec < 0 || codec > static_cast<int>(CompressionCodec::kLz4Raw)) {
      return Corrupt(leaf_, "unknown codec " + std::to_string(codec));
    }
    if (meta_.num_values < 0 || meta_.num_values > limits_.max_values) {
      return Corrupt(leaf_, "num_values " + std::to_string(meta_.num_values) + " out of range");
    }
    std::string_view bytes = bytes_;
    size_t pos = 0;
    while (levels_ < meta_.num_values) {
      if (pos >= bytes.size()) {
        return Corrupt(leaf_, "chunk ends after " + std::to_string(levels_) + " of " +
                                  std::to_string(meta_.num_values) + " values");
      }
      size_t header_len = 0;
      auto header = ParsePageHeader(bytes.substr(pos), &header_len);
      if (!header.ok()) return header.status().WithContext("parquet column '" + leaf_.name + "'");
      const PageHeader& h = *header;
      pos += header_len;
      if (h.compressed_page_size < 0 || h.uncompressed_page_size < 0 ||
          static_cast<size_t>(h.compressed_page_size) > bytes.size() - pos) {
        return Corrupt(leaf_, "page size out of range");
      }
      if (h.uncompressed_page_size > limits_.max_page_bytes) {
        return Corrupt(leaf_, "page of " + std::to_string(h.uncompressed_page_size) +
                                  " bytes exceeds the limit");
      }
      std::string_view raw = bytes.substr(pos, static_cast<size_t>(h.compressed_page_size));
      pos += static_cast<size_t>(h.compressed_page_size);
      switch (h.type) {
        case PageType::kDictionaryPage:
          LS_RETURN_IF_ERROR(DictionaryPage(h, raw));
          break;
        case PageType::kDataPage:
          LS_RETURN_IF_ERROR(DataPageV1(h, raw));
          break;
        case PageType::kDataPageV2:
          LS_RETURN_IF_ERROR(DataPageV2(h, raw));
          break;
        default:
          break;  // index pages and unknown types carry nothing we need
      }
    }
    batch_.num_levels = levels_;
    LS_RETURN_IF_ERROR(CheckRows(row_group_rows));
    if (kept_chunk_) batch_.buffers.push_back(chunk_);
    return std::move(batch_);
  }

 private:
  // Decompresses (or, uncompressed, just points at) a page body.
  Result<PageData> Body(std::string_view raw, int64_t uncompressed_size, bool compressed) {
    if (!compressed || meta_.codec == CompressionCodec::kUncompressed) {
      if (raw.size() != static_cast<size_t>(uncompressed_size)) {
        return Corrupt(leaf_, "uncompressed page size mismatch");
      }
      return PageData{chunk_, raw};
    }
    if (uncompressed_size == 0) return PageData{nullptr, std::string_view()};
    auto out = Decompress(meta_.codec, raw, static_cast<size_t>(uncompressed_size));
    if (!out.ok()) return out.status().WithContext("parquet column '" + leaf_.name + "'");
    auto owner = std::make_shared<const std::string>(std::move(*out));
    std::string_view data(*owner);
    return PageData{std::move(owner), data};
  }

  // Keeps a page's buffer alive in the batch when values point into it.
  Status Keep(const PageData& page) {
    if (!keep_pages_ || page.owner == nullptr) return Status::OK();
    if (page.owner == chunk_) {
      kept_chunk_ = true;
      return Status::OK();
    }
    int64_t size = static_cast<int64_t>(page.owner->size());
    if (size > budget_) return Corrupt(leaf_, "decoded pages exceed the memory limit");
    budget_ -= size;
    batch_.buffers.push_back(page.owner);
    return Status::OK();
  }

  Status DictionaryPage(const PageHeader& h, std::string_view raw) {
    if (!h.dictionary_page_header) return Corrupt(leaf_, "dictionary page without its header");
    if (has_dict_ || levels_ > 0) return Corrupt(leaf_, "dictionary page after data pages");
    const DictionaryPageHeader& d = *h.dictionary_page_header;
    if (d.encoding != Encoding::kPlain && d.encoding != Encoding::kPlainDictionary) {
      return Corrupt(leaf_, "dictionary page not PLAIN-encoded");
    }
    if (d.num_values < 0 || d.num_values > limits_.max_values) {
      return Corrupt(leaf_, "dictionary size out of range");
    }
    LS_ASSIGN_OR_RETURN(PageData page, Body(raw, h.uncompressed_page_size, true));
    dict_.schema = batch_.schema;
    dict_.leaf_index = batch_.leaf_index;
    LS_RETURN_IF_ERROR(DecodeValues(Encoding::kPlain, ctx_, page.data,
                                    static_cast<size_t>(d.num_values), nullptr, &dict_));
    has_dict_ = true;
    return Keep(page);
  }

  // Makes room for `n` more level entries.
  Status GrowLevels(int64_t n) {
    if (n < 0 || n > meta_.num_values - levels_) {
      return Corrupt(leaf_, "page holds more values than the chunk");
    }
    size_t total = static_cast<size_t>(levels_ + n);
    if (leaf_.max_def > 0) batch_.def_levels.resize(total);
    if (leaf_.max_rep > 0) batch_.rep_levels.resize(total);
    return Status::OK();
  }

  // v1 levels: RLE with a 4-byte length prefix, or the old BIT_PACKED.
  Status LevelsV1(Encoding encoding, std::string_view* body, int16_t max_level, size_t n,
                  int16_t* out) {
    int width = LevelBitWidth(static_cast<uint32_t>(max_level));
    if (encoding == Encoding::kRle) {
      if (body->size() < 4) return Corrupt(leaf_, "level length missing");
      uint32_t len;
      std::memcpy(&len, body->data(), 4);
      if (len > body->size() - 4) return Corrupt(leaf_, "levels beyond the page");
      LS_RETURN_IF_ERROR(
          DecodeHybrid(body->substr(4, len), width, static_cast<uint32_t>(max_level), n, out));
      body->remove_prefix(4 + len);
      return Status::OK();
    }
    if (encoding == Encoding::kBitPacked) {
      size_t consumed = 0;
      LS_RETURN_IF_ERROR(
          DecodeBitPackedLevels(*body, width, static_cast<uint32_t>(max_level), n, out, &consumed));
      body->remove_prefix(consumed);
      return Status::OK();
    }
    return Corrupt(leaf_, "unsupported level encoding");
  }

  size_t NonNull(size_t n) const {
    if (leaf_.max_def == 0) return n;
    const int16_t* d = batch_.def_levels.data() + levels_;
    size_t count = 0;
    for (size_t i = 0; i < n; ++i) count += d[i] == leaf_.max_def;
    return count;
  }

  Status Values(Encoding encoding, std::string_view data, size_t count) {
    return DecodeValues(encoding, ctx_, data, count, has_dict_ ? &dict_ : nullptr, &batch_)
        .WithContext("parquet column '" + leaf_.name + "'");
  }

  Status DataPageV1(const PageHeader& h, std::string_view raw) {
    if (!h.data_page_header) return Corrupt(leaf_, "data page without its header");
    const DataPageHeader& d = *h.data_page_header;
    LS_RETURN_IF_ERROR(GrowLevels(d.num_values));
    size_t n = static_cast<size_t>(d.num_values);
    LS_ASSIGN_OR_RETURN(PageData page, Body(raw, h.uncompressed_page_size, true));
    std::string_view body = page.data;
    if (leaf_.max_rep > 0) {
      LS_RETURN_IF_ERROR(LevelsV1(d.repetition_level_encoding, &body, leaf_.max_rep, n,
                                  batch_.rep_levels.data() + levels_));
    }
    if (leaf_.max_def > 0) {
      LS_RETURN_IF_ERROR(LevelsV1(d.definition_level_encoding, &body, leaf_.max_def, n,
                                  batch_.def_levels.data() + levels_));
    }
    size_t values = NonNull(n);
    LS_RETURN_IF_ERROR(Values(d.encoding, body, values));
    levels_ += d.num_values;
    return Keep(page);
  }

  Status DataPageV2(const PageHeader& h, std::string_view raw) {
    if (!h.data_page_header_v2) return Corrupt(leaf_, "data page v2 without its header");
    const DataPageHeaderV2& d = *h.data_page_header_v2;
    LS_RETURN_IF_ERROR(GrowLevels(d.num_values));
    size_t n = static_cast<size_t>(d.num_values);
    if (d.repetition_levels_byte_length < 0 || d.definition_levels_byte_length < 0) {
      return Corrupt(leaf_, "negative level length");
    }
    size_t rep_len = static_cast<size_t>(d.repetition_levels_byte_length);
    size_t def_len = static_cast<size_t>(d.definition_levels_byte_length);
    if (rep_len > raw.size() || def_len > raw.size() - rep_len ||
        static_cast<int64_t>(rep_len + def_len) > h.uncompressed_page_size) {
      return Corrupt(leaf_, "levels beyond the page");
    }
    if (leaf_.max_rep > 0) {
      LS_RETURN_IF_ERROR(
          DecodeHybrid(raw.substr(0, rep_len), LevelBitWidth(static_cast<uint32_t>(leaf_.max_rep)),
                       static_cast<uint32_t>(leaf_.max_rep), n, batch_.rep_levels.data() + levels_)
              .WithContext("parquet column '" + leaf_.name + "'"));
    }
    if (leaf_.max_def > 0) {
      LS_RETURN_IF_ERROR(DecodeHybrid(raw.substr(rep_len, def_len),
                                      LevelBitWidth(static_cast<uint32_t>(leaf_.max_def)),
                                      static_cast<uint32_t>(leaf_.max_def), n,
                                      batch_.def_levels.data() + levels_)
                             .WithContext("parquet column '" + leaf_.name + "'"));
    }
    int64_t values_size = h.uncompressed_page_size - static_cast<int64_t>(rep_len + def_len);
    LS_ASSIGN_OR_RETURN(PageData page, Body(raw.substr(rep_len + def_len), values_size,
                                            d.is_compressed.value_or(true)));
    LS_RETURN_IF_ERROR(Values(d.encoding, page.data, NonNull(n)));
    levels_ += d.num_values;
    return Keep(page);
  }

  // The levels must describe exactly the row group's rows, and a chunk
  // starts a new record.
  Status CheckRows(int64_t rows) {
    int64_t got = levels_;
    if (leaf_.max_rep > 0) {
      if (levels_ > 0 && batch_.rep_levels[0] != 0) {
        return Corrupt(leaf_, "first repetition level is not 0");
      }
      got = std::count(batch_.rep_levels.begin(), batch_.rep_levels.end(), int16_t{0});
    }
    if (got != rows) {
      return Corrupt(
          leaf_, "holds " + std::to_string(got) + " rows, its row group " + std::to_string(rows));
    }
    return Status::OK();
  }

  std::shared_ptr<const std::string> chunk_;
  std::string_view bytes_;
  const SchemaNode& leaf_;
  const ColumnMetaData& meta_;
  const ChunkLimits& limits_;
  int64_t budget_;
  ValueContext ctx_;
  bool keep_pages_ = false;
  bool kept_chunk_ = false;
  ColumnBatch batch_;
  ColumnBatch dict_;
  bool has_dict_ = false;
  int64_t levels_ = 0;
};

}  // namespace

Result<ColumnBatch> DecodeColumnChunk(std::shared_ptr<const std::string> buffer,
                                      std::string_view chunk, std::shared_ptr<const Schema> schema,
                                      int leaf, const ColumnMetaData& meta, int64_t row_group_rows,
                                      const ChunkLimits& limits) {
  if (buffer == nullptr || schema == nullptr || leaf < 0 || leaf >= schema->num_leaves()) {
    return Status::InvalidArgument("DecodeColumnChunk: bad arguments");
  }
  return ChunkDecoder(std::move(buffer), chunk, std::move(schema), leaf, meta, limits)
      .Run(row_group_rows);
}

}  // namespace lakeshare::parquet
