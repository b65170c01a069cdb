#include "storage/xml_reader.h"

#include <expat.h>

#include <climits>

namespace lakeshare {
namespace {

struct State {
  XML_Parser parser = nullptr;
  XmlElement root;
  std::vector<XmlElement*> stack;
  size_t elements = 0;
  std::string refused;  // why parsing was stopped
};

void Stop(State* s, std::string why) {
  if (s->refused.empty()) s->refused = std::move(why);
  XML_StopParser(s->parser, XML_FALSE);
}

void OnStart(void* user, const XML_Char* name, const XML_Char**) {
  auto* s = static_cast<State*>(user);
  if (!s->refused.empty()) return;
  if (++s->elements > kMaxXmlElements) return Stop(s, "too many elements");
  if (s->stack.size() >= static_cast<size_t>(kMaxXmlDepth)) return Stop(s, "nested too deeply");
  std::string_view n(name);
  if (size_t colon = n.rfind(':'); colon != std::string_view::npos) n.remove_prefix(colon + 1);
  if (s->stack.empty()) {
    s->root.name = std::string(n);
    s->stack.push_back(&s->root);
    return;
  }
  XmlElement* parent = s->stack.back();
  parent->children.emplace_back();
  parent->children.back().name = std::string(n);
  s->stack.push_back(&parent->children.back());
}

void OnEnd(void* user, const XML_Char*) {
  auto* s = static_cast<State*>(user);
  if (!s->stack.empty()) s->stack.pop_back();
}

void OnText(void* user, const XML_Char* text, int len) {
  auto* s = static_cast<State*>(user);
  if (!s->stack.empty() && len > 0) s->stack.back()->text.append(text, static_cast<size_t>(len));
}

void OnDoctype(void* user, const XML_Char*, const XML_Char*, const XML_Char*, int) {
  Stop(static_cast<State*>(user), "document type declarations are not accepted");
}

void OnEntity(void* user, const XML_Char*, int, const XML_Char*, int, const XML_Char*,
              const XML_Char*, const XML_Char*, const XML_Char*) {
  Stop(static_cast<State*>(user), "entity declarations are not accepted");
}

}  // namespace

const XmlElement* XmlElement::Child(std::string_view n) const {
  for (const auto& c : children) {
    if (c.name == n) return &c;
  }
  return nullptr;
}

std::string XmlElement::ChildText(std::string_view n) const {
  const XmlElement* c = Child(n);
  return c == nullptr ? std::string() : c->text;
}

std::vector<const XmlElement*> XmlElement::Children(std::string_view n) const {
  std::vector<const XmlElement*> out;
  for (const auto& c : children) {
    if (c.name == n) out.push_back(&c);
  }
  return out;
}

Result<XmlElement> ParseXml(std::string_view text, std::string_view what) {
  if (text.size() > static_cast<size_t>(INT_MAX)) {
    return Status::Corruption(std::string(what) + ": XML answer too large");
  }
  State s;
  s.parser = XML_ParserCreate("UTF-8");
  if (s.parser == nullptr) return Status::Internal("out of memory");
  XML_SetUserData(s.parser, &s);
  XML_SetElementHandler(s.parser, OnStart, OnEnd);
  XML_SetCharacterDataHandler(s.parser, OnText);
  XML_SetStartDoctypeDeclHandler(s.parser, OnDoctype);
  XML_SetEntityDeclHandler(s.parser, OnEntity);
  XML_Status st = XML_Parse(s.parser, text.data(), static_cast<int>(text.size()), XML_TRUE);
  std::string error;
  if (!s.refused.empty()) {
    error = s.refused;
  } else if (st != XML_STATUS_OK) {
    error = XML_ErrorString(XML_GetErrorCode(s.parser));
    error += " at line " + std::to_string(XML_GetCurrentLineNumber(s.parser));
  } else if (s.root.name.empty()) {
    error = "no root element";
  }
  XML_ParserFree(s.parser);
  if (!error.empty()) {
    return Status::Corruption(std::string(what) + ": malformed XML answer (" + error + ")");
  }
  return std::move(s.root);
}

}  // namespace lakeshare
