// The catalog both catalog implementations' tests read: YamlCatalog's
// (yaml_catalog_test.cc) from the YAML file, SqlCatalog's
// (sql_catalog_test.cc) after importing it, so the two are checked against
// the same shares, tables and recipients.
#pragma once

namespace lakeshare::testing {

inline constexpr const char* kCatalogTestConfig = R"(
version: 1
shares:
- name: Sales
  comment: quarterly numbers
  schemas:
  - name: default
    tables:
    - {name: Orders, location: /data/orders, historyShared: true}
    - {name: items, location: /data/items}
  - name: archive
    tables:
    - {name: old, location: /data/old}
- name: hr
  schemas:
  - name: people
    tables:
    - {name: staff, location: /data/staff}
recipients:
- {name: alice, token: alice-token, shares: [sales]}
- {name: admin, token: admin-token, shares: "*"}
- {name: gone, token: old-token, shares: "*", expirationTime: 2001-01-01T00:00:00Z}
)";

}  // namespace lakeshare::testing
