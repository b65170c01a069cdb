#include "protocol/recipient_slots.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

class OnePieceStream : public BodyStream {
 public:
  Result<bool> Next(std::string* out, size_t) override {
    out->append("x");
    return false;
  }
};

TEST(RecipientSlotsTest, BoundPerRecipient) {
  RecipientSlots slots(2);
  auto a1 = slots.TryAcquire("a");
  auto a2 = slots.TryAcquire("a");
  ASSERT_TRUE(a1 && a2);
  EXPECT_FALSE(slots.TryAcquire("a"));
  EXPECT_TRUE(slots.TryAcquire("b"));  // others are not affected
  EXPECT_EQ(slots.InUse("a"), 2);
  a1.reset();
  EXPECT_EQ(slots.InUse("a"), 1);
  EXPECT_TRUE(slots.TryAcquire("a"));
}

TEST(RecipientSlotsTest, ZeroMeansNoBound) {
  RecipientSlots slots(0);
  std::vector<RecipientSlots::Slot> held;
  for (int i = 0; i < 100; ++i) {
    auto s = slots.TryAcquire("a");
    ASSERT_TRUE(s);
    held.push_back(std::move(*s));
  }
  EXPECT_EQ(slots.InUse("a"), 0);  // nothing is counted
}

TEST(RecipientSlotsTest, AStreamedAnswerHoldsItsSlotUntilTheStreamGoes) {
  RecipientSlots slots(1);
  HttpResponse streamed;
  streamed.stream = std::make_unique<OnePieceStream>();
  HoldWhileStreaming(&streamed, *slots.TryAcquire("a"));
  EXPECT_FALSE(slots.TryAcquire("a"));
  std::string out;
  ASSERT_OK(streamed.stream->Next(&out, 10));
  EXPECT_EQ(out, "x");
  streamed.stream.reset();  // finished or abandoned: the server destroys it
  EXPECT_EQ(slots.InUse("a"), 0);

  HttpResponse plain;  // a complete body frees the slot at once
  HoldWhileStreaming(&plain, *slots.TryAcquire("a"));
  EXPECT_EQ(slots.InUse("a"), 0);
}

TEST(RecipientSlotsTest, ConcurrentUseNeverExceedsTheBound) {
  RecipientSlots slots(3);
  std::atomic<int> held{0}, peak{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 2000; ++i) {
        auto s = slots.TryAcquire("a");
        if (!s) continue;
        int now = ++held;
        int p = peak.load();
        while (now > p && !peak.compare_exchange_weak(p, now)) {
        }
        --held;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_LE(peak.load(), 3);
  EXPECT_GE(peak.load(), 1);
  EXPECT_EQ(slots.InUse("a"), 0);
}

}  // namespace
}  // namespace lakeshare
