// Iceberg's name mapping (table property `schema.name-mapping.default`:
// the field ids of the columns of data files written without parquet field
// ids, e.g. by Hive before a table was migrated) and the physical column
// names that read every data file of a version the way Iceberg does.
//
// Iceberg reads a file with field ids by those ids and a file without them
// through the mapping (a column whose name the mapping lists for a field id
// is that field). A Delta reader in column mapping mode `name` reads every
// file by one physical name per field. ResolvePhysicalNames finds that name
// per struct field of the served schema (at any depth): the name every file
// that holds the field gives it; it must be one name, and no file lacking
// the field may hold another column of that name (compared ignoring case),
// else there is no exact answer and the column is named in a kUnsupported
// error. A field no file holds gets its logical name, or `_iceberg_field_<id>`
// when some file holds another column of that name. Pure functions:
// thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "iceberg/iceberg_schema.h"
#include "parquet/parquet_reader.h"

namespace lakeshare::iceberg {

inline constexpr char kNameMappingProperty[] = "schema.name-mapping.default";

struct MappedField {
  std::optional<int32_t> field_id;
  std::vector<std::string> names;
  std::vector<MappedField> fields;  // nested: struct fields, list element, map key/value
};
using NameMapping = std::vector<MappedField>;

// Parses the property's JSON text (an array of {field-id, names, fields}).
// kCorruption for malformed text, nesting deeper than 64 or more than
// 100 000 entries.
Result<NameMapping> ParseNameMapping(std::string_view json);

// The columns of one data file as its footer has them: groups with their
// children, lists with one child "element", maps with "key" and "value".
struct FileColumn {
  std::string name;
  std::optional<int32_t> field_id;
  std::vector<FileColumn> children;
};
struct FileColumns {
  std::vector<FileColumn> columns;  // top level
  bool has_ids = false;             // some column carries a field id (Iceberg's rule)
};
FileColumns ColumnsOfParquet(const parquet::ParquetReader& reader);

struct PhysicalNaming {
  bool all_files_have_ids = false;
  std::map<int32_t, std::string> names;  // struct field id -> physical name
};

// `files` are (file name for messages, its columns).
Result<PhysicalNaming> ResolvePhysicalNames(
    const Schema& schema, const NameMapping& mapping,
    const std::vector<std::pair<std::string, FileColumns>>& files);

// `schema` with every struct field named as `names` says (others keep
// theirs): the schema stats and partition values are keyed by.
Schema RenamedSchema(const Schema& schema, const std::map<int32_t, std::string>& names);

}  // namespace lakeshare::iceberg
