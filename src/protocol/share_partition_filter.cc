#include "protocol/share_partition_filter.h"

#include "common/crypto.h"
#include "common/encoding.h"

namespace lakeshare {
namespace {

class AndFilter : public FileFilter {
 public:
  AndFilter(std::shared_ptr<const PartitionFilter> share, std::unique_ptr<FileFilter> client)
      : share_(std::move(share)), client_(std::move(client)) {}

  bool Keep(const DataFile& file) const override {
    if (share_ && !share_->Admits(file)) return false;
    return !client_ || client_->Keep(file);
  }

 private:
  std::shared_ptr<const PartitionFilter> share_;
  std::unique_ptr<FileFilter> client_;
};

}  // namespace

Result<std::shared_ptr<const PartitionFilter>> LoadSharePartitionFilter(
    const TableInfo& info, const TableMetadata& metadata, std::string_view table_name) {
  if (!info.partition_filter) return std::shared_ptr<const PartitionFilter>();
  auto filter = PartitionFilter::Parse(*info.partition_filter);
  if (!filter.ok()) {
    return Status::FailedPrecondition("table " + std::string(table_name) +
                                      " cannot be served: the share's partition filter is "
                                      "invalid; please contact your share provider");
  }
  LS_RETURN_IF_ERROR(filter->CheckColumns(metadata.partition_columns, table_name));
  return std::make_shared<const PartitionFilter>(std::move(*filter));
}

std::unique_ptr<FileFilter> AndShareFilter(std::shared_ptr<const PartitionFilter> share,
                                           std::unique_ptr<FileFilter> client) {
  if (!share) return client;
  return std::make_unique<AndFilter>(std::move(share), std::move(client));
}

std::string DigestWithShareFilter(const std::string& digest, const TableInfo& info) {
  if (!info.partition_filter) return digest;
  return HexEncode(Sha256(digest + "|partition-filter|" + *info.partition_filter)).substr(0, 32);
}

}  // namespace lakeshare
