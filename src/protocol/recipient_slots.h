// How many costly answers (/query, /changes: a snapshot load and a stream of
// file lines) one recipient may have in progress at once. Without a bound,
// one recipient's expensive requests fill every worker thread and every
// other recipient's cheap request waits behind them; with it, the rest of
// the workers stay free for the others. Over the bound the request gets a
// 429 with Retry-After (the Delta Sharing clients retry those).
//
// A Slot is held for the whole answer, stream included (HoldWhileStreaming
// moves it into the response's stream). Thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "server/http.h"

namespace lakeshare {

class RecipientSlots {
 public:
  // `per_recipient` 0: no bound.
  explicit RecipientSlots(int per_recipient);

  // A recipient's claim on one slot; movable, released when destroyed.
  class Slot {
   public:
    Slot(Slot&& other) noexcept;
    Slot& operator=(Slot&& other) noexcept;
    Slot(const Slot&) = delete;
    ~Slot();

   private:
    friend class RecipientSlots;
    Slot(RecipientSlots* owner, std::string recipient);
    RecipientSlots* owner_;  // null once moved from
    std::string recipient_;
  };

  // A slot for `recipient`, or nullopt when it holds all of its slots.
  std::optional<Slot> TryAcquire(const std::string& recipient);

  // Slots `recipient` holds now (for tests and metrics).
  int InUse(const std::string& recipient);

  int per_recipient() const { return per_recipient_; }

 private:
  void Release(const std::string& recipient);
  const int per_recipient_;
  std::mutex mu_;
  std::unordered_map<std::string, int> in_use_;  // only recipients holding slots
};

// Keeps `slot` until `response` is complete: until its stream is destroyed
// (finished, failed or abandoned), or at once for a plain body.
void HoldWhileStreaming(HttpResponse* response, RecipientSlots::Slot slot);

}  // namespace lakeshare
