#include "catalog/audit_writer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "catalog/sql_catalog_test_util.h"
#include "common/time_util.h"
#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

using std::chrono::milliseconds;

AuditEntry Entry(int i) {
  AuditEntry e;
  e.actor_kind = "recipient";
  e.actor_name = "r" + std::to_string(i % 7);
  e.action = "queryTable";
  e.object = "s.d.t" + std::to_string(i);
  e.outcome = "ok";
  e.detail = "200";
  e.num_files = i;
  e.remote_address = "10.0.0." + std::to_string(i % 250);
  return e;
}

class AuditWriterTest : public testing::SqlCatalogFixture {
 protected:
  std::shared_ptr<CatalogAdmin> Admin() {
    return std::make_shared<CatalogAdmin>(db_, AdminOptions());
  }

  std::vector<AuditEntry> All() {
    std::vector<AuditEntry> out;
    AuditQuery q;
    q.limit = 1000;
    for (;;) {
      auto page = admin_->QueryAudit(q);
      EXPECT_OK(page);
      if (!page.ok()) break;
      out.insert(out.end(), page->entries.begin(), page->entries.end());
      if (!page->next_page_token) break;
      q.page_token = page->next_page_token;
    }
    std::reverse(out.begin(), out.end());  // oldest first
    return out;
  }

  // Holds the audit table's write lock from another handle (another
  // process, as far as the database can tell) until Release().
  void Block() {
    blocker_ = std::thread([this] {
      auto other = OpenAgain();
      Status st = other->Write([&](db::Transaction& tx) -> Status {
        if (tx.dialect() == db::Dialect::kPostgres) {
          LS_RETURN_IF_ERROR(tx.Exec("LOCK TABLE audit_log IN EXCLUSIVE MODE").status());
        } else {
          // BEGIN IMMEDIATE already holds SQLite's write lock; touch the table anyway.
          LS_RETURN_IF_ERROR(tx.Exec("DELETE FROM audit_log WHERE id < 0").status());
        }
        std::unique_lock lock(mu_);
        locked_ = true;
        cv_.notify_all();
        cv_.wait(lock, [&] { return released_; });
        return Status::OK();
      });
      EXPECT_OK(st);
    });
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return locked_; });
  }

  void Release() {
    {
      std::lock_guard lock(mu_);
      released_ = true;
      cv_.notify_all();
    }
    if (blocker_.joinable()) blocker_.join();
  }

  void TearDown() override {
    Release();
    testing::SqlCatalogFixture::TearDown();
  }

  std::thread blocker_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool locked_ = false, released_ = false;
};

TEST_P(AuditWriterTest, WritesEverythingInOrder) {
  AuditWriter writer(Admin());
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(writer.Submit(Entry(i)));
  ASSERT_TRUE(writer.Flush(milliseconds(20000)));
  auto all = All();
  ASSERT_EQ(all.size(), 1000u);
  for (int i = 0; i < 1000; ++i) {
    EXPECT_EQ(all[i].object, "s.d.t" + std::to_string(i));
    EXPECT_EQ(all[i].num_files, i);
    EXPECT_EQ(all[i].remote_address, "10.0.0." + std::to_string(i % 250));
    EXPECT_GT(all[i].time_ms, 0);
  }
  auto stats = writer.stats();
  EXPECT_EQ(stats.written, 1000u);
  EXPECT_EQ(stats.dropped, 0u);
  EXPECT_EQ(stats.queued, 0u);
}

TEST_P(AuditWriterTest, ManyThreadsSubmitting) {
  AuditWriter writer(Admin());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&writer, t] {
      for (int i = 0; i < 250; ++i) EXPECT_TRUE(writer.Submit(Entry(t * 1000 + i)));
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_TRUE(writer.Flush(milliseconds(20000)));
  EXPECT_EQ(All().size(), 1000u);
}

TEST_P(AuditWriterTest, StopFlushesWhatIsQueued) {
  {
    AuditWriter writer(Admin());
    for (int i = 0; i < 300; ++i) ASSERT_TRUE(writer.Submit(Entry(i)));
    writer.Stop();
    EXPECT_FALSE(writer.Submit(Entry(999)));  // stopped
    EXPECT_EQ(writer.stats().written, 300u);
  }
  EXPECT_EQ(All().size(), 300u);
}

TEST_P(AuditWriterTest, AFullQueueDropsAndRecordsTheGap) {
  AuditWriterOptions o;
  o.capacity = 10;
  AuditWriter writer(Admin(), o);
  Block();
  int accepted = 0;
  for (int i = 0; i < 25; ++i) accepted += writer.Submit(Entry(i)) ? 1 : 0;
  EXPECT_EQ(accepted, 10);  // in flight counts against the capacity
  EXPECT_EQ(writer.stats().dropped, 15u);
  Release();
  ASSERT_TRUE(writer.Flush(milliseconds(30000)));
  auto all = All();
  ASSERT_EQ(all.size(), 11u);
  int notes = 0;
  for (const auto& e : all) {
    if (e.action != "auditEntriesDropped") continue;
    ++notes;
    EXPECT_EQ(e.actor_kind, "system");
    EXPECT_EQ(e.detail, "15 audit entries were dropped: the queue was full");
  }
  EXPECT_EQ(notes, 1);
  // Room again: accepted and written.
  EXPECT_TRUE(writer.Submit(Entry(100)));
  ASSERT_TRUE(writer.Flush(milliseconds(20000)));
  EXPECT_EQ(All().size(), 12u);
}

TEST_P(AuditWriterTest, StopIsBoundedWhenTheDatabaseHangs) {
  AuditWriterOptions o;
  o.flush_timeout = milliseconds(300);
  AuditWriter writer(Admin(), o);
  Block();
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(writer.Submit(Entry(i)));
  auto t0 = std::chrono::steady_clock::now();
  writer.Stop();
  auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_LT(took, milliseconds(3000));
  Release();
  // The batch that was in flight may still land; nothing else does, and
  // every entry is accounted for.
  for (int i = 0; i < 400; ++i) {
    auto s = writer.stats();
    if (s.written + s.dropped == 20 && s.queued == 0) break;
    std::this_thread::sleep_for(milliseconds(50));
  }
  auto s = writer.stats();
  EXPECT_EQ(s.written + s.dropped, 20u);
  EXPECT_EQ(All().size(), s.written);
}

AuditEntry Denied(const std::string& address) {
  AuditEntry e;
  e.actor_kind = "anonymous";
  e.action = "listShares";
  e.outcome = "denied";
  e.detail = "401 UNAUTHENTICATED";
  e.remote_address = address;
  return e;
}

TEST_P(AuditWriterTest, DeniedAnonymousRequestsAreCountedNotWritten) {
  {
    AuditWriter writer(Admin());  // one-minute windows: Stop() writes the summary
    for (int i = 0; i < 500; ++i) ASSERT_TRUE(writer.Submit(Denied("192.0.2.7")));
    ASSERT_TRUE(writer.Submit(Entry(1)));
    writer.Stop();
    // The first denial of a window may fall in the window before a minute
    // boundary; at most one more then.
    EXPECT_GE(writer.stats().counted, 498u);
  }
  int64_t represented = 0;
  size_t denied_rows = 0;
  for (const AuditEntry& e : All()) {
    if (e.actor_kind != "anonymous") continue;
    ++denied_rows;
    EXPECT_EQ(e.remote_address, "192.0.2.7");
    const std::string& d = *e.detail;
    represented += d.find(" more denied requests") == std::string::npos ? 1 : std::stoll(d);
  }
  EXPECT_LE(denied_rows, 4u);
  EXPECT_EQ(represented, 500);
}

TEST_P(AuditWriterTest, ACountingWindowClosesOnItsOwn) {
  AuditWriterOptions o;
  o.denied_window = milliseconds(200);
  AuditWriter writer(Admin(), o);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(writer.Submit(Denied("192.0.2.8")));
  // Without more requests or a stop, the summary is written when its window ends.
  bool summarized = false;
  for (int i = 0; i < 100 && !summarized; ++i) {
    std::this_thread::sleep_for(milliseconds(50));
    for (const AuditEntry& e : All()) {
      summarized |= e.detail && e.detail->find("more denied requests") != std::string::npos;
    }
  }
  EXPECT_TRUE(summarized);
}

TEST_P(AuditWriterTest, RetentionDeletesOldEntriesInTheBackground) {
  int64_t now = NowMillis();
  for (int i = 0; i < 25; ++i) {
    AuditEntry e = Entry(i);
    e.time_ms = now - 3 * 86'400'000LL - i;
    ASSERT_OK(admin_->AppendAudit(e));
  }
  for (int i = 0; i < 5; ++i) {
    AuditEntry e = Entry(100 + i);
    e.time_ms = now - 3'600'000;
    ASSERT_OK(admin_->AppendAudit(e));
  }
  AuditWriterOptions o;
  o.retention = std::chrono::hours(48);
  o.prune_batch = 10;  // several batches
  AuditWriter writer(Admin(), o);
  for (int i = 0; i < 200 && writer.stats().pruned < 25; ++i) {
    std::this_thread::sleep_for(milliseconds(50));
  }
  EXPECT_EQ(writer.stats().pruned, 25u);
  auto all = All();
  ASSERT_EQ(all.size(), 5u);
  for (const AuditEntry& e : all) EXPECT_EQ(e.time_ms, now - 3'600'000);
}

LAKESHARE_INSTANTIATE_BACKENDS(AuditWriterTest);

}  // namespace
}  // namespace lakeshare
