// The Delta Sharing REST API ("REST APIs" in
// https://github.com/delta-io/delta-sharing/blob/main/PROTOCOL.md): routes
// requests under the configured prefix by the route table (sharing_routes.h), authenticates and
// authorises them against the catalog, resolves tables through the
// table-format registry, and hands each to its endpoint; also serves the
// server-signed URLs of local files under {prefix}/files/
// (local_file_server.h) and reports every routed request to the audit sink.
//
// Errors: endpoints return Result<HttpResponse>; a Status becomes the
// protocol's JSON error here (server/errors.h). Handle() is the exception
// boundary: nothing escapes it. Thread-safe; one instance serves all
// requests.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "protocol/endpoint_context.h"
#include "protocol/local_file_server.h"
#include "protocol/page_token.h"
#include "protocol/query_token.h"
#include "protocol/recipient_slots.h"
#include "protocol/sharing_options.h"
#include "protocol/table_resolver.h"
#include "server/http.h"
#include "storage/storage_registry.h"

namespace lakeshare {

class SharingService {
 public:
  SharingService(SharingServiceOptions options, std::shared_ptr<Catalog> catalog,
                 std::shared_ptr<StorageRegistry> storage);
  SharingService(const SharingService&) = delete;
  SharingService& operator=(const SharingService&) = delete;

  HttpResponse Handle(HttpRequest& request);
  // For ServerOptions::head_check: a request under the prefix (not a signed
  // /files/ download) whose bearer token does not authenticate gets its 401
  // (audited as Handle would) before its body is read; nullopt otherwise.
  // The principal found goes in head.head_context: Handle on this same
  // service takes it from the request instead of asking the catalog again
  // (one token lookup per request); another service (after a reload) asks.
  std::optional<HttpResponse> CheckHead(HttpRequest& head);

 private:
  // Sets the audit event's recipient and origin (the authenticated
  // principal's) and reason (why a table the provider misconfigured failed);
  // `event` may be nullptr.
  HttpResponse Route(const HttpRequest& request, const std::vector<std::string>& segments,
                     SharingAuditEvent* event);
  // {prefix}/oauth/token, behind the per-address limit.
  HttpResponse ServeToken(const HttpRequest& request, std::string* recipient);

  // The principal of `r`: the head check's if this service made it, else
  // the catalog's.
  Result<Principal> Authenticate(const HttpRequest& r);

  const uint64_t id_;  // tells this service's head checks from another's
  const SharingServiceOptions options_;
  std::shared_ptr<Catalog> catalog_;
  TableResolver resolver_;
  PageTokenCodec page_tokens_;
  QueryTokenCodec query_tokens_;
  const EndpointContext context_;  // refers to the members above
  LocalFileServer files_;
  RecipientSlots slots_;
};

}  // namespace lakeshare
