#include "server/request_head.h"

#include <boost/beast/core/string.hpp>
#include <string_view>
#include <unordered_map>

#include "common/strings.h"
#include "server/request_target.h"

namespace lakeshare {

namespace http = boost::beast::http;

namespace {

// The codings of every Transfer-Encoding line, in order, lower-cased and
// without parameters; empty list elements skipped.
std::vector<std::string> TransferCodings(const http::request_header<>& head) {
  std::vector<std::string> codings;
  auto range = head.equal_range(http::field::transfer_encoding);
  for (auto it = range.first; it != range.second; ++it) {
    std::string_view rest = it->value();
    while (!rest.empty()) {
      size_t comma = rest.find(',');
      std::string_view element = rest.substr(0, comma);
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      element = TrimOws(element.substr(0, element.find(';')));
      if (!element.empty()) codings.push_back(AsciiLower(element));
    }
  }
  return codings;
}

std::string Printable(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 40)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
  return out;
}

}  // namespace

std::optional<HeadRefusal> CheckRequestHead(const http::request_header<>& head) {
  const bool has_te = head.find(http::field::transfer_encoding) != head.end();
  if (has_te) {
    if (head.version() < 11) {
      return HeadRefusal{400, "Transfer-Encoding is not allowed in an HTTP/1.0 request"};
    }
    if (head.find(http::field::content_length) != head.end()) {
      return HeadRefusal{400, "a request may not have both Content-Length and Transfer-Encoding"};
    }
    std::vector<std::string> codings = TransferCodings(head);
    if (codings.empty() || codings.back() != "chunked") {
      return HeadRefusal{400, "Transfer-Encoding must end in 'chunked'"};
    }
    if (codings.size() > 1) {
      return HeadRefusal{501, "transfer coding '" + Printable(codings.front()) +
                                  "' is not supported (only 'chunked' is)"};
    }
  }
  size_t hosts = head.count(http::field::host);
  if (hosts == 0 && head.version() >= 11) {
    return HeadRefusal{400, "an HTTP/1.1 request needs a Host header"};
  }
  if (hosts > 1) return HeadRefusal{400, "more than one Host header"};
  if (hosts == 1 && !IsValidHostHeader(TrimOws(head[http::field::host]))) {
    return HeadRefusal{400, "invalid Host header"};
  }
  return std::nullopt;
}

std::vector<std::pair<std::string, std::string>> JoinedHeaders(const http::fields& fields) {
  std::vector<std::pair<std::string, std::string>> out;
  std::unordered_map<std::string, size_t> index;
  for (const auto& field : fields) {
    std::string name = AsciiLower(field.name_string());
    auto [it, inserted] = index.emplace(name, out.size());
    if (inserted) {
      out.emplace_back(std::move(name), std::string(field.value()));
      continue;
    }
    std::string& value = out[it->second].second;
    value += name == "cookie" ? "; " : ", ";
    value += field.value();
  }
  return out;
}

}  // namespace lakeshare
