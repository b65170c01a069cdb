// Which response format a query is answered in (the `responseformat` of the
// delta-sharing-capabilities header: Delta Sharing PROTOCOL.md, "Delta
// Sharing Capabilities Header"), and
// whether the client can read the table in it. A table is never answered in
// a form the client would read wrongly: that is a 400, not silent bad data.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "protocol/capabilities.h"
#include "table/table_format.h"

namespace lakeshare {

enum class ResponseFormat { kParquet, kDelta };

std::string_view ResponseFormatName(ResponseFormat format);

// One format asked: that one. Several: parquet when the table can be read in
// it, else delta. Errors (kUnsupported) name what the client lacks.
Result<ResponseFormat> ChooseResponseFormat(const ClientCapabilities& caps,
                                            const TableSnapshot& snapshot,
                                            const std::string& table_name);

// ChooseResponseFormat, except that when the client can take the snapshot
// in no format and the table derives its deletion vectors itself (Hudi),
// *snapshot becomes the table's snapshot without them and is answered.
Result<ResponseFormat> ChooseResponseFormatOrPlainSnapshot(
    TableFormat& table, const ClientCapabilities& caps,
    std::shared_ptr<const TableSnapshot>* snapshot, const std::string& table_name);

// Why lakeshare itself cannot read this table's log (OK if it can): a
// minReaderVersion above 3 or a reader feature it does not know, named in
// the message. Both checks below start with it, so every format and
// endpoint refuses such a table.
Status CheckReaderProtocol(const TableSnapshot& snapshot, const std::string& table_name);

// Why a parquet-format client cannot read this table (OK if it can): column
// mapping, deletion vectors, reader features beyond plain parquet.
Status CheckParquetCompatible(const TableSnapshot& snapshot, const std::string& table_name);

// Why a delta-format client with these reader features cannot read it.
Status CheckDeltaCompatible(const ClientCapabilities& caps, const TableSnapshot& snapshot,
                            const std::string& table_name);

enum class FileIdHash { kMd5, kSha256 };
// The `fileidhash` request header: absent → the format's default (MD5 for
// parquet, SHA-256 for delta); "parquet"/"delta" pick one; else kInvalidArgument.
Result<FileIdHash> ChooseFileIdHash(const std::string* header, ResponseFormat format);

}  // namespace lakeshare
