#include "server/access_log.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include "server/http_test_util.h"

namespace lakeshare {
namespace {

using namespace ::lakeshare::testing;  // NOLINT(google-build-using-namespace): test helpers

TEST(AccessLogTest, AccessLogLineHasNoQueryOrSecrets) {
  std::ostringstream out;
  auto previous = spdlog::default_logger();
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("test", sink));
  {
    ServerOptions o = TestOptions();
    o.access_log = true;
    TestServer s(o);
    auto r = Fetch(s.port(), GetRequest("/echo?secret=querytoken",
                                        "Authorization: Bearer sekrit\r\nUser-Agent: ua/1.0\r\n"));
    ASSERT_TRUE(r);
  }
  spdlog::set_default_logger(previous);
  std::string log = out.str();
  EXPECT_NE(log.find("127.0.0.1 \"GET /echo\" 200 "), std::string::npos) << log;
  EXPECT_NE(log.find("\"ua/1.0\""), std::string::npos) << log;
  EXPECT_EQ(log.find("querytoken"), std::string::npos) << log;
  EXPECT_EQ(log.find("sekrit"), std::string::npos) << log;
}

TEST(AccessLogTest, LogSafeEscapesAndBounds) {
  EXPECT_EQ(LogSafe(""), "-");
  EXPECT_EQ(LogSafe("a\"b\\c\nd\x7f"), "a\\x22b\\x5cc\\x0ad\\x7f");
  std::string long_text(300, 'x');
  EXPECT_EQ(LogSafe(long_text), std::string(256, 'x') + "...");
}

TEST(AccessLogTest, LineFormat) {
  AccessLogEntry e;
  e.remote = "10.0.0.1";
  e.method = "GET";
  e.path = "/p\"";
  e.status = 200;
  e.body_bytes = 12;
  e.duration = std::chrono::microseconds(1500);
  e.user_agent = "";
  EXPECT_EQ(FormatAccessLine(e), "10.0.0.1 \"GET /p\\x22\" 200 12 1.5ms \"-\"");
  e.remote = "";
  e.complete = false;
  EXPECT_EQ(FormatAccessLine(e), "- \"GET /p\\x22\" 200 12 1.5ms \"-\" aborted");
}

}  // namespace
}  // namespace lakeshare
