// CatalogAdmin: the audit log.
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "auth/token.h"
#include "catalog/sql_catalog_admin.h"
#include "catalog/sql_catalog_admin_test_util.h"
#include "catalog/sql_catalog_internal.h"
#include "catalog/sql_catalog_test_util.h"
#include "common/time_util.h"
#include "db/migrations.h"
#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

using CatalogAdminAuditTest = testing::CatalogAdminFixture;

TEST_P(CatalogAdminAuditTest, AuditFiltersAndPaging) {
  const int64_t t0 = 1'700'000'000'000;
  for (int i = 0; i < 30; ++i) {
    AuditEntry e;
    e.time_ms = t0 + i * 1000;
    e.actor_kind = i % 3 == 0 ? "admin" : "recipient";
    e.actor_name = i % 2 == 0 ? "alice" : "bob";
    e.action = i % 5 == 0 ? "createShare" : "queryTable";
    e.object = "sales.default.orders";
    e.outcome = i % 7 == 0 ? "denied" : "ok";
    e.num_files = i;
    e.remote_address = "10.0.0.1";
    e.request_id = "req-" + std::to_string(i);
    auto id = admin_->AppendAudit(e);
    ASSERT_OK(id);
  }
  // Paging through everything, newest first, no duplicates or gaps.
  AuditQuery q;
  q.limit = 7;
  std::vector<int64_t> seen;
  int pages = 0;
  for (;;) {
    auto page = admin_->QueryAudit(q);
    ASSERT_OK(page);
    ++pages;
    for (const auto& e : page->entries) seen.push_back(*e.num_files);
    if (!page->next_page_token) break;
    q.page_token = page->next_page_token;
  }
  EXPECT_EQ(pages, 5);
  ASSERT_EQ(seen.size(), 30u);
  for (int i = 0; i < 30; ++i) EXPECT_EQ(seen[i], 29 - i);

  AuditQuery f;
  f.actor_name = "alice";
  f.action = "queryTable";
  auto page = admin_->QueryAudit(f);
  // Even i, not a multiple of 5: 0..28 even = 15, minus 0,10,20 = 12.
  EXPECT_EQ(page->entries.size(), 12u);
  for (const auto& e : page->entries) {
    EXPECT_EQ(e.actor_name, "alice");
    EXPECT_EQ(e.action, "queryTable");
    EXPECT_EQ(e.object, "sales.default.orders");
    EXPECT_EQ(e.remote_address, "10.0.0.1");
  }
  AuditQuery range;
  range.from_ms = t0 + 10'000;
  range.to_ms = t0 + 20'000;
  range.outcome = "ok";
  auto in_range = admin_->QueryAudit(range);
  // i in [10, 20) minus 14 (denied).
  EXPECT_EQ(in_range->entries.size(), 9u);
  AuditQuery kind;
  kind.actor_kind = "admin";
  EXPECT_EQ(admin_->QueryAudit(kind)->entries.size(), 10u);

  // Garbage is recorded, cleaned; a bad query is refused.
  AuditEntry odd;
  odd.actor_kind = "recipient";
  odd.action = "queryTable";
  odd.outcome = "error";
  odd.detail = std::string("bad \xff bytes ") + std::string(10000, 'x');
  ASSERT_OK(admin_->AppendAudit(odd));
  AuditQuery last;
  last.limit = 1;
  auto newest = admin_->QueryAudit(last);
  ASSERT_EQ(newest->entries.size(), 1u);
  EXPECT_TRUE(newest->entries[0].detail->starts_with("bad ? bytes"));
  EXPECT_LE(newest->entries[0].detail->size(), 4096u);
  EXPECT_NEAR(static_cast<double>(newest->entries[0].time_ms), static_cast<double>(NowMillis()),
              60'000.0);
  AuditQuery big;
  big.limit = 5000;
  EXPECT_EQ(admin_->QueryAudit(big).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(admin_->AppendAudit(AuditEntry{}).status().code(), StatusCode::kInvalidArgument);
}

TEST_P(CatalogAdminAuditTest, PruneDeletesTheOldestBeforeATimeInBatches) {
  const int64_t t0 = 1'700'000'000'000;
  for (int i = 0; i < 25; ++i) {
    AuditEntry e;
    e.time_ms = t0 + i * 1000;
    e.actor_kind = "recipient";
    e.action = "queryTable";
    e.outcome = "ok";
    ASSERT_OK(admin_->AppendAudit(e));
  }
  // 20 are before t0 + 20 s: two batches of 8, then the last 4.
  ASSERT_OK_AND_ASSIGN(int64_t n, admin_->PruneAudit(t0 + 20'000, 8));
  EXPECT_EQ(n, 8);
  ASSERT_OK_AND_ASSIGN(n, admin_->PruneAudit(t0 + 20'000, 8));
  EXPECT_EQ(n, 8);
  ASSERT_OK_AND_ASSIGN(n, admin_->PruneAudit(t0 + 20'000, 8));
  EXPECT_EQ(n, 4);
  ASSERT_OK_AND_ASSIGN(n, admin_->PruneAudit(t0 + 20'000, 8));
  EXPECT_EQ(n, 0);
  AuditQuery q;
  ASSERT_OK_AND_ASSIGN(AuditPage page, admin_->QueryAudit(q));
  ASSERT_EQ(page.entries.size(), 5u);
  EXPECT_EQ(page.entries.back().time_ms, t0 + 20'000);  // oldest kept
  EXPECT_THAT(admin_->PruneAudit(t0, 0), testing::StatusIs(StatusCode::kInvalidArgument));
}

LAKESHARE_INSTANTIATE_BACKENDS(CatalogAdminAuditTest);

}  // namespace
}  // namespace lakeshare
