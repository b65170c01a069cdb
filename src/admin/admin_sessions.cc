#include "admin/admin_sessions.h"

#include "auth/token.h"

namespace lakeshare {

AdminSessions::AdminSessions(std::shared_ptr<CatalogAdmin> catalog, int64_t ttl_ms,
                             LoginThrottleOptions throttle)
    : catalog_(std::move(catalog)), ttl_ms_(ttl_ms), throttle_(throttle) {}

int64_t AdminSessions::LoginWaitMs(std::string_view user, std::string_view address,
                                   int64_t now_ms) {
  return throttle_.WaitMs(user, address, now_ms);
}

Result<AdminLogin> AdminSessions::Login(std::string_view user, std::string_view password,
                                        std::string_view address, int64_t now_ms) {
  auto rec = catalog_->VerifyAdminPassword(user, password);
  if (!rec.ok()) {
    StatusCode code = rec.status().code();
    if (code == StatusCode::kUnauthenticated || code == StatusCode::kNotFound ||
        code == StatusCode::kInvalidArgument) {
      throttle_.RecordFailure(user, address, now_ms);
      return Status::Unauthenticated("invalid username or password");
    }
    return rec.status();
  }
  throttle_.RecordSuccess(user, address);
  auto issued = catalog_->CreateAdminSession(*rec, now_ms, ttl_ms_);
  if (!issued.ok()) {
    // The user was deleted or changed role in between.
    if (issued.status().code() == StatusCode::kUnauthenticated) {
      return Status::Unauthenticated("invalid username or password");
    }
    return issued.status();
  }
  // Logins are rare and slow (Argon2id) anyway: a good time to drop the
  // expired rows, an indexed range delete. Best effort.
  (void)catalog_->PruneAdminSessions(now_ms);
  return AdminLogin{
      std::move(issued->token),
      AdminSession{issued->record.user, issued->record.role, issued->record.expires_ms},
      std::move(rec).value()};
}

std::string AdminSessions::OpenLocal(const std::string& user, AdminRole role, int64_t now_ms) {
  std::string token = GenerateToken();
  std::lock_guard lock(mu_);
  local_[HashToken(token)] = AdminSession{user, role, now_ms + ttl_ms_};
  return token;
}

Result<std::optional<AdminSession>> AdminSessions::Find(std::string_view token, int64_t now_ms) {
  {
    std::lock_guard lock(mu_);
    if (!local_.empty()) {
      auto it = local_.find(HashToken(token));
      if (it != local_.end()) {
        if (it->second.expires_ms > now_ms) return std::optional<AdminSession>(it->second);
        local_.erase(it);
        return std::optional<AdminSession>{};
      }
    }
  }
  LS_ASSIGN_OR_RETURN(auto stored, catalog_->FindAdminSession(token, now_ms));
  if (!stored) return std::optional<AdminSession>{};
  return std::optional<AdminSession>(AdminSession{stored->user, stored->role, stored->expires_ms});
}

Status AdminSessions::End(std::string_view token) {
  {
    std::lock_guard lock(mu_);
    if (local_.erase(HashToken(token)) > 0) return Status::OK();
  }
  return catalog_->DeleteAdminSession(token).status();
}

Result<int64_t> AdminSessions::Count(int64_t now_ms) {
  LS_ASSIGN_OR_RETURN(int64_t stored, catalog_->CountAdminSessions(now_ms));
  std::lock_guard lock(mu_);
  std::erase_if(local_, [now_ms](const auto& kv) { return kv.second.expires_ms <= now_ms; });
  return stored + static_cast<int64_t>(local_.size());
}

}  // namespace lakeshare
