// Turns a storage config entry (or none) plus the environment into the
// settings of a cloud backend. Errors name the entry's location and the
// missing or unreadable setting, never a secret value.
#pragma once

#include <memory>

#include "storage/azure_store.h"
#include "storage/cloud_config.h"
#include "storage/http_client.h"
#include "storage/s3_store.h"
#include "storage/storage.h"

namespace lakeshare {

// `entry` may be null (environment only). `what` names the location for messages.
Result<S3StoreSettings> ResolveS3Settings(const StorageLocationConfig* entry,
                                          const CloudEnvironment& env, const std::string& what);
Result<S3StoreSettings> ResolveGcsSettings(const StorageLocationConfig* entry,
                                           const CloudEnvironment& env, const std::string& what);
Result<AzureStoreSettings> ResolveAzureSettings(const StorageLocationConfig* entry,
                                                const CloudEnvironment& env,
                                                const std::string& what);

// HTTP options of an entry (timeouts, retries) over the defaults.
HttpClientOptions HttpOptionsFor(const StorageLocationConfig* entry);

// Where an entry's credentials come from, for the startup log: "config",
// "environment", "anonymous", ...
std::string DescribeCredentials(CloudType type, const StorageLocationConfig* entry,
                                const CloudEnvironment& env);

}  // namespace lakeshare
