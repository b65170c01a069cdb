#include "protocol/response_format.h"

#include <algorithm>

#include "common/strings.h"

namespace lakeshare {
namespace {

bool ColumnMappingOn(const TableSnapshot& s, std::string* mode) {
  auto it = s.metadata.configuration.find("delta.columnMapping.mode");
  if (it == s.metadata.configuration.end() || it->second == "none") return false;
  *mode = it->second;
  return true;
}

bool HasDeletionVectors(const TableSnapshot& s) {
  auto it = s.metadata.configuration.find("delta.enableDeletionVectors");
  if (it != s.metadata.configuration.end() && it->second == "true") return true;
  return std::any_of(s.files.begin(), s.files.end(),
                     [](const DataFile& f) { return f.deletion_vector.has_value(); });
}

// Reader features that change how data files must be read: a delta-format
// client must declare each one the table uses.
constexpr std::string_view kDataReaderFeatures[] = {
    "deletionVectors",      "columnMapping", "timestampNtz",        "typeWidening",
    "typeWidening-preview", "variantType",   "variantType-preview", "variantShredding-preview"};

// Features of the log alone: the client never sees our log, so they are safe.
constexpr std::string_view kLogOnlyReaderFeatures[] = {"v2Checkpoint", "vacuumProtocolCheck"};

// The highest Delta reader version lakeshare's log replay implements.
constexpr int32_t kMaxReaderVersion = 3;

bool Contains(const auto& list, std::string_view feature) {
  return std::find(std::begin(list), std::end(list), feature) != std::end(list);
}

std::string KnownReaderFeatures() {
  std::string out;
  auto add = [&](std::string_view f) {
    if (!out.empty()) out += ", ";
    out += f;
  };
  for (std::string_view f : kDataReaderFeatures) add(f);
  for (std::string_view f : kLogOnlyReaderFeatures) add(f);
  return out;
}

}  // namespace

Status CheckReaderProtocol(const TableSnapshot& s, const std::string& table_name) {
  const TableProtocol& p = s.protocol;
  if (p.min_reader_version > kMaxReaderVersion) {
    return Status::Unsupported("table " + table_name + " needs Delta reader version " +
                               std::to_string(p.min_reader_version) + " at version " +
                               std::to_string(s.version) + "; lakeshare reads versions up to " +
                               std::to_string(kMaxReaderVersion));
  }
  if (p.reader_features) {
    for (const auto& f : *p.reader_features) {
      if (Contains(kDataReaderFeatures, f) || Contains(kLogOnlyReaderFeatures, f)) continue;
      return Status::Unsupported(
          "table " + table_name + " uses the Delta reader feature '" + f + "' at version " +
          std::to_string(s.version) +
          ", which lakeshare does not support (it supports: " + KnownReaderFeatures() + ")");
    }
  }
  return Status::OK();
}

std::string_view ResponseFormatName(ResponseFormat format) {
  return format == ResponseFormat::kDelta ? "delta" : "parquet";
}

Status CheckParquetCompatible(const TableSnapshot& s, const std::string& table_name) {
  if (s.unreadable_reason) {
    return Status::Unsupported("table " + table_name + " cannot be shared at version " +
                               std::to_string(s.version) + ": " + *s.unreadable_reason);
  }
  LS_RETURN_IF_ERROR(CheckReaderProtocol(s, table_name));
  std::string mode;
  if (ColumnMappingOn(s, &mode)) {
    return Status::Unsupported("table " + table_name + " uses column mapping (mode '" + mode +
                               "'), which the parquet response format cannot express; ask for "
                               "responseformat=delta with readerfeatures=columnmapping");
  }
  if (HasDeletionVectors(s)) {
    return Status::Unsupported(
        "table " + table_name +
        " has deletion vectors, which the parquet response format cannot express (deleted rows "
        "would be returned); ask for responseformat=delta with readerfeatures=deletionvectors");
  }
  if (s.protocol.reader_features) {
    for (const auto& f : *s.protocol.reader_features) {
      bool safe = f == "timestampNtz" || f == "deletionVectors" || f == "columnMapping" ||
                  Contains(kLogOnlyReaderFeatures, f);
      if (!safe) {
        return Status::Unsupported("table " + table_name + " uses the Delta reader feature '" + f +
                                   "', which the parquet response format cannot express");
      }
    }
  }
  return Status::OK();
}

Status CheckDeltaCompatible(const ClientCapabilities& caps, const TableSnapshot& s,
                            const std::string& table_name) {
  auto need = [&](std::string_view feature) -> Status {
    if (caps.HasReaderFeature(feature)) return Status::OK();
    std::string lower = AsciiLower(feature);
    return Status::Unsupported("table " + table_name + " needs the Delta reader feature '" +
                               std::string(feature) + "'; declare readerfeatures=" + lower +
                               " in the delta-sharing-capabilities header if the client "
                               "supports it");
  };
  if (s.unreadable_reason) {
    return Status::Unsupported("table " + table_name + " cannot be shared at version " +
                               std::to_string(s.version) + ": " + *s.unreadable_reason);
  }
  LS_RETURN_IF_ERROR(CheckReaderProtocol(s, table_name));
  std::string mode;
  if (ColumnMappingOn(s, &mode)) LS_RETURN_IF_ERROR(need("columnMapping"));
  if (HasDeletionVectors(s)) LS_RETURN_IF_ERROR(need("deletionVectors"));
  if (s.protocol.reader_features) {
    for (const auto& f : *s.protocol.reader_features) {
      if (Contains(kDataReaderFeatures, f)) LS_RETURN_IF_ERROR(need(f));
    }
  }
  return Status::OK();
}

Result<ResponseFormat> ChooseResponseFormat(const ClientCapabilities& caps, const TableSnapshot& s,
                                            const std::string& table_name) {
  bool parquet = caps.AcceptsFormat("parquet");
  bool delta = caps.AcceptsFormat("delta");
  if (!parquet && !delta) {
    return Status::InvalidArgument("unsupported responseformat; use parquet or delta");
  }
  if (parquet) {
    Status st = CheckParquetCompatible(s, table_name);
    if (st.ok()) return ResponseFormat::kParquet;
    if (!delta) return st;
  }
  LS_RETURN_IF_ERROR(CheckDeltaCompatible(caps, s, table_name));
  return ResponseFormat::kDelta;
}

Result<ResponseFormat> ChooseResponseFormatOrPlainSnapshot(
    TableFormat& table, const ClientCapabilities& caps,
    std::shared_ptr<const TableSnapshot>* snapshot, const std::string& table_name) {
  auto format = ChooseResponseFormat(caps, **snapshot, table_name);
  if (format.ok()) return format;
  auto plain = table.SnapshotWithoutDeletionVectors((*snapshot)->version);
  if (!plain.ok()) return format;
  *snapshot = std::move(*plain);
  return ChooseResponseFormat(caps, **snapshot, table_name);
}

Result<FileIdHash> ChooseFileIdHash(const std::string* header, ResponseFormat format) {
  if (header == nullptr || header->empty()) {
    return format == ResponseFormat::kDelta ? FileIdHash::kSha256 : FileIdHash::kMd5;
  }
  std::string v = AsciiLower(*header);
  if (v == "parquet") return FileIdHash::kMd5;
  if (v == "delta") return FileIdHash::kSha256;
  return Status::InvalidArgument("invalid fileidhash '" + *header + "': use parquet or delta");
}

}  // namespace lakeshare
