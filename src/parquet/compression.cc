#include "parquet/compression.h"

#include <lz4.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <climits>

namespace lakeshare::parquet {
namespace {

Status Corrupt(CompressionCodec codec, std::string_view what) {
  return Status::Corruption(std::string(CodecName(codec)) + " page: " + std::string(what));
}

Result<std::string> GzipCompress(std::string_view input) {
  if (input.size() > UINT_MAX / 2) return Status::TooLarge("page too large for GZIP");
  z_stream s{};
  // 16 + 15: a gzip wrapper around a 32 KiB window, as parquet's GZIP means.
  if (deflateInit2(&s, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return Status::Internal("deflateInit2 failed");
  }
  std::string out(deflateBound(&s, static_cast<uLong>(input.size())) + 32, '\0');
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  s.avail_in = static_cast<uInt>(input.size());
  s.next_out = reinterpret_cast<Bytef*>(out.data());
  s.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&s, Z_FINISH);
  size_t written = s.total_out;
  deflateEnd(&s);
  if (rc != Z_STREAM_END) return Status::Internal("deflate failed");
  out.resize(written);
  return out;
}

Result<std::string> GzipDecompress(std::string_view input, size_t size) {
  z_stream s{};
  // 32 + 15: accept both gzip and zlib headers (older writers used zlib).
  if (inflateInit2(&s, 32 + 15) != Z_OK) return Status::Internal("inflateInit2 failed");
  std::string out(size, '\0');
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  s.avail_in = static_cast<uInt>(input.size());
  s.next_out = reinterpret_cast<Bytef*>(out.data());
  s.avail_out = static_cast<uInt>(out.size());
  int rc = inflate(&s, Z_FINISH);
  size_t written = s.total_out;
  inflateEnd(&s);
  if (rc != Z_STREAM_END || written != size) {
    return Corrupt(CompressionCodec::kGzip, "does not inflate to the stated size");
  }
  return out;
}

Result<std::string> Lz4RawDecompress(std::string_view input, size_t size) {
  if (input.size() > INT_MAX) return Corrupt(CompressionCodec::kLz4Raw, "page too large");
  std::string out(size, '\0');
  int n = LZ4_decompress_safe(input.data(), out.data(), static_cast<int>(input.size()),
                              static_cast<int>(size));
  if (n < 0 || static_cast<size_t>(n) != size) {
    return Corrupt(CompressionCodec::kLz4Raw, "does not decompress to the stated size");
  }
  return out;
}

uint32_t ReadBigEndian32(std::string_view s) {
  return static_cast<uint32_t>(static_cast<uint8_t>(s[0])) << 24 |
         static_cast<uint32_t>(static_cast<uint8_t>(s[1])) << 16 |
         static_cast<uint32_t>(static_cast<uint8_t>(s[2])) << 8 |
         static_cast<uint32_t>(static_cast<uint8_t>(s[3]));
}

void AppendBigEndian32(uint32_t v, std::string* out) {
  for (int shift = 24; shift >= 0; shift -= 8) out->push_back(static_cast<char>(v >> shift));
}

// Hadoop's LZ4 codec frames blocks as <u32 BE raw size><u32 BE compressed
// size><block>; some writers used bare LZ4 blocks under the same codec id, so
// we fall back to that when the framing does not add up.
Result<std::string> HadoopLz4Decompress(std::string_view input, size_t size) {
  std::string out;
  out.reserve(size);
  std::string_view rest = input;
  bool framed = true;
  while (!rest.empty()) {
    if (rest.size() < 8) {
      framed = false;
      break;
    }
    uint32_t raw = ReadBigEndian32(rest);
    uint32_t comp = ReadBigEndian32(rest.substr(4));
    if (comp > rest.size() - 8 || raw > size - out.size() || raw > INT_MAX) {
      framed = false;
      break;
    }
    size_t at = out.size();
    out.resize(at + raw);
    int n = LZ4_decompress_safe(rest.data() + 8, out.data() + at, static_cast<int>(comp),
                                static_cast<int>(raw));
    if (n < 0 || static_cast<uint32_t>(n) != raw) {
      framed = false;
      break;
    }
    rest.remove_prefix(8 + comp);
  }
  if (framed && out.size() == size) return out;
  return Lz4RawDecompress(input, size);
}

}  // namespace

std::string_view CodecName(CompressionCodec codec) {
  switch (codec) {
    case CompressionCodec::kUncompressed:
      return "UNCOMPRESSED";
    case CompressionCodec::kSnappy:
      return "SNAPPY";
    case CompressionCodec::kGzip:
      return "GZIP";
    case CompressionCodec::kLzo:
      return "LZO";
    case CompressionCodec::kBrotli:
      return "BROTLI";
    case CompressionCodec::kLz4:
      return "LZ4";
    case CompressionCodec::kZstd:
      return "ZSTD";
    case CompressionCodec::kLz4Raw:
      return "LZ4_RAW";
  }
  return "UNKNOWN";
}

Result<std::string> Compress(CompressionCodec codec, std::string_view input) {
  switch (codec) {
    case CompressionCodec::kUncompressed:
      return std::string(input);
    case CompressionCodec::kSnappy: {
      std::string out;
      snappy::Compress(input.data(), input.size(), &out);
      return out;
    }
    case CompressionCodec::kGzip:
      return GzipCompress(input);
    case CompressionCodec::kZstd: {
      std::string out(ZSTD_compressBound(input.size()), '\0');
      size_t n = ZSTD_compress(out.data(), out.size(), input.data(), input.size(), 3);
      if (ZSTD_isError(n)) return Status::Internal(ZSTD_getErrorName(n));
      out.resize(n);
      return out;
    }
    case CompressionCodec::kLz4:
    case CompressionCodec::kLz4Raw: {
      if (input.size() > LZ4_MAX_INPUT_SIZE) return Status::TooLarge("page too large for LZ4");
      int bound = LZ4_compressBound(static_cast<int>(input.size()));
      std::string block(static_cast<size_t>(bound), '\0');
      int n =
          LZ4_compress_default(input.data(), block.data(), static_cast<int>(input.size()), bound);
      if (n <= 0) return Status::Internal("LZ4 compression failed");
      block.resize(static_cast<size_t>(n));
      if (codec == CompressionCodec::kLz4Raw) return block;
      std::string out;
      AppendBigEndian32(static_cast<uint32_t>(input.size()), &out);
      AppendBigEndian32(static_cast<uint32_t>(n), &out);
      out += block;
      return out;
    }
    default:
      break;
  }
  return Status::Unsupported("parquet codec " + std::string(CodecName(codec)) +
                             " is not supported");
}

Result<std::string> Decompress(CompressionCodec codec, std::string_view input,
                               size_t uncompressed_size) {
  if (uncompressed_size > INT32_MAX || input.size() > INT32_MAX) {
    return Corrupt(codec, "page size out of range");
  }
  switch (codec) {
    case CompressionCodec::kUncompressed:
      if (input.size() != uncompressed_size) return Corrupt(codec, "size mismatch");
      return std::string(input);
    case CompressionCodec::kSnappy: {
      size_t n = 0;
      if (!snappy::GetUncompressedLength(input.data(), input.size(), &n) ||
          n != uncompressed_size) {
        return Corrupt(codec, "bad length header");
      }
      std::string out(n, '\0');
      if (!snappy::RawUncompress(input.data(), input.size(), out.data())) {
        return Corrupt(codec, "malformed data");
      }
      return out;
    }
    case CompressionCodec::kGzip:
      return GzipDecompress(input, uncompressed_size);
    case CompressionCodec::kZstd: {
      std::string out(uncompressed_size, '\0');
      size_t n = ZSTD_decompress(out.data(), out.size(), input.data(), input.size());
      if (ZSTD_isError(n) || n != uncompressed_size) {
        return Corrupt(codec, "does not decompress to the stated size");
      }
      return out;
    }
    case CompressionCodec::kLz4Raw:
      return Lz4RawDecompress(input, uncompressed_size);
    case CompressionCodec::kLz4:
      return HadoopLz4Decompress(input, uncompressed_size);
    default:
      break;
  }
  return Status::Unsupported("parquet codec " + std::string(CodecName(codec)) +
                             " is not supported");
}

}  // namespace lakeshare::parquet
