#include "alcor/json.hpp"
#include "alcor/store.hpp"

#include <unistd.h>

#include <algorithm>
#include <random>
#include <set>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "alcor/corpus.hpp"
#include "alcor/dates.hpp"
#include "alcor/search.hpp"
#include "alcor/secrets.hpp"

namespace alcor {

using nlohmann::json;

// ---- Manifest -------------------------------------------------------------------------------

std::string Manifest::ToJson() const {
  json j;
  j["format_version"] = format_version;
  j["generation"] = generation;
  j["updated"] = updated;
  json shards_json = json::array();
  for (const ShardInfo& s : shards) {
    shards_json.push_back({{"path", s.path},
                           {"source", s.source},
                           {"records", s.records},
                           {"bytes", s.jsonl_bytes},
                           {"file_bytes", s.file_bytes},
                           {"sha256", s.sha256},
                           {"run_id", s.run_id},
                           {"created", s.created}});
  }
  j["shards"] = std::move(shards_json);
  json raw_json = json::array();
  for (const RawFileInfo& r : raw) {
    raw_json.push_back({{"path", r.path},
                        {"source", r.source},
                        {"records", r.records},
                        {"file_bytes", r.file_bytes},
                        {"sha256", r.sha256},
                        {"run_id", r.run_id},
                        {"created", r.created}});
  }
  if (!raw.empty()) j["raw"] = std::move(raw_json);
  j["state"] = state;
  return j.dump(2) + "\n";
}

Result<Manifest> Manifest::Parse(std::string_view text, std::string_view path) {
  std::string where(path);
  Result<json> parsed = ParseJson(text, where);
  if (!parsed.ok() || !parsed->is_object()) return Status::Corruption(where + ": not a JSON object");
  const json& j = *parsed;
  Manifest m;
  try {
    m.format_version = j.at("format_version").get<int>();
    m.generation = j.at("generation").get<uint64_t>();
    m.updated = j.value("updated", "");
    for (const json& s : j.at("shards")) {
      ShardInfo info;
      info.path = s.at("path").get<std::string>();
      info.source = s.at("source").get<std::string>();
      info.records = s.at("records").get<uint64_t>();
      info.jsonl_bytes = s.at("bytes").get<uint64_t>();
      info.file_bytes = s.at("file_bytes").get<uint64_t>();
      info.sha256 = s.at("sha256").get<std::string>();
      info.run_id = s.at("run_id").get<std::string>();
      info.created = s.value("created", "");
      std::string dir, run;
      uint64_t seq;
      if (!store_files::ParseShardPath(info.path, &dir, &run, &seq))
        return Status::Corruption(where + ": shard path '" + info.path + "' is not a shard name this store makes");
      m.shards.push_back(std::move(info));
    }
    if (j.contains("raw")) {
      for (const json& r : j.at("raw")) {
        RawFileInfo info;
        info.path = r.at("path").get<std::string>();
        info.source = r.at("source").get<std::string>();
        info.records = r.at("records").get<uint64_t>();
        info.file_bytes = r.at("file_bytes").get<uint64_t>();
        info.sha256 = r.at("sha256").get<std::string>();
        info.run_id = r.at("run_id").get<std::string>();
        info.created = r.value("created", "");
        if (!store_files::IsRawPath(info.path))
          return Status::Corruption(where + ": raw path '" + info.path + "' is not a raw archive name this store makes");
        m.raw.push_back(std::move(info));
      }
    }
    if (j.contains("state")) {
      for (auto& [name, rel] : j["state"].items()) {
        std::string p = rel.get<std::string>();
        if (p.rfind("state/", 0) != 0 || p.find("..") != std::string::npos)
          return Status::Corruption(where + ": state file '" + p + "' is outside state/");
        m.state[name] = p;
      }
    }
  } catch (const json::exception& e) {
    return Status::Corruption(where + ": " + e.what());
  }
  return m;
}

// ---- Store ----------------------------------------------------------------------------------

Store::Store(Env* env, std::string dir, StoreOptions options)
    : env_(env), dir_(std::move(dir)), options_(options) {}

Store::~Store() {
  // The index catches up with the last commit while this writer still holds the lock.
  index_follower_.reset();
}

std::string Store::PathOf(const std::string& relative) const { return JoinPath(dir_, relative); }
std::string Store::StateDir() const { return PathOf(store_files::kStateDir); }

std::string Store::CurrentStateFile(const std::string& name) const {
  auto it = manifest_.state.find(name);
  return it == manifest_.state.end() ? "" : PathOf(it->second);
}

Status Store::Open(Env* env, const std::string& dir, const StoreOptions& options, std::unique_ptr<Store>* out) {
  std::unique_ptr<Store> store(new Store(env, dir, options));
  ALCOR_RETURN_IF_ERROR(store->Init());
  *out = std::move(store);
  return Status::OK();
}

namespace {

// What shows that dir holds (or held) a store, beyond what a creation killed before writing the
// marker leaves (the lock, empty folders, temporaries, a manifest of generation 0 listing
// nothing): "" when there is nothing of the kind, else the first such file.
std::string StoreFileWithoutMarker(Env* env, const std::string& dir) {
  const std::string manifest_path = JoinPath(dir, store_files::kManifest);
  if (env->FileExists(manifest_path)) {
    std::string text;
    if (!ReadFileToString(env, manifest_path, &text, uint64_t{1} << 30).ok()) return store_files::kManifest;
    Result<Manifest> m = Manifest::Parse(text, manifest_path);
    if (!m.ok() || m.value().generation > 0 || !m.value().shards.empty() || !m.value().state.empty() ||
        !m.value().raw.empty())
      return store_files::kManifest;
  }
  for (const char* sub : {store_files::kShardsDir, store_files::kStateDir, store_files::kRunsDir,
                          store_files::kRawDir}) {
    std::vector<std::string> names;
    env->GetChildren(JoinPath(dir, sub), &names);
    std::sort(names.begin(), names.end());
    for (const std::string& name : names) {
      std::string rel = std::string(sub) + "/" + name;
      if (store_files::IsTemporaryName(name)) continue;
      if (!env->IsDirectory(JoinPath(dir, rel))) return rel;
      std::vector<std::string> files;
      env->GetChildren(JoinPath(dir, rel), &files);
      std::sort(files.begin(), files.end());
      for (const std::string& f : files)
        if (!store_files::IsTemporaryName(f)) return rel + "/" + f;
    }
  }
  return "";
}

}  // namespace

Status Store::Init() {
  const std::string marker = PathOf(store_files::kMarker);
  bool exists = env_->FileExists(marker);
  bool restore_marker = false;
  if (!exists) {
    if (env_->FileExists(dir_)) {
      if (!env_->IsDirectory(dir_)) return Status::InvalidArgument(dir_ + ": not a directory");
      std::vector<std::string> children;
      ALCOR_RETURN_IF_ERROR(env_->GetChildren(dir_, &children));
      std::sort(children.begin(), children.end());
      // Only what a creation killed before its marker was written may be here already.
      for (const std::string& c : children) {
        bool ours = c == store_files::kLock || c == store_files::kShardsDir || c == store_files::kStateDir ||
                    c == store_files::kRunsDir || c == store_files::kManifest ||
                    c == store_files::kQuarantineDir || c == store_files::kRawDir ||
                    store_files::IsTemporaryName(c);
        if (!ours)
          return Status::InvalidArgument(dir_ + ": not an alcor store (no store marker file " + store_files::kMarker +
                                         ") and not empty ('" + c + "'); refusing to use it");
      }
      // Files of a store without its marker: a damaged store, never one to create afresh (that
      // would publish an empty manifest over the shards and drop the dedup index).
      std::string found = StoreFileWithoutMarker(env_, dir_);
      if (!found.empty()) {
        if (options_.restore_missing_marker && !options_.read_only && env_->FileExists(PathOf(store_files::kManifest))) {
          std::string text;
          restore_marker = ReadFileToString(env_, PathOf(store_files::kManifest), &text, uint64_t{1} << 30).ok() &&
                           Manifest::Parse(text, PathOf(store_files::kManifest)).ok();
        }
        if (!restore_marker)
          return Status::Corruption(dir_ + ": the store marker file " + store_files::kMarker + " is missing, but " +
                                    found + " is here: a damaged store, not an empty folder; refusing to create "
                                    "a new store over it ('alcor repair' restores the marker)");
      }
    } else if (options_.read_only || !options_.create_if_missing) {
      return Status::NotFound(dir_ + ": no such folder, so no alcor store here");
    }
    if (!restore_marker && (options_.read_only || !options_.create_if_missing))
      return Status::NotFound(dir_ + ": no alcor store here (no store marker file " + store_files::kMarker +
                              "; create one with 'alcor ingest' or 'alcor scrape')");
    if (!restore_marker) ALCOR_RETURN_IF_ERROR(env_->CreateDirs(dir_, kPrivateDirMode));
  }

  if (!options_.read_only) {
    ALCOR_RETURN_IF_ERROR(env_->LockFile(PathOf(store_files::kLock), &lock_));
    for (const char* sub : {store_files::kShardsDir, store_files::kStateDir, store_files::kRunsDir})
      ALCOR_RETURN_IF_ERROR(env_->CreateDirs(PathOf(sub), kPrivateDirMode));
  }

  json marker_json = {{"format", "alcor-store"}, {"version", kStoreFormatVersion}};
  if (restore_marker) {
    ALCOR_RETURN_IF_ERROR(WriteFileAtomically(env_, marker, marker_json.dump() + "\n"));
    spdlog::warn("{}: restored the missing store marker file {} (the manifest reads)", dir_, store_files::kMarker);
    exists = true;
    restored_marker_ = true;
  }
  if (!exists) {
    // The manifest first, the marker last: a store with a marker always has a manifest, and a
    // creation killed before the marker is simply done again.
    manifest_.updated = FormatRfc3339UtcMicros(env_->NowMicros());
    ALCOR_RETURN_IF_ERROR(WriteFileAtomically(env_, PathOf(store_files::kManifest), manifest_.ToJson()));
    ALCOR_RETURN_IF_ERROR(WriteFileAtomically(env_, marker, marker_json.dump() + "\n"));
  } else {
    std::string text;
    ALCOR_RETURN_IF_ERROR(ReadFileToString(env_, marker, &text, 1 << 16));
    Result<json> marker_json = ParseJson(text, marker);
    json m = marker_json.ok() ? std::move(marker_json).value() : json();
    if (!m.is_object() || m.value("format", "") != "alcor-store" ||
        !m.contains("version") || !m["version"].is_number_integer())
      return Status::Corruption(marker + ": not an alcor store marker file");
    int version = m["version"].get<int>();
    if (version != kStoreFormatVersion)
      return Status::NotSupported(dir_ + ": store format version " + std::to_string(version) +
                                  " is not supported by this alcor (it reads version " +
                                  std::to_string(kStoreFormatVersion) + "); use a matching alcor release");
    ALCOR_RETURN_IF_ERROR(ReadFileToString(env_, PathOf(store_files::kManifest), &text, uint64_t{1} << 30));
    Result<Manifest> parsed = Manifest::Parse(text, PathOf(store_files::kManifest));
    if (!parsed.ok()) return parsed.status();
    manifest_ = std::move(parsed).value();
  }

  if (!options_.read_only && options_.check_before_writing) {
    Status s = CheckStoreReadable(env_, dir_, manifest_);
    if (!s.ok())
      return Status::Corruption("the store " + dir_ + " is damaged, so nothing is added to it: " + s.message() +
                                " ('alcor validate' lists every problem; 'alcor repair' sets damaged shards "
                                "aside and keeps every record that still reads)");
  }

  // Run id: UTC time to the millisecond plus randomness, so ids sort by start time (runs of the
  // same second too) and never collide: 20261128T001503.042Z-3fa9.
  std::random_device rd;
  char suffix[8];
  std::snprintf(suffix, sizeof(suffix), "%04x", static_cast<unsigned>(rd() & 0xffff));
  int64_t now_micros = env_->NowMicros();
  std::string stamp = FormatRfc3339UtcMicros(now_micros);  // 2026-11-28T00:15:03Z
  std::string compact;
  for (char c : stamp)
    if (c != '-' && c != ':' && c != 'Z') compact += c;
  char millis[8];
  std::snprintf(millis, sizeof(millis), ".%03dZ", static_cast<int>((now_micros / 1000) % 1000));
  run_id_ = compact + millis + "-" + suffix;

  if (!options_.read_only) ALCOR_RETURN_IF_ERROR(SweepInterruptedCommit());
  permission_problems_ = FindNonPrivatePaths(env_, dir_);
  for (const std::string& p : permission_problems_)
    spdlog::warn("{}: readable or writable by group or others; a corpus store should be private (chmod go-rwx)",
                 PathOf(p));
  return Status::OK();
}

namespace {

// Moves a shard (or a symbolic link in its place, not followed) to quarantine/, under a name not
// taken yet. Nothing when it is already gone.
Status MoveToQuarantine(Env* env, const std::string& dir, const std::string& rel) {
  const std::string from = JoinPath(dir, rel);
  if (!env->FileExists(from) && !env->IsSymlink(from)) return Status::OK();
  std::string to = JoinPath(dir, store_files::QuarantinePath(rel));
  for (int n = 1; env->FileExists(to) || env->IsSymlink(to); ++n)
    to = JoinPath(dir, store_files::QuarantinePath(rel)) + "." + std::to_string(n);
  ALCOR_RETURN_IF_ERROR(env->CreateDirs(DirName(to), kPrivateDirMode));
  ALCOR_RETURN_IF_ERROR(env->RenameFile(from, to));
  ALCOR_RETURN_IF_ERROR(env->SyncDir(DirName(to)));
  spdlog::info("moved {} to {}", rel, to.substr(dir.size() + 1));
  return Status::OK();
}

}  // namespace

// Removes what a commit that never published left behind: shard files not in the manifest that the
// commit intent names, temporaries, and state generations the manifest does not reference.
Status Store::SweepInterruptedCommit() {
  std::set<std::string> listed;
  for (const ShardInfo& s : manifest_.shards) listed.insert(s.path);
  for (const RawFileInfo& r : manifest_.raw) listed.insert(r.path);
  const std::string intent_path = PathOf(store_files::kCommitIntent);
  std::vector<std::string> intent, quarantine;
  ALCOR_RETURN_IF_ERROR(ReadCommitIntent(env_, dir_, &intent, &quarantine));
  for (const std::string& rel : quarantine) {
    if (listed.count(rel)) continue;
    ALCOR_RETURN_IF_ERROR(MoveToQuarantine(env_, dir_, rel));
  }
  for (const std::string& rel : intent) {
    if (listed.count(rel) || !env_->FileExists(PathOf(rel))) continue;
    ALCOR_RETURN_IF_ERROR(env_->RemoveFile(PathOf(rel)));
    spdlog::info("removed {}, left unlisted by an interrupted commit", rel);
  }
  if (env_->FileExists(intent_path)) ALCOR_RETURN_IF_ERROR(env_->RemoveFile(intent_path));
  // Temporaries in shards/<source>/, raw/<source>/ and state/.
  for (const char* top : {store_files::kShardsDir, store_files::kRawDir}) {
    std::vector<std::string> sources;
    if (!env_->GetChildren(PathOf(top), &sources).ok()) continue;
    for (const std::string& src : sources) {
      std::string dir = JoinPath(PathOf(top), src);
      std::vector<std::string> files;
      if (!env_->GetChildren(dir, &files).ok()) continue;
      for (const std::string& f : files)
        if (store_files::IsTemporaryName(f)) env_->RemoveFile(JoinPath(dir, f));
    }
  }
  std::set<std::string> state_in_use;
  for (const auto& [name, rel] : manifest_.state) state_in_use.insert(BaseName(rel));
  std::vector<std::string> state_files;
  if (env_->GetChildren(StateDir(), &state_files).ok()) {
    for (const std::string& f : state_files) {
      if (store_files::IsTemporaryName(f)) {
        env_->RemoveFile(JoinPath(StateDir(), f));
        continue;
      }
      // Generations "<name>.<6+ digits>" not referenced by the manifest are stale.
      size_t dot = f.rfind('.');
      if (dot == std::string::npos || f.size() - dot - 1 < 6) continue;
      bool digits = std::all_of(f.begin() + static_cast<long>(dot) + 1, f.end(), [](char c) { return c >= '0' && c <= '9'; });
      if (digits && !state_in_use.count(f)) env_->RemoveFile(JoinPath(StateDir(), f));
    }
  }
  return Status::OK();
}

std::vector<std::string> FindNonPrivatePaths(Env* env, const std::string& dir) {
  std::vector<std::string> found;
  auto check = [&](const std::string& rel) {
    mode_t mode = 0;
    // A symbolic link has no modes of its own (validate reports the link itself).
    if (rel != "." && env->IsSymlink(JoinPath(dir, rel))) return;
    if (env->GetMode(rel == "." ? dir : JoinPath(dir, rel), &mode).ok() && (mode & 077) != 0) found.push_back(rel);
  };
  auto children = [&](const std::string& rel) {
    std::vector<std::string> names;
    env->GetChildren(JoinPath(dir, rel), &names);
    std::sort(names.begin(), names.end());
    return names;
  };
  check(".");
  for (const char* f : {store_files::kMarker, store_files::kManifest, store_files::kLock, store_files::kCommitIntent})
    if (env->FileExists(JoinPath(dir, f))) check(f);
  for (const char* sub : {store_files::kShardsDir, store_files::kStateDir, store_files::kRunsDir,
                          store_files::kQuarantineDir, store_files::kRawDir}) {
    if (!env->FileExists(JoinPath(dir, sub))) continue;
    check(sub);
    for (const std::string& c : children(sub)) {
      std::string rel = std::string(sub) + "/" + c;
      check(rel);
      if (!env->IsDirectory(JoinPath(dir, rel))) continue;
      for (const std::string& f : children(rel)) check(rel + "/" + f);
    }
  }
  return found;
}

std::unique_ptr<ShardWriter> Store::NewShardWriter(const std::string& source) {
  return std::make_unique<ShardWriter>(env_, dir_, source, run_id_, options_.shard, shard_sequence_);
}

std::unique_ptr<RawArchiveWriter> Store::NewRawArchiveWriter(const std::string& source) {
  return std::make_unique<RawArchiveWriter>(env_, dir_, source, run_id_, shard_sequence_);
}

Status Store::Commit(Transaction* txn) {
  if (options_.read_only) return Status::InvalidArgument(dir_ + ": store opened read-only");
  if (txn->shards.empty() && txn->state_files.empty() && txn->remove_shards.empty() &&
      txn->quarantine_shards.empty() && txn->remove_state.empty() && txn->raw_files.empty() &&
      txn->remove_raw.empty())
    return Status::OK();

  std::set<std::string> listed;
  for (const ShardInfo& s : manifest_.shards) listed.insert(s.path);
  std::set<std::string> removing(txn->remove_shards.begin(), txn->remove_shards.end());
  std::set<std::string> quarantining(txn->quarantine_shards.begin(), txn->quarantine_shards.end());
  for (const std::string& rel : removing)
    if (!listed.count(rel)) return Status::InvalidArgument("cannot remove " + rel + ": not in the manifest");
  std::set<std::string> raw_listed;
  for (const RawFileInfo& r : manifest_.raw) raw_listed.insert(r.path);
  std::set<std::string> removing_raw(txn->remove_raw.begin(), txn->remove_raw.end());
  for (const std::string& rel : removing_raw)
    if (!raw_listed.count(rel)) return Status::InvalidArgument("cannot remove " + rel + ": not in the manifest");
  for (const std::string& rel : quarantining)
    if (!listed.count(rel) || removing.count(rel))
      return Status::InvalidArgument("cannot quarantine " + rel + ": not in the manifest, or removed too");

  // 1. Intent: names the shards about to appear or go, so a crash before the manifest is
  //    published leaves files the next writer knows to remove and validate knows to ignore.
  //    Files an earlier failed commit could not remove stay named until they are gone.
  json intent = {{"run_id", run_id_}, {"shards", json::array()}};
  for (const PendingShard& p : txn->shards) intent["shards"].push_back(p.info.path);
  for (const std::string& rel : removing) intent["shards"].push_back(rel);
  for (const std::string& rel : uncommitted_leftovers_) intent["shards"].push_back(rel);
  // Raw archive files go with the shards (their records point at them).
  for (const PendingRawFile& p : txn->raw_files) intent["shards"].push_back(p.info.path);
  for (const std::string& rel : removing_raw) intent["shards"].push_back(rel);
  if (!quarantining.empty()) intent["quarantine"] = quarantining;
  ALCOR_RETURN_IF_ERROR(WriteFileAtomically(env_, PathOf(store_files::kCommitIntent), intent.dump() + "\n"));

  std::vector<std::string> renamed;  // store-relative paths now under their final names
  std::vector<std::string> installed_state;
  Manifest next = manifest_;
  next.generation = manifest_.generation + 1;
  std::vector<std::string> replaced_state;
  Status s = [&]() -> Status {
    // 2. Shards under their final names.
    std::set<std::string> dirs;
    for (const PendingShard& p : txn->shards) {
      ALCOR_RETURN_IF_ERROR(env_->RenameFile(p.temp_path, p.final_path));
      renamed.push_back(p.info.path);
      dirs.insert(DirName(p.final_path));
    }
    for (const PendingRawFile& p : txn->raw_files) {
      ALCOR_RETURN_IF_ERROR(env_->RenameFile(p.temp_path, p.final_path));
      renamed.push_back(p.info.path);
      dirs.insert(DirName(p.final_path));
    }
    for (const std::string& d : dirs) ALCOR_RETURN_IF_ERROR(env_->SyncDir(d));
    // 3. State files as the next generation.
    for (const auto& [name, path] : txn->state_files) {
      std::string rel = store_files::StateFilePath(name, next.generation);
      ALCOR_RETURN_IF_ERROR(env_->RenameFile(path, PathOf(rel)));
      installed_state.push_back(rel);
      auto old = next.state.find(name);
      if (old != next.state.end()) replaced_state.push_back(old->second);
      next.state[name] = rel;
    }
    if (!txn->state_files.empty()) ALCOR_RETURN_IF_ERROR(env_->SyncDir(StateDir()));
    for (const std::string& name : txn->remove_state) {
      auto old = next.state.find(name);
      if (old == next.state.end()) continue;
      replaced_state.push_back(old->second);
      next.state.erase(old);
    }
    // 4. The commit point.
    if (!removing.empty() || !quarantining.empty()) {
      std::vector<ShardInfo> kept;
      for (ShardInfo& info : next.shards)
        if (!removing.count(info.path) && !quarantining.count(info.path)) kept.push_back(std::move(info));
      next.shards = std::move(kept);
    }
    for (const PendingShard& p : txn->shards) next.shards.push_back(p.info);
    if (!removing_raw.empty()) {
      std::vector<RawFileInfo> kept;
      for (RawFileInfo& info : next.raw)
        if (!removing_raw.count(info.path)) kept.push_back(std::move(info));
      next.raw = std::move(kept);
    }
    for (const PendingRawFile& p : txn->raw_files) next.raw.push_back(p.info);
    next.updated = FormatRfc3339UtcMicros(env_->NowMicros());
    return WriteFileAtomically(env_, PathOf(store_files::kManifest), next.ToJson());
  }();
  if (!s.ok()) {
    // Not committed: take back what moved, so the store is exactly as before.
    for (const std::string& rel : renamed)
      if (!env_->RemoveFile(PathOf(rel)).ok()) uncommitted_leftovers_.push_back(rel);
    for (const std::string& rel : installed_state) env_->RemoveFile(PathOf(rel));
    for (const PendingShard& p : txn->shards) env_->RemoveFile(p.temp_path);
    for (const PendingRawFile& p : txn->raw_files) env_->RemoveFile(p.temp_path);
    if (uncommitted_leftovers_.empty()) env_->RemoveFile(PathOf(store_files::kCommitIntent));
    return s.WithContext("commit failed, nothing was stored");
  }
  manifest_ = std::move(next);
  uncommitted_leftovers_.clear();

  // 5. Clean up; a crash here leaves only files the next writer sweeps.
  for (const std::string& rel : replaced_state) env_->RemoveFile(PathOf(rel));
  for (const std::string& rel : removing) env_->RemoveFile(PathOf(rel));
  for (const std::string& rel : removing_raw) env_->RemoveFile(PathOf(rel));
  // Quarantined shards are never deleted; if a move fails, the intent stays and the next writer
  // finishes it.
  Status moved;
  for (const std::string& rel : quarantining)
    if (Status m = MoveToQuarantine(env_, dir_, rel); !m.ok() && moved.ok()) moved = m;
  if (moved.ok()) env_->RemoveFile(PathOf(store_files::kCommitIntent));
  txn->shards.clear();
  txn->state_files.clear();
  txn->remove_shards.clear();
  txn->quarantine_shards.clear();
  txn->remove_state.clear();
  txn->raw_files.clear();
  txn->remove_raw.clear();
  if (!moved.ok())
    spdlog::warn("committed, but a damaged shard is not in quarantine/ yet ({}); the next writer moves it", moved.ToString());
  // 6. The search index follows the new manifest (alcor/search.hpp). It is a cache: a failure or a
  //    crash here leaves it behind the manifest, and the next sync (any reader's) catches up.
  if (options_.update_search_index && options_.index_in_background) {
    if (!index_follower_) index_follower_ = std::make_unique<SearchIndexFollower>(env_, dir_);
    index_follower_->Post(manifest_);
  } else if (options_.update_search_index) {
    if (Status indexed = SyncSearchIndex(*this); !indexed.ok())
      spdlog::warn("committed, but the search index is behind ({}); the next search brings it up to date",
                   indexed.ToString());
  }
  return Status::OK();
}

Status ReadCommitIntent(Env* env, const std::string& dir, std::vector<std::string>* shard_paths,
                        std::vector<std::string>* quarantine_paths) {
  shard_paths->clear();
  if (quarantine_paths) quarantine_paths->clear();
  const std::string path = JoinPath(dir, store_files::kCommitIntent);
  if (!env->FileExists(path)) return Status::OK();
  std::string text;
  ALCOR_RETURN_IF_ERROR(ReadFileToString(env, path, &text, uint64_t{64} << 20));
  Result<json> parsed = ParseJson(text, path);
  json j = parsed.ok() ? std::move(parsed).value() : json();
  // A torn intent cannot exist (it is written atomically); an unreadable one names nothing.
  if (!j.is_object() || !j.contains("shards") || !j["shards"].is_array()) return Status::OK();
  for (const json& p : j["shards"]) {
    if (!p.is_string()) continue;
    std::string rel = p.get<std::string>(), d, r;
    uint64_t q;
    if (store_files::ParseShardPath(rel, &d, &r, &q) || store_files::IsRawPath(rel)) shard_paths->push_back(rel);
  }
  if (quarantine_paths && j.contains("quarantine") && j["quarantine"].is_array()) {
    for (const json& p : j["quarantine"]) {
      if (!p.is_string()) continue;
      std::string rel = p.get<std::string>(), d, r;
      uint64_t q;
      if (store_files::ParseShardPath(rel, &d, &r, &q)) quarantine_paths->push_back(rel);
    }
  }
  return Status::OK();
}

Status Store::WriteRunReport(const std::string& json_text) {
  if (options_.read_only) return Status::InvalidArgument(dir_ + ": store opened read-only");
  // No configured secret reaches a run report: each is written as its ${NAME} (in every string
  // of the JSON, escaped or not).
  std::string text = json_text;
  Result<nlohmann::json> report = ParseJson(json_text, "run report");
  if (report.ok()) {
    SecretRegistry::Global()->ConcealJson(&*report);
    text = report->dump(2) + "\n";
  }
  text = SecretRegistry::Global()->Conceal(text);
  return WriteFileAtomically(env_, JoinPath(PathOf(store_files::kRunsDir), run_id_ + ".json"), text);
}

}  // namespace alcor
