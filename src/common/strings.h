// Small text helpers every folder needs, written once: ASCII case folding
// and comparison, whitespace trimming, and strict number parsing.
//
// All of them are locale-independent and treat bytes >= 0x80 as ordinary
// characters (never case-folded, never whitespace), so UTF-8 text passes
// through unchanged. Pure functions: thread-safe.
#pragma once

#include <charconv>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>

namespace lakeshare {

// 'A'..'Z' -> 'a'..'z'; every other byte unchanged.
constexpr char AsciiToLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }
std::string AsciiLower(std::string_view s);
void AsciiLowerInPlace(std::string* s);

// Equal when they differ only in the case of ASCII letters.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// Space, \t, \n, \v, \f, \r.
constexpr bool IsAsciiSpace(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
// `s` without leading and trailing ASCII whitespace (a view into `s`).
std::string_view TrimWhitespace(std::string_view s);

// The whole of `text` as a number of type T (an integer type, or float /
// double), or nullopt: empty text, anything but the number (whitespace, a
// leading '+', a suffix), or a value out of T's range. Integers are decimal;
// floating point is std::from_chars' general format (which also reads
// "inf" and "nan").
template <typename T>
std::optional<T> ParseNumber(std::string_view text) {
  static_assert(std::is_arithmetic_v<T> && !std::is_same_v<T, bool>);
  T value{};
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

}  // namespace lakeshare
