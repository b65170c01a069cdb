#include "catalog/yaml_catalog.h"

#include "auth/token.h"
#include "catalog/table_location_map.h"
#include "common/crypto.h"
#include "common/names.h"
#include "common/time_util.h"

namespace lakeshare {
namespace {

constexpr const char* kAnonymous = "anonymous";

Status ShareNotFound(std::string_view share) {
  return Status::NotFound("share '" + std::string(share) + "' not found");
}

}  // namespace

YamlCatalog::YamlCatalog(const ServerConfig& config)
    : shares_(config.shares),
      recipients_(config.recipients),
      anonymous_(config.recipients.empty() && config.allow_anonymous) {}

Result<Principal> YamlCatalog::Authenticate(std::string_view bearer_token) {
  if (anonymous_) return Principal{kAnonymous, std::nullopt};
  if (bearer_token.empty()) return Status::Unauthenticated("missing bearer token");
  std::string hash = HashToken(bearer_token);
  // Compare against every recipient, without stopping early, so timing does
  // not reveal which (if any) token matched.
  const RecipientConfig* match = nullptr;
  for (const auto& r : recipients_) {
    if (ConstantTimeEquals(hash, r.token_hash)) match = &r;
  }
  if (match == nullptr) return Status::Unauthenticated("invalid bearer token");
  if (match->expiration_ms && *match->expiration_ms <= NowMillis()) {
    return Status::Unauthenticated("the bearer token has expired");
  }
  return Principal{match->name, match->expiration_ms, match->rate_limit};
}

Result<Principal> YamlCatalog::RecipientPrincipal(std::string_view name,
                                                  std::string_view /*remote_address*/) {
  const RecipientConfig* r = FindRecipient(name);
  if (r == nullptr) return Status::Unauthenticated("no recipient '" + std::string(name) + "'");
  // Its static token's expiry is not this credential's.
  return Principal{r->name, std::nullopt, r->rate_limit};
}

const RecipientConfig* YamlCatalog::FindRecipient(std::string_view name) const {
  for (const auto& r : recipients_) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

Result<const ShareConfig*> YamlCatalog::FindShare(const Principal& who,
                                                  std::string_view share) const {
  const ShareConfig* found = nullptr;
  for (const auto& s : shares_) {
    if (EqualsIgnoreCase(s.name, share)) found = &s;
  }
  if (found == nullptr) return ShareNotFound(share);
  if (anonymous_ && who.recipient == kAnonymous) return found;
  const RecipientConfig* r = FindRecipient(who.recipient);
  if (r == nullptr) return ShareNotFound(share);
  for (const auto& granted : r->shares) {
    if (granted == "*" || EqualsIgnoreCase(granted, found->name)) return found;
  }
  return ShareNotFound(share);
}

Result<std::vector<ShareInfo>> YamlCatalog::ListShares(const Principal& who) {
  std::vector<ShareInfo> out;
  for (const auto& s : shares_) {
    if (!FindShare(who, s.name).ok()) continue;
    out.push_back(ShareInfo{s.name, s.id, s.display_name, s.comment});
  }
  return out;
}

Result<ShareInfo> YamlCatalog::GetShare(const Principal& who, std::string_view share) {
  LS_ASSIGN_OR_RETURN(const ShareConfig* s, FindShare(who, share));
  return ShareInfo{s->name, s->id, s->display_name, s->comment};
}

Result<std::vector<SchemaInfo>> YamlCatalog::ListSchemas(const Principal& who,
                                                         std::string_view share) {
  LS_ASSIGN_OR_RETURN(const ShareConfig* s, FindShare(who, share));
  std::vector<SchemaInfo> out;
  for (const auto& schema : s->schemas) out.push_back(SchemaInfo{schema.name, s->name});
  return out;
}

TableInfo YamlCatalog::MakeTableInfo(const ShareConfig& share, const SchemaConfig& schema,
                                     const TableConfig& t) {
  TableInfo info;
  info.name = t.name;
  info.schema = schema.name;
  info.share = share.name;
  info.id = t.id;
  info.share_id = share.id;
  info.location = t.location;
  info.format = t.format;
  info.history_shared = t.history_shared;
  info.start_version = t.start_version;
  if (t.hudi_view != "snapshot") info.format_options["hudiView"] = t.hudi_view;
  // The config refuses tabs and newlines in the entries.
  if (!t.location_map.empty()) {
    info.format_options[kLocationMapOption] = EncodeTableLocationMap(t.location_map);
  }
  return info;
}

Result<std::vector<TableInfo>> YamlCatalog::ListTables(const Principal& who, std::string_view share,
                                                       std::string_view schema) {
  LS_ASSIGN_OR_RETURN(const ShareConfig* s, FindShare(who, share));
  for (const auto& sc : s->schemas) {
    if (!EqualsIgnoreCase(sc.name, schema)) continue;
    std::vector<TableInfo> out;
    for (const auto& t : sc.tables) out.push_back(MakeTableInfo(*s, sc, t));
    return out;
  }
  return Status::NotFound("schema '" + std::string(schema) + "' not found");
}

Result<std::vector<TableInfo>> YamlCatalog::ListAllTables(const Principal& who,
                                                          std::string_view share) {
  LS_ASSIGN_OR_RETURN(const ShareConfig* s, FindShare(who, share));
  std::vector<TableInfo> out;
  for (const auto& sc : s->schemas) {
    for (const auto& t : sc.tables) out.push_back(MakeTableInfo(*s, sc, t));
  }
  return out;
}

Result<TableInfo> YamlCatalog::GetTable(const Principal& who, std::string_view share,
                                        std::string_view schema, std::string_view table) {
  auto not_found = [&] {
    return Status::NotFound("[Share/Schema/Table] '" + std::string(share) + "/" +
                            std::string(schema) + "/" + std::string(table) +
                            "' does not exist, please contact your share provider for further "
                            "information.");
  };
  auto s = FindShare(who, share);
  if (!s.ok()) return not_found();
  for (const auto& sc : (*s)->schemas) {
    if (!EqualsIgnoreCase(sc.name, schema)) continue;
    for (const auto& t : sc.tables) {
      if (EqualsIgnoreCase(t.name, table)) return MakeTableInfo(**s, sc, t);
    }
  }
  return not_found();
}

}  // namespace lakeshare
