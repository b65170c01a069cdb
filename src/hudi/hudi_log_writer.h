// Hudi log blocks as lakeshare writes them (the synthetic and demo tables of
// hudi_writer.h, the legacy archived timeline): the framing that
// hudi_log_format.h parses, around contents built here.
//
// Pure functions; thread-safe. Encoding cannot fail.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hudi/hudi_log_format.h"

namespace lakeshare::hudi {

// One framed block ("#HUDI#", sizes, format version 1, header, content, an
// empty footer) of `type`; header keys are LogHeader values.
std::string LogBlockBytes(LogBlockType type, const std::map<int32_t, std::string>& header,
                          std::string_view content);

// The content of an Avro (or CDC) data block: version 3, the record count,
// then each record's length and Avro bytes.
std::string DataBlockContent(const std::vector<std::string>& records);

// The content of a delete block (version 3): a HoodieDeleteRecordList of
// (record key, partition path) with no ordering value.
std::string DeleteBlockContent(const std::vector<std::pair<std::string, std::string>>& keys);

}  // namespace lakeshare::hudi
