// A Catalog read from the server's YAML configuration: immutable after
// construction, so all methods are thread-safe without locks.
#pragma once

#include <memory>

#include "catalog/catalog.h"
#include "config/server_config.h"

namespace lakeshare {

class YamlCatalog : public Catalog {
 public:
  // Copies what it needs from `config` (shares, recipients, anonymous mode).
  explicit YamlCatalog(const ServerConfig& config);

  Result<Principal> Authenticate(std::string_view bearer_token) override;
  // The file's recipients have no IP allow-lists.
  Result<Principal> RecipientPrincipal(std::string_view name,
                                       std::string_view remote_address) override;
  Result<std::vector<ShareInfo>> ListShares(const Principal& who) override;
  Result<ShareInfo> GetShare(const Principal& who, std::string_view share) override;
  Result<std::vector<SchemaInfo>> ListSchemas(const Principal& who,
                                              std::string_view share) override;
  Result<std::vector<TableInfo>> ListTables(const Principal& who, std::string_view share,
                                            std::string_view schema) override;
  Result<std::vector<TableInfo>> ListAllTables(const Principal& who,
                                               std::string_view share) override;
  Result<TableInfo> GetTable(const Principal& who, std::string_view share, std::string_view schema,
                             std::string_view table) override;

 private:
  // The share if it exists and `who` may read it; otherwise the same
  // kNotFound either way.
  Result<const ShareConfig*> FindShare(const Principal& who, std::string_view share) const;
  const RecipientConfig* FindRecipient(std::string_view name) const;
  static TableInfo MakeTableInfo(const ShareConfig& share, const SchemaConfig& schema,
                                 const TableConfig& table);

  std::vector<ShareConfig> shares_;
  std::vector<RecipientConfig> recipients_;
  bool anonymous_;
};

}  // namespace lakeshare
