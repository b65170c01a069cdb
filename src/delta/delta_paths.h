// File paths recorded in a Delta log: relative URI references (percent-
// encoded, resolved against the table root) or absolute URIs.
// Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>

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
Status ResolveDeltaFilePathInto(const std::string& table_location, const std::string& recorded_path,
                                std::string* out);

// The URI encoding Delta applies to a relative file path in add/remove
// actions (so "region=a%2Fb" is recorded as "region=a%252Fb"): what
// java.net.URI leaves alone stays, everything else is %XX-encoded.
std::string EncodeDeltaPath(std::string_view relative_path);

}  // namespace lakeshare
