#include "server/http_server.h"

#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/write.hpp>
#include <csignal>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "server/access_log.h"
#include "server/body_budget.h"
#include "server/connection_limits.h"
#include "server/errors.h"
#include "server/http_connection.h"
#include "server/log_throttle.h"
#include "server/response_head.h"
#include "server/tls_context.h"

namespace lakeshare {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kShutdownTick = std::chrono::milliseconds(20);
// If connections still exist this long after being force-closed (a handler
// that never returns), the io loop is stopped so Run() cannot hang.
constexpr auto kHardStopDelay = std::chrono::seconds(5);
constexpr auto kAcceptRetryDelay = std::chrono::milliseconds(50);
// Warnings a client can trigger at will are logged this often at most.
constexpr auto kWarningInterval = std::chrono::seconds(10);
// The soft limit is raised at most this far (the hard one may be "unlimited").
constexpr rlim_t kMaxDescriptors = 1 << 20;

// Raises the soft descriptor limit to the hard one; returns the soft limit
// now in force (0 if unknown).
uint64_t RaiseDescriptorLimit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  rlim_t want = limit.rlim_max == RLIM_INFINITY ? kMaxDescriptors : limit.rlim_max;
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < want) {
    rlimit raised = limit;
    raised.rlim_cur = want;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  return limit.rlim_cur == RLIM_INFINITY ? kMaxDescriptors : limit.rlim_cur;
}

}  // namespace

// The listener and the server's lifecycle: binds, accepts connections (each
// an HttpConnection on its own strand), runs the io threads, and stops
// gracefully (Stop, signals, the grace period, a hard stop).
class HttpServer::Impl final : public HttpConnectionHost {
 public:
  Impl(ServerOptions options, HttpHandler handler);
  ~Impl() { Teardown(); }

  Status Start();
  uint16_t port() const { return port_.load(); }
  void Run();
  void Stop();
  void RunUntilSignal(const std::function<void()>& on_ready);

  // HttpConnectionHost.
  const ConnectionLimits& limits() const override { return limits_; }
  bool access_log() const override { return options_.access_log; }
  bool stopping() const override { return stopping_.load(std::memory_order_acquire); }
  bool forced() const override { return forced_.load(std::memory_order_acquire); }
  net::io_context& ioc() override { return *ioc_; }
  net::thread_pool& workers() override { return *workers_; }
  BodyBudget& body_budget() override { return body_budget_; }
  std::shared_ptr<net::ssl::context> tls_context() override {
    return tls_ ? tls_->Current() : nullptr;
  }
  ServerObserver* observer() override { return options_.observer; }
  Status ReloadTls();
  HttpResponse CallHandler(HttpRequest& request) override;
  bool has_head_check() const override { return static_cast<bool>(options_.head_check); }
  std::optional<HttpResponse> CheckHead(HttpRequest& head) override;
  HttpResponse RenderError(int status, std::string_view message) override;
  void Unregister(uint64_t id) override;

 private:
  void Teardown();
  void RunIoThread();
  void DoAccept();
  void OnAccept(error_code ec, tcp::socket socket);
  void RefuseConnection(tcp::socket socket);
  void BeginShutdown();
  void ShutdownTick();
  void WaitForSignal();
  size_t ConnectionCount();
  template <typename Fn>
  void PostToConnections(Fn fn);

  const ServerOptions options_;
  const ConnectionLimits limits_;
  const HttpHandler handler_;
  BodyBudget body_budget_;
  std::unique_ptr<TlsContextStore> tls_;  // set by Start() when options_.tls.enabled
  size_t max_connections_ = 0;            // options_.max_connections, clamped by Start()
  LogThrottle accept_failures_{kWarningInterval};
  LogThrottle refusals_{kWarningInterval};

  std::mutex lifecycle_mu_;  // Start / Stop / Run transitions
  bool started_ = false;
  bool ran_ = false;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> forced_{false};
  std::atomic<uint16_t> port_{0};

  // Created by Start(). Members bound to the io_context (and strands, which
  // refer to its services) are destroyed before it in Teardown().
  std::unique_ptr<net::io_context> ioc_;
  std::optional<net::thread_pool> workers_;
  // Serializes the acceptor, the timers, the signal set and shutdown state.
  std::optional<net::strand<net::io_context::executor_type>> strand_;
  std::optional<tcp::acceptor> acceptor_;
  std::optional<net::steady_timer> accept_timer_;
  std::optional<net::steady_timer> shutdown_timer_;
  std::optional<net::signal_set> signals_;
  Clock::time_point grace_deadline_;  // strand only
  bool shutdown_complete_ = false;    // strand only
  uint64_t next_connection_id_ = 0;   // strand only

  std::mutex connections_mu_;
  std::unordered_map<uint64_t, std::weak_ptr<HttpConnection>> connections_;
};

// ---- HttpServer::Impl ----

HttpServer::Impl::Impl(ServerOptions options, HttpHandler handler)
    : options_(std::move(options)),
      limits_(ConnectionLimits::FromOptions(options_)),
      handler_(std::move(handler)),
      body_budget_(options_.max_pending_body_bytes) {}

void HttpServer::Impl::Teardown() {
  // Worker tasks post to the io_context, so they finish first. If Run() never
  // ran or has returned, anything they post is merely queued.
  if (workers_) workers_->join();
  signals_.reset();
  shutdown_timer_.reset();
  accept_timer_.reset();
  acceptor_.reset();
  strand_.reset();
  ioc_.reset();  // destroys queued handlers, and with them the connections
  workers_.reset();
}

Status HttpServer::Impl::Start() {
  std::lock_guard<std::mutex> lock(lifecycle_mu_);
  if (started_) return Status::FailedPrecondition("server already started");
  if (stopping_) return Status::FailedPrecondition("server was stopped");
  error_code ec;
  net::ip::address address = net::ip::make_address(options_.address, ec);
  if (ec) {
    return Status::InvalidArgument("invalid listen address '" + options_.address +
                                   "': " + ec.message());
  }
  tcp::endpoint endpoint(address, options_.port);
  if (options_.tls.enabled) {
    LS_ASSIGN_OR_RETURN(tls_, TlsContextStore::Create(options_.tls));
    spdlog::info("http: TLS certificate SHA-256 {}{}", tls_->Fingerprint(),
                 options_.tls.self_signed ? " (self-signed, made at start)" : "");
  }
  max_connections_ = std::max<size_t>(1, options_.max_connections);
  if (uint64_t descriptors = RaiseDescriptorLimit(); descriptors > 0) {
    // A connection may hold a second descriptor (a local file being served).
    size_t fit = std::max<size_t>(1, static_cast<size_t>(descriptors / 2));
    if (fit < max_connections_) {
      spdlog::warn("http: descriptor limit {} allows only {} connections (maxConnections {})",
                   descriptors, fit, max_connections_);
      max_connections_ = fit;
    }
  }
  std::string where = options_.address + ":" + std::to_string(options_.port);
  try {
    ioc_ = std::make_unique<net::io_context>(std::max(1, options_.io_threads));
    strand_.emplace(net::make_strand(*ioc_));
    acceptor_.emplace(*strand_);
    accept_timer_.emplace(*strand_);
    shutdown_timer_.emplace(*strand_);
    Status status;
    acceptor_->open(endpoint.protocol(), ec);
    // SO_REUSEADDR lets a restart bind despite TIME_WAIT sockets; Linux still
    // refuses a port that another socket is listening on.
    if (!ec) acceptor_->set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor_->bind(endpoint, ec);
    if (!ec) acceptor_->listen(net::socket_base::max_listen_connections, ec);
    if (!ec) port_ = acceptor_->local_endpoint(ec).port();
    if (ec) {
      if (ec == net::error::address_in_use) {
        status = Status::Unavailable("cannot listen on " + where + ": address already in use");
      } else if (ec == net::error::access_denied) {
        status = Status::PermissionDenied("cannot listen on " + where + ": " + ec.message());
      } else {
        status = Status::IOError("cannot listen on " + where + ": " + ec.message());
      }
      Teardown();
      port_ = 0;
      return status;
    }
    workers_.emplace(static_cast<size_t>(std::max(1, options_.worker_threads)));
  } catch (const std::exception& e) {
    Teardown();
    port_ = 0;
    return Status::Internal("cannot start HTTP server on " + where + ": " + e.what());
  }
  started_ = true;
  spdlog::info("http: listening on {}:{}{} ({} io threads, {} workers, {} connections at most)",
               options_.address, port_.load(), tls_ ? " with TLS" : "",
               std::max(1, options_.io_threads), std::max(1, options_.worker_threads),
               max_connections_);
  DoAccept();  // no io thread runs yet, so this is already serialized
  return Status::OK();
}

void HttpServer::Impl::RunIoThread() {
  // An exception escaping a completion handler ends run(); log and continue
  // so that one bad connection cannot take the server down.
  while (true) {
    try {
      ioc_->run();
      return;
    } catch (const std::exception& e) {
      spdlog::error("http: unexpected exception in io thread: {}", e.what());
    } catch (...) {
      spdlog::error("http: unexpected exception in io thread");
    }
  }
}

void HttpServer::Impl::Run() {
  {
    std::lock_guard<std::mutex> lock(lifecycle_mu_);
    if (!started_ || ran_) return;
    ran_ = true;
  }
  std::vector<std::thread> threads;
  for (int i = 1; i < options_.io_threads; ++i) {
    try {
      threads.emplace_back([this] { RunIoThread(); });
    } catch (const std::exception& e) {
      spdlog::error("http: cannot start io thread: {}", e.what());
      break;
    }
  }
  RunIoThread();
  for (std::thread& t : threads) t.join();
  spdlog::info("http: server stopped");
}

void HttpServer::Impl::Stop() {
  std::lock_guard<std::mutex> lock(lifecycle_mu_);
  if (stopping_.exchange(true)) return;
  if (!started_) return;
  try {
    net::post(*strand_, [this] { BeginShutdown(); });
  } catch (const std::exception& e) {
    spdlog::error("http: cannot schedule shutdown: {}", e.what());
  }
}

void HttpServer::Impl::RunUntilSignal(const std::function<void()>& on_ready) {
  {
    std::lock_guard<std::mutex> lock(lifecycle_mu_);
    if (!started_ || ran_) return;
    try {
      signals_.emplace(*strand_);
      error_code ec;
      signals_->add(SIGINT, ec);
      if (!ec) signals_->add(SIGTERM, ec);
      if (!ec) signals_->add(SIGHUP, ec);
      if (ec) spdlog::warn("http: cannot install signal handlers: {}", ec.message());
      net::post(*strand_, [this] { WaitForSignal(); });
    } catch (const std::exception& e) {
      spdlog::warn("http: cannot install signal handlers: {}", e.what());
      signals_.reset();
    }
  }
  // The handlers are in place: a signal from now on stops gracefully.
  if (on_ready) on_ready();
  Run();
}

void HttpServer::Impl::WaitForSignal() {
  if (shutdown_complete_ || !signals_) return;
  signals_->async_wait([this](error_code ec, int signo) {
    if (ec) return;
    if (signo == SIGHUP) {
      // Reading files on the strand delays accepts by milliseconds only.
      spdlog::info("http: SIGHUP received, reloading");
      Status st = ReloadTls();
      if (!st.ok())
        spdlog::error("http: reload failed, keeping the old settings: {}", st.message());
      if (options_.on_reload) {
        try {
          options_.on_reload();
        } catch (const std::exception& e) {
          spdlog::error("http: reload failed: {}", e.what());
        }
      }
    } else if (!stopping()) {
      spdlog::info("http: signal {} received, shutting down gracefully", signo);
      Stop();
    } else {
      spdlog::warn("http: signal {} received again, closing all connections now", signo);
      grace_deadline_ = Clock::now();  // the next shutdown tick force-closes
    }
    WaitForSignal();
  });
}

void HttpServer::Impl::DoAccept() {
  acceptor_->async_accept(net::make_strand(*ioc_), [this](error_code ec, tcp::socket socket) {
    OnAccept(ec, std::move(socket));
  });
}

void HttpServer::Impl::OnAccept(error_code ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted || stopping()) return;  // `socket` closes itself
  if (ec) {
    // E.g. EMFILE: retry after a pause instead of spinning, and say so once
    // in a while rather than on every retry.
    if (auto suppressed = accept_failures_.Note(Clock::now())) {
      spdlog::warn("http: accept failed: {} ({} more since the last such line)", ec.message(),
                   *suppressed);
    }
    accept_timer_->expires_after(kAcceptRetryDelay);
    accept_timer_->async_wait([this](error_code wait_ec) {
      if (!wait_ec && !stopping()) DoAccept();
    });
    return;
  }
  if (ConnectionCount() >= max_connections_) {
    RefuseConnection(std::move(socket));
    DoAccept();
    return;
  }
  try {
    uint64_t id = next_connection_id_++;
    auto connection = std::make_shared<HttpConnection>(this, std::move(socket), id);
    {
      std::lock_guard<std::mutex> lock(connections_mu_);
      connections_.emplace(id, connection);
    }
    connection->Start();
  } catch (const std::exception& e) {
    spdlog::error("http: cannot set up connection: {}", e.what());
  }
  DoAccept();
}

// Over the cap: a 503 in one non-blocking write (a fresh socket's send buffer
// takes it whole), then close; on a TLS listener, just the close. Nothing is
// read, so nothing is held.
void HttpServer::Impl::RefuseConnection(tcp::socket socket) {
  if (auto suppressed = refusals_.Note(Clock::now())) {
    spdlog::warn("http: {} connections open, refusing more ({} refused since the last such line)",
                 max_connections_, *suppressed);
  }
  error_code ec;
  if (tls_) {
    // A TLS client would show plain-HTTP bytes as a protocol error; a close
    // says the same more plainly.
    socket.close(ec);
    return;
  }
  HttpResponse response = RenderError(503, "too many connections; retry later");
  response.SetHeader("Retry-After", "1");
  ResponseHead head = BuildResponseHead(response, ResponseContext{false, false, false, true});
  std::string text = head.text + response.body;
  socket.non_blocking(true, ec);
  if (!ec) socket.write_some(net::buffer(text), ec);
  socket.shutdown(tcp::socket::shutdown_both, ec);
  socket.close(ec);
}

void HttpServer::Impl::Unregister(uint64_t id) {
  std::lock_guard<std::mutex> lock(connections_mu_);
  connections_.erase(id);
}

size_t HttpServer::Impl::ConnectionCount() {
  std::lock_guard<std::mutex> lock(connections_mu_);
  return connections_.size();
}

template <typename Fn>
void HttpServer::Impl::PostToConnections(Fn fn) {
  std::vector<std::shared_ptr<HttpConnection>> live;
  {
    std::lock_guard<std::mutex> lock(connections_mu_);
    live.reserve(connections_.size());
    for (auto& [id, weak] : connections_) {
      if (auto connection = weak.lock()) live.push_back(std::move(connection));
    }
  }
  for (auto& connection : live) {
    net::post(connection->executor(), [connection, fn] { fn(*connection); });
  }
}

void HttpServer::Impl::BeginShutdown() {
  size_t live = ConnectionCount();
  spdlog::info("http: stopping; {} open connection(s), grace {} s", live,
               options_.shutdown_grace.count());
  error_code ec;
  acceptor_->close(ec);
  accept_timer_->cancel();
  grace_deadline_ = Clock::now() + options_.shutdown_grace;
  PostToConnections([](HttpConnection& c) { c.OnServerStopping(); });
  ShutdownTick();
}

// Polls until every connection is gone; simpler and more robust than having
// connection destructors signal back into a server that may be tearing down.
void HttpServer::Impl::ShutdownTick() {
  size_t live = ConnectionCount();
  if (live == 0) {
    shutdown_complete_ = true;
    error_code ec;
    if (signals_) signals_->cancel(ec);
    return;  // nothing left holds work: the io threads' run() return
  }
  Clock::time_point now = Clock::now();
  if (!forced() && now >= grace_deadline_) {
    spdlog::warn("http: shutdown grace period over; closing {} connection(s)", live);
    forced_ = true;
    grace_deadline_ = now;
    PostToConnections([](HttpConnection& c) { c.ForceClose(); });
  } else if (forced() && now >= grace_deadline_ + kHardStopDelay) {
    spdlog::error("http: {} connection(s) still busy after being closed; stopping the io loop",
                  live);
    ioc_->stop();
    return;
  }
  shutdown_timer_->expires_after(kShutdownTick);
  shutdown_timer_->async_wait([this](error_code ec) {
    if (!ec) ShutdownTick();
  });
}

Status HttpServer::Impl::ReloadTls() {
  if (!tls_) return Status::OK();
  LS_RETURN_IF_ERROR(tls_->Reload());
  spdlog::info("http: TLS certificate reloaded, SHA-256 {}", tls_->Fingerprint());
  return Status::OK();
}

HttpResponse HttpServer::Impl::CallHandler(HttpRequest& request) {
  try {
    return handler_(request);
  } catch (const std::exception& e) {
    spdlog::error("http: handler failed for {} {}: {}", LogSafe(request.method),
                  LogSafe(request.path), e.what());
  } catch (...) {
    spdlog::error("http: handler failed for {} {}", LogSafe(request.method), LogSafe(request.path));
  }
  return RenderError(500, "internal error");
}

std::optional<HttpResponse> HttpServer::Impl::CheckHead(HttpRequest& head) {
  try {
    return options_.head_check(head);
  } catch (const std::exception& e) {
    spdlog::error("http: head check failed for {} {}: {}", LogSafe(head.method), LogSafe(head.path),
                  e.what());
  } catch (...) {
    spdlog::error("http: head check failed for {} {}", LogSafe(head.method), LogSafe(head.path));
  }
  return std::nullopt;  // the handler decides, with the body
}

HttpResponse HttpServer::Impl::RenderError(int status, std::string_view message) {
  if (options_.error_renderer) {
    try {
      return options_.error_renderer(status, message);
    } catch (...) {
      spdlog::error("http: error renderer failed for status {}", status);
    }
  }
  return TransportErrorResponse(status, message);
}

// ---- HttpServer ----

HttpServer::HttpServer(ServerOptions options, HttpHandler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

HttpServer::~HttpServer() = default;

Status HttpServer::Start() { return impl_->Start(); }
uint16_t HttpServer::port() const { return impl_->port(); }
void HttpServer::Run() { impl_->Run(); }
void HttpServer::Stop() { impl_->Stop(); }
Status HttpServer::ReloadTls() { return impl_->ReloadTls(); }
bool HttpServer::stopping() const { return impl_->stopping(); }
void HttpServer::RunUntilSignal(const std::function<void()>& on_ready) {
  impl_->RunUntilSignal(on_ready);
}

}  // namespace lakeshare
