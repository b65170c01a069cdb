// Reads the parquet footer and page headers (parquet_metadata.h) from the
// Thrift compact protocol, and the file framing around the footer.
//
// For untrusted bytes: unknown fields and unknown union members are skipped,
// enum values outside the known range are kept as they are (an enum class
// can hold any int32), a missing required field is kCorruption, and every
// other problem is kCorruption too (see thrift_compact.h for the limits).
// Encryption structures are only detected, never interpreted.
//
// Memory: every parsed list element is a valid struct of at least 3 encoded
// bytes, but a ColumnChunk takes ~560 bytes in memory, so a hostile footer can
// cost a few hundred times its size: readers should cap the footer length
// they accept before parsing. All functions are thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/status.h"
#include "parquet/parquet_metadata.h"

namespace lakeshare::parquet {

// Parses exactly one struct from the start of `bytes`; `consumed` (optional)
// receives its encoded length (a page header is followed by the page data).
Result<FileMetaData> ParseFileMetaData(std::string_view bytes, size_t* consumed = nullptr);
Result<PageHeader> ParsePageHeader(std::string_view bytes, size_t* consumed = nullptr);
Result<Statistics> ParseStatistics(std::string_view bytes, size_t* consumed = nullptr);

// File framing: "PAR1" <data> <footer> <u32 little-endian footer length> "PAR1".
inline constexpr std::string_view kParquetMagic = "PAR1";
inline constexpr size_t kFooterTrailerSize = 8;
// Reads the footer length from a file's last 8 bytes (kCorruption when the
// magic is wrong; "PARE", encrypted footers, is kUnsupported).
Result<uint32_t> ParseFooterLength(std::string_view last8);
// Parses the footer of a whole file held in memory, checking both magics and
// that the footer fits in the file.
Result<FileMetaData> ParseFileFooter(std::string_view file);

}  // namespace lakeshare::parquet
