// Everything that differs between SQLite and PostgreSQL SQL text, in one
// place. The rest of the code writes one portable dialect: '?' placeholders,
// TEXT/BIGINT/BOOLEAN columns, TRUE/FALSE, ON CONFLICT, RETURNING, and the
// DDL tokens below.
#pragma once

#include <string>
#include <string_view>

namespace lakeshare::db {

enum class Dialect { kSqlite, kPostgres };

std::string_view DialectName(Dialect d);

// How a transaction is begun.
enum class TxMode {
  kReadOnly,      // a consistent snapshot; never blocks writers
  kReadWrite,     // serializable (PostgreSQL) / BEGIN IMMEDIATE (SQLite)
  kSchemaChange,  // read committed + a database-wide lock, for migrations
};

// The statements that begin a transaction of `mode`, run in order.
std::string_view BeginStatement(Dialect d, TxMode mode);
// Taken right after BEGIN in kSchemaChange transactions so that servers
// starting together migrate one at a time (empty: BEGIN IMMEDIATE suffices).
std::string_view SchemaLockStatement(Dialect d);

// Rewrites '?' placeholders to $1, $2, ... for PostgreSQL (outside quoted
// strings, quoted identifiers and comments); returns SQLite SQL unchanged.
// Sets *param_count to the number of placeholders.
std::string TranslatePlaceholders(Dialect d, std::string_view sql, int* param_count = nullptr);

// Replaces the DDL tokens of portable schema text:
//   {AUTO_ID}  an auto-incrementing 64-bit integer primary key column type
std::string TranslateDdl(Dialect d, std::string_view ddl);

}  // namespace lakeshare::db
