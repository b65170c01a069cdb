// The Delta Sharing REST API ("REST APIs" in
// https://github.com/delta-io/delta-sharing/blob/main/PROTOCOL.md): routes
// requests under the configured prefix, authenticates and authorises them
// against the catalog, and answers from the tables' own metadata. Also
// serves the server-signed URLs of local files under {prefix}/files/.
// Thread-safe; one instance serves all requests.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "catalog/catalog.h"
#include "protocol/page_token.h"
#include "protocol/query_token.h"
#include "protocol/sharing_audit.h"
#include "protocol/table_resolver.h"
#include "server/http.h"
#include "storage/storage_registry.h"

namespace lakeshare {

struct SharingServiceOptions {
  std::string endpoint = "/delta-sharing";  // no trailing '/'; "" for the root
  std::optional<std::string> public_url;    // base of signed URLs; default: from Host
  std::string default_host;                 // used when a request has no Host header
  int64_t presigned_url_timeout_seconds = 3600;
  std::string page_token_key;  // secret for list page tokens
  // Receives every routed request once answered (sharing_audit.h); none: no audit.
  std::shared_ptr<SharingAuditSink> audit;
};

class SharingService {
 public:
  SharingService(SharingServiceOptions options, std::shared_ptr<Catalog> catalog,
                 std::shared_ptr<StorageRegistry> storage);

  HttpResponse Handle(HttpRequest& request);

  struct TableRef;  // a resolved, authorised table of one request

 private:
  // Sets *recipient to the authenticated principal's name.
  HttpResponse Route(HttpRequest& request, const std::vector<std::string>& segments,
                     std::string* recipient);
  HttpResponse ServeFile(const HttpRequest& request, const std::vector<std::string>& segments);

  HttpResponse ListShares(const HttpRequest& r, const Principal& who);
  HttpResponse GetShare(const Principal& who, const std::string& share);
  HttpResponse ListSchemas(const HttpRequest& r, const Principal& who, const std::string& share);
  HttpResponse ListTables(const HttpRequest& r, const Principal& who, const std::string& share,
                          const std::string& schema);
  HttpResponse ListAllTables(const HttpRequest& r, const Principal& who, const std::string& share);
  HttpResponse TableVersion(const HttpRequest& r, const TableRef& t);
  HttpResponse TableMetadata(const HttpRequest& r, const TableRef& t);
  HttpResponse QueryTable(const HttpRequest& r, const TableRef& t);
  HttpResponse TableChanges(const HttpRequest& r, const TableRef& t);
  // The shared part of /changes and streaming queries: commits start..end.
  struct ChangeRequest;
  HttpResponse AnswerChanges(const HttpRequest& r, const TableRef& t, const ChangeRequest& c);

  std::string BaseUrl(const HttpRequest& r) const;

  SharingServiceOptions options_;
  std::shared_ptr<Catalog> catalog_;
  std::shared_ptr<StorageRegistry> storage_;
  TableResolver resolver_;
  PageTokenCodec page_tokens_;
  QueryTokenCodec query_tokens_;
};

}  // namespace lakeshare
