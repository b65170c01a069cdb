// Checks of Avro writer schemas before anything is decoded with them.
//
// CheckAvroSchemaJson is a strict check of the schema JSON before avro-c
// sees it: avro-c's parser leaks what it built when it fails, so only
// schemas it certainly accepts reach it. Accepted: the primitives,
// record/enum/fixed with plain names (no namespaces), array, map, unions of
// distinct branches, references to names defined earlier; extra attributes
// are ignored.
//
// CheckAvroWriterSchema refuses, after avro-c parsed it, a schema that could
// make decoding unbounded: recursive types, nesting deeper than `max_depth`,
// more than 100 000 nodes once named types are expanded, and arrays whose
// items can take zero bytes (a count of 2^60 would loop without consuming
// input). Pure functions: thread-safe.
#pragma once

#include <avro.h>

#include <cstdint>
#include <string_view>

#include "common/status.h"

namespace lakeshare::iceberg {

// True when avro-c certainly parses `json` (see above).
bool CheckAvroSchemaJson(std::string_view json);

// The minimum encoded size of a value of `schema` (0 or more bytes), or
// kCorruption naming why the schema is refused.
Result<int64_t> CheckAvroWriterSchema(avro_schema_t schema, int max_depth);

}  // namespace lakeshare::iceberg
