#include "storage/cloud_backends.h"

#include <boost/json.hpp>
#include <fstream>
#include <sstream>

#include "common/encoding.h"

namespace lakeshare {
namespace {

const std::string& First(const std::string& a, const std::string& b) { return a.empty() ? b : a; }

Result<std::string> ReadSmallFile(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status::FailedPrecondition(what + ": cannot read the service-account key file '" + path +
                                      "'");
  }
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  if (text.size() > (1 << 20)) {
    return Status::FailedPrecondition(what + ": the service-account key file is too large");
  }
  return text;
}

}  // namespace

HttpClientOptions HttpOptionsFor(const StorageLocationConfig* entry) {
  HttpClientOptions o;
  if (entry == nullptr) return o;
  if (entry->connect_timeout_ms) o.connect_timeout_ms = *entry->connect_timeout_ms;
  if (entry->request_timeout_ms) o.request_timeout_ms = *entry->request_timeout_ms;
  if (entry->max_retries) o.max_attempts = *entry->max_retries + 1;
  return o;
}

Result<S3StoreSettings> ResolveS3Settings(const StorageLocationConfig* entry,
                                          const CloudEnvironment& env, const std::string& what) {
  static const StorageLocationConfig kNone;
  const StorageLocationConfig& e = entry ? *entry : kNone;
  S3StoreSettings s;
  s.name = "S3";
  s.region = First(e.region, First(env.Get("AWS_REGION"), env.Get("AWS_DEFAULT_REGION")));
  if (s.region.empty()) s.region = "us-east-1";
  s.endpoint =
      First(e.endpoint, First(env.Get("AWS_ENDPOINT_URL_S3"), env.Get("AWS_ENDPOINT_URL")));
  if (!s.endpoint.empty() && s.endpoint.rfind("http://", 0) != 0 &&
      s.endpoint.rfind("https://", 0) != 0) {
    return Status::FailedPrecondition(what +
                                      ": the S3 endpoint must start with http:// or https://");
  }
  s.path_style = e.path_style.value_or(!s.endpoint.empty());
  if (!e.access_key_id.empty() || !e.secret_access_key.empty()) {
    if (e.access_key_id.empty() || e.secret_access_key.empty()) {
      return Status::FailedPrecondition(what + ": needs both 'accessKeyId' and 'secretAccessKey'");
    }
    s.credentials.id = e.access_key_id;
    s.credentials.secret = e.secret_access_key;
    if (!e.session_token.empty()) s.credentials.session_token = e.session_token;
  } else if (!env.Get("AWS_ACCESS_KEY_ID").empty()) {
    if (env.Get("AWS_SECRET_ACCESS_KEY").empty()) {
      return Status::FailedPrecondition(
          what + ": AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
    }
    s.credentials.id = env.Get("AWS_ACCESS_KEY_ID");
    s.credentials.secret = env.Get("AWS_SECRET_ACCESS_KEY");
    if (!env.Get("AWS_SESSION_TOKEN").empty()) {
      s.credentials.session_token = env.Get("AWS_SESSION_TOKEN");
    }
  }
  s.auth = s.credentials.id.empty() ? S3StoreSettings::Auth::kAnonymous
                                    : S3StoreSettings::Auth::kAwsV4Header;
  return s;
}

Result<S3StoreSettings> ResolveGcsSettings(const StorageLocationConfig* entry,
                                           const CloudEnvironment& env, const std::string& what) {
  static const StorageLocationConfig kNone;
  const StorageLocationConfig& e = entry ? *entry : kNone;
  S3StoreSettings s;
  s.name = "GCS";
  s.service = "storage";
  s.region = "auto";
  s.endpoint = e.endpoint.empty() ? "https://storage.googleapis.com" : e.endpoint;
  s.path_style = e.path_style.value_or(true);
  if (!e.hmac_access_id.empty() || !e.hmac_secret.empty()) {
    if (e.hmac_access_id.empty() || e.hmac_secret.empty()) {
      return Status::FailedPrecondition(what + ": needs both 'hmacAccessId' and 'hmacSecret'");
    }
    s.flavor = &kGoogHmacV4;
    s.credentials.id = e.hmac_access_id;
    s.credentials.secret = e.hmac_secret;
    s.auth = S3StoreSettings::Auth::kGoogV4Query;
    return s;
  }
  std::string file = First(e.service_account_file, env.Get("GOOGLE_APPLICATION_CREDENTIALS"));
  if (file.empty()) {
    s.auth = S3StoreSettings::Auth::kAnonymous;
    return s;
  }
  LS_ASSIGN_OR_RETURN(std::string text, ReadSmallFile(file, what));
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(text, ec);
  if (ec || !v.is_object()) {
    return Status::FailedPrecondition(what + ": the service-account key file '" + file +
                                      "' is not JSON");
  }
  const boost::json::object& o = v.as_object();
  auto str = [&](const char* k) -> std::string {
    auto it = o.find(k);
    return it != o.end() && it->value().is_string() ? std::string(it->value().as_string()) : "";
  };
  if (str("type") != "service_account" || str("client_email").empty() ||
      str("private_key").empty()) {
    return Status::FailedPrecondition(what + ": '" + file +
                                      "' is not a service-account key (type service_account "
                                      "with client_email and private_key)");
  }
  auto key = RsaPrivateKey::FromPem(str("private_key"));
  if (!key.ok()) {
    return Status::FailedPrecondition(what + ": the private key in '" + file +
                                      "' cannot be read: " + key.status().message());
  }
  s.flavor = &kGoogRsaV4;
  s.credentials.id = str("client_email");
  s.credentials.rsa_key = *key;
  s.auth = S3StoreSettings::Auth::kGoogV4Query;
  return s;
}

Result<AzureStoreSettings> ResolveAzureSettings(const StorageLocationConfig* entry,
                                                const CloudEnvironment& env,
                                                const std::string& what) {
  static const StorageLocationConfig kNone;
  const StorageLocationConfig& e = entry ? *entry : kNone;
  AzureStoreSettings s;
  auto fail = [&](const std::string& why) { return Status::FailedPrecondition(what + ": " + why); };
  // The entry's own credentials, else the environment's (connection string first).
  bool entry_creds = !e.account_key.empty() || !e.sas_token.empty() ||
                     !e.connection_string.empty() || !e.client_secret.empty();
  if (!e.connection_string.empty()) {
    Status st = ApplyAzureConnectionString(e.connection_string, &s);
    if (!st.ok()) return fail(st.message());
  } else if (!entry_creds && !env.Get("AZURE_STORAGE_CONNECTION_STRING").empty()) {
    Status st = ApplyAzureConnectionString(env.Get("AZURE_STORAGE_CONNECTION_STRING"), &s);
    if (!st.ok()) return fail("AZURE_STORAGE_CONNECTION_STRING: " + st.message());
  }
  if (!e.account_name.empty()) {
    s.account = e.account_name;
  } else if (s.account.empty()) {
    s.account = env.Get("AZURE_STORAGE_ACCOUNT");
  }
  if (!e.endpoint.empty()) s.endpoint = e.endpoint;
  std::string key = !e.account_key.empty() ? e.account_key
                    : entry_creds          ? std::string()
                                           : env.Get("AZURE_STORAGE_KEY");
  std::string sas = !e.sas_token.empty() ? e.sas_token
                    : entry_creds        ? std::string()
                                         : env.Get("AZURE_STORAGE_SAS_TOKEN");
  std::string tenant = First(e.tenant_id, entry_creds ? std::string() : env.Get("AZURE_TENANT_ID"));
  std::string client = First(e.client_id, entry_creds ? std::string() : env.Get("AZURE_CLIENT_ID"));
  std::string secret =
      First(e.client_secret, entry_creds ? std::string() : env.Get("AZURE_CLIENT_SECRET"));
  if (!key.empty()) {
    std::string k = key;
    for (char& c : k) {
      if (c == '+')
        c = '-';
      else if (c == '/')
        c = '_';
    }
    auto raw = Base64UrlDecode(k);
    if (!raw || raw->empty()) return fail("the account key is not base64");
    s.account_key = *raw;
    s.auth = AzureStoreSettings::Auth::kSharedKey;
  } else if (!secret.empty()) {
    if (tenant.empty() || client.empty()) {
      return fail("an Entra ID application needs 'tenantId', 'clientId' and 'clientSecret'");
    }
    s.tenant_id = tenant;
    s.client_id = client;
    s.client_secret = secret;
    std::string authority = First(e.authority_url, env.Get("AZURE_AUTHORITY_HOST"));
    if (!authority.empty()) {
      if (authority.find("://") == std::string::npos) authority = "https://" + authority;
      s.authority_url = authority;
    }
    s.auth = AzureStoreSettings::Auth::kEntraApplication;
  } else if (!sas.empty()) {
    s.sas_token = sas[0] == '?' ? sas.substr(1) : sas;
    s.auth = AzureStoreSettings::Auth::kSasToken;
  }
  if (!s.endpoint.empty() && s.endpoint.rfind("http://", 0) != 0 &&
      s.endpoint.rfind("https://", 0) != 0) {
    return fail("the Azure endpoint must start with http:// or https://");
  }
  while (!s.endpoint.empty() && s.endpoint.back() == '/') s.endpoint.pop_back();
  return s;
}

std::string DescribeCredentials(CloudType type, const StorageLocationConfig* entry,
                                const CloudEnvironment& env) {
  static const StorageLocationConfig kNone;
  const StorageLocationConfig& e = entry ? *entry : kNone;
  switch (type) {
    case CloudType::kS3:
      if (!e.access_key_id.empty())
        return e.session_token.empty() ? "access key (config)" : "temporary credentials (config)";
      if (!env.Get("AWS_ACCESS_KEY_ID").empty()) return "access key (AWS_ACCESS_KEY_ID)";
      return "anonymous";
    case CloudType::kGcs:
      if (!e.hmac_access_id.empty()) return "HMAC key (config)";
      if (!e.service_account_file.empty())
        return "service account (" + e.service_account_file + ")";
      if (!env.Get("GOOGLE_APPLICATION_CREDENTIALS").empty())
        return "service account (GOOGLE_APPLICATION_CREDENTIALS)";
      return "anonymous";
    case CloudType::kAzure:
      if (!e.account_key.empty()) return "account key (config)";
      if (!e.client_secret.empty()) return "Entra ID application (config)";
      if (!e.sas_token.empty()) return "SAS token (config; cannot pre-sign)";
      if (!e.connection_string.empty()) return "connection string (config)";
      if (!env.Get("AZURE_STORAGE_CONNECTION_STRING").empty())
        return "connection string (AZURE_STORAGE_CONNECTION_STRING)";
      if (!env.Get("AZURE_STORAGE_KEY").empty()) return "account key (AZURE_STORAGE_KEY)";
      if (!env.Get("AZURE_CLIENT_SECRET").empty())
        return "Entra ID application (AZURE_CLIENT_SECRET)";
      if (!env.Get("AZURE_STORAGE_SAS_TOKEN").empty())
        return "SAS token (AZURE_STORAGE_SAS_TOKEN; cannot pre-sign)";
      return "anonymous";
    case CloudType::kNone:
      break;
  }
  return "none";
}

}  // namespace lakeshare
