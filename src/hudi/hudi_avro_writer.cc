#include "hudi/hudi_avro_writer.h"

#include <cstring>

#include "iceberg/avro_file.h"

namespace lakeshare::hudi {

void AvroEncoder::Long(int64_t v) { iceberg::AppendAvroLong(&out_, v); }

void AvroEncoder::String(std::string_view s) {
  Long(static_cast<int64_t>(s.size()));
  out_.append(s);
}

void AvroEncoder::Double(double d) {
  uint64_t bits;
  std::memcpy(&bits, &d, 8);
  for (int i = 0; i < 8; ++i) out_.push_back(static_cast<char>((bits >> (8 * i)) & 0xff));
}

void AvroEncoder::Bool(bool b) { out_.push_back(b ? 1 : 0); }

void AvroEncoder::OptLong(int64_t v) {
  Branch(1);
  Long(v);
}

void AvroEncoder::OptString(std::string_view s) {
  Branch(1);
  String(s);
}

std::string AvroContainer(std::string_view schema, const std::vector<std::string>& records) {
  std::string f("Obj\x01", 4);
  AvroEncoder header;
  header.Long(2);
  header.String("avro.schema");
  header.String(schema);
  header.String("avro.codec");
  header.String("null");
  header.Long(0);
  f += header.Take();
  const std::string sync = "lakeshare-sync-0";
  f += sync;
  AvroEncoder block;
  block.Long(static_cast<int64_t>(records.size()));
  std::string body;
  for (const std::string& r : records) body += r;
  block.String(body);
  f += block.Take();
  f += sync;
  return f;
}

}  // namespace lakeshare::hudi
