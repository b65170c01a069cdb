// The parts every NDJSON answer (/metadata, /query, /changes) shares: its
// headers and its head lines (protocol and metaData) in the chosen response
// format, and the checks that must pass before its 200 goes out. Pure
// functions.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"
#include "predicate/partition_filter.h"
#include "protocol/response_format.h"
#include "server/http.h"
#include "table/table_format.h"

namespace lakeshare {

// Content-Type, Delta-Table-Version, Cache-Control: no-store and
// delta-sharing-capabilities.
void SetNdjsonHeaders(HttpResponse* resp, int64_t version, ResponseFormat format,
                      bool end_stream_action);

// The protocol and metaData lines of a snapshot in `format`. The delta
// format's size and numFiles count only what the share exposes.
std::string HeadLines(ResponseFormat format, const TableSnapshot& s, bool history_shared,
                      const PartitionFilter* share_filter);

// Every deletion vector of an answer must be shareable before the 200 goes
// out: a failure half-way would only show as a truncated body. DV files
// under `derived_location` (the table's derived files; "" for none) are the
// format's own and shareable.
Status CheckDeletionVectorsShareable(const DataFile& f, const std::string& derived_location);

}  // namespace lakeshare
