#include "delta/delta_column_mapping.h"

#include <simdjson.h>

#include <cctype>

#include "common/strings.h"

namespace lakeshare {
namespace {

using simdjson::dom::element;

void Walk(element type, const std::string& logical_prefix, const std::string& physical_prefix,
          int depth, std::map<std::string, std::string>* out) {
  simdjson::dom::array fields;
  if (depth > 64 || type["fields"].get_array().get(fields) != simdjson::SUCCESS) return;
  for (element field : fields) {
    std::string_view name;
    if (field["name"].get_string().get(name) != simdjson::SUCCESS) continue;
    std::string logical(name);
    std::string physical = logical;
    std::string_view p;
    if (field["metadata"]["delta.columnMapping.physicalName"].get_string().get(p) ==
        simdjson::SUCCESS) {
      physical = std::string(p);
    }
    std::string lpath = logical_prefix.empty() ? logical : logical_prefix + "." + logical;
    std::string ppath = physical_prefix.empty() ? physical : physical_prefix + "." + physical;
    (*out)[AsciiLower(lpath)] = ppath;
    element sub;
    if (field["type"].get(sub) == simdjson::SUCCESS && sub.is_object()) {
      Walk(sub, lpath, ppath, depth + 1, out);
    }
  }
}

}  // namespace

std::optional<std::string> ColumnMappingMode(const TableMetadata& metadata) {
  auto it = metadata.configuration.find("delta.columnMapping.mode");
  if (it == metadata.configuration.end() || it->second == "none") return std::nullopt;
  return it->second;
}

std::map<std::string, std::string> LogicalToPhysicalColumns(const std::string& schema_string) {
  std::map<std::string, std::string> out;
  simdjson::dom::parser parser;
  element schema;
  if (parser.parse(schema_string).get(schema) != simdjson::SUCCESS || !schema.is_object()) {
    return out;
  }
  Walk(schema, "", "", 0, &out);
  return out;
}

}  // namespace lakeshare
