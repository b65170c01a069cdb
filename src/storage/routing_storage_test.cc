#include "storage/routing_storage.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/crypto.h"
#include "common/encoding.h"
#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

namespace fs = std::filesystem;

TEST(RoutingStorageTest, EachPathGoesToItsLocationsBackend) {
  fs::path dir = fs::temp_directory_path() / ("routing-" + HexEncode(RandomBytes(6)));
  fs::create_directories(dir / "a");
  fs::create_directories(dir / "b");
  std::ofstream(dir / "a" / "x.bin") << "hello";
  std::ofstream(dir / "b" / "y.bin") << "world!";
  auto registry = std::make_shared<StorageRegistry>(std::string(32, 'k'));
  RoutingStorage routing(registry);
  ASSERT_OK_AND_ASSIGN(std::string x, routing.Read((dir / "a" / "x.bin").string()));
  EXPECT_EQ(x, "hello");
  ASSERT_OK_AND_ASSIGN(FileInfo y, routing.Head((dir / "b" / "y.bin").string()));
  EXPECT_EQ(y.size, 6);
  ASSERT_OK_AND_ASSIGN(std::string part, routing.ReadRange((dir / "b" / "y.bin").string(), 1, 3));
  EXPECT_EQ(part, "orl");
  ASSERT_OK_AND_ASSIGN(auto listing, routing.ListDirectory((dir / "a").string()));
  ASSERT_EQ(listing.size(), 1u);
  ASSERT_OK_AND_ASSIGN(auto file, routing.OpenRandomAccess((dir / "a" / "x.bin").string(), {}));
  EXPECT_EQ(routing.Read((dir / "a" / "missing").string()).status().code(), StatusCode::kNotFound);
  // A location no backend serves is the registry's error, not a crash.
  EXPECT_FALSE(routing.Read("ftp://host/x").ok());
  fs::remove_all(dir);
}

}  // namespace
}  // namespace lakeshare
