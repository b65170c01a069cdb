#include "protocol/ndjson_answer.h"

#include "delta/dv_descriptor.h"
#include "protocol/endpoint_context.h"
#include "protocol/response_lines.h"

namespace lakeshare {

void SetNdjsonHeaders(HttpResponse* resp, int64_t version, ResponseFormat format,
                      bool end_stream_action) {
  resp->SetHeader("Content-Type", std::string(kNdjsonContentType));
  resp->SetHeader("Delta-Table-Version", std::to_string(version));
  // /query and /changes answers hold pre-signed URLs: no cache may keep them.
  resp->SetHeader("Cache-Control", "no-store");
  std::string caps = "responseformat=" + std::string(ResponseFormatName(format));
  if (end_stream_action) caps += ";includeendstreamaction=true";
  resp->SetHeader("delta-sharing-capabilities", caps);
}

std::string HeadLines(ResponseFormat format, const TableSnapshot& s, bool history_shared,
                      const PartitionFilter* share_filter) {
  std::string head;
  if (format == ResponseFormat::kParquet) {
    AppendParquetProtocolLine(&head);
    AppendParquetMetadataLine(&head, s.metadata, history_shared);
  } else {
    int64_t size = 0, count = 0;
    for (const auto& f : s.files) {
      if (share_filter && !share_filter->Admits(f)) continue;
      size += f.size;
      ++count;
    }
    AppendDeltaProtocolLine(&head, s.protocol);
    AppendDeltaMetadataLine(&head, s.metadata, s.version, size, count);
  }
  return head;
}

Status CheckDeletionVectorsShareable(const DataFile& f, const std::string& derived_location) {
  if (!f.deletion_vector || f.deletion_vector->storage_type == "i") return Status::OK();
  const std::string& p = f.deletion_vector->path_or_inline_dv;
  if (f.deletion_vector->storage_type == "p" && !derived_location.empty() &&
      p.size() > derived_location.size() + 1 &&
      p.compare(0, derived_location.size(), derived_location) == 0 &&
      p[derived_location.size()] == '/') {
    return Status::OK();  // written by the format among its derived files
  }
  return DeletionVectorRelativePath(*f.deletion_vector).status();
}

}  // namespace lakeshare
