#include "db/connection.h"

namespace lakeshare::db {

Status MakeDbError(ErrorKind kind, std::string_view backend_message) {
  std::string m(backend_message);
  while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
  switch (kind) {
    case ErrorKind::kNone:
    case ErrorKind::kOther:
      return Status::Internal("database error: " + m);
    case ErrorKind::kConflict:
      return Status::Unavailable("database busy (conflicting transactions): " + m);
    case ErrorKind::kUnique:
      return Status::FailedPrecondition("already exists: " + m);
    case ErrorKind::kForeignKey:
      return Status::FailedPrecondition("refers to a missing or still-referenced object: " + m);
    case ErrorKind::kInvalidData:
      return Status::InvalidArgument("invalid value: " + m);
    case ErrorKind::kConnection:
      return Status::Unavailable("database unavailable: " + m);
    case ErrorKind::kCorruption:
      return Status::Corruption("database corrupt: " + m);
  }
  return Status::Internal("database error: " + m);
}

}  // namespace lakeshare::db
