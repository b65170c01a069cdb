#include "hudi/hudi_timeline_writer.h"

#include "common/json_writer.h"
#include "common/time_util.h"
#include "hudi/hudi_avro_writer.h"

namespace lakeshare::hudi {
namespace {

constexpr const char* kWriteStatFields =
    R"({"name":"fileId","type":["null","string"],"default":null},)"
    R"({"name":"path","type":["null","string"],"default":null},)"
    R"({"name":"prevCommit","type":["null","string"],"default":null},)"
    R"({"name":"numWrites","type":["null","long"],"default":null},)"
    R"({"name":"numDeletes","type":["null","long"],"default":null},)"
    R"({"name":"numUpdateWrites","type":["null","long"],"default":null},)"
    R"({"name":"numInserts","type":["null","long"],"default":null},)"
    R"({"name":"totalWriteBytes","type":["null","long"],"default":null},)"
    R"({"name":"partitionPath","type":["null","string"],"default":null},)"
    R"({"name":"fileSizeInBytes","type":["null","long"],"default":null},)"
    R"({"name":"cdcStats","type":["null",{"type":"map","values":"long"}],"default":null})";

constexpr const char* kCleanSchema =
    R"({"type":"record","name":"HoodieCleanMetadata","namespace":"org.apache.hudi.avro.model","fields":[)"
    R"({"name":"startCleanTime","type":"string"},)"
    R"({"name":"timeTakenInMillis","type":"long"},)"
    R"({"name":"totalFilesDeleted","type":"int"},)"
    R"({"name":"earliestCommitToRetain","type":"string"},)"
    R"({"name":"partitionMetadata","type":{"type":"map","values":{"type":"record",)"
    R"("name":"HoodieCleanPartitionMetadata","fields":[)"
    R"({"name":"partitionPath","type":"string"},{"name":"policy","type":"string"},)"
    R"({"name":"deletePathPatterns","type":{"type":"array","items":"string"}},)"
    R"({"name":"successDeleteFiles","type":{"type":"array","items":"string"}},)"
    R"({"name":"failedDeleteFiles","type":{"type":"array","items":"string"}}]}}},)"
    R"({"name":"version","type":["int","null"],"default":1}]})";

std::map<std::string, std::vector<const WrittenStat*>> ByPartition(
    const std::vector<WrittenStat>& stats) {
  std::map<std::string, std::vector<const WrittenStat*>> by_partition;
  for (const WrittenStat& s : stats) by_partition[s.partition].push_back(&s);
  return by_partition;
}

}  // namespace

std::string CommitMetadataSchema(bool replace) {
  return std::string(R"({"type":"record","name":")") +
         (replace ? "HoodieReplaceCommitMetadata" : "HoodieCommitMetadata") +
         std::string(
             R"(","namespace":"org.apache.hudi.avro.model","fields":[)"
             R"({"name":"partitionToWriteStats","type":["null",{"type":"map","values":{"type":"array",)"
             R"("items":{"type":"record","name":"HoodieWriteStat","fields":[)") +
         kWriteStatFields +
         R"(]}}}],"default":null},)"
         R"({"name":"extraMetadata","type":["null",{"type":"map","values":"string"}],"default":null},)"
         R"({"name":"version","type":["int","null"],"default":1},)"
         R"({"name":"operationType","type":["null","string"],"default":null},)"
         R"({"name":"compacted","type":["null","boolean"],"default":null})" +
         (replace ? R"(,{"name":"partitionToReplaceFileIds","type":["null",{"type":"map",)"
                    R"("values":{"type":"array","items":"string"}}],"default":null})"
                  : "") +
         "]}";
}

std::string CommitMetadataRecord(const std::vector<WrittenStat>& stats,
                                 const std::string& operation, bool compacted,
                                 const std::string& schema, const ReplacedFileIds* replaced) {
  const auto by_partition = ByPartition(stats);
  AvroEncoder e;
  e.Branch(1);
  if (!by_partition.empty()) {
    e.Long(static_cast<int64_t>(by_partition.size()));
    for (const auto& [partition, list] : by_partition) {
      e.String(partition);
      e.Long(static_cast<int64_t>(list.size()));
      for (const WrittenStat* s : list) {
        e.OptString(s->file_id);
        e.OptString(s->path);
        e.OptString(s->prev_commit);
        e.OptLong(s->writes);
        e.OptLong(s->deletes);
        e.OptLong(s->updates);
        e.OptLong(s->inserts);
        e.OptLong(s->size);
        e.OptString(s->partition);
        e.OptLong(s->size);
        e.Branch(s->cdc.empty() ? 0 : 1);
        if (!s->cdc.empty()) {
          e.Long(static_cast<int64_t>(s->cdc.size()));
          for (const auto& [path, size] : s->cdc) {
            e.String(path);
            e.Long(size);
          }
          e.Long(0);
        }
      }
      e.Long(0);
    }
  }
  e.Long(0);
  e.Branch(1);  // extraMetadata
  e.Long(1);
  e.String("schema");
  e.String(schema);
  e.Long(0);
  e.Branch(0);  // version
  e.Long(1);
  e.OptString(operation);
  e.Branch(1);
  e.Bool(compacted);
  if (replaced != nullptr) {
    e.Branch(1);
    if (!replaced->empty()) {
      e.Long(static_cast<int64_t>(replaced->size()));
      for (const auto& [partition, ids] : *replaced) {
        e.String(partition);
        if (!ids.empty()) {
          e.Long(static_cast<int64_t>(ids.size()));
          for (const std::string& id : ids) e.String(id);
        }
        e.Long(0);
      }
    }
    e.Long(0);
  }
  return e.Take();
}

std::string CommitMetadataJson(const std::vector<WrittenStat>& stats, const std::string& operation,
                               bool compacted, const std::string& schema,
                               const ReplacedFileIds* replaced) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject().Key("partitionToWriteStats").BeginObject();
  for (const auto& [partition, list] : ByPartition(stats)) {
    w.Key(partition).BeginArray();
    for (const WrittenStat* s : list) {
      w.BeginObject()
          .Key("fileId")
          .String(s->file_id)
          .Key("path")
          .String(s->path)
          .Key("prevCommit")
          .String(s->prev_commit)
          .Key("numWrites")
          .Int(s->writes)
          .Key("numDeletes")
          .Int(s->deletes)
          .Key("numUpdateWrites")
          .Int(s->updates)
          .Key("numInserts")
          .Int(s->inserts)
          .Key("totalWriteBytes")
          .Int(s->size)
          .Key("partitionPath")
          .String(s->partition)
          .Key("fileSizeInBytes")
          .Int(s->size);
      if (!s->cdc.empty()) {
        w.Key("cdcStats").BeginObject();
        for (const auto& [path, size] : s->cdc) w.Key(path).Int(size);
        w.EndObject();
      }
      w.EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
  if (replaced != nullptr) {
    w.Key("partitionToReplaceFileIds").BeginObject();
    for (const auto& [partition, ids] : *replaced) {
      w.Key(partition).BeginArray();
      for (const std::string& id : ids) w.String(id);
      w.EndArray();
    }
    w.EndObject();
  }
  w.Key("compacted").Bool(compacted);
  w.Key("extraMetadata").BeginObject().Key("schema").String(schema).EndObject();
  w.Key("operationType").String(operation).EndObject();
  return out;
}

std::string CleanMetadataFile(const std::string& instant, const std::string& partition,
                              const std::string& file_name, const std::string& retain) {
  AvroEncoder e;
  e.String(instant);
  e.Long(1);
  e.Long(1);
  e.String(retain);
  e.Long(1);
  e.String(partition);
  e.String(partition);
  e.String("KEEP_LATEST_COMMITS");
  for (int list = 0; list < 2; ++list) {
    e.Long(1);
    e.String(file_name);
    e.Long(0);
  }
  e.Long(0);  // failedDeleteFiles
  e.Long(0);  // map end
  e.Branch(0);
  e.Long(1);
  return AvroContainer(kCleanSchema, {e.Take()});
}

std::string InstantTimeFromMillis(int64_t ms) {
  // yyyy-MM-ddTHH:mm:ss.SSSZ without the separators.
  std::string out;
  for (char c : FormatIso8601Millis(ms)) {
    if (c >= '0' && c <= '9') out.push_back(c);
  }
  return out;
}

}  // namespace lakeshare::hudi
