// The PostgreSQL driver: one libpq connection, text-format parameters and
// results, and a cache of named server-side prepared statements.
#include <libpq-fe.h>

#include <cstdlib>
#include <unordered_map>

#include "db/connection.h"

namespace lakeshare::db {
namespace {

ErrorKind ClassifySqlState(std::string_view state) {
  if (state == "40001" || state == "40P01" || state == "55P03") return ErrorKind::kConflict;
  if (state == "23505") return ErrorKind::kUnique;
  if (state == "23503") return ErrorKind::kForeignKey;
  if (state.starts_with("23") || state.starts_with("22")) return ErrorKind::kInvalidData;
  if (state == "XX001" || state == "XX002") return ErrorKind::kCorruption;
  // Connection exceptions, operator intervention (shutdown), too many
  // connections and other insufficient-resource errors.
  if (state.starts_with("08") || state.starts_with("57P") || state.starts_with("53")) {
    return ErrorKind::kConnection;
  }
  return ErrorKind::kOther;
}

void IgnoreNotice(void*, const char*) {}

class PostgresConnection : public Connection {
 public:
  explicit PostgresConnection(PGconn* conn) : conn_(conn) {
    PQsetNoticeProcessor(conn_, IgnoreNotice, nullptr);
  }
  ~PostgresConnection() override { PQfinish(conn_); }

  Dialect dialect() const override { return Dialect::kPostgres; }
  bool broken() const override { return PQstatus(conn_) != CONNECTION_OK; }
  bool in_transaction() const override {
    PGTransactionStatusType t = PQtransactionStatus(conn_);
    return t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
  }

  // Turns a failed result (or none) into a Status and classifies it.
  Status Fail(PGresult* res) {
    std::string msg = res ? PQresultErrorMessage(res) : "";
    if (msg.empty()) msg = PQerrorMessage(conn_);
    const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
    if (state != nullptr) {
      last_error_ = ClassifySqlState(state);
    } else {
      last_error_ = broken() ? ErrorKind::kConnection : ErrorKind::kOther;
    }
    if (broken()) last_error_ = ErrorKind::kConnection;
    PQclear(res);
    return MakeDbError(last_error_, msg);
  }

  Status ExecuteScript(std::string_view sql) override {
    last_error_ = ErrorKind::kNone;
    std::string text(sql);
    PGresult* res = PQexec(conn_, text.c_str());
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) return Fail(res);
    PQclear(res);
    return Status::OK();
  }

  Result<ExecResult> Execute(std::string_view sql, const Params& params) override {
    last_error_ = ErrorKind::kNone;
    std::string key(sql);
    auto it = cache_.find(key);
    if (it == cache_.end()) {
      int nparams = 0;
      std::string translated = TranslatePlaceholders(Dialect::kPostgres, sql, &nparams);
      std::string name = "ls" + std::to_string(cache_.size() + 1);
      // Parameter types are left to the server to infer from context.
      PGresult* res = PQprepare(conn_, name.c_str(), translated.c_str(), nparams, nullptr);
      if (res == nullptr || PQresultStatus(res) != PGRES_COMMAND_OK) return Fail(res);
      PQclear(res);
      it = cache_.emplace(key, Prepared{name, nparams}).first;
    }
    const Prepared& prepared = it->second;
    if (prepared.nparams != static_cast<int>(params.size())) {
      last_error_ = ErrorKind::kOther;
      return Status::Internal("statement expects " + std::to_string(prepared.nparams) +
                              " parameters, got " + std::to_string(params.size()));
    }
    std::vector<std::string> storage(params.size());
    std::vector<const char*> values(params.size(), nullptr);
    for (size_t i = 0; i < params.size(); ++i) {
      const Param& p = params[i];
      switch (p.kind()) {
        case Param::Kind::kNull:
          break;
        case Param::Kind::kInt:
          storage[i] = std::to_string(p.int_value());
          break;
        case Param::Kind::kBool:
          storage[i] = p.bool_value() ? "true" : "false";
          break;
        case Param::Kind::kText:
          storage[i] = p.text();
          break;
      }
      if (p.kind() != Param::Kind::kNull) values[i] = storage[i].c_str();
    }
    PGresult* res = PQexecPrepared(conn_, prepared.name.c_str(), static_cast<int>(params.size()),
                                   values.data(), nullptr, nullptr, /*resultFormat=*/0);
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) return Fail(res);

    ExecResult out;
    const int nrows = PQntuples(res);
    const int ncols = PQnfields(res);
    out.rows.reserve(nrows);
    for (int r = 0; r < nrows; ++r) {
      std::vector<std::optional<std::string>> cells;
      cells.reserve(ncols);
      for (int c = 0; c < ncols; ++c) {
        if (PQgetisnull(res, r, c)) {
          cells.emplace_back(std::nullopt);
        } else {
          cells.emplace_back(std::string(PQgetvalue(res, r, c), PQgetlength(res, r, c)));
        }
      }
      out.rows.emplace_back(std::move(cells));
    }
    const char* tuples = PQcmdTuples(res);
    out.affected = (tuples && *tuples) ? std::strtoll(tuples, nullptr, 10) : 0;
    PQclear(res);
    return out;
  }

 private:
  struct Prepared {
    std::string name;
    int nparams;
  };
  PGconn* conn_;
  std::unordered_map<std::string, Prepared> cache_;
};

}  // namespace

Result<std::unique_ptr<Connection>> OpenPostgresConnection(const PostgresOptions& options) {
  char* err = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(options.conninfo.c_str(), &err);
  if (parsed == nullptr) {
    std::string msg = err ? err : "out of memory";
    PQfreemem(err);
    while (!msg.empty() && msg.back() == '\n') msg.pop_back();
    return Status::InvalidArgument("invalid PostgreSQL connection string: " + msg);
  }
  PQconninfoFree(parsed);

  // Later keywords override earlier ones, so the caller's string (expanded
  // from "dbname") wins over these defaults.
  std::string timeout = std::to_string(options.connect_timeout_s);
  const char* keys[] = {"connect_timeout", "application_name", "client_encoding", "dbname",
                        nullptr};
  const char* values[] = {timeout.c_str(), "lakeshare", "UTF8", options.conninfo.c_str(), nullptr};
  PGconn* conn = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  if (conn == nullptr) return Status::Unavailable("cannot connect to PostgreSQL: out of memory");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string msg = PQerrorMessage(conn);
    PQfinish(conn);
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    return Status::Unavailable("cannot connect to PostgreSQL: " + msg);
  }
  auto out = std::make_unique<PostgresConnection>(conn);
  // Our timestamps are integers, but keep the session predictable anyway.
  LS_RETURN_IF_ERROR(out->ExecuteScript("SET TIME ZONE 'UTC'; SET client_min_messages = warning"));
  return std::unique_ptr<Connection>(std::move(out));
}

}  // namespace lakeshare::db
