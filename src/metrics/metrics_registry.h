// MetricsRegistry: counters, gauges and histograms, with labels, rendered in
// the Prometheus text exposition format (version 0.0.4).
//
// Families are registered once (at start) and live as long as the registry;
// the series a family hands out keep stable addresses, so a hot path looks a
// series up once and then updates it with relaxed atomics only (no lock).
// Looking up a series by label values takes a shared lock; a family holds at
// most `max_series` label sets, further ones share one series whose labels
// are all "overflow" (a client cannot grow the registry without bound).
// Callback gauges are read when rendering. Thread-safe throughout; nothing
// throws except std::bad_alloc.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

namespace lakeshare {

class Counter {
 public:
  void Increment(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

class Gauge {
 public:
  void Add(int64_t n) { value_.fetch_add(n, std::memory_order_relaxed); }
  void Set(int64_t n) { value_.store(n, std::memory_order_relaxed); }
  int64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> value_{0};
};

// Buckets are upper bounds in increasing order; +Inf is implicit.
class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void Observe(double v);
  const std::vector<double>& bounds() const { return bounds_; }
  // Cumulative counts per bound, then the +Inf count (== count()).
  std::vector<uint64_t> CumulativeCounts() const;
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  double sum() const { return sum_.load(std::memory_order_relaxed); }

 private:
  const std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // one per bound, plus +Inf
  std::atomic<uint64_t> count_{0};
  std::atomic<double> sum_{0};
};

// Latency buckets in seconds, from 1 ms to 60 s.
std::vector<double> LatencyBuckets();

enum class MetricType { kCounter, kGauge, kHistogram };

// The series of one metric name, one per set of label values.
template <typename M>
class MetricFamily {
 public:
  using Factory = std::function<std::unique_ptr<M>()>;
  MetricFamily(std::vector<std::string> label_names, size_t max_series, Factory factory)
      : label_names_(std::move(label_names)),
        max_series_(max_series),
        factory_(std::move(factory)) {}

  // The series with these label values (as many as label names), created on
  // first use. The reference stays valid as long as the registry.
  M& With(const std::vector<std::string>& values);

  const std::vector<std::string>& label_names() const { return label_names_; }
  // Calls fn(label values, series) for each series, in label order.
  void ForEach(const std::function<void(const std::vector<std::string>&, const M&)>& fn) const;

 private:
  const std::vector<std::string> label_names_;
  const size_t max_series_;
  const Factory factory_;
  mutable std::shared_mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<M>> series_;
};

class MetricsRegistry {
 public:
  static constexpr size_t kDefaultMaxSeries = 2000;

  MetricsRegistry();
  ~MetricsRegistry();
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  // Names must be valid Prometheus names ([a-zA-Z_:][a-zA-Z0-9_:]*) and
  // unique; a bad or repeated name is a programming error (std::logic_error).
  MetricFamily<Counter>& AddCounter(std::string name, std::string help,
                                    std::vector<std::string> labels = {},
                                    size_t max_series = kDefaultMaxSeries);
  MetricFamily<Gauge>& AddGauge(std::string name, std::string help,
                                std::vector<std::string> labels = {},
                                size_t max_series = kDefaultMaxSeries);
  MetricFamily<Histogram>& AddHistogram(std::string name, std::string help,
                                        std::vector<double> bounds,
                                        std::vector<std::string> labels = {},
                                        size_t max_series = kDefaultMaxSeries);
  // A gauge (or counter, when `type` says so) read when rendering.
  void AddCallback(std::string name, std::string help, MetricType type,
                   std::function<double()> read);

  // Every family in registration order, in the text exposition format.
  std::string Render() const;

 private:
  struct Entry;
  Entry& NewEntry(std::string name, std::string help, MetricType type);

  mutable std::mutex mu_;  // the list of families (not their series)
  std::vector<std::unique_ptr<Entry>> entries_;
};

// The content type of Render()'s text.
inline constexpr std::string_view kPrometheusContentType =
    "text/plain; version=0.0.4; charset=utf-8";

}  // namespace lakeshare
