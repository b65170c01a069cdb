#include "metrics/metrics_registry.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdexcept>
#include <thread>
#include <vector>

namespace lakeshare {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(MetricsRegistryTest, RendersCountersWithLabelsInTextFormat) {
  MetricsRegistry registry;
  auto& requests = registry.AddCounter("http_requests_total", "Requests.", {"method", "status"});
  requests.With({"GET", "200"}).Increment();
  requests.With({"GET", "200"}).Increment(2);
  requests.With({"POST", "404"}).Increment();
  EXPECT_EQ(registry.Render(),
            "# HELP http_requests_total Requests.\n"
            "# TYPE http_requests_total counter\n"
            "http_requests_total{method=\"GET\",status=\"200\"} 3\n"
            "http_requests_total{method=\"POST\",status=\"404\"} 1\n");
}

TEST(MetricsRegistryTest, SeriesKeepTheirAddress) {
  MetricsRegistry registry;
  auto& family = registry.AddGauge("open", "Open.", {"kind"});
  Gauge& a = family.With({"a"});
  for (int i = 0; i < 100; ++i) family.With({std::to_string(i)});
  EXPECT_EQ(&a, &family.With({"a"}));
  a.Add(5);
  a.Add(-2);
  EXPECT_EQ(family.With({"a"}).value(), 3);
}

TEST(MetricsRegistryTest, EscapesLabelValuesAndHelp) {
  MetricsRegistry registry;
  registry.AddCounter("c", "line\\one\nline two", {"path"}).With({"a\"b\\c\nd"}).Increment();
  std::string text = registry.Render();
  EXPECT_THAT(text, HasSubstr("# HELP c line\\\\one\\nline two\n"));
  EXPECT_THAT(text, HasSubstr("c{path=\"a\\\"b\\\\c\\nd\"} 1\n"));
}

TEST(MetricsRegistryTest, HistogramBucketsAreCumulative) {
  MetricsRegistry registry;
  auto& latency = registry.AddHistogram("latency_seconds", "Latency.", {0.1, 1}, {"route"});
  Histogram& h = latency.With({"shares"});
  h.Observe(0.05);
  h.Observe(0.1);  // bounds are inclusive ("le")
  h.Observe(0.5);
  h.Observe(7);
  EXPECT_EQ(registry.Render(),
            "# HELP latency_seconds Latency.\n"
            "# TYPE latency_seconds histogram\n"
            "latency_seconds_bucket{route=\"shares\",le=\"0.1\"} 2\n"
            "latency_seconds_bucket{route=\"shares\",le=\"1\"} 3\n"
            "latency_seconds_bucket{route=\"shares\",le=\"+Inf\"} 4\n"
            "latency_seconds_sum{route=\"shares\"} 7.65\n"
            "latency_seconds_count{route=\"shares\"} 4\n");
}

TEST(MetricsRegistryTest, CallbacksAreReadWhenRendering) {
  MetricsRegistry registry;
  double bytes = 1.5;
  registry.AddCallback("cache_bytes", "Bytes.", MetricType::kGauge, [&] { return bytes; });
  registry.AddCallback("loads_total", "Loads.", MetricType::kCounter, [] { return 7.0; });
  EXPECT_THAT(registry.Render(), HasSubstr("cache_bytes 1.5\n"));
  bytes = 3e9;
  std::string text = registry.Render();
  EXPECT_THAT(text, HasSubstr("cache_bytes 3000000000\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE loads_total counter\nloads_total 7\n"));
}

TEST(MetricsRegistryTest, SeriesBeyondTheBoundShareAnOverflowSeries) {
  MetricsRegistry registry;
  auto& family = registry.AddCounter("by_path", "Paths.", {"path"}, /*max_series=*/3);
  for (int i = 0; i < 10; ++i) family.With({"/p" + std::to_string(i)}).Increment();
  std::string text = registry.Render();
  EXPECT_THAT(text, HasSubstr("by_path{path=\"/p0\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("by_path{path=\"overflow\"} 7\n"));
  EXPECT_THAT(text, Not(HasSubstr("/p9")));
}

TEST(MetricsRegistryTest, RefusesBadAndRepeatedNames) {
  MetricsRegistry registry;
  EXPECT_THROW(registry.AddCounter("9lives", "x"), std::logic_error);
  EXPECT_THROW(registry.AddCounter("has-dash", "x"), std::logic_error);
  registry.AddCounter("ok_total", "x");
  EXPECT_THROW(registry.AddGauge("ok_total", "x"), std::logic_error);
  EXPECT_THROW(registry.AddHistogram("h", "x", {2, 1}), std::logic_error);
}

TEST(MetricsRegistryTest, ConcurrentUpdatesAreAllCounted) {
  MetricsRegistry registry;
  auto& family = registry.AddCounter("n_total", "N.", {"t"});
  auto& hist = registry.AddHistogram("h_seconds", "H.", LatencyBuckets());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10000; ++i) {
        family.With({t % 2 == 0 ? "even" : "odd"}).Increment();
        hist.With({}).Observe(0.002);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(family.With({"even"}).value(), 20000u);
  EXPECT_EQ(family.With({"odd"}).value(), 20000u);
  EXPECT_EQ(hist.With({}).count(), 40000u);
  EXPECT_NEAR(hist.With({}).sum(), 80.0, 1e-6);
}

}  // namespace
}  // namespace lakeshare
