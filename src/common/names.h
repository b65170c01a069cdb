// Names of shares, schemas and tables: the protocol's rules. They match
// case-insensitively (EqualsIgnoreCase, common/strings.h).
#pragma once

#include <string_view>

#include "common/status.h"
#include "common/strings.h"

namespace lakeshare {

enum class NameKind { kShare, kSchema, kTable, kRecipient };

// ≤ 255 bytes, non-empty, no space, '/', control character or DEL; schema and
// table names also no '.'. kInvalidArgument naming the offending character.
Status ValidateName(std::string_view name, NameKind kind);

}  // namespace lakeshare
