#include "cli/log_format.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <boost/json.hpp>
#include <sstream>
#include <string>

#include "common/request_id.h"

namespace lakeshare {
namespace {

// Logs one line through a logger that writes to a string.
std::string LogOne(LogFormat format, const std::string& message) {
  std::ostringstream out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
  spdlog::logger logger("test", sink);
  logger.set_formatter(MakeLogFormatter(format));
  logger.info("{}", message);
  logger.flush();
  return out.str();
}

TEST(LogFormatTest, TextCarriesTheRequestIdWhileOneIsHandled) {
  std::string plain = LogOne(LogFormat::kText, "starting");
  EXPECT_NE(plain.find(" info starting"), std::string::npos) << plain;
  EXPECT_EQ(plain.find('['), std::string::npos) << plain;
  const std::string id = "req-42";
  ScopedRequestId scope(id);
  std::string line = LogOne(LogFormat::kText, "loaded table");
  EXPECT_NE(line.find(" info [req-42] loaded table\n"), std::string::npos) << line;
}

TEST(LogFormatTest, JsonIsOneObjectPerLineWithEscapedMessage) {
  const std::string id = "abc.1";
  ScopedRequestId scope(id);
  std::string line = LogOne(LogFormat::kJson, "say \"hi\"\nnext\x01");
  ASSERT_FALSE(line.empty());
  EXPECT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1) << "one line only: " << line;
  boost::json::object o = boost::json::parse(line).as_object();
  EXPECT_EQ(o.at("level").as_string(), "info");
  EXPECT_EQ(o.at("requestId").as_string(), "abc.1");
  EXPECT_EQ(o.at("message").as_string(), "say \"hi\"\nnext\x01");
  std::string time(o.at("time").as_string());
  ASSERT_EQ(time.size(), 24u) << time;  // 2026-01-02T03:04:05.678Z
  EXPECT_EQ(time[10], 'T');
  EXPECT_EQ(time.back(), 'Z');
}

TEST(LogFormatTest, JsonWithoutARequestHasNoRequestId) {
  boost::json::object o = boost::json::parse(LogOne(LogFormat::kJson, "up")).as_object();
  EXPECT_FALSE(o.contains("requestId"));
  EXPECT_EQ(o.at("message").as_string(), "up");
}

TEST(LogFormatTest, ParsesFormatsAndLevels) {
  EXPECT_EQ(ParseLogFormat("json"), LogFormat::kJson);
  EXPECT_EQ(ParseLogFormat("text"), LogFormat::kText);
  EXPECT_EQ(ParseLogFormat("xml"), std::nullopt);
  EXPECT_EQ(ParseLogLevel("debug"), spdlog::level::debug);
  EXPECT_EQ(ParseLogLevel("error"), spdlog::level::err);
  EXPECT_EQ(ParseLogLevel("off"), spdlog::level::off);
  EXPECT_EQ(ParseLogLevel("loud"), std::nullopt);
}

}  // namespace
}  // namespace lakeshare
