// Opens a base file that a commit lists, for the parquet reader, through
// Storage::OpenRandomAccess (the project's one random-access read), with
// the errors a Hudi table reports for it.
//
// The reader keeps the storage alive. Thread-safe as the storage is.
// Errors: kCorruption "base file <path> is missing (a commit lists it)"
// when the file is absent, kCorruption "base file <path>: the file is
// shorter than its commit says" when it is cut short; any other failure of
// the store or the parquet reader with "base file <path>" as context.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"
#include "parquet/parquet_reader.h"
#include "storage/storage.h"

namespace lakeshare::hudi {

// `path` is relative to `table_root`; `size` is the file's size as its
// commit lists it.
Result<parquet::ParquetReader> OpenBaseFile(const std::shared_ptr<Storage>& storage,
                                            const std::string& table_root, const std::string& path,
                                            int64_t size);

}  // namespace lakeshare::hudi
