#include "admin/admin_client.h"

#include <openssl/ssl.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <chrono>

#include "server/request_target.h"

namespace lakeshare {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

namespace {

constexpr size_t kMaxResponseBytes = size_t{64} << 20;

Status Unreachable(const std::string& where, const beast::error_code& ec) {
  return Status::Unavailable("cannot reach the admin API at " + where + ": " + ec.message());
}

// Sends `req` and reads the answer on a connected stream.
template <typename Stream>
Result<AdminApiResponse> Exchange(Stream& stream, http::request<http::string_body>& req,
                                  const std::string& where) {
  beast::error_code ec;
  http::write(stream, req, ec);
  if (ec) return Unreachable(where, ec);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxResponseBytes);
  http::read(stream, buffer, parser, ec);
  if (ec) return Unreachable(where, ec);
  AdminApiResponse out;
  out.status = static_cast<int>(parser.get().result_int());
  out.body = std::move(parser.get().body());
  return out;
}

}  // namespace

struct HttpAdminApi::Impl {
  HttpAdminApiOptions options;
  bool tls = false;
  std::string host;         // for the resolver (no brackets)
  std::string host_header;  // host[:port] as in the URL
  std::string port;
  std::string prefix;  // path before /api/v1, no trailing '/'
  net::io_context ioc;
  std::unique_ptr<ssl::context> tls_context;
};

HttpAdminApi::HttpAdminApi(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpAdminApi::~HttpAdminApi() = default;

Result<std::unique_ptr<HttpAdminApi>> HttpAdminApi::Create(HttpAdminApiOptions options) {
  auto parsed = boost::urls::parse_uri(options.base_url);
  if (!parsed) {
    return Status::InvalidArgument("invalid admin API URL '" + options.base_url + "'");
  }
  auto impl = std::make_unique<Impl>();
  const auto& u = *parsed;
  std::string scheme(u.scheme());
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (scheme != "http" && scheme != "https") {
    return Status::InvalidArgument("the admin API URL must start with http:// or https://");
  }
  if (!u.has_authority() || u.encoded_host().empty()) {
    return Status::InvalidArgument("the admin API URL has no host: '" + options.base_url + "'");
  }
  if (u.has_query() || u.has_fragment() || u.has_userinfo()) {
    return Status::InvalidArgument(
        "the admin API URL must not carry credentials, a query or a fragment");
  }
  impl->tls = scheme == "https";
  impl->host = std::string(u.encoded_host());
  impl->host_header = impl->host;
  if (impl->host.size() > 2 && impl->host.front() == '[' && impl->host.back() == ']') {
    impl->host = impl->host.substr(1, impl->host.size() - 2);
  }
  impl->port = u.has_port() ? std::string(u.port()) : (impl->tls ? "443" : "80");
  if (u.has_port()) impl->host_header += ":" + impl->port;
  impl->prefix = std::string(u.encoded_path());
  while (!impl->prefix.empty() && impl->prefix.back() == '/') impl->prefix.pop_back();
  if (impl->tls) {
    impl->tls_context = std::make_unique<ssl::context>(ssl::context::tls_client);
    beast::error_code ec;
    if (options.ca_file) {
      impl->tls_context->load_verify_file(*options.ca_file, ec);
      if (ec) {
        return Status::InvalidArgument("cannot load CA file '" + *options.ca_file +
                                       "': " + ec.message());
      }
    } else {
      impl->tls_context->set_default_verify_paths(ec);
    }
    impl->tls_context->set_verify_mode(ssl::verify_peer);
  }
  impl->options = std::move(options);
  return std::unique_ptr<HttpAdminApi>(new HttpAdminApi(std::move(impl)));
}

Result<AdminApiResponse> HttpAdminApi::Call(std::string_view method, std::string_view target,
                                            std::string_view body) {
  Impl& d = *impl_;
  http::verb verb = http::string_to_verb(method);
  if (verb == http::verb::unknown) {
    return Status::InvalidArgument("unknown HTTP method " + std::string(method));
  }
  const std::string where = d.options.base_url;
  http::request<http::string_body> req{verb, d.prefix + "/api/v1" + std::string(target), 11};
  req.set(http::field::host, d.host_header);
  req.set(http::field::user_agent, std::string("lakeshare-admin/") + LAKESHARE_VERSION);
  req.set(http::field::accept, "application/json");
  if (!session_.empty()) req.set(http::field::authorization, "Bearer " + session_);
  if (!body.empty()) {
    req.set(http::field::content_type, "application/json");
    req.body() = std::string(body);
  }
  req.keep_alive(false);
  req.prepare_payload();

  auto timeout = std::chrono::seconds(d.options.timeout_seconds);
  beast::error_code ec;
  tcp::resolver resolver(d.ioc);
  auto endpoints = resolver.resolve(d.host, d.port, ec);
  if (ec) return Unreachable(where, ec);
  if (!d.tls) {
    beast::tcp_stream stream(d.ioc);
    stream.expires_after(timeout);
    stream.connect(endpoints, ec);
    if (ec) return Unreachable(where, ec);
    auto r = Exchange(stream, req, where);
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    return r;
  }
  beast::ssl_stream<beast::tcp_stream> stream(d.ioc, *d.tls_context);
  if (!SSL_set_tlsext_host_name(stream.native_handle(), d.host.c_str())) {
    return Status::Internal("cannot set the TLS server name");
  }
  stream.set_verify_callback(ssl::host_name_verification(d.host));
  beast::get_lowest_layer(stream).expires_after(timeout);
  beast::get_lowest_layer(stream).connect(endpoints, ec);
  if (ec) return Unreachable(where, ec);
  stream.handshake(ssl::stream_base::client, ec);
  if (ec) return Status::Unavailable("TLS handshake with " + where + " failed: " + ec.message());
  auto r = Exchange(stream, req, where);
  stream.shutdown(ec);  // the peer may just close: not an error for us
  return r;
}

Status HttpAdminApi::Login(std::string_view user, std::string_view password) {
  boost::json::object o;
  o["username"] = user;
  o["password"] = password;
  LS_ASSIGN_OR_RETURN(AdminApiResponse r, Call("POST", "/login", boost::json::serialize(o)));
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(r.body, ec);
  if (r.status == 200 && !ec && v.is_object()) {
    if (auto* t = v.as_object().if_contains("token"); t && t->is_string()) {
      session_ = std::string(t->as_string());
      return Status::OK();
    }
  }
  if (r.status == 401) return Status::Unauthenticated("login failed: invalid username or password");
  return Status::Unavailable("login failed: the server answered " + std::to_string(r.status));
}

LocalAdminApi::LocalAdminApi(std::shared_ptr<AdminService> service, const std::string& actor)
    : service_(std::move(service)),
      session_(service_->OpenLocalSession(actor, AdminRole::kAdmin)) {}

Result<AdminApiResponse> LocalAdminApi::Call(std::string_view method, std::string_view target,
                                             std::string_view body) {
  HttpRequest r;
  r.method = std::string(method);
  r.target = "/api/v1" + std::string(target);
  LS_ASSIGN_OR_RETURN(RequestTarget t, ParseRequestTarget(r.target));
  r.path = std::move(t.path);
  r.query = std::move(t.query);
  r.body = std::string(body);
  r.headers.emplace_back("authorization", "Bearer " + session_);
  r.remote_address = "local";
  HttpResponse resp = service_->Handle(r);
  AdminApiResponse out;
  out.status = resp.status;
  if (resp.stream) {
    for (;;) {
      LS_ASSIGN_OR_RETURN(bool more, resp.stream->Next(&out.body, 64 * 1024));
      if (!more) break;
    }
  } else {
    out.body = std::move(resp.body);
  }
  return out;
}

}  // namespace lakeshare
