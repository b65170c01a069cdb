// Transport-neutral HTTP request/response types. The protocol and admin code
// see only these; Boost.Beast stays inside the server/ transport files.
#pragma once

#include <any>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace lakeshare {

struct HttpRequest {
  std::string method;  // upper case, e.g. "GET"
  std::string target;  // raw request target, e.g. "/delta-sharing/shares?maxResults=1"
  std::string path;    // target without the query string, still percent-encoded
  std::vector<std::pair<std::string, std::string>> query;  // decoded name/value pairs
  // Names lower-cased, one entry per name: repeated field lines are joined
  // into one comma-separated list (RFC 9110 §5.3; Cookie with "; "). The
  // transport has checked that Host is absent, empty or a valid host[:port].
  // Trailer fields of a chunked body are not here.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string remote_address;
  // "http" or "https": the listener's, never taken from a header.
  std::string scheme = "http";
  // From a sane X-Request-Id header or made by the server (common/request_id.h);
  // echoed in the response's X-Request-Id.
  std::string request_id;
  // What the head check (ServerOptions::head_check) found out about the
  // request before its body was read (e.g. who its token belongs to), so the
  // handler need not look it up again; empty when there was no check. Only
  // the transport sets it: a client cannot.
  std::any head_context;

  // First header / query value with that name (header names are
  // case-insensitive), or nullptr.
  const std::string* Header(std::string_view name) const;
  const std::string* Query(std::string_view name) const;
};

// Produces a response body piece by piece, so large responses are never held
// in memory whole. Called from a worker thread, never concurrently with itself.
class BodyStream {
 public:
  virtual ~BodyStream() = default;
  // Appends the next part (about `size_hint` bytes) to *out. Returns false
  // when the body is complete (after appending the last part, possibly none).
  // An error aborts the connection: the client sees a truncated body, never a
  // body that looks complete.
  virtual Result<bool> Next(std::string* out, size_t size_hint) = 0;
  // Total length if known in advance (then sent as Content-Length, not chunked).
  virtual std::optional<uint64_t> Length() const { return std::nullopt; }
};

struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;                    // used when `stream` is null
  std::unique_ptr<BodyStream> stream;  // streamed body (chunked unless Length() is known)

  void SetHeader(std::string name, std::string value);
};

using HttpHandler = std::function<HttpResponse(HttpRequest& request)>;

}  // namespace lakeshare
