// The checks a request head must pass before anything else is done with it
// (before its body is read), and the header list the handler gets. RFC 9112
// framing: a Transfer-Encoding other than a final "chunked" would leave the
// body to be parsed as the next request (request smuggling), so it is refused
// and the connection closed; so is Transfer-Encoding beside Content-Length or
// in an HTTP/1.0 request. An HTTP/1.1 request needs exactly one Host, and a
// Host must be a plain host[:port] (it may end up in URLs the server signs).
// Internal to server/. Pure functions, thread-safe.
#pragma once

#include <boost/beast/http/message.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace lakeshare {

struct HeadRefusal {
  int status = 400;  // 400, or 501 for a transfer coding the server does not implement
  std::string message;
};

// nullopt if the head is acceptable.
std::optional<HeadRefusal> CheckRequestHead(const boost::beast::http::request_header<>& head);

// The fields with lower-cased names, one entry per name in order of first
// appearance; repeated lines joined with ", " (RFC 9110 §5.3), Cookie with "; ".
std::vector<std::pair<std::string, std::string>> JoinedHeaders(
    const boost::beast::http::fields& fields);

}  // namespace lakeshare
