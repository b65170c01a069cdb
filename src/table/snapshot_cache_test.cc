#include "table/snapshot_cache.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <sstream>
#include <string>

namespace lakeshare {
namespace {

std::shared_ptr<const TableSnapshot> Snapshot(int64_t version, int files) {
  auto s = std::make_shared<TableSnapshot>();
  s->version = version;
  s->metadata.id = "table-uuid";
  s->metadata.name = "orders";
  for (int i = 0; i < files; ++i) {
    DataFile f;
    f.path = "part-" + std::to_string(i) + ".parquet";
    s->files.push_back(std::move(f));
  }
  return s;
}

// Captures what the default logger writes while it lives.
class CapturedLog {
 public:
  CapturedLog() : previous_(spdlog::default_logger()) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out_);
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("capture", sink));
  }
  ~CapturedLog() { spdlog::set_default_logger(previous_); }
  std::string text() const { return out_.str(); }

 private:
  std::ostringstream out_;
  std::shared_ptr<spdlog::logger> previous_;
};

TEST(SnapshotCacheTest, LoadsAreLoggedWhenAskedTo) {
  SnapshotCache cache;
  uint64_t table = cache.NewTableId();
  auto any = [](int64_t, const SnapshotCache::Tag&) { return true; };
  {
    CapturedLog log;
    EXPECT_EQ(cache.FindAtOrBefore(table, 3, any), nullptr);
    cache.Insert(table, Snapshot(3, 4), {});
    EXPECT_EQ(log.text(), "") << "off by default";
  }
  SnapshotCache::LogLoads(true);
  std::string text;
  {
    CapturedLog log;
    EXPECT_EQ(cache.FindAtOrBefore(table, 7, any)->version, 3);  // an older one to replay from
    cache.Insert(table, Snapshot(7, 5), {});
    text = log.text();
  }
  SnapshotCache::LogLoads(false);
  EXPECT_NE(text.find("snapshot loaded: table orders version 7: 5 files, ~"), std::string::npos)
      << text;
  EXPECT_NE(text.find(" ms"), std::string::npos) << text;
  EXPECT_EQ(text.find(" ? ms"), std::string::npos) << "the lookup timed the load: " << text;
  ASSERT_NE(cache.FindAtOrBefore(table, 7, any), nullptr);
  EXPECT_EQ(cache.FindAtOrBefore(table, 7, any)->version, 7);
}

}  // namespace
}  // namespace lakeshare
