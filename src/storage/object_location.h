// Object-store locations: "s3://bucket/key" (also s3a://, s3n://),
// "gs://bucket/key", and Azure's "abfss://container@account.dfs.core.windows.net/path"
// (also abfs://, wasbs://, wasb://) or "az://container/path" (account from
// the config). Keys are the raw object names (no percent-decoding).
#pragma once

#include <string>

#include "common/status.h"

namespace lakeshare {

enum class CloudType { kNone, kS3, kAzure, kGcs };

// The cloud a scheme belongs to (kNone for local or unknown schemes).
CloudType CloudTypeOfScheme(const std::string& scheme);
const char* CloudTypeName(CloudType type);  // "s3", "azure", "gcs"

struct ObjectLocation {
  CloudType type = CloudType::kNone;
  std::string scheme;   // as written ("s3a")
  std::string account;  // Azure: the storage account ("" for az://)
  std::string host;     // Azure: the authority after '@' ("acct.dfs.core.windows.net"), else ""
  std::string bucket;   // bucket or container
  std::string key;      // object key or prefix, no leading '/' ("" for the bucket root)
  std::string root;     // everything before the key: "s3a://bucket/", "abfss://c@h/"

  std::string Full() const { return root + key; }
};

// kInvalidArgument for malformed locations (no bucket, bad Azure authority).
Result<ObjectLocation> ParseObjectLocation(const std::string& location);

// The scheme of a location ("" when it has none, e.g. a local path).
std::string SchemeOf(const std::string& location);

}  // namespace lakeshare
