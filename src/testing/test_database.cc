#include "testing/test_database.h"

#include <fcntl.h>
#include <grp.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>
#include <vector>

#include "common/crypto.h"
#include "common/encoding.h"

namespace lakeshare::testing {
namespace {

std::string TempRoot() {
  const char* t = getenv("TMPDIR");
  return (t != nullptr && *t != '\0') ? std::string(t) : std::string("/tmp");
}

std::string MakeTempDir(const std::string& prefix) {
  std::string pattern = TempRoot() + "/" + prefix + "XXXXXX";
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  if (mkdtemp(buf.data()) == nullptr) return "";
  return std::string(buf.data());
}

std::string Tail(const std::string& path, size_t max_bytes = 2000) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  return s.size() > max_bytes ? s.substr(s.size() - max_bytes) : s;
}

// Who the server runs as: the `postgres` user when we are root.
struct RunAs {
  bool drop = false;
  uid_t uid = 0;
  gid_t gid = 0;
};

// Starts `argv` (argv[0] a path, or a name looked up on PATH) as `who`, with
// stdout and stderr appended to `log`. With `die_with_parent` the child gets
// SIGQUIT (PostgreSQL's immediate shutdown) if this thread dies.
Result<pid_t> Spawn(const std::vector<std::string>& argv, const RunAs& who, const std::string& log,
                    bool die_with_parent) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IOError("cannot open " + log);
  if (who.drop) (void)fchown(fd, who.uid, who.gid);
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) {
    close(fd);
    return Status::Internal("fork failed");
  }
  if (pid == 0) {
    // Only async-signal-safe calls from here on.
    if (who.drop) {
      if (setgroups(0, nullptr) != 0 || setgid(who.gid) != 0 || setuid(who.uid) != 0) _exit(126);
    }
    if (die_with_parent) {
      prctl(PR_SET_PDEATHSIG, SIGQUIT);
      if (getppid() != parent) _exit(125);
    }
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, STDIN_FILENO);
    execvp(args[0], args.data());
    _exit(127);
  }
  close(fd);
  return pid;
}

Status RunToCompletion(const std::vector<std::string>& argv, const RunAs& who,
                       const std::string& log) {
  LS_ASSIGN_OR_RETURN(pid_t pid, Spawn(argv, who, log, /*die_with_parent=*/false));
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return Status::OK();
  return Status::Internal(argv[0] + " failed (status " + std::to_string(status) +
                          "): " + Tail(log));
}

std::string FindPostgresBinDir() {
  auto usable = [](const std::string& dir) {
    return !dir.empty() && access((dir + "/initdb").c_str(), X_OK) == 0 &&
           access((dir + "/postgres").c_str(), X_OK) == 0;
  };
  if (const char* env = getenv("LAKESHARE_PG_BINDIR"); env != nullptr && usable(env)) return env;
  if (FILE* p = popen("pg_config --bindir 2>/dev/null", "r")) {
    char buf[4096];
    std::string out;
    while (fgets(buf, sizeof buf, p) != nullptr) out += buf;
    pclose(p);
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
    if (usable(out)) return out;
  }
  // Debian's layout: /usr/lib/postgresql/<major>/bin; take the newest.
  std::string best;
  int best_major = -1;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator("/usr/lib/postgresql", ec)) {
    std::string name = e.path().filename().string();
    int major = atoi(name.c_str());
    std::string bin = e.path().string() + "/bin";
    if (major > best_major && usable(bin)) best = bin, best_major = major;
  }
  return best;
}

// A test process that crashed took its server along (PDEATHSIG) but left
// its directory: delete those whose owner is gone.
void RemoveAbandonedClusters() {
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(TempRoot(), ec)) {
    if (!e.path().filename().string().starts_with("lakeshare-pg-")) continue;
    std::ifstream in(e.path() / "owner.pid");
    pid_t owner = 0;
    if (!(in >> owner) || owner <= 0) continue;
    if (kill(owner, 0) != 0 && errno == ESRCH) {
      std::error_code ignored;
      std::filesystem::remove_all(e.path(), ignored);
    }
  }
}

// initdb once per machine, user and server build, under a file lock.
Result<std::string> EnsureTemplate(const std::string& bindir, const RunAs& who) {
  std::string key = HexEncode(Sha256(bindir)).substr(0, 12);
  std::string tpl = TempRoot() + "/lakeshare-pgtpl-" + std::to_string(geteuid()) + "-" + key;
  int lock = open((tpl + ".lock").c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0600);
  if (lock < 0) return Status::IOError("cannot create " + tpl + ".lock");
  flock(lock, LOCK_EX);
  Status st;
  if (access((tpl + "/READY").c_str(), F_OK) != 0) {
    std::error_code ec;
    std::filesystem::remove_all(tpl, ec);
    if (mkdir(tpl.c_str(), 0700) != 0 || (who.drop && chown(tpl.c_str(), who.uid, who.gid) != 0)) {
      st = Status::IOError("cannot create " + tpl);
    } else {
      st =
          RunToCompletion({bindir + "/initdb", "-D", tpl + "/data", "-A", "trust", "-U", "postgres",
                           "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"},
                          who, tpl + "/initdb.log");
      if (st.ok()) std::ofstream(tpl + "/READY") << "ok\n";
    }
  }
  flock(lock, LOCK_UN);
  close(lock);
  if (!st.ok()) return st;
  return tpl;
}

}  // namespace

// The PostgreSQL server that the TestDatabases of one process share.
class PostgresTestCluster {
 public:
  // The process-wide cluster, started on first use; an error (e.g. no
  // PostgreSQL installed) is remembered and returned to every caller.
  static Result<PostgresTestCluster*> Get() {
    static std::mutex mu;
    static std::unique_ptr<PostgresTestCluster> cluster;
    static std::optional<Status> error;
    std::lock_guard<std::mutex> lock(mu);
    if (cluster) return cluster.get();
    if (error) return *error;
    auto c = std::unique_ptr<PostgresTestCluster>(new PostgresTestCluster());
    Status st = c->Start();
    if (!st.ok()) {
      error = st.WithContext("starting the PostgreSQL test cluster");
      return *error;
    }
    cluster = std::move(c);
    return cluster.get();
  }

  ~PostgresTestCluster() {
    if (pid_ > 0) {
      kill(pid_, SIGINT);  // fast shutdown
      int status = 0;
      for (int i = 0; i < 300; ++i) {
        if (waitpid(pid_, &status, WNOHANG) == pid_) {
          pid_ = -1;
          break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      if (pid_ > 0) {
        kill(pid_, SIGKILL);
        waitpid(pid_, &status, 0);
      }
    }
    if (!dir_.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(dir_, ec);
    }
  }

  // Creates an empty database; returns its Database::Open URL.
  Result<std::string> CreateDatabase(std::string* name_out) {
    static std::atomic<int> counter{0};
    std::string name = "lstest_" + std::to_string(getpid()) + "_" + std::to_string(++counter);
    LS_RETURN_IF_ERROR(Admin("CREATE DATABASE " + name));
    *name_out = name;
    return "postgresql:" + ConnInfo(name);
  }

  Status DropDatabase(const std::string& name) {
    return Admin("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
  }

  std::string ConnInfo(const std::string& dbname) const {
    return base_conninfo_ + " dbname=" + dbname;
  }

 private:
  PostgresTestCluster() = default;

  Status Admin(const std::string& sql) {
    PGconn* conn = PQconnectdb(ConnInfo("postgres").c_str());
    if (PQstatus(conn) != CONNECTION_OK) {
      std::string msg = PQerrorMessage(conn);
      PQfinish(conn);
      return Status::Unavailable("test cluster: " + msg);
    }
    PGresult* res = PQexec(conn, sql.c_str());
    Status st;
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
      st = Status::Internal("test cluster: " + sql + ": " + PQresultErrorMessage(res));
    }
    PQclear(res);
    PQfinish(conn);
    return st;
  }

  Status Start() {
    if (const char* external = getenv("LAKESHARE_TEST_POSTGRES_CONNINFO");
        external != nullptr && *external != '\0') {
      base_conninfo_ = external;
      return Status::OK();
    }
    std::string bindir = FindPostgresBinDir();
    if (bindir.empty()) {
      return Status::Unavailable(
          "no PostgreSQL server binaries (initdb, postgres) found: install the Debian package "
          "postgresql-15, or set LAKESHARE_PG_BINDIR");
    }
    RunAs who;
    if (geteuid() == 0) {
      struct passwd* pw = getpwnam("postgres");
      if (pw == nullptr) {
        return Status::Unavailable(
            "running as root but there is no 'postgres' user to run "
            "the test server as");
      }
      who = {true, pw->pw_uid, pw->pw_gid};
    }
    LS_ASSIGN_OR_RETURN(std::string tpl, EnsureTemplate(bindir, who));

    RemoveAbandonedClusters();
    dir_ = MakeTempDir("lakeshare-pg-");
    if (dir_.empty()) return Status::IOError("cannot create a temporary directory");
    std::ofstream(dir_ + "/owner.pid") << getpid() << "\n";
    chmod(dir_.c_str(), 0700);
    if (who.drop && chown(dir_.c_str(), who.uid, who.gid) != 0) {
      return Status::IOError("cannot chown " + dir_);
    }
    const std::string log = dir_ + "/server.log";
    LS_RETURN_IF_ERROR(
        RunToCompletion({"cp", "-R", "-p", tpl + "/data", dir_ + "/data"}, who, log));

    const std::string port = "5432";  // only names the socket file in our own directory
    LS_ASSIGN_OR_RETURN(
        pid_, Spawn({bindir + "/postgres", "-D", dir_ + "/data", "-k", dir_, "-p", port, "-c",
                     "listen_addresses=", "-c", "fsync=off", "-c", "synchronous_commit=off", "-c",
                     "full_page_writes=off", "-c", "max_connections=100"},
                    who, log, /*die_with_parent=*/true));
    base_conninfo_ = "host=" + dir_ + " port=" + port + " user=postgres connect_timeout=10";
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    for (;;) {
      if (PQping(ConnInfo("postgres").c_str()) == PQPING_OK) return Status::OK();
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return Status::Internal("postgres exited during start: " + Tail(log));
      }
      if (std::chrono::steady_clock::now() > deadline) {
        return Status::Unavailable("postgres did not become ready: " + Tail(log));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
  }

  std::string dir_;
  pid_t pid_ = -1;
  std::string base_conninfo_;
};

std::string BackendName(Backend b) { return b == Backend::kSqlite ? "Sqlite" : "Postgres"; }

void PrintTo(Backend b, std::ostream* os) { *os << BackendName(b); }

Result<std::unique_ptr<TestDatabase>> TestDatabase::Create(Backend backend) {
  auto t = std::unique_ptr<TestDatabase>(new TestDatabase());
  t->backend_ = backend;
  if (backend == Backend::kSqlite) {
    t->dir_ = MakeTempDir("lakeshare-sqlite-");
    if (t->dir_.empty()) return Status::IOError("cannot create a temporary directory");
    t->url_ = "sqlite:" + t->dir_ + "/catalog.db";
  } else {
    LS_ASSIGN_OR_RETURN(t->cluster_, PostgresTestCluster::Get());
    LS_ASSIGN_OR_RETURN(t->url_, t->cluster_->CreateDatabase(&t->pg_name_));
  }
  return t;
}

TestDatabase::~TestDatabase() {
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  if (cluster_ != nullptr && !pg_name_.empty()) (void)cluster_->DropDatabase(pg_name_);
}

}  // namespace lakeshare::testing
