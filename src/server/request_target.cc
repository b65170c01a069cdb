#include "server/request_target.h"

#include <cctype>

#include "common/encoding.h"

namespace lakeshare {

Result<std::string> DecodeQueryComponent(std::string_view text) {
  std::string plus_decoded(text);
  for (char& c : plus_decoded) {
    if (c == '+') c = ' ';
  }
  // '+' is replaced first so that "%2B" still decodes to a literal '+'.
  std::optional<std::string> decoded = PercentDecode(plus_decoded);
  if (!decoded) return Status::InvalidArgument("malformed percent-escape in query string");
  return std::move(*decoded);
}

Result<RequestTarget> ParseRequestTarget(std::string_view target) {
  if (target.empty() || target.front() != '/') {
    return Status::InvalidArgument("request target must be an absolute path");
  }
  RequestTarget out;
  size_t qmark = target.find('?');
  out.path = std::string(target.substr(0, qmark));
  if (!PercentDecode(out.path)) {
    return Status::InvalidArgument("malformed percent-escape in request path");
  }
  if (qmark == std::string_view::npos) return out;

  std::string_view rest = target.substr(qmark + 1);
  while (!rest.empty()) {
    size_t amp = rest.find('&');
    std::string_view component = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (component.empty()) continue;
    size_t eq = component.find('=');
    std::string_view name = component.substr(0, eq);
    std::string_view value =
        eq == std::string_view::npos ? std::string_view() : component.substr(eq + 1);
    LS_ASSIGN_OR_RETURN(std::string decoded_name, DecodeQueryComponent(name));
    LS_ASSIGN_OR_RETURN(std::string decoded_value, DecodeQueryComponent(value));
    out.query.emplace_back(std::move(decoded_name), std::move(decoded_value));
  }
  return out;
}

bool IsValidHostHeader(std::string_view host) {
  if (host.empty()) return true;
  std::string_view name = host;
  std::string_view port;
  if (host.front() == '[') {
    size_t close = host.find(']');
    if (close == std::string_view::npos || close < 3) return false;
    for (char c : host.substr(1, close - 1)) {
      if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':' && c != '.') return false;
    }
    std::string_view rest = host.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return false;
      port = rest.substr(1);
      if (port.empty()) return false;
    }
  } else {
    size_t colon = host.find(':');
    if (colon != std::string_view::npos) {
      name = host.substr(0, colon);
      port = host.substr(colon + 1);
      if (port.empty()) return false;
    }
    if (name.empty() || name.size() > 255) return false;
    for (char c : name) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.' && c != '_' &&
          c != '~') {
        return false;
      }
    }
  }
  if (port.size() > 5) return false;
  for (char c : port) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

}  // namespace lakeshare
