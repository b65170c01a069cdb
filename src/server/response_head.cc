#include "server/response_head.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/status.hpp>
#include <charconv>
#include <optional>

#include "server/access_log.h"

namespace lakeshare {
namespace {

namespace beast = boost::beast;
namespace http = boost::beast::http;

constexpr std::string_view kCrlf = "\r\n";

bool IsTokenChar(unsigned char c) {
  if (c >= '0' && c <= '9') return true;
  if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

}  // namespace

bool IsValidHeaderName(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return IsTokenChar(static_cast<unsigned char>(c));
  });
}

bool IsValidHeaderValue(std::string_view value) {
  return value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

bool HasCloseToken(std::string_view value) {
  // Connection is a comma-separated token list; "close" anywhere counts.
  while (!value.empty()) {
    size_t comma = value.find(',');
    std::string_view token = value.substr(0, comma);
    while (!token.empty() && (token.front() == ' ' || token.front() == '\t'))
      token.remove_prefix(1);
    while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.remove_suffix(1);
    if (beast::iequals(token, "close")) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

void AppendUnsigned(std::string* out, uint64_t value, int base) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof(digits), value, base);
  out->append(digits, end);
}

ResponseHead BuildResponseHead(const HttpResponse& response, const ResponseContext& context) {
  ResponseHead head;
  const int status = response.status;
  const bool body_allowed = status != 204 && status != 304;
  bool close = !context.keep_alive || context.stopping;

  if (body_allowed && response.stream) {
    std::optional<uint64_t> length;
    try {
      length = response.stream->Length();
    } catch (...) {
      length.reset();
    }
    if (length) {
      head.framing = BodyFraming::kContentLength;
      head.content_length = *length;
    } else if (context.http10) {
      head.framing = BodyFraming::kUntilClose;  // HTTP/1.0 has no chunked encoding
      close = true;
    } else {
      head.framing = BodyFraming::kChunked;
    }
  } else if (body_allowed) {
    head.framing = BodyFraming::kContentLength;
    head.content_length = response.body.size();
  }

  std::string& text = head.text;
  text += "HTTP/1.1 ";
  AppendUnsigned(&text, static_cast<uint64_t>(status));
  text += ' ';
  http::status known = http::int_to_status(static_cast<unsigned>(status));
  if (known != http::status::unknown) text += http::obsolete_reason(known);
  text += kCrlf;
  for (const auto& [name, value] : response.headers) {
    if (!IsValidHeaderName(name) || !IsValidHeaderValue(value)) {
      spdlog::warn("http: dropping invalid response header '{}'", LogSafe(name));
      continue;
    }
    // The server owns message framing and connection management.
    if (beast::iequals(name, "content-length") || beast::iequals(name, "transfer-encoding")) {
      continue;
    }
    if (beast::iequals(name, "connection")) {
      close = close || HasCloseToken(value);
      continue;
    }
    text += name;
    text += ": ";
    text += value;
    text += kCrlf;
  }
  if (head.framing == BodyFraming::kContentLength) {
    text += "Content-Length: ";
    AppendUnsigned(&text, head.content_length);
    text += kCrlf;
  } else if (head.framing == BodyFraming::kChunked) {
    text += "Transfer-Encoding: chunked\r\n";
  }
  if (close) {
    text += "Connection: close\r\n";
  } else if (context.http10) {
    text += "Connection: keep-alive\r\n";
  }
  text += kCrlf;
  head.close = close;
  head.send_body = !context.head_request && body_allowed;
  return head;
}

}  // namespace lakeshare
