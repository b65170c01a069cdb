// Prefetching a text before the loop that reads it gets there.
//
// Always inlined: GCC takes a function whose only effect is
// __builtin_prefetch for one without effects (pure) and drops every call to
// it, so a helper of its own would prefetch nothing.
#pragma once

#include <cstddef>
#include <string_view>

namespace lakeshare {

// Every cache line of `text`.
[[gnu::always_inline]] inline void PrefetchText(std::string_view text) {
  const char* p = text.data();
  const char* end = p + text.size();
  for (; p < end; p += 64) __builtin_prefetch(p);
  if (!text.empty()) __builtin_prefetch(end - 1);
}

}  // namespace lakeshare
