// Versioned schema migrations. A `schema_migrations` table records the
// versions applied; at start every newer migration runs, in order, each in
// its own transaction together with its record, so a step is applied wholly
// or not at all and running the list again changes nothing. Servers starting
// at the same time take turns (see SchemaLockStatement).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "db/database.h"

namespace lakeshare::db {

struct Migration {
  int64_t version;  // strictly increasing, starting at 1; never renumbered
  std::string name;
  // Portable DDL (db/dialect.h tokens allowed), one statement per entry.
  std::vector<std::string> statements;
};

// Applies the migrations of `migrations` newer than the database's version.
// kFailedPrecondition if the database was migrated by a newer program (it
// records a version this list does not know), kInvalidArgument if the list
// is not strictly increasing.
Status ApplyMigrations(Database& db, const std::vector<Migration>& migrations);

// The highest applied version (0 for a fresh database).
Result<int64_t> SchemaVersion(Database& db);

}  // namespace lakeshare::db
