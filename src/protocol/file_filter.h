// Decides which files of a snapshot a query returns, from its predicate
// hints. Hints are best effort: an invalid hint means "no filtering", never an
// error, and a file is dropped only when it definitely has no matching row.
#pragma once

#include <memory>

#include "protocol/query_request.h"
#include "table/table_format.h"

namespace lakeshare {

class FileFilter {
 public:
  virtual ~FileFilter() = default;
  // Called from several threads at once for one answer (lines_ahead.h).
  virtual bool Keep(const DataFile& file) const = 0;
};

// nullptr when the request has no usable hint (keep every file).
std::unique_ptr<FileFilter> MakeFileFilter(const QueryRequest& request,
                                           const TableSnapshot& snapshot);

}  // namespace lakeshare
