#include "catalog/denied_request_tally.h"

#include <gtest/gtest.h>

namespace lakeshare {
namespace {

AuditEntry Denied(int64_t time_ms, const std::string& address,
                  const std::string& action = "listShares") {
  AuditEntry e;
  e.time_ms = time_ms;
  e.actor_kind = "anonymous";
  e.action = action;
  e.outcome = "denied";
  e.detail = "401 UNAUTHENTICATED at " + std::to_string(time_ms);
  e.remote_address = address;
  return e;
}

TEST(DeniedRequestTallyTest, CountsOnlyDeniedAnonymousEntries) {
  AuditEntry e = Denied(1, "10.0.0.1");
  EXPECT_TRUE(DeniedRequestTally::Counts(e));
  e.outcome = "ok";
  EXPECT_FALSE(DeniedRequestTally::Counts(e));
  e = Denied(1, "10.0.0.1");
  e.actor_kind = "recipient";
  EXPECT_FALSE(DeniedRequestTally::Counts(e));
}

TEST(DeniedRequestTallyTest, FirstOfAWindowIsRecordedTheRestSummarized) {
  DeniedRequestTally tally(60000, 100);
  EXPECT_TRUE(tally.Admit(Denied(120000, "10.0.0.1")));
  for (int i = 1; i < 1000; ++i) EXPECT_FALSE(tally.Admit(Denied(120000 + i, "10.0.0.1")));
  EXPECT_TRUE(tally.Admit(Denied(120500, "10.0.0.2")));              // another address
  EXPECT_TRUE(tally.Admit(Denied(120600, "10.0.0.1", "getShare")));  // another action
  EXPECT_EQ(tally.next_close_ms(), 180000);
  EXPECT_TRUE(tally.TakeClosed(179999).empty());  // still open

  std::vector<AuditEntry> closed = tally.TakeClosed(180000);
  ASSERT_EQ(closed.size(), 1u);  // only the pair with more than one denial
  const AuditEntry& s = closed[0];
  EXPECT_EQ(s.actor_kind, "anonymous");
  EXPECT_EQ(s.outcome, "denied");
  EXPECT_EQ(s.action, "listShares");
  EXPECT_EQ(s.remote_address, "10.0.0.1");
  EXPECT_EQ(s.time_ms, 120001);
  EXPECT_EQ(s.detail,
            "999 more denied requests from this address in the 60 s window "
            "(the last: 401 UNAUTHENTICATED at 120999)");
  EXPECT_EQ(tally.next_close_ms(), 0);
  // A new window records the first denial again.
  EXPECT_TRUE(tally.Admit(Denied(181000, "10.0.0.1")));
}

TEST(DeniedRequestTallyTest, AnEntryOfALaterWindowClosesTheOpenOne) {
  DeniedRequestTally tally(1000, 100);
  EXPECT_TRUE(tally.Admit(Denied(5000, "a")));
  EXPECT_FALSE(tally.Admit(Denied(5001, "a")));
  EXPECT_TRUE(tally.Admit(Denied(7000, "a")));
  EXPECT_EQ(tally.next_close_ms(), 1);  // a summary waits to be taken
  std::vector<AuditEntry> closed = tally.TakeClosed(7000);
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(closed[0].time_ms, 5001);
  EXPECT_EQ(tally.next_close_ms(), 8000);
}

TEST(DeniedRequestTallyTest, AddressesBeyondTheBoundAreCountedTogether) {
  DeniedRequestTally tally(60000, 3);
  int recorded = 0;
  for (int i = 0; i < 1000; ++i)
    recorded += tally.Admit(Denied(60000 + i, "10.1." + std::to_string(i)));
  EXPECT_EQ(recorded, 3);
  std::vector<AuditEntry> closed = tally.TakeClosed(0, /*all=*/true);
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(closed[0].action, "deniedRequests");
  EXPECT_FALSE(closed[0].remote_address.has_value());
  EXPECT_EQ(closed[0].detail,
            "997 denied requests from addresses beyond the 3 counted one by one "
            "in the 60 s window");
}

}  // namespace
}  // namespace lakeshare
