#include "common/names.h"

#include <string>

namespace lakeshare {
namespace {

const char* KindName(NameKind kind) {
  switch (kind) {
    case NameKind::kShare:
      return "share";
    case NameKind::kSchema:
      return "schema";
    case NameKind::kTable:
      return "table";
    case NameKind::kRecipient:
      return "recipient";
  }
  return "object";
}

}  // namespace

Status ValidateName(std::string_view name, NameKind kind) {
  std::string what = std::string(KindName(kind)) + " name";
  if (name.empty()) return Status::InvalidArgument(what + " must not be empty");
  if (name.size() > 255) return Status::InvalidArgument(what + " is longer than 255 bytes");
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f) {
      return Status::InvalidArgument(what + " '" + std::string(name) +
                                     "' contains a control character");
    }
    if (c == ' ' || c == '/' ||
        (c == '.' && (kind == NameKind::kSchema || kind == NameKind::kTable))) {
      return Status::InvalidArgument(what + " '" + std::string(name) + "' must not contain '" +
                                     std::string(1, static_cast<char>(c)) + "'");
    }
  }
  return Status::OK();
}

}  // namespace lakeshare
