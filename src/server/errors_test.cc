#include "server/errors.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>
#include <string>
#include <tuple>

namespace lakeshare {
namespace {

struct Row {
  int http_status;
  std::string error_code;
};

// The protocol's error table: what a client sees for each Status code.
const std::map<StatusCode, Row>& ExpectedTable() {
  static const auto* table = new std::map<StatusCode, Row>{
      {StatusCode::kOk, {500, "INTERNAL_ERROR"}},
      {StatusCode::kInvalidArgument, {400, "INVALID_PARAMETER_VALUE"}},
      {StatusCode::kNotFound, {404, "RESOURCE_DOES_NOT_EXIST"}},
      {StatusCode::kUnauthenticated, {401, "UNAUTHENTICATED"}},
      {StatusCode::kPermissionDenied, {403, "PERMISSION_DENIED"}},
      {StatusCode::kFailedPrecondition, {400, "INVALID_PARAMETER_VALUE"}},
      {StatusCode::kAlreadyExists, {409, "RESOURCE_ALREADY_EXISTS"}},
      {StatusCode::kUnsupported, {400, "UNSUPPORTED_OPERATION"}},
      {StatusCode::kTooLarge, {413, "REQUEST_TOO_LARGE"}},
      {StatusCode::kTooManyRequests, {429, "TOO_MANY_REQUESTS"}},
      {StatusCode::kCorruption, {400, "INVALID_TABLE_METADATA"}},
      {StatusCode::kIOError, {502, "STORAGE_ERROR"}},
      {StatusCode::kUnavailable, {503, "TEMPORARILY_UNAVAILABLE"}},
      {StatusCode::kInternal, {500, "INTERNAL_ERROR"}},
  };
  return *table;
}

// Every StatusCode the enum has: they run from kOk up, and the first value
// past the last one has no name.
std::vector<StatusCode> AllStatusCodes() {
  std::vector<StatusCode> codes;
  for (int i = 0; StatusCodeName(static_cast<StatusCode>(i)) != "Unknown"; ++i) {
    codes.push_back(static_cast<StatusCode>(i));
  }
  return codes;
}

boost::json::object Body(const HttpResponse& r) { return boost::json::parse(r.body).as_object(); }

const std::string* Header(const HttpResponse& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return &v;
  }
  return nullptr;
}

TEST(ErrorsTest, EveryStatusCodeHasARowInTheTable) {
  std::vector<StatusCode> codes = AllStatusCodes();
  EXPECT_EQ(codes.size(), ExpectedTable().size());
  for (StatusCode code : codes) {
    SCOPED_TRACE(StatusCodeName(code));
    auto it = ExpectedTable().find(code);
    ASSERT_NE(it, ExpectedTable().end()) << "a new StatusCode needs a row in this test";
    ErrorMapping m = MapStatusCode(code);
    EXPECT_EQ(m.http_status, it->second.http_status);
    EXPECT_EQ(m.error_code, it->second.error_code);
  }
}

TEST(ErrorsTest, ResponsesFollowTheTable) {
  for (StatusCode code : AllStatusCodes()) {
    if (code == StatusCode::kOk) continue;  // Status(kOk, ...) is simply OK
    SCOPED_TRACE(StatusCodeName(code));
    const Row& row = ExpectedTable().at(code);
    HttpResponse r = ErrorResponse(Status(code, "the secret path /data/t"));
    EXPECT_EQ(r.status, row.http_status);
    ASSERT_NE(Header(r, "Content-Type"), nullptr);
    EXPECT_EQ(*Header(r, "Content-Type"), "application/json");
    boost::json::object body = Body(r);
    EXPECT_EQ(body.at("errorCode").as_string(), row.error_code);
    EXPECT_EQ(body.size(), 2u);
    if (row.http_status == 500) {
      EXPECT_EQ(body.at("message").as_string(), "internal error");  // details are only logged
    } else {
      EXPECT_EQ(body.at("message").as_string(), "the secret path /data/t");
    }
    EXPECT_EQ(Header(r, "WWW-Authenticate") != nullptr, row.http_status == 401);
  }
}

TEST(ErrorsTest, TooManyRequestsCarriesRetryAfterInWholeSeconds) {
  HttpResponse r = TooManyRequestsResponse("slow down", 7);
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(Body(r).at("errorCode").as_string(), "TOO_MANY_REQUESTS");
  EXPECT_EQ(Body(r).at("message").as_string(), "slow down");
  ASSERT_NE(Header(r, "Retry-After"), nullptr);
  EXPECT_EQ(*Header(r, "Retry-After"), "7");
  // Never 0 or negative: a client would retry at once.
  EXPECT_EQ(*Header(TooManyRequestsResponse("x", 0), "Retry-After"), "1");
  EXPECT_EQ(*Header(TooManyRequestsResponse("x", -3), "Retry-After"), "1");
}

TEST(ErrorsTest, OkStatusIsAnInternalError) {
  HttpResponse r = ErrorResponse(Status::OK());
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(Body(r).at("message").as_string(), "internal error");
}

TEST(ErrorsTest, TransportRefusals) {
  const std::map<int, std::string> expected = {
      {400, "MALFORMED_REQUEST"}, {408, "BAD_REQUEST"},    {413, "REQUEST_TOO_LARGE"},
      {431, "BAD_REQUEST"},       {500, "INTERNAL_ERROR"}, {503, "TEMPORARILY_UNAVAILABLE"},
  };
  for (const auto& [status, code] : expected) {
    SCOPED_TRACE(status);
    HttpResponse r = TransportErrorResponse(status, "why");
    EXPECT_EQ(r.status, status);
    boost::json::object body = Body(r);
    EXPECT_EQ(body.at("errorCode").as_string(), code);
    EXPECT_EQ(body.at("message").as_string(), status == 500 ? "internal error" : "why");
  }
}

TEST(ErrorsTest, OAuthErrorsTakeRfc6749Shape) {
  const std::vector<std::tuple<Status, int, std::string>> expected = {
      {Status::Unauthenticated("bad secret"), 401, "invalid_client"},
      {Status::PermissionDenied("expired"), 400, "invalid_grant"},
      {Status::Unsupported("password"), 400, "unsupported_grant_type"},
      {Status::InvalidArgument("no grant_type"), 400, "invalid_request"},
      {Status::TooLarge("big"), 400, "invalid_request"},
      {Status::Unavailable("db down"), 503, "temporarily_unavailable"},
      {Status::Internal("bug"), 500, "server_error"},
  };
  for (const auto& [status, http, error] : expected) {
    SCOPED_TRACE(error);
    HttpResponse r = OAuthErrorResponse(status);
    EXPECT_EQ(r.status, http);
    boost::json::object body = Body(r);
    EXPECT_EQ(body.at("error").as_string(), error);
    EXPECT_EQ(body.at("error_description").as_string(),
              http == 500 ? "internal error" : status.message());
    bool challenges = false;
    for (const auto& [name, value] : r.headers) challenges |= name == "WWW-Authenticate";
    EXPECT_EQ(challenges, http == 401);
  }
}

TEST(ErrorsTest, MessagesAreEscapedJson) {
  HttpResponse r = ErrorResponse(Status::InvalidArgument("bad \"name\"\n\x01"));
  EXPECT_EQ(Body(r).at("message").as_string(), "bad \"name\"\n\x01");
  r = ErrorResponse(405, kMethodNotAllowed, "only GET");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(Body(r).at("errorCode").as_string(), "METHOD_NOT_ALLOWED");
}

// A message quoting request bytes that are not UTF-8 (a share name, a
// parameter) must still make a JSON body: they become U+FFFD.
TEST(ErrorsTest, InvalidUtf8InMessagesBecomesReplacementCharacters) {
  const std::string bad = "share '\xff\xfe' / '\xc3(' / '\xed\xa0\x80' / '\xf0\x9f\x98' end";
  for (const HttpResponse& r :
       {ErrorResponse(Status::NotFound(bad)), TransportErrorResponse(400, bad),
        ErrorResponse(404, kResourceDoesNotExist, bad)}) {
    boost::json::error_code ec;
    boost::json::value v = boost::json::parse(r.body, ec);
    ASSERT_FALSE(ec) << ec.message() << ": " << r.body;
    std::string message(v.as_object().at("message").as_string());
    EXPECT_EQ(message.find('\xff'), std::string::npos);
    EXPECT_NE(message.find("\xEF\xBF\xBD"), std::string::npos);
    EXPECT_NE(message.find(" end"), std::string::npos);
  }
  // Valid multi-byte text passes unchanged.
  const std::string fine = "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80";
  EXPECT_EQ(std::string(Body(ErrorResponse(Status::NotFound(fine))).at("message").as_string()),
            fine);
}

TEST(ErrorsTest, UnsupportedTransferCodingIs501WithItsMessage) {
  HttpResponse r = TransportErrorResponse(501, "transfer coding 'gzip' is not supported");
  EXPECT_EQ(r.status, 501);
  EXPECT_EQ(Body(r).at("errorCode").as_string(), "UNSUPPORTED_OPERATION");
  EXPECT_EQ(Body(r).at("message").as_string(), "transfer coding 'gzip' is not supported");
}

}  // namespace
}  // namespace lakeshare
