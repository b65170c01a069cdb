// Small text helpers every folder needs, written once: ASCII case folding
// and comparison, whitespace trimming, and strict number parsing.
//
// Also the nearest of some names to a misspelt one ("did you mean").
//
// All of them are locale-independent and treat bytes >= 0x80 as ordinary
// characters (never case-folded, never whitespace), so UTF-8 text passes
// through unchanged. Pure functions: thread-safe.
#pragma once

#include <charconv>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <vector>

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
// `s` without leading and trailing spaces and tabs: HTTP's optional
// whitespace (RFC 9110 OWS) around header values and list elements, where
// other control bytes are content to reject, not to trim.
std::string_view TrimOws(std::string_view s);

// Levenshtein distance of `a` and `b`, ignoring ASCII case. O(|a|·|b|):
// bound the inputs.
size_t AsciiEditDistance(std::string_view a, std::string_view b);

// The candidate nearest to `word` by edit distance, ignoring ASCII case,
// when it is near enough to be a likely misspelling (at most 2 edits, or a
// third of the word's length); nullopt otherwise, or when `word` is over
// 64 bytes (the cost stays bounded whatever a client sends).
std::optional<std::string_view> NearestName(std::string_view word,
                                            const std::vector<std::string_view>& candidates);

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

// Hash of unordered containers keyed by std::string that are probed with a
// std::string_view (with std::equal_to<>): no string built per lookup.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
};

}  // namespace lakeshare
