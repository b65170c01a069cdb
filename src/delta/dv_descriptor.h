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
#include "table/table_format.h"

namespace lakeshare {

// Decodes Z85 (the ZeroMQ base85 alphabet Delta uses); nullopt on a bad
// character or a length that is not a multiple of 5.
std::optional<std::string> Z85Decode(std::string_view text);

// The path of an on-disk DV relative to the table root
// ("ab/deletion_vector_<uuid>.bin"). kInvalidArgument for inline DVs and
// malformed descriptors; kUnsupported for absolute ('p') paths.
Result<std::string> DeletionVectorRelativePath(const DeletionVector& dv);

}  // namespace lakeshare
