#include "common/compact_text.h"

#include <limits>
#include <new>
#include <ostream>
#include <stdexcept>

namespace lakeshare {

void CompactText::Own(std::string_view text) {
  // Texts come from bounded inputs (a log line, a column value); one of 4 GiB
  // is a logic error, like std::string's max_size.
  if (text.size() > std::numeric_limits<uint32_t>::max()) {
    throw std::length_error("CompactText: text of 4 GiB or more");
  }
  char* b = static_cast<char*>(::operator new(kHeader + text.size()));
  const auto n = static_cast<uint32_t>(text.size());
  std::memcpy(b, &n, sizeof n);
  if (!text.empty()) std::memcpy(b + kHeader, text.data(), text.size());
  bits_ = reinterpret_cast<uintptr_t>(b);
}

std::ostream& operator<<(std::ostream& os, const CompactText& t) {
  return t ? os << t.view() : os << "(absent)";
}

}  // namespace lakeshare
