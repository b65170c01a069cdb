#include "iceberg/glue_catalog.h"

#include <boost/json.hpp>

#include "common/json_writer.h"
#include "common/strings.h"

namespace lakeshare::iceberg {
namespace {

constexpr std::string_view kScheme = "glue://";
constexpr int64_t kMaxAnswerBytes = int64_t{16} << 20;

std::string Name(const GlueTableRef& ref) {
  return "the Glue table " + ref.database + "." + ref.table + " of catalog '" + ref.catalog + "'";
}

const boost::json::object* Object(const boost::json::value* v) {
  return v != nullptr && v->is_object() ? &v->as_object() : nullptr;
}

}  // namespace

bool IsGlueLocation(const std::string& location) { return location.rfind(kScheme, 0) == 0; }

Result<GlueTableRef> ParseGlueLocation(const std::string& location) {
  auto bad = [&] {
    return Status::InvalidArgument("'" + location +
                                   "' is not a Glue table location: use "
                                   "glue://<catalog>/<database>/<table>");
  };
  if (!IsGlueLocation(location)) return bad();
  std::string_view rest = std::string_view(location).substr(kScheme.size());
  GlueTableRef ref;
  std::string* parts[] = {&ref.catalog, &ref.database, &ref.table};
  for (int i = 0; i < 3; ++i) {
    size_t slash = rest.find('/');
    if ((i < 2) != (slash != std::string_view::npos)) return bad();
    *parts[i] = std::string(rest.substr(0, slash));
    if (parts[i]->empty()) return bad();
    rest = i < 2 ? rest.substr(slash + 1) : std::string_view();
  }
  return ref;
}

Result<std::string> ParseGlueGetTable(const std::string& body, const GlueTableRef& ref) {
  boost::json::error_code ec;
  boost::json::value v = boost::json::parse(body, ec);
  const boost::json::object* root = ec ? nullptr : Object(&v);
  const boost::json::object* table = root ? Object(root->if_contains("Table")) : nullptr;
  if (table == nullptr) {
    return Status::Corruption("Glue's GetTable answer for " + Name(ref) + " has no Table object");
  }
  const boost::json::object* params = Object(table->if_contains("Parameters"));
  auto param = [&](const char* key) -> std::string {
    const boost::json::value* p = params ? params->if_contains(key) : nullptr;
    return p != nullptr && p->is_string() ? std::string(p->as_string()) : "";
  };
  std::string type = param("table_type");
  if (!type.empty() && AsciiLower(type) != "iceberg") {
    return Status::InvalidArgument(Name(ref) + " is not an Iceberg table (table_type " + type +
                                   ")");
  }
  std::string location = param("metadata_location");
  if (location.empty()) {
    return Status::InvalidArgument(Name(ref) +
                                   " has no metadata_location parameter: it is not an Iceberg "
                                   "table");
  }
  return location;
}

Result<std::string> GlueMetadataLocation(HttpAuthenticator& auth, const std::string& endpoint,
                                         const std::string& catalog_id, const GlueTableRef& ref) {
  std::string body;
  JsonWriter w(&body);
  w.BeginObject();
  if (!catalog_id.empty()) w.Key("CatalogId").String(catalog_id);
  w.Key("DatabaseName").String(ref.database);
  w.Key("Name").String(ref.table);
  w.EndObject();
  HttpCall call;
  call.method = "POST";
  call.url = endpoint + "/";
  call.headers = {{"Content-Type", "application/x-amz-json-1.1"},
                  {"X-Amz-Target", "AWSGlue.GetTable"}};
  call.body = std::move(body);
  call.max_response_bytes = kMaxAnswerBytes;
  call.what = Name(ref);
  call.peer = "AWS Glue";
  LS_ASSIGN_OR_RETURN(HttpAnswer answer, auth.Send(call));
  if (answer.status == 200) return ParseGlueGetTable(answer.body, ref);
  // Errors are {"__type": "...#EntityNotFoundException", "message": ...}.
  std::string type;
  boost::json::error_code ec;
  boost::json::value v = boost::json::parse(answer.body, ec);
  if (const boost::json::object* o = ec ? nullptr : Object(&v)) {
    const boost::json::value* t = o->if_contains("__type");
    if (t != nullptr && t->is_string()) type = std::string(t->as_string());
  }
  if (size_t hash = type.rfind('#'); hash != std::string::npos) type.erase(0, hash + 1);
  if (type.size() > 80) type.resize(80);
  if (type == "EntityNotFoundException") {
    return Status::NotFound("AWS Glue has no " + Name(ref).substr(4));
  }
  return Status::Unavailable("AWS Glue answered HTTP " + std::to_string(answer.status) +
                             (type.empty() ? "" : " (" + type + ")") + " for " + Name(ref));
}

}  // namespace lakeshare::iceberg
