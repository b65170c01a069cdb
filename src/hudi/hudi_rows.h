// Rows of Hudi data, shaped by a parquet schema: parquet/row_values.h under
// the names the Hudi code uses. Avro log records become rows in
// hudi_avro_rows.h; rows are written to parquet by hudi_row_writer.h.
#pragma once

#include "parquet/row_values.h"

namespace lakeshare::hudi {

using Value = parquet::RowValue;
using parquet::AlignRow;
using parquet::kMaxRowDepth;
using parquet::ReadRowGroupRows;
using parquet::RowField;

}  // namespace lakeshare::hudi
