// Helpers shared by the database catalog's reader (SqlCatalog), writer
// (CatalogAdmin) and config import: input limits and validation, IP
// allow-lists, and text clean-up. Internal to src/catalog.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/table_location_map.h"
#include "common/status.h"

namespace lakeshare {

constexpr size_t kMaxDisplayName = 255;
constexpr size_t kMaxComment = 4096;
constexpr size_t kMaxLocation = 4096;
constexpr size_t kMaxPartitionFilter = 64 * 1024;
constexpr size_t kMaxId = 255;
constexpr size_t kMaxAllowlistEntries = 256;
constexpr size_t kMaxProfileRef = 4096;

// kInvalidArgument naming `field` if `value` is longer than `max` bytes,
// contains a NUL or control character other than tab/newline, or is not
// valid UTF-8.
Status ValidateText(std::string_view field, std::string_view value, size_t max);
// An object id given by the caller (default ids are UUIDs): 1..255 bytes
// of text as for ValidateText.
Status ValidateId(std::string_view id);
// Lowercases `*format`; only the formats the server can read are accepted.
Status ValidateFormat(std::string* format);
// Lowercases `*view` (a Hudi table's view: "snapshot" or "read_optimized");
// read_optimized is accepted for `format` "hudi" only (format already valid).
Status ValidateHudiView(const std::string& format, std::string* view);
// The stored form of a (valid) Hudi view: NULL for the default, snapshot.
std::optional<std::string> HudiViewColumn(const std::string& view);
// The stored form of a (valid) Iceberg location map: NULL for none.
std::optional<std::string> LocationMapColumn(const TableLocationMap& map);
// Admin user names follow the recipient name rules, with their own message.
Status ValidateUserName(std::string_view name);

// The one query that authenticates an admin request: the live session of a
// token hash (first parameter) at a time (second). A session counts only
// while its user exists with the role it logged in with. Here so that a test
// can check it stays an index lookup on both backends.
inline constexpr const char* kFindAdminSessionSql =
    "SELECT s.token_hash, u.name, s.user_id, s.role, s.created_ms, s.expires_ms, "
    "s.last_used_ms FROM admin_sessions s JOIN admin_users u ON u.id = s.user_id AND "
    "u.role = s.role WHERE s.token_hash = ? AND s.expires_ms > ?";

// Each entry an IPv4/IPv6 address or CIDR range; returns the JSON array
// text stored in the database (nullopt for an empty list).
Result<std::optional<std::string>> EncodeAllowlist(const std::vector<std::string>& entries);
// Reads what EncodeAllowlist wrote (malformed text → kCorruption).
Result<std::vector<std::string>> DecodeAllowlist(const std::optional<std::string>& json);
// True if `address` (IPv4 or IPv6 text, an IPv4-mapped IPv6 address counts
// as IPv4) falls in any entry; an empty list allows every address.
bool AddressAllowed(const std::vector<std::string>& allowlist, std::string_view address);

// `text` with invalid UTF-8 sequences replaced by '?' and cut to at most
// `max` bytes at a character boundary: for audit fields, which must be
// recorded whatever a client sent.
std::string SanitizeText(std::string_view text, size_t max);

// A nullopt for an empty string: clearing an optional text field.
std::optional<std::string> EmptyToNull(const std::optional<std::string>& v);

}  // namespace lakeshare
