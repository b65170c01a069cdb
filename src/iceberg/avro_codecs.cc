#include "iceberg/avro_codecs.h"

#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>

namespace lakeshare::iceberg {
namespace {

Status InflateRaw(std::string_view in, int64_t max_out, std::string* out) {
  z_stream z{};
  if (inflateInit2(&z, -15) != Z_OK) return Status::Internal("inflateInit2 failed");
  out->clear();
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    if (static_cast<int64_t>(out->size()) >= max_out) {
      inflateEnd(&z);
      return Status::TooLarge("a decompressed block exceeds " + std::to_string(max_out) + " bytes");
    }
    size_t old = out->size();
    size_t grow = std::min<size_t>(std::max<size_t>(old, 64 << 10), max_out - old);
    out->resize(old + grow);
    z.next_out = reinterpret_cast<Bytef*>(out->data() + old);
    z.avail_out = static_cast<uInt>(grow);
    rc = inflate(&z, Z_NO_FLUSH);
    out->resize(old + grow - z.avail_out);
    if (rc == Z_STREAM_END) break;
    if (rc != Z_OK && !(rc == Z_BUF_ERROR && z.avail_out == 0)) {
      inflateEnd(&z);
      return Status::Corruption("invalid deflate data");
    }
    if (z.avail_in == 0 && z.avail_out != 0) {
      inflateEnd(&z);
      return Status::Corruption("truncated deflate data");
    }
  }
  inflateEnd(&z);
  return Status::OK();
}

Status DeflateRaw(std::string_view in, std::string* out) {
  z_stream z{};
  if (deflateInit2(&z, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return Status::Internal("deflateInit2 failed");
  }
  out->resize(deflateBound(&z, in.size()));
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out->data());
  z.avail_out = static_cast<uInt>(out->size());
  int rc = deflate(&z, Z_FINISH);
  out->resize(out->size() - z.avail_out);
  deflateEnd(&z);
  return rc == Z_STREAM_END ? Status::OK() : Status::Internal("deflate failed");
}

Result<std::string_view> Snappy(std::string_view block, int64_t max_bytes, std::string* scratch) {
  if (block.size() < 4) return Status::Corruption("truncated snappy block");
  std::string_view body = block.substr(0, block.size() - 4);
  size_t n = 0;
  if (!snappy::GetUncompressedLength(body.data(), body.size(), &n)) {
    return Status::Corruption("invalid snappy block");
  }
  if (static_cast<int64_t>(n) > max_bytes) {
    return Status::TooLarge("a decompressed block exceeds the limit");
  }
  scratch->resize(n);
  if (!snappy::RawUncompress(body.data(), body.size(), scratch->data())) {
    return Status::Corruption("invalid snappy block");
  }
  const auto* c = reinterpret_cast<const unsigned char*>(block.data() + block.size() - 4);
  uint32_t want = (uint32_t{c[0]} << 24) | (uint32_t{c[1]} << 16) | (uint32_t{c[2]} << 8) | c[3];
  uint32_t got = static_cast<uint32_t>(
      crc32(0, reinterpret_cast<const Bytef*>(scratch->data()), static_cast<uInt>(n)));
  if (want != got) return Status::Corruption("snappy block checksum mismatch");
  return std::string_view(*scratch);
}

Result<std::string_view> Zstandard(std::string_view block, int64_t max_bytes,
                                   std::string* scratch) {
  ZSTD_DStream* ds = ZSTD_createDStream();
  if (ds == nullptr) return Status::Internal("ZSTD_createDStream failed");
  ZSTD_initDStream(ds);
  scratch->clear();
  ZSTD_inBuffer in{block.data(), block.size(), 0};
  size_t rc = 1;
  while (in.pos < in.size || rc != 0) {
    if (static_cast<int64_t>(scratch->size()) >= max_bytes) {
      ZSTD_freeDStream(ds);
      return Status::TooLarge("a decompressed block exceeds the limit");
    }
    size_t old = scratch->size();
    size_t grow =
        std::min<size_t>(std::max<size_t>(old, 64 << 10), static_cast<size_t>(max_bytes) - old);
    scratch->resize(old + grow);
    ZSTD_outBuffer out{scratch->data() + old, grow, 0};
    rc = ZSTD_decompressStream(ds, &out, &in);
    scratch->resize(old + out.pos);
    if (ZSTD_isError(rc)) {
      ZSTD_freeDStream(ds);
      return Status::Corruption("invalid zstandard block");
    }
    if (in.pos == in.size && rc != 0 && out.pos < grow) {
      ZSTD_freeDStream(ds);
      return Status::Corruption("truncated zstandard block");
    }
  }
  ZSTD_freeDStream(ds);
  return std::string_view(*scratch);
}

}  // namespace

bool IsSupportedAvroCodec(std::string_view codec) {
  return codec == "null" || codec == "deflate" || codec == "snappy" || codec == "zstandard";
}

Result<std::string_view> DecompressAvroBlock(std::string_view codec, std::string_view block,
                                             int64_t max_bytes, std::string* scratch) {
  if (codec == "null") return block;
  if (codec == "deflate") {
    LS_RETURN_IF_ERROR(InflateRaw(block, max_bytes, scratch));
    return std::string_view(*scratch);
  }
  if (codec == "snappy") return Snappy(block, max_bytes, scratch);
  if (codec == "zstandard") return Zstandard(block, max_bytes, scratch);
  return Status::Unsupported("Avro codec '" + std::string(codec.substr(0, 64)) +
                             "' is not supported");
}

Status DeflateAvroBlock(std::string_view in, std::string* out) { return DeflateRaw(in, out); }

}  // namespace lakeshare::iceberg
