#include "metrics/metrics_registry.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <stdexcept>

namespace lakeshare {

namespace {

bool ValidName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

void AppendEscaped(std::string* out, std::string_view text, bool quote) {
  for (char c : text) {
    if (c == '\\') {
      *out += "\\\\";
    } else if (c == '\n') {
      *out += "\\n";
    } else if (c == '"' && quote) {
      *out += "\\\"";
    } else {
      *out += c;
    }
  }
}

void AppendNumber(std::string* out, double v) {
  if (std::isnan(v)) {
    *out += "NaN";
  } else if (std::isinf(v)) {
    *out += v > 0 ? "+Inf" : "-Inf";
  } else if (v == std::trunc(v) && std::fabs(v) < 9.007199254740992e15) {
    *out += std::to_string(static_cast<int64_t>(v));  // integral: no exponent
  } else {
    std::array<char, 32> buf{};
    auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v);
    out->append(buf.data(), ec == std::errc() ? end : buf.data());
  }
}

void AppendLabels(std::string* out, const std::vector<std::string>& names,
                  const std::vector<std::string>& values, std::string_view extra_name = {},
                  std::string_view extra_value = {}) {
  if (names.empty() && extra_name.empty()) return;
  *out += '{';
  bool first = true;
  for (size_t i = 0; i < names.size() && i < values.size(); ++i) {
    if (!first) *out += ',';
    first = false;
    *out += names[i];
    *out += "=\"";
    AppendEscaped(out, values[i], true);
    *out += '"';
  }
  if (!extra_name.empty()) {
    if (!first) *out += ',';
    *out += extra_name;
    *out += "=\"";
    *out += extra_value;
    *out += '"';
  }
  *out += '}';
}

}  // namespace

// ---- Histogram ----

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)),
      buckets_(std::make_unique<std::atomic<uint64_t>[]>(bounds_.size() + 1)) {
  if (!std::is_sorted(bounds_.begin(), bounds_.end())) {
    throw std::logic_error("histogram bounds must increase");
  }
}

void Histogram::Observe(double v) {
  size_t i = std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin();
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
}

std::vector<uint64_t> Histogram::CumulativeCounts() const {
  std::vector<uint64_t> out(bounds_.size() + 1);
  uint64_t total = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    total += buckets_[i].load(std::memory_order_relaxed);
    out[i] = total;
  }
  return out;
}

std::vector<double> LatencyBuckets() {
  return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
}

// ---- MetricFamily ----

template <typename M>
M& MetricFamily<M>::With(const std::vector<std::string>& values) {
  {
    std::shared_lock lock(mu_);
    auto it = series_.find(values);
    if (it != series_.end()) return *it->second;
  }
  std::unique_lock lock(mu_);
  auto it = series_.find(values);
  if (it != series_.end()) return *it->second;
  if (series_.size() >= max_series_ || values.size() != label_names_.size()) {
    std::vector<std::string> overflow(label_names_.size(), "overflow");
    auto& slot = series_[overflow];
    if (!slot) slot = factory_();
    return *slot;
  }
  auto& slot = series_[values];
  slot = factory_();
  return *slot;
}

template <typename M>
void MetricFamily<M>::ForEach(
    const std::function<void(const std::vector<std::string>&, const M&)>& fn) const {
  std::shared_lock lock(mu_);
  for (const auto& [values, series] : series_) fn(values, *series);
}

template class MetricFamily<Counter>;
template class MetricFamily<Gauge>;
template class MetricFamily<Histogram>;

// ---- MetricsRegistry ----

struct MetricsRegistry::Entry {
  std::string name;
  std::string help;
  MetricType type = MetricType::kGauge;
  std::unique_ptr<MetricFamily<Counter>> counters;
  std::unique_ptr<MetricFamily<Gauge>> gauges;
  std::unique_ptr<MetricFamily<Histogram>> histograms;
  std::function<double()> callback;
};

MetricsRegistry::MetricsRegistry() = default;
MetricsRegistry::~MetricsRegistry() = default;

MetricsRegistry::Entry& MetricsRegistry::NewEntry(std::string name, std::string help,
                                                  MetricType type) {
  if (!ValidName(name)) throw std::logic_error("invalid metric name '" + name + "'");
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& e : entries_) {
    if (e->name == name) throw std::logic_error("metric '" + name + "' registered twice");
  }
  auto entry = std::make_unique<Entry>();
  entry->name = std::move(name);
  entry->help = std::move(help);
  entry->type = type;
  entries_.push_back(std::move(entry));
  return *entries_.back();
}

MetricFamily<Counter>& MetricsRegistry::AddCounter(std::string name, std::string help,
                                                   std::vector<std::string> labels,
                                                   size_t max_series) {
  Entry& e = NewEntry(std::move(name), std::move(help), MetricType::kCounter);
  e.counters = std::make_unique<MetricFamily<Counter>>(std::move(labels), max_series,
                                                       [] { return std::make_unique<Counter>(); });
  return *e.counters;
}

MetricFamily<Gauge>& MetricsRegistry::AddGauge(std::string name, std::string help,
                                               std::vector<std::string> labels, size_t max_series) {
  Entry& e = NewEntry(std::move(name), std::move(help), MetricType::kGauge);
  e.gauges = std::make_unique<MetricFamily<Gauge>>(std::move(labels), max_series,
                                                   [] { return std::make_unique<Gauge>(); });
  return *e.gauges;
}

MetricFamily<Histogram>& MetricsRegistry::AddHistogram(std::string name, std::string help,
                                                       std::vector<double> bounds,
                                                       std::vector<std::string> labels,
                                                       size_t max_series) {
  if (!std::is_sorted(bounds.begin(), bounds.end())) {
    throw std::logic_error("histogram bounds must increase");
  }
  Entry& e = NewEntry(std::move(name), std::move(help), MetricType::kHistogram);
  e.histograms = std::make_unique<MetricFamily<Histogram>>(
      std::move(labels), max_series,
      [bounds = std::move(bounds)] { return std::make_unique<Histogram>(bounds); });
  return *e.histograms;
}

void MetricsRegistry::AddCallback(std::string name, std::string help, MetricType type,
                                  std::function<double()> read) {
  if (type == MetricType::kHistogram) throw std::logic_error("a callback cannot be a histogram");
  Entry& e = NewEntry(std::move(name), std::move(help), type);
  e.callback = std::move(read);
}

std::string MetricsRegistry::Render() const {
  std::vector<const Entry*> entries;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& e : entries_) entries.push_back(e.get());
  }
  std::string out;
  out.reserve(4096);
  for (const Entry* e : entries) {
    out += "# HELP ";
    out += e->name;
    out += ' ';
    AppendEscaped(&out, e->help, false);
    out += "\n# TYPE ";
    out += e->name;
    out += e->type == MetricType::kCounter ? " counter\n"
           : e->type == MetricType::kGauge ? " gauge\n"
                                           : " histogram\n";
    if (e->callback) {
      out += e->name;
      out += ' ';
      AppendNumber(&out, e->callback());
      out += '\n';
    } else if (e->counters) {
      e->counters->ForEach([&](const std::vector<std::string>& values, const Counter& c) {
        out += e->name;
        AppendLabels(&out, e->counters->label_names(), values);
        out += ' ';
        out += std::to_string(c.value());
        out += '\n';
      });
    } else if (e->gauges) {
      e->gauges->ForEach([&](const std::vector<std::string>& values, const Gauge& g) {
        out += e->name;
        AppendLabels(&out, e->gauges->label_names(), values);
        out += ' ';
        out += std::to_string(g.value());
        out += '\n';
      });
    } else if (e->histograms) {
      const auto& names = e->histograms->label_names();
      e->histograms->ForEach([&](const std::vector<std::string>& values, const Histogram& h) {
        std::vector<uint64_t> cumulative = h.CumulativeCounts();
        for (size_t i = 0; i < cumulative.size(); ++i) {
          std::string le;
          if (i < h.bounds().size()) {
            AppendNumber(&le, h.bounds()[i]);
          } else {
            le = "+Inf";
          }
          out += e->name;
          out += "_bucket";
          AppendLabels(&out, names, values, "le", le);
          out += ' ';
          out += std::to_string(cumulative[i]);
          out += '\n';
        }
        out += e->name;
        out += "_sum";
        AppendLabels(&out, names, values);
        out += ' ';
        AppendNumber(&out, h.sum());
        out += "\n";
        out += e->name;
        out += "_count";
        AppendLabels(&out, names, values);
        out += ' ';
        out += std::to_string(cumulative.back());
        out += '\n';
      });
    }
  }
  return out;
}

}  // namespace lakeshare
