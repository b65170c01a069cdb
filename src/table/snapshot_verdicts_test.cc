#include "table/snapshot_verdicts.h"

#include <gtest/gtest.h>

#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

using ::lakeshare::testing::StatusIs;

TEST(SnapshotVerdictsTest, ChecksOncePerSnapshotAndKey) {
  SnapshotVerdicts v;
  auto snapshot = std::make_shared<const TableSnapshot>();
  int runs = 0;
  auto bad = [&] {
    ++runs;
    return Status::Corruption("file 'x' does not lie in the table location");
  };
  EXPECT_THAT(v.GetOrCheck(snapshot, "a", bad), StatusIs(StatusCode::kCorruption));
  EXPECT_THAT(v.GetOrCheck(snapshot, "a", bad), StatusIs(StatusCode::kCorruption));
  EXPECT_EQ(runs, 1);
  auto good = [&] {
    ++runs;
    return Status::OK();
  };
  EXPECT_OK(v.GetOrCheck(snapshot, "b", good));
  EXPECT_OK(v.GetOrCheck(snapshot, "b", good));
  EXPECT_EQ(runs, 2);
  auto other = std::make_shared<const TableSnapshot>();
  EXPECT_OK(v.GetOrCheck(other, "a", good));  // another snapshot: checked on its own
  EXPECT_EQ(runs, 3);
  EXPECT_EQ(v.size(), 3u);
}

TEST(SnapshotVerdictsTest, AFreedSnapshotsVerdictIsNotInherited) {
  SnapshotVerdicts v;
  int runs = 0;
  auto count = [&] {
    ++runs;
    return Status::OK();
  };
  // Allocations of one size are likely to reuse the address; the verdict
  // must follow the object, not the address.
  for (int i = 0; i < 8; ++i) {
    auto snapshot = std::make_shared<const TableSnapshot>();
    EXPECT_OK(v.GetOrCheck(snapshot, "k", count));
  }
  EXPECT_EQ(runs, 8);
}

TEST(SnapshotVerdictsTest, BoundedLeastRecentlyUsedFirst) {
  SnapshotVerdicts v(2);
  auto snapshot = std::make_shared<const TableSnapshot>();
  int runs = 0;
  auto count = [&] {
    ++runs;
    return Status::OK();
  };
  EXPECT_OK(v.GetOrCheck(snapshot, "a", count));
  EXPECT_OK(v.GetOrCheck(snapshot, "b", count));
  EXPECT_OK(v.GetOrCheck(snapshot, "a", count));  // kept, now the most recent
  EXPECT_OK(v.GetOrCheck(snapshot, "c", count));  // drops b
  EXPECT_EQ(v.size(), 2u);
  EXPECT_EQ(runs, 3);
  EXPECT_OK(v.GetOrCheck(snapshot, "a", count));
  EXPECT_EQ(runs, 3);
  EXPECT_OK(v.GetOrCheck(snapshot, "b", count));
  EXPECT_EQ(runs, 4);
}

}  // namespace
}  // namespace lakeshare
