#include "delta/dv_descriptor.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

TEST(DvDescriptorTest, PathOfTheRealTable) {
  // table-with-dv-small (written by Spark) records 'vBn[lx{q8@P<9BNH/isA'
  // and keeps the bitmap in the file named below.
  DeletionVector dv{"u", "vBn[lx{q8@P<9BNH/isA", 1, 36, 2};
  auto path = DeletionVectorRelativePath(dv);
  ASSERT_OK(path);
  EXPECT_TRUE(std::filesystem::exists(std::string(LAKESHARE_TESTDATA_DIR) +
                                      "/delta/delta-rs/table-with-dv-small/" + *path))
      << *path;
}

TEST(DvDescriptorTest, PrefixesAndErrors) {
  DeletionVector dv{"u", "ab" + std::string("vBn[lx{q8@P<9BNH/isA"), 1, 36, 2};
  EXPECT_EQ(DeletionVectorRelativePath(dv)->substr(0, 3), "ab/");
  dv.path_or_inline_dv = "../vBn[lx{q8@P<9BNH/isA";
  EXPECT_EQ(DeletionVectorRelativePath(dv).status().code(), StatusCode::kCorruption);
  dv.path_or_inline_dv = "short";
  EXPECT_EQ(DeletionVectorRelativePath(dv).status().code(), StatusCode::kCorruption);
  dv.storage_type = "p";
  EXPECT_EQ(DeletionVectorRelativePath(dv).status().code(), StatusCode::kUnsupported);
  dv.storage_type = "i";
  EXPECT_EQ(DeletionVectorRelativePath(dv).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace lakeshare
