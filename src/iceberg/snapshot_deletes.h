// The row-level deletes of one Iceberg snapshot as Delta deletion vectors:
// for each live data file, the positions of every position delete file and
// v3 deletion vector that applies to it become one DV on its DataFile.
//
// Which deletes apply (the Iceberg spec's scan-planning rules): a delete
// file with data sequence number >= the data file's; in the data file's
// partition (same spec and tuple) unless the delete file's spec is
// unpartitioned; its rows naming the data file, paths compared as the same
// file when only scheme or authority differ (SameFileKey), recorded paths
// re-based like every other location. Rows naming files the snapshot does
// not hold (dangling deletes after compaction) are ignored.
//
// The DV (table/deletion_vector_bytes.h): inline (storageType "i") when its
// bitmap is at most max_inline_bytes or no cache is given; otherwise a
// Delta DV file written into the content-addressed cache (named by the
// SHA-256 of its bytes, so replicas and restarts find it) and described as
// storageType "p" with the file's absolute location, offset 1.
//
// Equality deletes are resolved into positions first (equality_deletes.h)
// and merged into the same DV.
//
// Errors: those of row_deletes.h and equality_deletes.h; kUnsupported for
// position delete files that are neither parquet nor Puffin deletion
// vectors; kTooLarge when the snapshot's deletes exceed max_positions.
// Thread-safe for distinct calls.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "common/status.h"
#include "iceberg/manifest_conversion.h"
#include "storage/storage.h"
#include "table/content_cache.h"

namespace lakeshare::iceberg {

struct RowDeleteOptions {
  ContentCache* cache = nullptr;
  size_t max_inline_bytes = 1024;
  int64_t max_positions = 100'000'000;
  size_t max_parallel_reads = 4;
  // Equality deletes (equality_deletes.h).
  int64_t max_equality_key_bytes = int64_t{512} << 20;
  int64_t max_equality_scan_bytes = int64_t{16} << 30;
  int64_t max_equality_scan_ms = 120'000;
};

struct AppliedDeletes {
  // The snapshot's files in order: the converted manifests' own chunks,
  // and copies (with DVs) of the chunks holding files with deletes.
  std::vector<FileList::ChunkPtr> chunks;
  int64_t files_with_deletes = 0;
  int64_t deleted_rows = 0;
};

Result<AppliedDeletes> ApplyRowDeletes(
    Storage& storage, const FileContext& ctx,
    const std::vector<std::shared_ptr<const ConvertedManifest>>& data,
    const std::vector<const DeleteFileRef*>& deletes, const RowDeleteOptions& options);

}  // namespace lakeshare::iceberg
