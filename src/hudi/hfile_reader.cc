#include "hudi/hfile_reader.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "iceberg/iceberg_metadata.h"

namespace lakeshare::hudi {
namespace {

constexpr int64_t kHeaderSize = 33;  // magic 8, sizes 4+4, prev 8, checksum 1+4+4
constexpr int64_t kTrailerSize = 4096;
constexpr int kMaxIndexLevels = 8;
constexpr int32_t kCodecGzip = 1;
constexpr int32_t kCodecNone = 2;
constexpr std::string_view kDataMagic = "DATABLK*";
constexpr std::string_view kRootIndexMagic = "IDXROOT2";
constexpr std::string_view kLeafIndexMagic = "IDXLEAF2";
constexpr std::string_view kIntermediateIndexMagic = "IDXINTE2";
constexpr std::string_view kFileInfoMagic = "FILEINF2";
constexpr std::string_view kTrailerMagic = "TRABLK\"$";

Status Bad(const std::string& what) { return Status::Corruption("HFile: " + what); }

uint64_t Be(std::string_view s, size_t at, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v = (v << 8) | static_cast<unsigned char>(s[at + i]);
  return v;
}
int32_t BeInt32(std::string_view s, size_t at) { return static_cast<int32_t>(Be(s, at, 4)); }
int64_t BeInt64(std::string_view s, size_t at) { return static_cast<int64_t>(Be(s, at, 8)); }

// A bounds-checked cursor over bytes.
class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}
  size_t pos() const { return pos_; }
  size_t left() const { return s_.size() - pos_; }
  bool Take(size_t n, std::string_view* out) {
    if (n > left()) return false;
    *out = s_.substr(pos_, n);
    pos_ += n;
    return true;
  }
  bool Int32(int32_t* v) {
    if (left() < 4) return false;
    *v = BeInt32(s_, pos_);
    pos_ += 4;
    return true;
  }
  bool Int64(int64_t* v) {
    if (left() < 8) return false;
    *v = BeInt64(s_, pos_);
    pos_ += 8;
    return true;
  }
  // Protobuf varint (at most 10 bytes).
  bool Varint(uint64_t* v) {
    uint64_t r = 0;
    for (int shift = 0; shift < 70; shift += 7) {
      if (left() == 0) return false;
      auto b = static_cast<unsigned char>(s_[pos_++]);
      if (shift == 63 && b > 1) return false;
      r |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        *v = r;
        return true;
      }
    }
    return false;
  }
  // Hadoop's WritableUtils variable-length long.
  bool HadoopVlong(int64_t* v) {
    if (left() == 0) return false;
    auto first = static_cast<int8_t>(s_[pos_++]);
    if (first >= -112) {
      *v = first;
      return true;
    }
    bool negative = first < -120;
    size_t len = static_cast<size_t>(negative ? -(first + 120) : -(first + 112));
    if (len > left()) return false;
    uint64_t r = Be(s_, pos_, len);
    pos_ += len;
    *v = negative ? static_cast<int64_t>(~r) : static_cast<int64_t>(r);
    return true;
  }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

// One protobuf field of a message: varint value or length-delimited bytes.
struct ProtoField {
  uint32_t number = 0;
  uint64_t varint = 0;
  std::string_view bytes;
};

// Calls fn for each field of `msg`; fixed32/fixed64 fields are skipped.
template <typename Fn>
Status ForEachProtoField(std::string_view msg, const Fn& fn) {
  Cursor c(msg);
  while (c.left() > 0) {
    uint64_t tag = 0;
    if (!c.Varint(&tag) || tag >> 3 == 0 || tag >> 3 > (1u << 29)) return Bad("malformed protobuf");
    ProtoField f;
    f.number = static_cast<uint32_t>(tag >> 3);
    std::string_view skip;
    switch (tag & 7) {
      case 0:
        if (!c.Varint(&f.varint)) return Bad("malformed protobuf varint");
        break;
      case 1:
        if (!c.Take(8, &skip)) return Bad("truncated protobuf");
        continue;
      case 2: {
        uint64_t len = 0;
        if (!c.Varint(&len) || len > c.left() || !c.Take(len, &f.bytes)) {
          return Bad("truncated protobuf field");
        }
        break;
      }
      case 5:
        if (!c.Take(4, &skip)) return Bad("truncated protobuf");
        continue;
      default:
        return Bad("unsupported protobuf wire type");
    }
    LS_RETURN_IF_ERROR(fn(f));
  }
  return Status::OK();
}

// A protobuf message preceded by its varint length.
Result<std::string_view> DelimitedMessage(std::string_view s) {
  Cursor c(s);
  uint64_t len = 0;
  std::string_view msg;
  if (!c.Varint(&len) || len > c.left() || !c.Take(len, &msg)) {
    return Bad("truncated delimited protobuf");
  }
  return msg;
}

// The row of a KeyValue key: int16 length, then the row bytes.
Result<std::string_view> RowOfKey(std::string_view key) {
  if (key.size() < 2) return Bad("key shorter than its row length");
  size_t row = Be(key, 0, 2);
  if (row + 2 > key.size()) return Bad("row length past the key");
  return key.substr(2, row);
}

int CompareRows(std::string_view a, std::string_view b) {
  // std::string_view compares chars through char_traits<char>, which is
  // unsigned (memcmp) order.
  return a.compare(b);
}

}  // namespace

struct HFileReader::Body {
  std::string owned;      // the uncompressed body when it had to be inflated
  std::string_view data;  // the body (points into owned or the file)
};

const std::string* HFileReader::FileInfo(std::string_view key) const {
  auto it = file_info_.find(std::string(key));
  return it == file_info_.end() ? nullptr : &it->second;
}

Result<HFileReader::Body> HFileReader::ReadBlock(int64_t offset, int64_t end,
                                                 std::string_view magic) const {
  if (offset < 0 || end > static_cast<int64_t>(file_.size()) || offset + kHeaderSize > end) {
    return Bad("block at " + std::to_string(offset) + " is outside its section");
  }
  std::string_view h = file_.substr(static_cast<size_t>(offset), kHeaderSize);
  if (h.substr(0, 8) != magic) {
    return Bad("expected a " + std::string(magic) + " block at " + std::to_string(offset));
  }
  int64_t on_disk = BeInt32(h, 8);
  int64_t uncompressed = BeInt32(h, 12);
  int64_t data_with_header = BeInt32(h, 29);
  if (on_disk < 0 || uncompressed < 0 || data_with_header < kHeaderSize ||
      data_with_header - kHeaderSize > on_disk || offset + kHeaderSize + on_disk > end) {
    return Bad("block at " + std::to_string(offset) + " has impossible sizes");
  }
  if (uncompressed > limits_.max_block_bytes) {
    return Status::TooLarge("HFile block at " + std::to_string(offset) + " holds " +
                            std::to_string(uncompressed) + " bytes (limit " +
                            std::to_string(limits_.max_block_bytes) + ")");
  }
  std::string_view stored = file_.substr(static_cast<size_t>(offset + kHeaderSize),
                                         static_cast<size_t>(data_with_header - kHeaderSize));
  Body body;
  if (!gzip_) {
    if (static_cast<int64_t>(stored.size()) != uncompressed) {
      return Bad("uncompressed block at " + std::to_string(offset) + " has two sizes");
    }
    body.data = stored;
    return body;
  }
  auto inflated = iceberg::Gunzip(stored, uncompressed + 1);
  if (!inflated.ok() || static_cast<int64_t>(inflated->size()) != uncompressed) {
    return Bad("gzip block at " + std::to_string(offset) + " does not inflate to its size");
  }
  body.owned = std::move(*inflated);
  body.data = body.owned;
  return body;
}

Status HFileReader::ReadIndexLevel(int64_t offset, int64_t size, int depth,
                                   std::vector<DataBlockRef>* out) {
  if (size < kHeaderSize || offset > load_on_open_ - size) {
    return Bad("index block at " + std::to_string(offset) + " is outside the data section");
  }
  if (++index_blocks_read_ > limits_.max_index_entries) {
    return Status::TooLarge("HFile index has more than " +
                            std::to_string(limits_.max_index_entries) + " blocks");
  }
  bool leaf = depth == levels_ - 1;
  LS_ASSIGN_OR_RETURN(Body body, ReadBlock(offset, offset + size,
                                           leaf ? kLeafIndexMagic : kIntermediateIndexMagic));
  // int32 count, count + 1 int32 offsets (relative to the entries), then
  // entries: int64 offset, int32 size, the key (up to the next offset).
  Cursor c(body.data);
  int32_t n = 0;
  if (!c.Int32(&n) || n < 0 || static_cast<uint64_t>(n) + 1 > c.left() / 4) {
    return Bad("index block at " + std::to_string(offset) + " has a bad entry count");
  }
  std::string_view secondary;
  c.Take((static_cast<size_t>(n) + 1) * 4, &secondary);
  std::string_view entries = body.data.substr(c.pos());
  for (int32_t i = 0; i < n; ++i) {
    int64_t start = BeInt32(secondary, static_cast<size_t>(i) * 4);
    int64_t next = BeInt32(secondary, static_cast<size_t>(i + 1) * 4);
    if (start < 0 || next < start + 12 || next > static_cast<int64_t>(entries.size())) {
      return Bad("index block at " + std::to_string(offset) + " has a bad entry offset");
    }
    int64_t child = BeInt64(entries, static_cast<size_t>(start));
    int64_t child_size = BeInt32(entries, static_cast<size_t>(start + 8));
    std::string_view key =
        entries.substr(static_cast<size_t>(start + 12), static_cast<size_t>(next - start - 12));
    if (leaf) {
      if (static_cast<int64_t>(out->size()) >= limits_.max_index_entries) {
        return Status::TooLarge("HFile index has more than " +
                                std::to_string(limits_.max_index_entries) + " entries");
      }
      LS_ASSIGN_OR_RETURN(std::string_view row, RowOfKey(key));
      out->push_back({child, child_size, std::string(row)});
    } else {
      LS_RETURN_IF_ERROR(ReadIndexLevel(child, child_size, depth + 1, out));
    }
  }
  return Status::OK();
}

Result<HFileReader> HFileReader::Open(std::string_view file, const HFileLimits& limits) {
  HFileReader r;
  r.file_ = file;
  r.limits_ = limits;
  const auto size = static_cast<int64_t>(file.size());
  if (size < kTrailerSize) return Bad("file shorter than its trailer");
  std::string_view trailer = file.substr(static_cast<size_t>(size - kTrailerSize));
  int major = static_cast<int>(Be(trailer, kTrailerSize - 3, 3));
  if (trailer.substr(0, 8) != kTrailerMagic) return Bad("no trailer magic");
  if (major != 3) {
    return Status::Unsupported("HFile version " + std::to_string(major) +
                               " is not supported (only version 3)");
  }
  LS_ASSIGN_OR_RETURN(std::string_view proto,
                      DelimitedMessage(trailer.substr(8, kTrailerSize - 12)));
  int64_t data_index_count = 0;
  int64_t codec = kCodecNone;
  uint64_t levels = 1;
  LS_RETURN_IF_ERROR(ForEachProtoField(proto, [&](const ProtoField& f) -> Status {
    auto v = static_cast<int64_t>(std::min<uint64_t>(f.varint, uint64_t{1} << 62));
    switch (f.number) {
      case 2:
        r.load_on_open_ = v;
        break;
      case 5:
        data_index_count = v;
        break;
      case 7:
        r.entry_count_ = v;
        break;
      case 8:
        levels = f.varint;
        break;
      case 12:
        codec = v;
        break;
      case 13:
        return Status::Unsupported("encrypted HFiles are not supported");
      default:
        break;
    }
    return Status::OK();
  }));
  if (codec == kCodecGzip) {
    r.gzip_ = true;
  } else if (codec != kCodecNone) {
    return Status::Unsupported("HFile compression codec " + std::to_string(codec) +
                               " is not supported (none and gzip are)");
  }
  if (levels < 1 || levels > kMaxIndexLevels) return Bad("bad number of index levels");
  r.levels_ = static_cast<int>(levels);
  if (r.entry_count_ > limits.max_entries) {
    return Status::TooLarge("HFile holds " + std::to_string(r.entry_count_) + " entries (limit " +
                            std::to_string(limits.max_entries) + ")");
  }
  const int64_t section_end = size - kTrailerSize;
  if (r.load_on_open_ < 0 || r.load_on_open_ > section_end) return Bad("bad load-on-open offset");
  if (data_index_count > section_end / 13) return Bad("bad data index entry count");

  // The root data index.
  LS_ASSIGN_OR_RETURN(Body root, r.ReadBlock(r.load_on_open_, section_end, kRootIndexMagic));
  int64_t next = r.load_on_open_ + kHeaderSize + BeInt32(file, r.load_on_open_ + 8);
  Cursor c(root.data);
  std::vector<DataBlockRef> root_entries;
  root_entries.reserve(static_cast<size_t>(std::min<int64_t>(data_index_count, 1 << 16)));
  for (int64_t i = 0; i < data_index_count; ++i) {
    int64_t off = 0;
    int32_t sz = 0;
    int64_t key_len = 0;
    std::string_view key;
    if (!c.Int64(&off) || !c.Int32(&sz) || !c.HadoopVlong(&key_len) || key_len < 0 ||
        static_cast<uint64_t>(key_len) > c.left() || !c.Take(static_cast<size_t>(key_len), &key)) {
      return Bad("truncated root data index");
    }
    LS_ASSIGN_OR_RETURN(std::string_view row, RowOfKey(key));
    root_entries.push_back({off, sz, std::string(row)});
  }
  if (r.levels_ == 1) {
    r.blocks_ = std::move(root_entries);
  } else {
    for (const DataBlockRef& e : root_entries) {
      LS_RETURN_IF_ERROR(r.ReadIndexLevel(e.offset, e.on_disk_size, 1, &r.blocks_));
    }
  }
  for (size_t i = 0; i < r.blocks_.size(); ++i) {
    const DataBlockRef& b = r.blocks_[i];
    // Data blocks follow each other: no block is read twice.
    const int64_t previous_end =
        i == 0 ? 0 : r.blocks_[i - 1].offset + r.blocks_[i - 1].on_disk_size;
    if (b.offset < previous_end || b.on_disk_size < kHeaderSize ||
        b.offset > r.load_on_open_ - b.on_disk_size ||
        (i > 0 && CompareRows(r.blocks_[i - 1].first_row, b.first_row) > 0)) {
      return Bad("data block index entry " + std::to_string(i) + " is out of place");
    }
  }
  // The meta index (skipped), then the file info.
  LS_RETURN_IF_ERROR(r.ReadBlock(next, section_end, kRootIndexMagic).status());
  next += kHeaderSize + BeInt32(file, next + 8);
  LS_ASSIGN_OR_RETURN(Body info, r.ReadBlock(next, section_end, kFileInfoMagic));
  if (info.data.substr(0, 4) != "PBUF") return Bad("file info without its protobuf magic");
  LS_ASSIGN_OR_RETURN(std::string_view info_proto, DelimitedMessage(info.data.substr(4)));
  LS_RETURN_IF_ERROR(ForEachProtoField(info_proto, [&](const ProtoField& f) -> Status {
    if (f.number != 1) return Status::OK();
    std::string first, second;
    LS_RETURN_IF_ERROR(ForEachProtoField(f.bytes, [&](const ProtoField& p) -> Status {
      if (p.number == 1) first = p.bytes;
      if (p.number == 2) second = p.bytes;
      return Status::OK();
    }));
    r.file_info_[std::move(first)] = std::move(second);
    return Status::OK();
  }));
  if (const std::string* v = r.FileInfo("KEY_VALUE_VERSION"); v != nullptr && v->size() == 4) {
    r.has_memstore_ts_ = BeInt32(*v, 0) == 1;
  } else {
    r.has_memstore_ts_ = true;  // what Hudi's writers do
  }
  r.has_tags_ = r.FileInfo("hfile.MAX_TAGS_LEN") != nullptr;
  return r;
}

Status HFileReader::VisitBlock(
    const DataBlockRef& ref, int64_t* seen,
    const std::function<Result<bool>(std::string_view, std::string_view)>& fn) const {
  LS_ASSIGN_OR_RETURN(Body body, ReadBlock(ref.offset, ref.offset + ref.on_disk_size, kDataMagic));
  Cursor c(body.data);
  while (c.left() > 0) {
    int32_t key_len = 0;
    int32_t value_len = 0;
    std::string_view key;
    std::string_view value;
    if (!c.Int32(&key_len) || !c.Int32(&value_len) || key_len < 0 || value_len < 0 ||
        !c.Take(static_cast<size_t>(key_len), &key) ||
        !c.Take(static_cast<size_t>(value_len), &value)) {
      return Bad("truncated key/value in the data block at " + std::to_string(ref.offset));
    }
    if (has_tags_) {
      std::string_view tags_len;
      std::string_view tags;
      if (!c.Take(2, &tags_len) || !c.Take(Be(tags_len, 0, 2), &tags)) {
        return Bad("truncated tags in the data block at " + std::to_string(ref.offset));
      }
    }
    if (has_memstore_ts_) {
      int64_t ts = 0;
      if (!c.HadoopVlong(&ts)) return Bad("truncated memstore timestamp");
    }
    if (++*seen > entry_count_) return Bad("more key/values than the trailer counts");
    LS_ASSIGN_OR_RETURN(std::string_view row, RowOfKey(key));
    LS_ASSIGN_OR_RETURN(bool more, fn(row, value));
    if (!more) return Status::OK();
  }
  return Status::OK();
}

Status HFileReader::ForEach(const Visitor& fn) const {
  int64_t seen = 0;
  std::string previous;
  bool first = true;
  for (size_t i = 0; i < blocks_.size(); ++i) {
    // Keys are unique and sorted, and each block's keys lie between its
    // index key and the next block's (what Get relies on).
    std::string_view lo = blocks_[i].first_row;
    const std::string* hi = i + 1 < blocks_.size() ? &blocks_[i + 1].first_row : nullptr;
    LS_RETURN_IF_ERROR(VisitBlock(
        blocks_[i], &seen, [&](std::string_view row, std::string_view value) -> Result<bool> {
          if ((!first && CompareRows(previous, row) >= 0) || CompareRows(row, lo) < 0 ||
              (hi != nullptr && CompareRows(row, *hi) >= 0)) {
            return Bad("keys out of order");
          }
          first = false;
          previous.assign(row);
          LS_RETURN_IF_ERROR(fn(row, value));
          return true;
        }));
  }
  if (seen != entry_count_) {
    return Bad("the data blocks hold " + std::to_string(seen) + " key/values, the trailer says " +
               std::to_string(entry_count_));
  }
  return Status::OK();
}

Result<std::optional<std::string>> HFileReader::Get(std::string_view key) const {
  // The last block whose first row is <= key.
  auto it = std::upper_bound(
      blocks_.begin(), blocks_.end(), key,
      [](std::string_view k, const DataBlockRef& b) { return CompareRows(k, b.first_row) < 0; });
  if (it == blocks_.begin()) return std::optional<std::string>();
  --it;
  int64_t seen = 0;
  std::optional<std::string> found;
  LS_RETURN_IF_ERROR(
      VisitBlock(*it, &seen, [&](std::string_view row, std::string_view value) -> Result<bool> {
        int cmp = CompareRows(row, key);
        if (cmp == 0) found.emplace(value);
        return cmp < 0;
      }));
  return found;
}

}  // namespace lakeshare::hudi
