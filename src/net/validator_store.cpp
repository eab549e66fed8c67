#include "net/validator_store.hpp"

#include <nlohmann/json.hpp>

#include "alcor/env.hpp"
#include "alcor/hash.hpp"
#include "alcor/http.hpp"
#include "alcor/json.hpp"

namespace alcor {

ValidatorStore::ValidatorStore(Env* env, std::string dir) : env_(env), dir_(std::move(dir)) {}

std::string ValidatorStore::Key(const std::string& url) const {
  if (SecretRegistry::Global()->Redact(url) != url) return "sha256:" + Sha256Hex(url);
  return url;
}

Status ValidatorStore::Load() {
  if (dir_.empty()) return Status::OK();
  std::string path = JoinPath(dir_, kFileName);
  if (!env_->FileExists(path)) return Status::OK();
  std::string text;
  ALCOR_RETURN_IF_ERROR(ReadFileToString(env_, path, &text, uint64_t{1} << 30));
  Result<nlohmann::json> parsed = ParseJson(text, path);
  if (parsed.status().code() == Status::Code::kLimitExceeded) return parsed.status();
  nlohmann::json doc = parsed.ok() ? std::move(parsed).value() : nlohmann::json();
  if (!doc.is_object() || doc.value("version", 0) != 1 ||
      !doc.contains("entries") || !doc["entries"].is_object()) {
    return Status::Corruption(path + ": not a validators file (expected {\"version\":1,\"entries\":{...}})");
  }
  std::map<std::string, Validators> loaded;
  for (const auto& [key, value] : doc["entries"].items()) {
    if (!value.is_object()) return Status::Corruption(path + ": entry " + key + " is not an object");
    Validators v;
    if (auto it = value.find("etag"); it != value.end() && it->is_string()) v.etag = *it;
    if (auto it = value.find("last_modified"); it != value.end() && it->is_string()) {
      v.last_modified = *it;
    }
    if (!v.empty()) loaded[key] = v;
    if (loaded.size() > kMaxEntries) return Status::Corruption(path + ": too many entries");
  }
  std::lock_guard<std::mutex> lock(mu_);
  entries_ = std::move(loaded);
  return Status::OK();
}

Status ValidatorStore::Save() {
  if (dir_.empty()) return Status::OK();
  nlohmann::json entries = nlohmann::json::object();
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [key, v] : entries_) {
      nlohmann::json e = nlohmann::json::object();
      if (!v.etag.empty()) e["etag"] = v.etag;
      if (!v.last_modified.empty()) e["last_modified"] = v.last_modified;
      entries[key] = std::move(e);
    }
  }
  nlohmann::json doc = {{"version", 1}, {"entries", std::move(entries)}};
  ALCOR_RETURN_IF_ERROR(env_->CreateDirs(dir_, kPrivateDirMode));
  std::string text = doc.dump(1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  return WriteFileAtomically(env_, JoinPath(dir_, kFileName), text, kPrivateFileMode);
}

std::optional<Validators> ValidatorStore::Get(const std::string& url) const {
  std::string key = Key(url);
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  return it->second;
}

void ValidatorStore::Put(const std::string& url, const Validators& validators) {
  std::string key = Key(url);
  std::lock_guard<std::mutex> lock(mu_);
  if (validators.empty()) {
    entries_.erase(key);
  } else if (entries_.size() < kMaxEntries || entries_.count(key)) {
    entries_[key] = validators;
  }
}

void ValidatorStore::Forget(const std::string& url) {
  std::string key = Key(url);
  std::lock_guard<std::mutex> lock(mu_);
  entries_.erase(key);
}

size_t ValidatorStore::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return entries_.size();
}

}  // namespace alcor
