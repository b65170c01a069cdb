#include "hudi/hudi_log_writer.h"

#include "hudi/hudi_avro_writer.h"

namespace lakeshare::hudi {
namespace {

void BigEndian(std::string* out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

}  // namespace

std::string LogBlockBytes(LogBlockType type, const std::map<int32_t, std::string>& header,
                          std::string_view content) {
  std::string body;
  BigEndian(&body, 1, 4);  // log format version
  BigEndian(&body, static_cast<uint64_t>(type), 4);
  BigEndian(&body, header.size(), 4);
  for (const auto& [k, v] : header) {
    BigEndian(&body, static_cast<uint64_t>(k), 4);
    BigEndian(&body, v.size(), 4);
    body += v;
  }
  BigEndian(&body, content.size(), 8);
  body.append(content);
  BigEndian(&body, 0, 4);  // footer
  std::string block = "#HUDI#";
  BigEndian(&block, body.size() + 8, 8);
  block += body;
  BigEndian(&block, block.size(), 8);
  return block;
}

std::string DataBlockContent(const std::vector<std::string>& records) {
  std::string content;
  BigEndian(&content, 3, 4);
  BigEndian(&content, records.size(), 4);
  for (const std::string& rec : records) {
    BigEndian(&content, rec.size(), 4);
    content += rec;
  }
  return content;
}

std::string DeleteBlockContent(const std::vector<std::pair<std::string, std::string>>& keys) {
  AvroEncoder e;
  e.Long(static_cast<int64_t>(keys.size()));
  for (const auto& [key, partition] : keys) {
    e.OptString(key);
    e.OptString(partition);
    e.Branch(0);  // natural order
  }
  e.Long(0);
  std::string list = e.Take();
  std::string content;
  BigEndian(&content, 3, 4);
  BigEndian(&content, list.size(), 4);
  content += list;
  return content;
}

}  // namespace lakeshare::hudi
