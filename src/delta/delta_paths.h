// File paths recorded in a Delta log: relative URI references (percent-
// encoded, resolved against the table root) or absolute URIs.
// Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/compact_text.h"
#include "common/status.h"

namespace lakeshare {

// Whether `path` starts with a URI scheme ("s3:", "file:", "abfss:", ...).
bool HasUriScheme(std::string_view path);

// The form used to compare file identities: relative paths percent-decoded
// (left as recorded if the encoding is malformed), absolute URIs unchanged.
std::string CanonicalDeltaPath(std::string_view path);

// The full storage location of `recorded_path` for a table at `table_location`:
//  - a relative path is percent-decoded and joined (Storage::Join); a
//    malformed escape or a ".." segment (it would name a file outside the
//    table) is kCorruption, a scheme-less absolute path kUnsupported;
//  - a "file:" URI becomes a local path (LocalPathFromLocation);
//  - any other absolute URI is returned unchanged.
Result<std::string> ResolveDeltaFilePath(const std::string& table_location,
                                         const std::string& recorded_path);
// The same, into *out (its buffer reused): the per-file call of large answers.
Status ResolveDeltaFilePathInto(const std::string& table_location, std::string_view recorded_path,
                                std::string* out);

// Where a table's files live, as NormalizeRecordedPath compares them.
struct DeltaTableRoot {
  std::string local;  // a local table's folder (decoded, no trailing '/'), else ""
  std::string uri;    // an object-store table's location (no trailing '/'), else ""
  static DeltaTableRoot Of(std::string_view table_location);
};

// One spelling per file for the paths of add and remove actions, so that a
// remove cancels its add however each spells the path (Delta's PROTOCOL.md: a path
// is a URI, relative ones resolved against the table root):
//  - a "file:" URI (file:/abs, file:///abs, file://localhost/abs, escaped
//    or not) naming a file under a local table's folder becomes the
//    relative form writers record (EncodeDeltaPath), any other "file:" URI
//    "file://" + its encoded path;
//  - an object-store URI under the table's location becomes relative;
//  - relative paths, scheme-less absolute ones (refused when resolved) and
//    other URIs stay as recorded.
// Returns whether *path changed. Cheap for relative paths (one memchr).
bool NormalizeRecordedPath(const DeltaTableRoot& root, std::string* path);
bool NormalizeRecordedPath(const DeltaTableRoot& root, CompactText* path);

// The URI encoding Delta applies to a relative file path in add/remove
// actions (so "region=a%2Fb" is recorded as "region=a%252Fb"): what
// java.net.URI leaves alone stays, everything else is %XX-encoded.
std::string EncodeDeltaPath(std::string_view relative_path);

}  // namespace lakeshare
