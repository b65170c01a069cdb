#include "delta/delta_checkpoint.h"

#include <simdjson.h>

#include <algorithm>
#include <exception>
#include <limits>
#include <memory>
#include <new>
#include <utility>

#include "common/thread_pool.h"
#include "delta/checkpoint_row_group.h"
#include "delta/delta_actions.h"
#include "delta/delta_paths.h"
#include "parquet/parquet_reader.h"

namespace lakeshare {
namespace {

using parquet::ParquetReader;

std::string_view BaseName(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// One parquet file of a checkpoint, opened (footer read) and planned.
struct OpenFile {
  std::string name;
  std::optional<ParquetReader> reader;
  CheckpointColumnPlan plan;
  bool cheap_reads = false;  // a local file (else: each read a request to a store)
};

Result<OpenFile> OpenCheckpointFile(Storage& storage, const FileInfo& info, std::string name,
                                    const CheckpointReadOptions& options) {
  OpenFile f;
  f.name = std::move(name);
  Result<std::unique_ptr<RandomAccessFile>> file = storage.OpenRandomAccess(info.path, info.size);
  if (!file.ok()) {
    const Status& st = file.status();
    // Listed but gone: not the table's absence.
    StatusCode code = st.code() == StatusCode::kNotFound ? StatusCode::kIOError : st.code();
    return Status(code, "Delta checkpoint " + f.name + ": " + st.message());
  }
  f.cheap_reads = (*file)->ReadsAreCheap();
  parquet::ReaderOptions reader_options;
  if (!f.cheap_reads) {
    reader_options.footer_read_size = std::max<uint64_t>(
        reader_options.footer_read_size, static_cast<uint64_t>(options.remote_tail_read_bytes));
  }
  Result<ParquetReader> reader = ParquetReader::Open(
      std::shared_ptr<const RandomAccessFile>(std::move(*file)), reader_options);
  if (!reader.ok()) return reader.status().WithContext("Delta checkpoint " + f.name);
  f.plan = PlanCheckpointColumns(reader->schema());
  f.reader.emplace(std::move(*reader));
  return f;
}

// Decodes every row group of `files`, in parallel, into parts in file and
// row group order.
Result<std::vector<CheckpointPart>> ReadParquetFiles(const std::vector<OpenFile>& files,
                                                     const CheckpointReadOptions& options) {
  std::vector<std::pair<size_t, int>> tasks;
  for (size_t i = 0; i < files.size(); ++i) {
    for (int rg = 0; rg < files[i].reader->num_row_groups(); ++rg) tasks.emplace_back(i, rg);
  }
  std::vector<CheckpointPart> parts(tasks.size());
  LS_RETURN_IF_ERROR(ParallelFor(tasks.size(), options.parallelism, [&](size_t t) {
    const OpenFile& f = files[tasks[t].first];
    return ReadCheckpointRowGroup(*f.reader, f.plan, tasks[t].second, f.name, f.cheap_reads,
                                  options, &parts[t]);
  }));
  return parts;
}

Result<CheckpointPart> ReadJsonCheckpoint(Storage& storage, const FileInfo& info,
                                          const std::string& name,
                                          const CheckpointReadOptions& options) {
  const int64_t limit = options.max_json_bytes;
  auto too_large = [&]() {
    return Status::TooLarge("Delta checkpoint " + name + " is larger than the limit of " +
                            std::to_string(limit) + " bytes");
  };
  if (info.size > limit) return too_large();
  Result<std::string> content = storage.ReadRange(info.path, 0, limit + 1);
  if (!content.ok()) {
    const Status& st = content.status();
    StatusCode code = st.code() == StatusCode::kNotFound ? StatusCode::kIOError : st.code();
    return Status(code, "reading Delta checkpoint " + name + ": " + st.message());
  }
  if (static_cast<int64_t>(content->size()) > limit) return too_large();
  LS_ASSIGN_OR_RETURN(DeltaCommit commit, ParseDeltaCommit(std::move(*content), name));
  CheckpointPart part;
  if (commit.protocol) part.protocols.push_back(std::move(*commit.protocol));
  if (commit.metadata) part.metadata.push_back(std::move(*commit.metadata));
  if (commit.checkpoint_metadata_version) {
    part.checkpoint_versions.push_back(*commit.checkpoint_metadata_version);
  }
  part.sidecars = std::move(commit.sidecars);
  for (DeltaFileAction& action : commit.file_actions) {
    if (auto* add = std::get_if<DataFile>(&action)) part.files.files.push_back(std::move(*add));
  }
  return part;
}

// The location of a sidecar named by a checkpoint.
Result<std::string> SidecarLocation(Storage& storage, const std::string& log_dir,
                                    const DeltaSidecar& sidecar, const std::string& name) {
  std::string relative = CanonicalDeltaPath(sidecar.path);
  bool bad = HasUriScheme(sidecar.path) || relative.empty() || relative.front() == '/';
  for (size_t start = 0; !bad && start <= relative.size();) {
    size_t slash = relative.find('/', start);
    std::string_view segment(relative.data() + start,
                             (slash == std::string::npos ? relative.size() : slash) - start);
    if (segment == ".." || segment.empty()) bad = true;
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  if (bad) {
    return Status::Corruption("Delta checkpoint " + name + ": sidecar path '" + sidecar.path +
                              "' is not a file of _delta_log/_sidecars");
  }
  return storage.Join(storage.Join(log_dir, "_sidecars"), relative);
}

}  // namespace

size_t CheckpointContents::num_files() const {
  size_t n = 0;
  for (const auto& g : files) n += g.size();
  return n;
}

std::string DeltaLogRelativeName(std::string_view path) {
  return "_delta_log/" + std::string(BaseName(path));
}

Result<LastCheckpointHint> ParseLastCheckpoint(std::string content, std::string_view name) {
  auto corrupt = [&](std::string_view what) {
    return Status::Corruption("Delta " + std::string(name) + ": " + std::string(what));
  };
  try {
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (parser.parse(content).get(doc) != simdjson::SUCCESS) return corrupt("invalid JSON");
    simdjson::dom::object obj;
    if (doc.get_object().get(obj) != simdjson::SUCCESS) return corrupt("not a JSON object");
    LastCheckpointHint hint;
    bool has_version = false;
    auto opt_int = [](simdjson::dom::element v) -> std::optional<int64_t> {
      int64_t x = 0;
      if (v.get_int64().get(x) != simdjson::SUCCESS || x < 0) return std::nullopt;
      return x;
    };
    for (simdjson::dom::key_value_pair kv : obj) {
      std::string_view k = kv.key;
      if (k == "version") {
        std::optional<int64_t> v = opt_int(kv.value);
        if (!v) return corrupt("\"version\" is not a non-negative integer");
        hint.version = *v;
        has_version = true;
      } else if (k == "size") {
        hint.size = opt_int(kv.value);
      } else if (k == "parts") {
        std::optional<int64_t> parts = opt_int(kv.value);
        if (parts && *parts > 0 && *parts <= std::numeric_limits<int32_t>::max()) {
          hint.parts = static_cast<int32_t>(*parts);
        }
      } else if (k == "sizeInBytes") {
        hint.size_in_bytes = opt_int(kv.value);
      } else if (k == "numOfAddFiles") {
        hint.num_of_add_files = opt_int(kv.value);
      } else if (k == "v2Checkpoint") {
        simdjson::dom::object v2;
        std::string_view path;
        if (kv.value.get_object().get(v2) == simdjson::SUCCESS &&
            v2["path"].get_string().get(path) == simdjson::SUCCESS) {
          hint.v2_checkpoint_path = std::string(path);
        }
      }
    }
    if (!has_version) return corrupt("no \"version\"");
    return hint;
  } catch (const std::bad_alloc&) {
    return Status::Unavailable("Delta " + std::string(name) + ": out of memory");
  } catch (const std::exception& e) {
    return corrupt(e.what());
  }
}

Result<CheckpointContents> ReadDeltaCheckpoint(Storage& storage, const std::string& log_dir,
                                               const DeltaCheckpoint& checkpoint,
                                               const CheckpointReadOptions& options) {
  if (checkpoint.files.empty()) return Status::Internal("Delta checkpoint without files");
  const std::string first_name = DeltaLogRelativeName(checkpoint.files.front().path);
  try {
    // Top level: the checkpoint's own files (every part, or the one file).
    std::vector<CheckpointPart> parts;
    const FileInfo& top = checkpoint.files.front();
    const bool json = checkpoint.type == DeltaLogFileType::kV2Checkpoint &&
                      BaseName(top.path).substr(BaseName(top.path).size() - 5) == ".json";
    if (json) {
      LS_ASSIGN_OR_RETURN(CheckpointPart part,
                          ReadJsonCheckpoint(storage, top, first_name, options));
      parts.push_back(std::move(part));
    } else {
      std::vector<OpenFile> files(checkpoint.files.size());
      LS_RETURN_IF_ERROR(ParallelFor(files.size(), options.parallelism, [&](size_t i) -> Status {
        const FileInfo& info = checkpoint.files[i];
        LS_ASSIGN_OR_RETURN(
            files[i], OpenCheckpointFile(storage, info, DeltaLogRelativeName(info.path), options));
        return Status::OK();
      }));
      LS_ASSIGN_OR_RETURN(parts, ReadParquetFiles(files, options));
    }

    CheckpointContents out;
    out.version = checkpoint.version;
    std::vector<DeltaSidecar> sidecars;
    auto merge = [&](CheckpointPart& part, const std::string& name) -> Status {
      for (TableProtocol& p : part.protocols) {
        if (out.protocol) {
          return Status::Corruption("Delta checkpoint " + name + ": more than one protocol action");
        }
        out.protocol = std::move(p);
      }
      for (TableMetadata& m : part.metadata) {
        if (out.metadata) {
          return Status::Corruption("Delta checkpoint " + name + ": more than one metaData action");
        }
        out.metadata = std::move(m);
      }
      for (int64_t v : part.checkpoint_versions) {
        if (v != checkpoint.version) {
          return Status::Corruption("Delta checkpoint " + name +
                                    ": checkpointMetadata says version " + std::to_string(v) +
                                    ", its name says " + std::to_string(checkpoint.version));
        }
      }
      for (DeltaSidecar& s : part.sidecars) sidecars.push_back(std::move(s));
      if (!part.files.empty()) out.files.push_back(std::move(part.files));
      return Status::OK();
    };
    for (CheckpointPart& p : parts) LS_RETURN_IF_ERROR(merge(p, first_name));
    parts.clear();

    // V2: the add actions live in the sidecars.
    if (!sidecars.empty()) {
      std::vector<OpenFile> files(sidecars.size());
      LS_RETURN_IF_ERROR(ParallelFor(files.size(), options.parallelism, [&](size_t i) -> Status {
        LS_ASSIGN_OR_RETURN(std::string location,
                            SidecarLocation(storage, log_dir, sidecars[i], first_name));
        std::string name = "_delta_log/_sidecars/" + std::string(BaseName(location));
        Result<FileInfo> info = storage.Head(location);
        if (!info.ok()) {
          if (info.status().code() == StatusCode::kNotFound) {
            return Status::Corruption("Delta checkpoint " + first_name + ": its sidecar " + name +
                                      " is missing");
          }
          return info.status().WithContext("Delta checkpoint sidecar " + name);
        }
        LS_ASSIGN_OR_RETURN(files[i], OpenCheckpointFile(storage, *info, name, options));
        return Status::OK();
      }));
      LS_ASSIGN_OR_RETURN(std::vector<CheckpointPart> sidecar_parts,
                          ReadParquetFiles(files, options));
      for (size_t i = 0; i < sidecar_parts.size(); ++i) {
        CheckpointPart& p = sidecar_parts[i];
        if (!p.protocols.empty() || !p.metadata.empty() || !p.sidecars.empty()) {
          return Status::Corruption("Delta checkpoint " + first_name +
                                    ": a sidecar holds actions other than add and remove");
        }
        LS_RETURN_IF_ERROR(merge(p, first_name));
      }
    }
    if (!out.protocol) {
      return Status::Corruption("Delta checkpoint " + first_name + ": no protocol action");
    }
    if (!out.metadata) {
      return Status::Corruption("Delta checkpoint " + first_name + ": no metaData action");
    }
    return out;
  } catch (const std::bad_alloc&) {
    return Status::Unavailable("Delta checkpoint " + first_name + ": out of memory");
  } catch (const std::exception& e) {
    return Status::Internal("Delta checkpoint " + first_name +
                            ": unexpected exception: " + e.what());
  }
}

}  // namespace lakeshare
