// The demo's Delta tables that need a Delta-format client: WriteDemoDelta
// FeatureTables(dir) creates, under `dir` (beside WriteDemoTables' tables):
//   shipments  deletion vectors (protocol 3/7, reader and writer feature
//              deletionVectors): v0 create (two files), v1 append, v2 a
//              DELETE of the cancelled shipments as deletion vectors (small
//              ones inline, the others in a deletion_vector_<uuid>.bin
//              file), v3 a DELETE that updates DVs of v2.
//   contacts   column mapping in "name" mode (protocol 2/5, col-<uuid>
//              physical names and field ids in the parquet files): v0
//              create (two files), v1 append, v2 RENAME COLUMN phone TO
//              mobile_phone (a metadata-only commit).
// Parquet-format clients are refused on both (they would read deleted rows
// or physical column names); delta-format clients read them.
//
// Deterministic data, real timestamps (as demo_tables.h). Errors:
// kFailedPrecondition if a table folder exists, kIOError when the file
// system fails. Thread-compatible: concurrent calls must use different
// `dir`s.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "demo/demo_tables.h"

namespace lakeshare {

Result<std::vector<DemoTable>> WriteDemoDeltaFeatureTables(const std::string& dir);

}  // namespace lakeshare
