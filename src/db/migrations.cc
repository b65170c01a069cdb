#include "db/migrations.h"

#include "common/time_util.h"

namespace lakeshare::db {
namespace {

constexpr const char* kCreateTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    "version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_ms BIGINT NOT NULL)";

Result<int64_t> MaxVersion(Transaction& tx) {
  LS_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT MAX(version) FROM schema_migrations"));
  return row ? row->OptInt(0).value_or(0) : 0;
}

}  // namespace

Status ApplyMigrations(Database& db, const std::vector<Migration>& migrations) {
  for (size_t i = 0; i < migrations.size(); ++i) {
    int64_t prev = i == 0 ? 0 : migrations[i - 1].version;
    if (migrations[i].version <= prev) {
      return Status::InvalidArgument("migration versions must increase strictly (at '" +
                                     migrations[i].name + "')");
    }
  }
  const int64_t newest = migrations.empty() ? 0 : migrations.back().version;
  LS_RETURN_IF_ERROR(db.Transact(TxMode::kSchemaChange, [&](Transaction& tx) -> Status {
    LS_RETURN_IF_ERROR(tx.ExecScript(kCreateTable));
    LS_ASSIGN_OR_RETURN(int64_t current, MaxVersion(tx));
    if (current > newest) {
      return Status::FailedPrecondition(
          "the database schema is at version " + std::to_string(current) +
          ", newer than this program knows (" + std::to_string(newest) + "): upgrade the program");
    }
    return Status::OK();
  }));
  for (const Migration& m : migrations) {
    Status st = db.Transact(TxMode::kSchemaChange, [&](Transaction& tx) -> Status {
      // Checked again under the lock: another server may have just done it.
      LS_ASSIGN_OR_RETURN(int64_t current, MaxVersion(tx));
      if (current >= m.version) return Status::OK();
      for (const std::string& stmt : m.statements) {
        LS_RETURN_IF_ERROR(tx.ExecScript(TranslateDdl(tx.dialect(), stmt)));
      }
      return tx
          .Exec("INSERT INTO schema_migrations (version, name, applied_ms) VALUES (?, ?, ?)",
                {m.version, m.name, NowMillis()})
          .status();
    });
    if (!st.ok()) {
      return st.WithContext("schema migration " + std::to_string(m.version) + " (" + m.name + ")");
    }
  }
  return Status::OK();
}

Result<int64_t> SchemaVersion(Database& db) {
  int64_t version = 0;
  LS_RETURN_IF_ERROR(db.Transact(TxMode::kSchemaChange, [&](Transaction& tx) -> Status {
    LS_RETURN_IF_ERROR(tx.ExecScript(kCreateTable));
    LS_ASSIGN_OR_RETURN(version, MaxVersion(tx));
    return Status::OK();
  }));
  return version;
}

}  // namespace lakeshare::db
