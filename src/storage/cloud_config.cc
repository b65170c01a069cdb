#include "storage/cloud_config.h"

#include <cstdlib>

namespace lakeshare {

CloudEnvironment CloudEnvironment::FromProcess() {
  static const char* const kNames[] = {
      "AWS_ACCESS_KEY_ID",       "AWS_SECRET_ACCESS_KEY",
      "AWS_SESSION_TOKEN",       "AWS_REGION",
      "AWS_DEFAULT_REGION",      "AWS_ENDPOINT_URL",
      "AWS_ENDPOINT_URL_S3",     "AZURE_STORAGE_ACCOUNT",
      "AZURE_STORAGE_KEY",       "AZURE_STORAGE_CONNECTION_STRING",
      "AZURE_STORAGE_SAS_TOKEN", "AZURE_TENANT_ID",
      "AZURE_CLIENT_ID",         "AZURE_CLIENT_SECRET",
      "AZURE_AUTHORITY_HOST",    "GOOGLE_APPLICATION_CREDENTIALS",
  };
  CloudEnvironment env;
  for (const char* name : kNames) {
    if (const char* v = std::getenv(name); v != nullptr && *v != '\0') env.vars[name] = v;
  }
  return env;
}

const std::string& CloudEnvironment::Get(const std::string& name) const {
  static const std::string kEmpty;
  auto it = vars.find(name);
  return it == vars.end() ? kEmpty : it->second;
}

}  // namespace lakeshare
