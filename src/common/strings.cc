#include "common/strings.h"

#include <algorithm>
#include <numeric>

namespace lakeshare {

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  AsciiLowerInPlace(&out);
  return out;
}

void AsciiLowerInPlace(std::string* s) {
  for (char& c : *s) c = AsciiToLower(c);
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (AsciiToLower(a[i]) != AsciiToLower(b[i])) return false;
  }
  return true;
}

std::string_view TrimWhitespace(std::string_view s) {
  while (!s.empty() && IsAsciiSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsAsciiSpace(s.back())) s.remove_suffix(1);
  return s;
}

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

size_t AsciiEditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1), next(b.size() + 1);
  std::iota(row.begin(), row.end(), size_t{0});
  for (size_t i = 1; i <= a.size(); ++i) {
    next[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t substitute = row[j - 1] + (AsciiToLower(a[i - 1]) == AsciiToLower(b[j - 1]) ? 0 : 1);
      next[j] = std::min({row[j] + 1, next[j - 1] + 1, substitute});
    }
    std::swap(row, next);
  }
  return row[b.size()];
}

std::optional<std::string_view> NearestName(std::string_view word,
                                            const std::vector<std::string_view>& candidates) {
  constexpr size_t kMaxWord = 64;
  if (word.empty() || word.size() > kMaxWord) return std::nullopt;
  const size_t allowed = std::max<size_t>(2, word.size() / 3);
  std::optional<std::string_view> best;
  size_t best_distance = allowed + 1;
  for (std::string_view c : candidates) {
    if (c.size() > word.size() + allowed || word.size() > c.size() + allowed) continue;
    size_t d = AsciiEditDistance(word, c);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  return best;
}

}  // namespace lakeshare
