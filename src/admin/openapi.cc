#include "admin/openapi.h"

#include <algorithm>
#include <boost/json.hpp>
#include <map>
#include <set>

#include "admin/admin_json.h"
#include "common/strings.h"
#include "server/errors.h"

namespace lakeshare {

namespace json = boost::json;

namespace {

constexpr std::string_view kApiPrefix = "/api/v1";

std::string_view ParamDescription(std::string_view name) {
  if (name == "share") return "A share's name (any case)";
  if (name == "schema") return "A schema's name (any case)";
  if (name == "table") return "A table's name (any case)";
  if (name == "recipient") return "A recipient's name (any case)";
  if (name == "user") return "An admin user's name (any case)";
  if (name == "id") return "A token's id";
  if (name == "secret") return "The link's secret, from its URL";
  if (name == "client") return "An OAuth client's id";
  if (name == "keyId") return "The id of an OAuth client's public key";
  if (name == "catalog") return "An Iceberg catalog connection's name (any case)";
  return "";
}

std::string NameRules(NameKind kind) {
  std::string what = kind == NameKind::kShare    ? "a share"
                     : kind == NameKind::kSchema ? "a schema"
                     : kind == NameKind::kTable  ? "a table"
                                                 : "a recipient";
  std::string no_dot = kind == NameKind::kSchema || kind == NameKind::kTable ? ", '.'" : "";
  return " (" + what + "'s name: 1 to 255 bytes without spaces, '/'" + no_dot +
         " or control characters; unique in any case)";
}

// Writes schemas and collects the named shapes they refer to.
class SchemaWriter {
 public:
  json::value Ref(const Shape& shape) {
    Register(shape);
    return json::object{{"$ref", "#/components/schemas/" + std::string(shape.name)}};
  }

  json::object FieldSchema(const Field& f) {
    json::object s;
    switch (f.type) {
      case FieldType::kString:
        s["type"] = "string";
        if (f.max_length > 0) s["maxLength"] = f.max_length;
        break;
      case FieldType::kInteger:
        s["type"] = "integer";
        s["format"] = "int64";
        break;
      case FieldType::kBoolean:
        s["type"] = "boolean";
        break;
      case FieldType::kStringList:
        s["type"] = "array";
        s["items"] = json::object{{"type", "string"}};
        if (f.max_length > 0) s["maxItems"] = f.max_length;
        break;
      case FieldType::kTime:
        s["oneOf"] = json::array{json::object{{"type", "string"}, {"format", "date-time"}},
                                 json::object{{"type", "integer"}, {"format", "int64"}}};
        break;
      case FieldType::kDateTime:
        s["type"] = "string";
        s["format"] = "date-time";
        break;
      case FieldType::kEpochMillis:
        s["type"] = "integer";
        s["format"] = "int64";
        break;
      case FieldType::kFilter: {
        json::object text{{"type", "string"}};
        if (f.max_length > 0) text["maxLength"] = f.max_length;
        s["oneOf"] = json::array{std::move(text), json::object{{"type", "object"}}};
        break;
      }
      case FieldType::kObject:
        if (f.shape != nullptr) s["allOf"] = json::array{Ref(*f.shape)};
        break;
      case FieldType::kObjectList:
        s["type"] = "array";
        if (f.shape != nullptr) s["items"] = Ref(*f.shape);
        break;
      case FieldType::kAny:
        break;
      case FieldType::kStringMap:
        s["type"] = "object";
        s["additionalProperties"] = json::object{{"type", "string"}};
        if (f.max_length > 0) s["maxProperties"] = f.max_length;
        break;
    }
    if (f.minimum) s["minimum"] = *f.minimum;
    if (f.maximum) s["maximum"] = *f.maximum;
    if (!f.enum_values.empty()) {
      json::array e;
      for (std::string_view v : f.enum_values) e.emplace_back(v);
      s["enum"] = std::move(e);
    }
    std::string d(f.description);
    if (f.type == FieldType::kEpochMillis) d += " (milliseconds since the epoch)";
    if (f.type == FieldType::kTime) d += " (ISO-8601 text or milliseconds since the epoch)";
    if (f.name_rules) d += NameRules(*f.name_rules);
    if (!d.empty()) s["description"] = d;
    if (f.secret) {
      s["format"] = "password";
      s["writeOnly"] = true;
    }
    return s;
  }

  // `request`: unknown fields are refused (ParseBody).
  json::object ShapeSchema(const Shape& shape, bool request) {
    json::object s{{"type", "object"}};
    if (!shape.description.empty()) s["description"] = shape.description;
    json::array required;
    json::object properties;
    for (const Field& f : shape.fields) {
      if (f.required) required.emplace_back(f.name);
      properties[f.name] = FieldSchema(f);
    }
    if (!required.empty()) s["required"] = std::move(required);
    s["properties"] = std::move(properties);
    if (request) s["additionalProperties"] = false;
    return s;
  }

  // The components section: every shape referred to, and the shapes they
  // refer to in turn.
  json::object Components() {
    json::object out;
    while (!pending_.empty()) {
      const Shape* s = pending_.begin()->second;
      pending_.erase(pending_.begin());
      out[s->name] = ShapeSchema(*s, false);
    }
    return out;
  }

 private:
  void Register(const Shape& shape) {
    if (done_.insert(shape.name).second) pending_[shape.name] = &shape;
  }
  std::set<std::string_view> done_;
  std::map<std::string_view, const Shape*> pending_;  // by name: a stable order
};

// The HTTP status, errorCode and headers `code` gets (server/errors.h).
HttpResponse ErrorFor(StatusCode code) {
  if (code == StatusCode::kInternal) {
    // Spelled out: ErrorResponse() logs every internal error it renders.
    return ErrorResponse(500, kInternalError, "internal error");
  }
  return ErrorResponse(Status(code, "-"));
}

json::object ErrorResponses(const AdminRoute& route, SchemaWriter& schemas) {
  struct Merged {
    std::vector<std::string> codes;
    std::string when;
    std::set<std::string> headers;
  };
  std::map<int, Merged> by_status;
  for (const RouteError& e : RouteErrors(route)) {
    HttpResponse r = ErrorFor(e.code);
    std::string code(json::parse(r.body).at("errorCode").as_string());
    Merged& m = by_status[r.status];
    if (std::find(m.codes.begin(), m.codes.end(), code) == m.codes.end()) m.codes.push_back(code);
    m.when += (m.when.empty() ? "" : "; ") + std::string(e.when);
    for (const auto& [name, value] : r.headers) {
      if (name != "Content-Type") m.headers.insert(name);
    }
    if (!e.header.empty()) m.headers.insert(std::string(e.header));
  }
  json::object out;
  for (auto& [status, m] : by_status) {
    json::array codes;
    for (const std::string& c : m.codes) codes.emplace_back(c);
    json::object schema{
        {"allOf",
         json::array{schemas.Ref(ErrorShape()),
                     json::object{{"properties",
                                   json::object{{"errorCode", json::object{{"type", "string"},
                                                                           {"enum", codes}}}}}}}}};
    json::object response{{"description", m.when}};
    if (!m.headers.empty()) {
      json::object headers;
      for (const std::string& h : m.headers) {
        headers[h] = json::object{{"schema", json::object{{"type", "string"}}}};
      }
      response["headers"] = std::move(headers);
    }
    response["content"] = json::object{{"application/json", json::object{{"schema", schema}}}};
    out[std::to_string(status)] = std::move(response);
  }
  return out;
}

json::object Operation(const AdminRoute& route, std::string_view method, SchemaWriter& schemas) {
  const bool alternate = method != route.method;
  json::object op;
  op["operationId"] =
      alternate ? std::string(route.id) + "_" + AsciiLower(method) : std::string(route.id);
  op["summary"] = route.summary;
  std::string description(route.description);
  if (alternate) {
    description += std::string(description.empty() ? "" : " ") + "The same as " +
                   std::string(route.method) + ", for clients that send " + std::string(method) +
                   ".";
  }
  if (!description.empty()) op["description"] = description;
  if (route.group != nullptr) op["tags"] = json::array{route.group->tag};
  if (route.access == RouteAccess::kPublic) op["security"] = json::array{};

  json::array parameters;
  for (const Field& f : route.query) {
    json::object p{{"name", f.name}, {"in", "query"}, {"required", f.required}};
    p["schema"] = schemas.FieldSchema(f);
    if (!f.description.empty()) p["description"] = f.description;
    parameters.push_back(std::move(p));
  }
  if (route.if_match) {
    parameters.push_back(json::object{
        {"name", "If-Match"},
        {"in", "header"},
        {"required", false},
        {"schema", json::object{{"type", "string"}}},
        {"description", "The version you read (e.g. \"3\"): instead of the body's version"}});
  }
  if (!parameters.empty()) op["parameters"] = std::move(parameters);
  if (route.HasBody()) {
    op["requestBody"] = json::object{
        {"required", !route.body_optional},
        {"content",
         json::object{{"application/json",
                       json::object{{"schema", schemas.ShapeSchema(route.body, true)}}}}}};
  }

  json::object responses;
  json::object ok{{"description", route.response != nullptr && !route.response->description.empty()
                                      ? route.response->description
                                      : std::string_view("done")}};
  if (route.response != nullptr) {
    ok["content"] =
        json::object{{"application/json", json::object{{"schema", schemas.Ref(*route.response)}}}};
  }
  responses[std::to_string(route.status)] = std::move(ok);
  for (auto& kv : ErrorResponses(route, schemas)) responses[kv.key()] = std::move(kv.value());
  op["responses"] = std::move(responses);

  if (route.audited) op["x-lakeshare-action"] = route.action;
  op["x-lakeshare-access"] = RouteAccessName(route.access);
  json::array cli;
  for (const CliCommand& c : route.cli) cli.emplace_back(CliUsage(c));
  if (!cli.empty()) op["x-lakeshare-cli"] = std::move(cli);
  if (!route.same_as.empty()) op["x-lakeshare-cli-via"] = route.same_as;
  return op;
}

}  // namespace

std::string AdminOpenApiJson(const std::vector<AdminRoute>& routes) {
  SchemaWriter schemas;
  json::object paths;
  std::set<std::string_view> tags_used;
  for (const AdminRoute& r : routes) {
    std::string path = std::string(kApiPrefix) + std::string(r.path);
    json::value& slot = paths[path];
    if (!slot.is_object()) slot.emplace_object();
    json::object& item = slot.as_object();
    if (!item.contains("parameters") && !r.PathParams().empty()) {
      json::array params;
      for (std::string_view p : r.PathParams()) {
        params.push_back(json::object{{"name", p},
                                      {"in", "path"},
                                      {"required", true},
                                      {"description", ParamDescription(p)},
                                      {"schema", json::object{{"type", "string"}}}});
      }
      item["parameters"] = std::move(params);
    }
    for (std::string_view m : r.Methods()) item[AsciiLower(m)] = Operation(r, m, schemas);
    if (r.group != nullptr) tags_used.insert(r.group->tag);
  }

  json::array tags;
  for (const RouteGroup* g : kRouteGroups) {
    if (tags_used.count(g->tag) > 0) {
      tags.push_back(json::object{{"name", g->tag}, {"description", g->description}});
    }
  }
  json::object doc;
  doc["openapi"] = "3.0.3";
  doc["info"] = json::object{
      {"title", "lakeshare admin API"},
      {"version", "1"},
      {"description",
       "Manage the catalog database of a lakeshare server: shares, schemas, tables, recipients "
       "with their tokens, grants and activation links, users of this API, and the audit log. "
       "Every error is a JSON object {errorCode, message}; a method a path does not serve is "
       "405 METHOD_NOT_ALLOWED with an Allow header. Without a valid session every path but "
       "the public ones answers 401, known or not."}};
  doc["tags"] = std::move(tags);
  doc["security"] = json::array{json::object{{"session", json::array{}}},
                                json::object{{"cookie", json::array{}}}};
  doc["paths"] = std::move(paths);
  json::object components;
  components["securitySchemes"] = json::object{
      {"session",
       json::object{
           {"type", "http"},
           {"scheme", "bearer"},
           {"description",
            "A session token from POST /api/v1/login. Sessions are kept in the catalog database "
            "(as a hash), so every server on one database accepts them and a logout, a deleted "
            "user or a changed role ends them on all servers at once. A 5xx (not a 401) means "
            "the database could not be asked."}}},
      {"cookie",
       json::object{
           {"type", "apiKey"},
           {"in", "cookie"},
           {"name", "lakeshare_session"},
           {"description",
            "The same session in an HttpOnly SameSite=Strict cookie, set by POST /api/v1/login "
            "with \"cookie\": true (the web console). A request it authenticates whose method "
            "is not GET or HEAD must carry X-CSRF-Token (the session's csrfToken), and Origin "
            "and Sec-Fetch-Site, when the browser sends them, must name this server: else 403 "
            "CSRF_REJECTED and nothing changes."}}}};
  components["schemas"] = schemas.Components();
  doc["components"] = std::move(components);
  return json::serialize(doc);
}

}  // namespace lakeshare
