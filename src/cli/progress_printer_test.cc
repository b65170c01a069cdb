#include "cli/progress_printer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace lakeshare {
namespace {

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(ProgressPrinterTest, FirstAndLastStepsOfEachStageAreShown) {
  std::ostringstream out;
  ProgressPrinter p("generate-delta", &out, std::chrono::hours(1));
  for (int64_t i = 1; i <= 100; ++i) p.Report("files", i * 1000, 100000);
  p.Report("checkpoint", 0, 1);
  p.Report("checkpoint", 1, 1);
  std::vector<std::string> lines = Lines(out.str());
  ASSERT_EQ(lines.size(), 3u) << out.str();
  EXPECT_THAT(lines[0], ::testing::StartsWith("generate-delta: files 1000/100000 (1%) after "));
  EXPECT_THAT(lines[1], ::testing::StartsWith("generate-delta: files 100000/100000 (100%) after "));
  EXPECT_THAT(lines[2], ::testing::StartsWith("generate-delta: checkpoint 1/1 (100%) after "));
  EXPECT_THAT(lines[2], ::testing::EndsWith(" s"));
}

TEST(ProgressPrinterTest, AtMostOneLinePerIntervalFromManyThreads) {
  std::ostringstream out;
  ProgressPrinter p("generate-iceberg", &out, std::chrono::milliseconds(0));
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&p, t] {
      for (int i = 0; i < 50; ++i) p.Report("files", t * 50 + i, 1000);
    });
  }
  for (auto& t : threads) t.join();
  std::vector<std::string> lines = Lines(out.str());
  EXPECT_EQ(lines.size(), 200u);  // interval 0: every report, none torn
  for (const std::string& line : lines) {
    EXPECT_THAT(line, ::testing::MatchesRegex("generate-iceberg: files [0-9]+/1000 \\([0-9]+%\\) "
                                              "after [0-9.]+ s"));
  }
}

}  // namespace
}  // namespace lakeshare
