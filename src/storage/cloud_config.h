// Where cloud credentials and endpoints come from: the `storage:` entries of
// the server config (one per location prefix; the longest matching prefix
// wins) and the standard environment variables of each cloud, which fill in
// what an entry leaves out and serve locations no entry covers.
//
// These structs hold secrets: never log or print them (ToString() of a
// config only names locations and types).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace lakeshare {

struct StorageLocationConfig {
  std::string
      location;      // prefix: "s3://bucket/path", "abfss://c@acct.dfs.core.windows.net/", "gs://b"
  std::string type;  // "s3", "azure" or "gcs" (default: from the location's scheme)

  // S3 and S3-compatible stores (MinIO, Ceph, R2, ...).
  std::string region;    // default us-east-1
  std::string endpoint;  // "http://127.0.0.1:9000"; also Azure's blob endpoint, GCS's XML endpoint
  std::optional<bool> path_style;  // default: path style with a custom endpoint
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;

  // Azure Blob Storage / ADLS Gen2.
  std::string account_name;
  std::string account_key;        // base64 shared key: reads and service SAS
  std::string sas_token;          // reads/lists only (cannot sign other URLs)
  std::string connection_string;  // AccountName/AccountKey/BlobEndpoint/SharedAccessSignature
  // An Entra ID (Azure AD) application: OAuth for reads and user-delegation SAS.
  std::string tenant_id;
  std::string client_id;
  std::string client_secret;
  std::string authority_url;  // default https://login.microsoftonline.com

  // Google Cloud Storage.
  std::string service_account_file;  // JSON key file (RSA)
  std::string hmac_access_id;        // HMAC key (interoperability)
  std::string hmac_secret;

  // HTTP behaviour towards this store.
  std::optional<int64_t> connect_timeout_ms;
  std::optional<int64_t> request_timeout_ms;
  std::optional<int> max_retries;
};

// How requests to a catalog service are authenticated (storage/http_auth.h).
// Holds secrets: never log it, never return it from the admin API.
struct HttpAuthConfig {
  enum class Kind { kNone, kBearer, kOAuth2, kSigV4 };
  Kind kind = Kind::kNone;
  std::string token;  // kBearer: a static token
  // kOAuth2: the client credentials grant (RFC 6749 4.4) at token_endpoint.
  std::string client_id;
  std::string client_secret;
  std::string scope;           // sent when not empty
  std::string token_endpoint;  // full URL
  // kSigV4: AWS Signature Version 4 for `service` ("glue", "s3tables") in
  // `region`; the keys, else AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/
  // AWS_SESSION_TOKEN, else AWS_REGION/AWS_DEFAULT_REGION for the region.
  std::string service;
  std::string region;
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;

  bool operator==(const HttpAuthConfig&) const = default;
};

// `icebergCatalogs:` — a catalog service that tells where Iceberg tables are.
// type "rest": an Iceberg REST catalog; a table location under `uri` (its
// base, before /v1) is sent with this entry's authentication. type "glue":
// the AWS Glue Data Catalog API (GetTable), for table locations
// glue://<name>/<database>/<table>; `uri` is its endpoint (default
// https://glue.<region>.amazonaws.com), always SigV4 (service "glue").
struct CatalogConnectionConfig {
  std::string name;
  std::string type = "rest";
  std::string uri;
  std::string catalog_id;  // glue: the account id of the catalog (default: the caller's)
  HttpAuthConfig auth;

  bool operator==(const CatalogConnectionConfig&) const = default;
};

// The standard environment variables of the three clouds.
struct CloudEnvironment {
  std::map<std::string, std::string> vars;

  // Reads the variables lakeshare knows from the process environment.
  static CloudEnvironment FromProcess();
  const std::string& Get(const std::string& name) const;
};

}  // namespace lakeshare
