#include "storage/object_location.h"

#include "common/strings.h"

namespace lakeshare {

std::string SchemeOf(const std::string& location) {
  size_t colon = location.find(':');
  if (colon == std::string::npos || location.find('/') < colon) return "";
  std::string s = location.substr(0, colon);
  AsciiLowerInPlace(&s);
  return s;
}

CloudType CloudTypeOfScheme(const std::string& scheme) {
  if (scheme == "s3" || scheme == "s3a" || scheme == "s3n") return CloudType::kS3;
  if (scheme == "gs") return CloudType::kGcs;
  if (scheme == "abfss" || scheme == "abfs" || scheme == "wasbs" || scheme == "wasb" ||
      scheme == "az" || scheme == "azure") {
    return CloudType::kAzure;
  }
  return CloudType::kNone;
}

const char* CloudTypeName(CloudType type) {
  switch (type) {
    case CloudType::kS3:
      return "s3";
    case CloudType::kAzure:
      return "azure";
    case CloudType::kGcs:
      return "gcs";
    case CloudType::kNone:
      break;
  }
  return "local";
}

Result<ObjectLocation> ParseObjectLocation(const std::string& location) {
  ObjectLocation out;
  out.scheme = SchemeOf(location);
  out.type = CloudTypeOfScheme(out.scheme);
  if (out.type == CloudType::kNone) {
    return Status::InvalidArgument("'" + location + "' is not an object-store location");
  }
  size_t start = out.scheme.size() + 1;
  if (location.compare(start, 2, "//") != 0) {
    return Status::InvalidArgument("object-store location '" + location + "' must look like " +
                                   out.scheme + "://bucket/path");
  }
  start += 2;
  size_t slash = location.find('/', start);
  std::string authority =
      location.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
  out.key = slash == std::string::npos ? "" : location.substr(slash + 1);
  bool azure_authority =
      out.type == CloudType::kAzure && out.scheme != "az" && out.scheme != "azure";
  if (azure_authority) {
    size_t at = authority.find('@');
    if (at == std::string::npos || at == 0 || at + 1 >= authority.size()) {
      return Status::InvalidArgument("Azure location '" + location + "' must look like " +
                                     out.scheme + "://container@account.dfs.core.windows.net/path");
    }
    out.bucket = authority.substr(0, at);
    out.host = authority.substr(at + 1);
    out.account = out.host.substr(0, out.host.find('.'));
    if (out.account.empty()) {
      return Status::InvalidArgument("Azure location '" + location + "' names no account");
    }
  } else {
    out.bucket = authority;
  }
  if (out.bucket.empty()) {
    return Status::InvalidArgument("object-store location '" + location + "' names no bucket");
  }
  for (char c : out.bucket) {
    if (c == '?' || c == '#' || c == ' ' || c == '%' || static_cast<unsigned char>(c) < 0x20) {
      return Status::InvalidArgument("object-store location '" + location +
                                     "' has an invalid bucket or container name");
    }
  }
  out.root = location.substr(0, start) + authority + "/";
  return out;
}

}  // namespace lakeshare
