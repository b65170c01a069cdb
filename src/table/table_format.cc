#include "table/table_format.h"

namespace lakeshare {
namespace {

size_t StringHeap(const std::string& s) {
  // libstdc++ keeps up to 15 characters inline; malloc adds a word and rounds to 16.
  return s.capacity() > 15 ? ((s.capacity() + 1 + 8 + 15) & ~size_t{15}) : 0;
}

}  // namespace

size_t DataFileBytes(const DataFile& f, size_t* stats_bytes) {
  size_t bytes = sizeof(DataFile) + f.partition_values.OwnedHeapBytes();
  bytes += f.path.HeldBytes() + f.stats.HeldBytes();
  if (stats_bytes) *stats_bytes += f.stats.size();
  if (f.deletion_vector) {
    bytes += sizeof(DeletionVector) + 16 + StringHeap(f.deletion_vector->storage_type) +
             StringHeap(f.deletion_vector->path_or_inline_dv);
  }
  if (f.tags) {
    bytes += 64;  // the map header and its allocation
    for (const auto& [k, v] : *f.tags) bytes += 96 + StringHeap(k) + StringHeap(v);
  }
  return bytes;
}

}  // namespace lakeshare
