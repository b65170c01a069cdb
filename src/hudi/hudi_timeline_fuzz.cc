// libFuzzer target: arbitrary bytes as the files of a Hudi timeline — an
// instant file name, hoodie.properties, commit metadata (JSON and Avro),
// rollback, restore and clean metadata, the partition path of a file, and
// the archived timeline (a v6 archive log file; an LSM timeline parquet file
// or manifest). The first byte picks the parser, the rest is its input. Any
// crash, sanitizer report or unbounded allocation is a bug; errors must be
// kCorruption, kUnsupported or kTooLarge.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "hudi/hudi_commit_metadata.h"
#include "hudi/hudi_file_index.h"
#include "hudi/hudi_instant.h"
#include "hudi/hudi_partition.h"
#include "hudi/hudi_properties.h"
#include "hudi/hudi_schema.h"
#include "hudi/hudi_timeline.h"
#include "testing/memory_storage.h"

using namespace lakeshare;
using namespace lakeshare::hudi;

namespace {

void Check(const Status& st) {
  if (st.ok()) return;
  StatusCode c = st.code();
  if (c != StatusCode::kCorruption && c != StatusCode::kUnsupported && c != StatusCode::kTooLarge) {
    std::abort();
  }
}

void FuzzCommit(std::string bytes) {
  auto m = ParseCommitMetadata(std::move(bytes), "fuzz");
  Check(m.status());
  if (!m.ok()) return;
  // Whatever came out feeds the file index without harm.
  CommitMetadata meta = std::move(*m);
  IndexedCommit c{0, "20240101000000000", "20240101000000000", &meta};
  auto index = FileIndex::Build({c}, {}, true);
  Check(index.status());
  if (!index.ok()) return;
  for (const FileGroup& g : index->groups()) (void)index->SliceAt(g, 0);
  if (meta.schema) {
    auto schema = ParseAvroSchema(*meta.schema);
    Check(schema.status());
    if (schema.ok()) {
      Check(ToSparkSchema(**schema, {}).status());
      Check(ToParquetFields(**schema, true).status());
    }
  }
}

// The input as the only file of the archived timeline: `layout` 1 is a v6
// archive log file, 2 an LSM timeline parquet file its manifest names, 3
// the LSM manifest itself.
void FuzzArchive(std::string bytes, int layout) {
  testing::MemoryStorage storage;
  TableProperties props;
  props.table_version = layout == 1 ? 6 : 9;
  props.timeline_layout_version = layout == 1 ? 1 : 2;
  if (layout == 1) {
    storage.Put("/t/.hoodie/archived/.commits_.archive.1_1-0-1", std::move(bytes));
  } else {
    const std::string dir = "/t/.hoodie/timeline/history/";
    storage.Put(dir + "_version_", "1");
    if (layout == 2) {
      storage.Put(dir + "manifest_1", R"({"files":[{"fileName":"a_b_0.parquet"}]})");
      storage.Put(dir + "a_b_0.parquet", std::move(bytes));
    } else {
      storage.Put(dir + "manifest_1", std::move(bytes));
    }
  }
  ArchiveLimits limits;
  limits.max_file_bytes = 1 << 20;
  auto archive = ReadArchivedTimeline(storage, "/t", props, limits);
  // A manifest may name a file that is not there: the storage's kNotFound.
  if (layout == 3 && archive.status().code() == StatusCode::kNotFound) return;
  Check(archive.status());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t which = data[0] % 10;
  std::string input(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (which) {
    case 0: {
      (void)ParseInstantFileName(input, 1);
      (void)ParseInstantFileName(input, 2);
      (void)ParseBaseFileName(input);
      (void)ParseLogFileName(input);
      Check(InstantTimeMillis(input, true).status());
      break;
    }
    case 1: {
      auto p = ParseTableProperties(input);
      Check(p.status());
      if (p.ok()) {
        PartitionParser parser(*p, nullptr);
        Check(parser.Parse(input).status());
      }
      break;
    }
    case 2:
      FuzzCommit(input);
      break;
    case 3:
      FuzzCommit("Obj\x01" + input);
      break;
    case 4:
      Check(ParseRollbackInstants("Obj\x01" + input, "fuzz").status());
      Check(ParseRestoreInstants(input, "fuzz").status());
      break;
    case 5:
      Check(ParseCleanMetadata("Obj\x01" + input, "fuzz").status());
      break;
    case 6: {
      auto schema = ParseAvroSchema(input);
      Check(schema.status());
      if (schema.ok()) {
        Check(ToSparkSchema(**schema, {}).status());
        Check(ToParquetFields(**schema, true).status());
      }
      break;
    }
    case 7:
    case 8:
    case 9:
      FuzzArchive(std::move(input), which - 6);
      break;
  }
  return 0;
}
