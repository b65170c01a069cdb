// Deletion-vector descriptors of the Delta protocol: where a DV's bytes live.
//
// storageType 'u': pathOrInlineDv = <optional random prefix><20-char Z85 UUID>,
//   the file is <table>/<prefix>/deletion_vector_<uuid>.bin;
// storageType 'p': an absolute path; 'i': the bitmap inline (no file).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "table/deletion_vector_bytes.h"  // Z85Decode
#include "table/table_format.h"

namespace lakeshare {

// The path of an on-disk DV relative to the table root
// ("ab/deletion_vector_<uuid>.bin"). kInvalidArgument for inline DVs and
// malformed descriptors; kUnsupported for absolute ('p') paths.
Result<std::string> DeletionVectorRelativePath(const DeletionVector& dv);

}  // namespace lakeshare
