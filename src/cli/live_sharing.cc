#include "cli/live_sharing.h"

#include <spdlog/spdlog.h>

#include <optional>

#include "config/config_reload.h"

namespace lakeshare {
namespace {

// Keeps the service that produced a streamed answer alive until the stream
// is gone (the stream may refer to the service's members).
class ServiceHoldingStream : public BodyStream {
 public:
  ServiceHoldingStream(std::shared_ptr<SharingService> service, std::unique_ptr<BodyStream> inner)
      : service_(std::move(service)), inner_(std::move(inner)) {}
  Result<bool> Next(std::string* out, size_t size_hint) override {
    return inner_->Next(out, size_hint);
  }
  std::optional<uint64_t> Length() const override { return inner_->Length(); }

 private:
  std::shared_ptr<SharingService> service_;  // declared first: destroyed after inner_
  std::unique_ptr<BodyStream> inner_;
};

}  // namespace

LiveSharing::LiveSharing(ServerConfig running, Loader loader, Factory factory, Applier apply)
    : running_(std::move(running)),
      loader_(std::move(loader)),
      factory_(std::move(factory)),
      apply_(std::move(apply)) {}

void LiveSharing::Start() { service_.store(factory_(running_)); }

HttpResponse LiveSharing::Handle(HttpRequest& request) {
  std::shared_ptr<SharingService> service = service_.load();
  HttpResponse response = service->Handle(request);
  if (response.stream) {
    response.stream =
        std::make_unique<ServiceHoldingStream>(std::move(service), std::move(response.stream));
  }
  return response;
}

std::optional<HttpResponse> LiveSharing::CheckHead(HttpRequest& head) {
  return service_.load()->CheckHead(head);
}

void LiveSharing::Reload() {
  if (!loader_) {
    spdlog::warn("config: this server has no configuration file to re-read");
    return;
  }
  Result<ServerConfig> loaded = loader_();
  if (!loaded.ok()) {
    spdlog::error("config: reload refused, the running configuration stays: {}",
                  loaded.status().message());
    return;
  }
  for (const std::string& warning : loaded->warnings) spdlog::warn("{}", warning);
  ConfigReload plan = PlanConfigReload(running_, *loaded);
  if (plan.applied.empty() && plan.need_restart.empty()) {
    spdlog::info("config: reloaded; nothing changed");
    return;
  }
  std::shared_ptr<SharingService> next = factory_(plan.effective);
  if (apply_) apply_(plan.effective);
  service_.store(std::move(next));  // requests in flight keep the old one
  running_ = std::move(plan.effective);
  spdlog::info("config: reloaded; {} change(s) applied, {} need a restart", plan.applied.size(),
               plan.need_restart.size());
  for (const std::string& line : plan.applied) spdlog::info("config: {}", line);
  for (const std::string& line : plan.need_restart) spdlog::warn("config: {}", line);
}

}  // namespace lakeshare
