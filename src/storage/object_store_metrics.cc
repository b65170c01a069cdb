#include "storage/object_store_metrics.h"

#include <string>

namespace lakeshare {

ObjectStoreMetrics::ObjectStoreMetrics(MetricsRegistry& registry, std::shared_ptr<const void> owner)
    : owner_(std::move(owner)) {
  auto& requests =
      registry.AddCounter("lakeshare_object_store_requests_total",
                          "Requests sent to object stores (each attempt).", {"backend"}, 8);
  auto& retries = registry.AddCounter("lakeshare_object_store_retries_total",
                                      "Object-store requests retried (throttling, 5xx, network).",
                                      {"backend"}, 8);
  auto& errors = registry.AddCounter(
      "lakeshare_object_store_errors_total",
      "Object-store calls that failed after their retries (no answer, 429 or 5xx).", {"backend"},
      8);
  auto& seconds = registry.AddHistogram("lakeshare_object_store_request_duration_seconds",
                                        "Object-store request latency (each attempt).",
                                        LatencyBuckets(), {"backend"}, 8);
  auto make = [&](const std::string& backend) {
    return HttpClientMetrics{&requests.With({backend}), &retries.With({backend}),
                             &errors.With({backend}), &seconds.With({backend})};
  };
  s3_ = make("s3");
  gcs_ = make("gcs");
  azure_ = make("azure");
  other_ = make("other");
}

const HttpClientMetrics* ObjectStoreMetrics::For(std::string_view backend) const {
  if (backend == "s3") return &s3_;
  if (backend == "gcs") return &gcs_;
  if (backend == "azure") return &azure_;
  return &other_;
}

}  // namespace lakeshare
