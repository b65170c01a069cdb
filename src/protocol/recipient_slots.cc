#include "protocol/recipient_slots.h"

#include <utility>

namespace lakeshare {
namespace {

// Forwards to the answer's stream; the slot goes when the stream does.
class SlotHoldingStream : public BodyStream {
 public:
  SlotHoldingStream(std::unique_ptr<BodyStream> inner, RecipientSlots::Slot slot)
      : inner_(std::move(inner)), slot_(std::move(slot)) {}
  Result<bool> Next(std::string* out, size_t size_hint) override {
    return inner_->Next(out, size_hint);
  }
  std::optional<uint64_t> Length() const override { return inner_->Length(); }

 private:
  std::unique_ptr<BodyStream> inner_;
  RecipientSlots::Slot slot_;
};

}  // namespace

RecipientSlots::RecipientSlots(int per_recipient) : per_recipient_(per_recipient) {}

RecipientSlots::Slot::Slot(RecipientSlots* owner, std::string recipient)
    : owner_(owner), recipient_(std::move(recipient)) {}

RecipientSlots::Slot::Slot(Slot&& other) noexcept
    : owner_(std::exchange(other.owner_, nullptr)), recipient_(std::move(other.recipient_)) {}

RecipientSlots::Slot& RecipientSlots::Slot::operator=(Slot&& other) noexcept {
  if (this != &other) {
    if (owner_ != nullptr) owner_->Release(recipient_);
    owner_ = std::exchange(other.owner_, nullptr);
    recipient_ = std::move(other.recipient_);
  }
  return *this;
}

RecipientSlots::Slot::~Slot() {
  if (owner_ != nullptr) owner_->Release(recipient_);
}

std::optional<RecipientSlots::Slot> RecipientSlots::TryAcquire(const std::string& recipient) {
  if (per_recipient_ <= 0) return Slot(nullptr, recipient);
  std::lock_guard lock(mu_);
  int& n = in_use_[recipient];
  if (n >= per_recipient_) return std::nullopt;
  ++n;
  return Slot(this, recipient);
}

int RecipientSlots::InUse(const std::string& recipient) {
  std::lock_guard lock(mu_);
  auto it = in_use_.find(recipient);
  return it == in_use_.end() ? 0 : it->second;
}

void RecipientSlots::Release(const std::string& recipient) {
  std::lock_guard lock(mu_);
  auto it = in_use_.find(recipient);
  if (it == in_use_.end()) return;
  if (--it->second <= 0) in_use_.erase(it);
}

void HoldWhileStreaming(HttpResponse* response, RecipientSlots::Slot slot) {
  if (!response->stream) return;  // a plain body is complete: the slot goes now
  response->stream =
      std::make_unique<SlotHoldingStream>(std::move(response->stream), std::move(slot));
}

}  // namespace lakeshare
