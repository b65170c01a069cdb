// Writes the parquet footer and page headers (parquet_metadata.h) in the
// Thrift compact protocol: every field that is set, in id order. Pure
// functions: thread-safe.
#pragma once

#include <string>

#include "parquet/parquet_metadata.h"

namespace lakeshare::parquet {

// Appends the compact encoding.
void SerializeFileMetaData(const FileMetaData& m, std::string* out);
void SerializePageHeader(const PageHeader& h, std::string* out);
void SerializeStatistics(const Statistics& s, std::string* out);

}  // namespace lakeshare::parquet
