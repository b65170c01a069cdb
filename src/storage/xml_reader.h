// A small, safe XML reader for object-store answers (listings, errors):
// parses a whole document into a tree of elements. Built on expat; a
// document type declaration (and so any entity definition) is refused, as
// are documents nested deeper than kMaxDepth or with more than kMaxElements
// elements, so hostile input costs bounded time and memory. Element names
// lose any namespace prefix. Text is the concatenated character data
// directly inside an element. Thread-safe (no shared state).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace lakeshare {

struct XmlElement {
  std::string name;
  std::string text;
  std::vector<XmlElement> children;

  // The first child called `name`, or nullptr.
  const XmlElement* Child(std::string_view name) const;
  // The text of the first child called `name` ("" when absent).
  std::string ChildText(std::string_view name) const;
  // Every child called `name`, in document order.
  std::vector<const XmlElement*> Children(std::string_view name) const;
};

inline constexpr int kMaxXmlDepth = 64;
inline constexpr size_t kMaxXmlElements = 1'000'000;

// kCorruption (naming `what`) for malformed or refused input.
Result<XmlElement> ParseXml(std::string_view text, std::string_view what);

}  // namespace lakeshare
