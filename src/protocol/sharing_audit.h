// Audit of sharing requests. SharingService reports every request it routes
// under its prefix — authenticated or not — to a SharingAuditSink once the
// answer is complete: for a streamed answer that is when its last piece has
// been produced, or when the stream failed or was abandoned, so the number
// of files is the number actually sent. The signed file downloads under
// {prefix}/files/ are not reported: they follow an audited query, one per
// file, and carry no recipient.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "server/http.h"

namespace lakeshare {

struct SharingAuditEvent {
  int64_t time_ms = 0;    // when the request arrived
  std::string recipient;  // empty when the request was not authenticated
  // listShares, getShare, listSchemas, listTables, listAllTables,
  // tableVersion, tableMetadata, queryTable, tableChanges, or unknown.
  std::string action;
  // As requested: "share:s", "schema:s.sc" or "table:s.sc.t" (the admin
  // audit's spelling); empty for listShares.
  std::string object;
  int status = 0;                    // the HTTP status sent
  std::optional<int64_t> num_files;  // file lines sent (query and changes answers)
  std::string detail;                // the error code and message, or why a stream stopped
  // Why, when the client was told less than the server knows (a table the
  // provider misconfigured: its location); appended to `detail`.
  std::string reason;
  std::string remote_address;
  std::string request_id;  // HttpRequest::request_id
  // How the recipient was proved when not by a catalog token
  // (Principal::origin: "federation issuer=... subject=..."); never a token.
  std::string origin;
};

class SharingAuditSink {
 public:
  virtual ~SharingAuditSink() = default;
  // Called from worker threads, concurrently; must be cheap and not block.
  virtual void Record(SharingAuditEvent event) = 0;
};

// Fills event->action and event->object from the request's method and its
// decoded path segments below the prefix.
void DescribeSharingRequest(const std::vector<std::string>& segments, SharingAuditEvent* event);

// Arranges for `sink` to receive `event` (completed with the status, the
// error detail and the number of files) when `response` is complete: now
// for a plain body, at the end of the stream for a streamed one.
void AuditResponse(HttpResponse* response, SharingAuditEvent event,
                   std::shared_ptr<SharingAuditSink> sink);

}  // namespace lakeshare
