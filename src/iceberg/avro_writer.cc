#include "iceberg/avro_writer.h"

#include <random>
#include <utility>

#include "iceberg/avro_codecs.h"
#include "iceberg/avro_encoding.h"
#include "iceberg/avro_file.h"

namespace lakeshare::iceberg {
namespace {

constexpr int64_t kWriterBlockBytes = 1 << 20;
constexpr int64_t kWriterBlockRecords = 4096;

avro_value_t NonNullBranch(avro_value_t* v, bool* ok) {
  *ok = true;
  if (avro_value_get_type(v) != AVRO_UNION) return *v;
  avro_schema_t s = avro_value_get_schema(v);
  size_t n = avro_schema_union_size(s);
  for (size_t i = 0; i < n; ++i) {
    if (avro_typeof(avro_schema_union_branch(s, static_cast<int>(i))) != AVRO_NULL) {
      avro_value_t branch;
      if (avro_value_set_branch(v, static_cast<int>(i), &branch) == 0) return branch;
    }
  }
  *ok = false;
  return *v;
}

}  // namespace

Result<std::unique_ptr<AvroFileWriter>> AvroFileWriter::Create(
    const std::string& schema_json, const std::map<std::string, std::string>& metadata,
    const std::string& codec) {
  InstallAvroAllocator();
  if (codec != "null" && codec != "deflate") {
    return Status::InvalidArgument("unsupported Avro codec for writing: " + codec);
  }
  std::unique_ptr<AvroFileWriter> w(new AvroFileWriter());
  if (avro_schema_from_json_length(schema_json.data(), schema_json.size(), &w->schema_) != 0) {
    w->schema_ = nullptr;
    return Status::InvalidArgument("invalid Avro schema for writing");
  }
  w->iface_ = avro_generic_class_from_schema(w->schema_);
  if (w->iface_ == nullptr || avro_generic_value_new(w->iface_, &w->record_) != 0) {
    return Status::Internal("cannot create Avro values for the schema");
  }
  w->has_record_ = true;
  w->codec_ = codec;
  std::random_device rd;
  for (size_t i = 0; i < kAvroSyncSize; ++i) w->sync_.push_back(static_cast<char>(rd() & 0xff));

  w->out_.append(kAvroMagic);
  std::map<std::string, std::string> meta = metadata;
  meta["avro.schema"] = schema_json;
  meta["avro.codec"] = codec;
  AppendAvroLong(&w->out_, static_cast<int64_t>(meta.size()));
  for (const auto& [k, v] : meta) {
    AppendAvroLong(&w->out_, static_cast<int64_t>(k.size()));
    w->out_ += k;
    AppendAvroLong(&w->out_, static_cast<int64_t>(v.size()));
    w->out_ += v;
  }
  AppendAvroLong(&w->out_, 0);
  w->out_ += w->sync_;
  return w;
}

AvroFileWriter::~AvroFileWriter() {
  if (has_record_) avro_value_decref(&record_);
  if (iface_ != nullptr) avro_value_iface_decref(iface_);
  if (schema_ != nullptr) avro_schema_decref(schema_);
}

avro_value_t* AvroFileWriter::NewRecord() {
  avro_value_reset(&record_);
  return &record_;
}

Status AvroFileWriter::Append() {
  if (finished_) return Status::FailedPrecondition("the Avro writer is finished");
  size_t size = 0;
  if (avro_value_sizeof(&record_, &size) != 0) {
    return Status::Internal("cannot size an Avro record (is every field set?)");
  }
  size_t old = block_.size();
  block_.resize(old + size);
  avro_writer_t w = avro_writer_memory(block_.data() + old, static_cast<int64_t>(size));
  if (w == nullptr) return Status::Internal("cannot create an Avro writer");
  int rc = avro_value_write(w, &record_);
  avro_writer_free(w);
  if (rc != 0) {
    block_.resize(old);
    return Status::Internal("cannot encode an Avro record");
  }
  ++block_records_;
  if (static_cast<int64_t>(block_.size()) >= kWriterBlockBytes ||
      block_records_ >= kWriterBlockRecords) {
    return FlushBlock();
  }
  return Status::OK();
}

Status AvroFileWriter::FlushBlock() {
  if (block_records_ == 0) return Status::OK();
  std::string_view payload = block_;
  if (codec_ == "deflate") {
    LS_RETURN_IF_ERROR(DeflateAvroBlock(block_, &scratch_));
    payload = scratch_;
  }
  AppendAvroLong(&out_, block_records_);
  AppendAvroLong(&out_, static_cast<int64_t>(payload.size()));
  out_.append(payload);
  out_ += sync_;
  block_.clear();
  block_records_ = 0;
  return Status::OK();
}

Result<std::string> AvroFileWriter::Finish() {
  if (finished_) return Status::FailedPrecondition("the Avro writer is finished");
  LS_RETURN_IF_ERROR(FlushBlock());
  finished_ = true;
  return std::move(out_);
}

// ------------------------------------------------------------ record helpers

Result<avro_value_t> AvroField(avro_value_t* record, const char* name) {
  avro_value_t child;
  if (avro_value_get_by_name(record, name, &child, nullptr) != 0) {
    return Status::Internal(std::string("the Avro schema has no field '") + name + "'");
  }
  return child;
}

Status AvroSetNull(avro_value_t* value) {
  if (avro_value_get_type(value) != AVRO_UNION) {
    return avro_value_set_null(value) == 0 ? Status::OK() : Status::Internal("not nullable");
  }
  avro_schema_t s = avro_value_get_schema(value);
  size_t n = avro_schema_union_size(s);
  for (size_t i = 0; i < n; ++i) {
    if (avro_typeof(avro_schema_union_branch(s, static_cast<int>(i))) == AVRO_NULL) {
      avro_value_t branch;
      if (avro_value_set_branch(value, static_cast<int>(i), &branch) != 0) break;
      avro_value_set_null(&branch);
      return Status::OK();
    }
  }
  return Status::Internal("the Avro union has no null branch");
}

Result<avro_value_t> AvroSetBranch(avro_value_t* value, int branch) {
  avro_value_t b;
  if (avro_value_set_branch(value, branch, &b) != 0) {
    return Status::Internal("invalid Avro union branch");
  }
  return b;
}

Status AvroSetLong(avro_value_t* value, int64_t v) {
  bool ok = false;
  avro_value_t b = NonNullBranch(value, &ok);
  if (ok && avro_value_get_type(&b) == AVRO_INT32) {
    if (v < INT32_MIN || v > INT32_MAX) return Status::Internal("int out of range");
    if (avro_value_set_int(&b, static_cast<int32_t>(v)) == 0) return Status::OK();
  }
  if (ok && avro_value_get_type(&b) == AVRO_INT64 && avro_value_set_long(&b, v) == 0) {
    return Status::OK();
  }
  return Status::Internal("cannot set an Avro int/long");
}

Status AvroSetString(avro_value_t* value, std::string_view v) {
  bool ok = false;
  avro_value_t b = NonNullBranch(value, &ok);
  if (ok && avro_value_get_type(&b) == AVRO_STRING &&
      avro_value_set_string_len(&b, std::string(v).c_str(), v.size() + 1) == 0) {
    return Status::OK();
  }
  return Status::Internal("cannot set an Avro string");
}

Status AvroSetBytes(avro_value_t* value, std::string_view v) {
  bool ok = false;
  avro_value_t b = NonNullBranch(value, &ok);
  void* p = const_cast<char*>(v.data());
  if (ok && avro_value_get_type(&b) == AVRO_BYTES && avro_value_set_bytes(&b, p, v.size()) == 0) {
    return Status::OK();
  }
  if (ok && avro_value_get_type(&b) == AVRO_FIXED && avro_value_set_fixed(&b, p, v.size()) == 0) {
    return Status::OK();
  }
  return Status::Internal("cannot set Avro bytes");
}

Status AvroSetBool(avro_value_t* value, bool v) {
  bool ok = false;
  avro_value_t b = NonNullBranch(value, &ok);
  if (ok && avro_value_get_type(&b) == AVRO_BOOLEAN && avro_value_set_boolean(&b, v) == 0) {
    return Status::OK();
  }
  return Status::Internal("cannot set an Avro boolean");
}

Status AvroSetDouble(avro_value_t* value, double v) {
  bool ok = false;
  avro_value_t b = NonNullBranch(value, &ok);
  if (ok && avro_value_get_type(&b) == AVRO_FLOAT &&
      avro_value_set_float(&b, static_cast<float>(v)) == 0) {
    return Status::OK();
  }
  if (ok && avro_value_get_type(&b) == AVRO_DOUBLE && avro_value_set_double(&b, v) == 0) {
    return Status::OK();
  }
  return Status::Internal("cannot set an Avro float/double");
}

}  // namespace lakeshare::iceberg
