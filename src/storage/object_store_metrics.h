// The object-store families of a MetricsRegistry: requests (attempts sent),
// retries, calls that failed in the end, and per-attempt latency, each by
// backend ("s3", "gcs", "azure"). The backends put For(backend) on each
// HttpCall (http_client.h), which counts. Registered once per registry;
// immutable afterwards, so thread-safe. `owner` (the registry's owner) is
// kept alive as long as this is.
#pragma once

#include <memory>
#include <string_view>

#include "metrics/metrics_registry.h"
#include "storage/http_client.h"

namespace lakeshare {

class ObjectStoreMetrics {
 public:
  ObjectStoreMetrics(MetricsRegistry& registry, std::shared_ptr<const void> owner = nullptr);

  // "s3", "gcs" or "azure"; anything else shares "other".
  const HttpClientMetrics* For(std::string_view backend) const;

 private:
  std::shared_ptr<const void> owner_;
  HttpClientMetrics s3_, gcs_, azure_, other_;
};

}  // namespace lakeshare
