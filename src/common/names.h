// Names of shares, schemas and tables: the protocol's rules and
// case-insensitive matching.
#pragma once

#include <string_view>

#include "common/status.h"

namespace lakeshare {

enum class NameKind { kShare, kSchema, kTable, kRecipient };

// ≤ 255 bytes, non-empty, no space, '/', control character or DEL; schema and
// table names also no '.'. kInvalidArgument naming the offending character.
Status ValidateName(std::string_view name, NameKind kind);

bool EqualsIgnoreCase(std::string_view a, std::string_view b);

}  // namespace lakeshare
