#include "auth/oauth_form.h"

#include <strings.h>

#include "common/encoding.h"

namespace lakeshare {
namespace {

constexpr size_t kMaxBasicHeaderBytes = 4096;

std::optional<std::string> FormDecode(std::string_view text) {
  std::string plus_as_space(text);
  for (char& c : plus_as_space) {
    if (c == '+') c = ' ';
  }
  return PercentDecode(plus_as_space);
}

}  // namespace

Result<std::map<std::string, std::string>> ParseTokenRequestForm(std::string_view body) {
  if (body.size() > kMaxTokenRequestBytes) {
    return Status::TooLarge("the token request is larger than " +
                            std::to_string(kMaxTokenRequestBytes) + " bytes");
  }
  std::map<std::string, std::string> fields;
  size_t start = 0;
  while (start <= body.size()) {
    size_t end = body.find('&', start);
    if (end == std::string_view::npos) end = body.size();
    std::string_view pair = body.substr(start, end - start);
    start = end + 1;
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::optional<std::string> name = FormDecode(pair.substr(0, eq));
    std::optional<std::string> value =
        FormDecode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
    if (!name || !value) return Status::InvalidArgument("malformed %-escape in the request body");
    if (name->empty()) return Status::InvalidArgument("a request parameter has no name");
    if (fields.size() >= kMaxTokenRequestFields) {
      return Status::InvalidArgument("too many request parameters");
    }
    if (!fields.emplace(std::move(*name), std::move(*value)).second) {
      return Status::InvalidArgument("a request parameter is repeated");
    }
  }
  return fields;
}

Result<std::optional<ClientCredentials>> ParseBasicCredentials(std::string_view v) {
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  if (v.size() < 6 || strncasecmp(v.data(), "basic ", 6) != 0) {
    return std::optional<ClientCredentials>();
  }
  if (v.size() > kMaxBasicHeaderBytes) return Status::InvalidArgument("Basic credentials too long");
  v.remove_prefix(6);
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  // Standard base64 read through the base64url decoder.
  std::string text(v);
  for (char& c : text) {
    if (c == '+') {
      c = '-';
    } else if (c == '/') {
      c = '_';
    } else if (c == '-' || c == '_') {
      return Status::InvalidArgument("Basic credentials are not base64");
    }
  }
  std::optional<std::string> decoded = Base64UrlDecode(text);
  if (!decoded || decoded->empty()) {
    return Status::InvalidArgument("Basic credentials are not base64");
  }
  size_t colon = decoded->find(':');
  if (colon == std::string::npos) {
    return Status::InvalidArgument("Basic credentials lack the ':' between id and secret");
  }
  std::optional<std::string> id = FormDecode(std::string_view(*decoded).substr(0, colon));
  std::optional<std::string> secret = FormDecode(std::string_view(*decoded).substr(colon + 1));
  if (!id || !secret) return Status::InvalidArgument("malformed %-escape in Basic credentials");
  return std::optional<ClientCredentials>(ClientCredentials{std::move(*id), std::move(*secret)});
}

}  // namespace lakeshare
