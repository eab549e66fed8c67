// PushStore and PullStore: a store to and from an S3 prefix (alcor/s3_sync.hpp).
#include "alcor/s3_sync.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include <signal.h>

#include <spdlog/spdlog.h>

#include "alcor/dates.hpp"
#include "alcor/hash.hpp"
#include "alcor/store.hpp"

namespace alcor {

nlohmann::json SyncReport::ToJson() const {
  return {{"uploaded", uploaded}, {"skipped", skipped}, {"bytes", bytes}, {"seconds", seconds}, {"deleted", deleted}};
}

std::string SyncReport::ToText(bool pull) const {
  char seconds_text[32];
  std::snprintf(seconds_text, sizeof(seconds_text), "%.2f", seconds);
  return std::string(pull ? "fetched " : "uploaded ") + std::to_string(uploaded) + " objects (" +
         std::to_string(bytes) + " bytes), skipped " + std::to_string(skipped) + " unchanged, " +
         (pull ? "removed " : "deleted ") + std::to_string(deleted) + " stale, in " + seconds_text + " s\n";
}

namespace s3_sync_internal {

// A file the manifest lists.
struct ListedFile {
  std::string path;    // store-relative
  std::string sha256;  // "" when the manifest gives none (state files)
  uint64_t size = 0;   // 0 when the manifest gives none
  bool has_size = false;
};

// Top-level folders a listed file may be in: nothing a manifest names is written elsewhere.
bool IsStoreDataPath(std::string_view path) {
  if (!(path.rfind("shards/", 0) == 0 || path.rfind("raw/", 0) == 0 || path.rfind("state/", 0) == 0)) return false;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = std::min(path.find('/', start), path.size());
    std::string_view segment = path.substr(start, end - start);
    if (segment.empty() || segment == "." || segment == "..") return false;
    start = end + 1;
  }
  return path.find('\0') == std::string_view::npos;
}

// Every file the manifest lists: each entry with a "path" of its top-level arrays (shards, raw
// archives, whatever a later format adds), and the state map's paths.
Status ListedFiles(const nlohmann::json& manifest, const std::string& where, std::vector<ListedFile>* files) {
  files->clear();
  std::set<std::string> seen;
  auto add = [&](ListedFile f) -> Status {
    if (!IsStoreDataPath(f.path)) return Status::Corruption(where + ": lists '" + f.path + "', not a store data path");
    if (seen.insert(f.path).second) files->push_back(std::move(f));
    return Status::OK();
  };
  if (!manifest.is_object()) return Status::Corruption(where + ": not a JSON object");
  for (const auto& [key, value] : manifest.items()) {
    if (value.is_array()) {
      for (const nlohmann::json& entry : value) {
        if (!entry.is_object() || !entry.contains("path") || !entry["path"].is_string()) continue;
        ListedFile f;
        f.path = entry["path"].get<std::string>();
        if (entry.contains("sha256") && entry["sha256"].is_string()) f.sha256 = entry["sha256"].get<std::string>();
        if (entry.contains("file_bytes") && entry["file_bytes"].is_number_unsigned()) {
          f.size = entry["file_bytes"].get<uint64_t>();
          f.has_size = true;
        }
        ALCOR_RETURN_IF_ERROR(add(std::move(f)));
      }
    } else if (key == "state" && value.is_object()) {
      for (const auto& [name, rel] : value.items()) {
        if (rel.is_string()) ALCOR_RETURN_IF_ERROR(add(ListedFile{rel.get<std::string>(), "", 0, false}));
      }
    }
  }
  return Status::OK();
}

Status ParseManifestText(const std::string& text, const std::string& where, nlohmann::json* out) {
  *out = nlohmann::json::parse(text, nullptr, false);
  if (out->is_discarded()) return Status::Corruption(where + ": not valid JSON");
  return Status::OK();
}

// Path → sha256 ("" when not given) of every file a manifest's text lists; empty when the text is
// empty or not a manifest (then nothing is known to be there).
std::map<std::string, std::string> ListedDigests(const std::string& manifest_text) {
  std::map<std::string, std::string> digests;
  nlohmann::json manifest;
  std::vector<ListedFile> files;
  if (manifest_text.empty() || !ParseManifestText(manifest_text, "manifest", &manifest).ok() ||
      !ListedFiles(manifest, "manifest", &files).ok())
    return digests;
  for (const ListedFile& f : files) digests[f.path] = f.sha256;
  return digests;
}

Status Sha256OfFile(Env* env, const std::string& path, std::string* hex, uint64_t* size) {
  std::unique_ptr<SequentialFile> file;
  ALCOR_RETURN_IF_ERROR(env->NewSequentialFile(path, &file));
  Sha256 digest;
  std::string buffer(1 << 20, '\0');
  *size = 0;
  for (;;) {
    size_t n = 0;
    ALCOR_RETURN_IF_ERROR(file->Read(buffer.size(), buffer.data(), &n));
    if (n == 0) break;
    digest.Update(std::string_view(buffer.data(), n));
    *size += n;
  }
  *hex = digest.FinishHex();
  return Status::OK();
}

// Runs jobs on up to `threads` threads; the first failure stops the rest from starting.
Status RunParallel(size_t count, int threads, const std::function<Status(size_t)>& job) {
  std::atomic<size_t> next{0};
  std::mutex mu;
  Status first;
  std::atomic<bool> failed{false};
  auto worker = [&] {
    for (size_t i; !failed && (i = next++) < count;) {
      Status s = job(i);
      if (!s.ok()) {
        std::lock_guard<std::mutex> lock(mu);
        if (first.ok()) first = s;
        failed = true;
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < std::max(1, threads) && static_cast<size_t>(t) < count; ++t) pool.emplace_back(worker);
  worker();
  for (std::thread& t : pool) t.join();
  return first;
}

// The push lease: one pusher per prefix. Renewed by a thread of its own until released.
class PushLease {
 public:
  PushLease(Env* env, S3Client* client, std::string key, const PushOptions& options)
      : env_(env), client_(client), key_(std::move(key)), options_(options) {
    std::random_device rd;
    token_ = std::to_string(rd()) + std::to_string(rd());
  }
  ~PushLease() { Release(); }

  Status Acquire() {
    Status s = client_->Put(key_, Body(), PutOptionsFor(true));
    if (s.ok()) return StartRenewing();
    if (s.http_status() == 412) return TakeOverIfExpired();
    if (s.code() != Status::Code::kNotSupported) return s.WithContext("taking the push lease");
    // The server ignores conditional writes: read, write, pause, read back.
    ALCOR_RETURN_IF_ERROR(RefuseLiveHolder());
    ALCOR_RETURN_IF_ERROR(client_->Put(key_, Body(), PutOptionsFor(false)));
    env_->SleepMicros(options_.lease_settle_ms * 1000);
    return ConfirmOwnership();
  }

  void Release() {
    if (!held_) return;
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    if (renewer_.joinable()) renewer_.join();
    held_ = false;
    // Only a lease still ours is deleted.
    std::string body;
    if (client_->Get(key_, &body, 1 << 16).ok() && Field(body, "token") == token_) {
      Status s = client_->Delete(key_);
      if (!s.ok()) spdlog::warn("push lease not released: {}", s.ToString());
    }
  }

  // A renewal failed or found another owner: the push must not publish.
  Status lost() {
    std::lock_guard<std::mutex> lock(mu_);
    return lost_;
  }

 private:
  std::string Body() const {
    int64_t expires = env_->NowMicros() / 1000000 + options_.lease_seconds;
    return nlohmann::json{{"owner", options_.owner},
                          {"host", options_.host},
                          {"pid", options_.pid},
                          {"token", token_},
                          {"expires", FormatRfc3339Utc(expires)},
                          {"expires_unix", expires}}
        .dump();
  }
  static S3PutOptions PutOptionsFor(bool if_absent) {
    S3PutOptions put;
    put.if_absent = if_absent;
    put.content_type = "application/json";
    return put;
  }
  static std::string Field(const std::string& body, const char* name) {
    nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
    if (!j.is_object() || !j.contains(name)) return "";
    return j[name].is_string() ? j[name].get<std::string>() : j[name].dump();
  }

  // Locked naming the holder when a lease of another owner is live; OK when none or expired.
  Status RefuseLiveHolder() {
    std::string body;
    Status s = client_->Get(key_, &body, 1 << 16);
    if (s.IsNotFound()) return Status::OK();
    ALCOR_RETURN_IF_ERROR(s);
    nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
    int64_t expires = j.is_object() ? j.value("expires_unix", int64_t{0}) : 0;
    if (expires > env_->NowMicros() / 1000000 && Field(body, "token") != token_ && !HolderGone(j)) {
      return Status::Locked("s3://" + client_->bucket() + "/" + key_ + ": another push holds the lease: " +
                            Field(body, "owner") + ", until " + Field(body, "expires"));
    }
    return Status::OK();
  }

  // The lease's holder ran on this host and runs no more.
  bool HolderGone(const nlohmann::json& lease) const {
    if (options_.host.empty() || !lease.is_object() || lease.value("host", "") != options_.host) return false;
    int64_t pid = lease.value("pid", int64_t{0});
    if (pid <= 0 || pid == options_.pid) return false;
    if (kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) return false;
    spdlog::warn("push lease of {} taken over: that process no longer runs", lease.value("owner", "?"));
    return true;
  }

  Status TakeOverIfExpired() {
    ALCOR_RETURN_IF_ERROR(RefuseLiveHolder());
    ALCOR_RETURN_IF_ERROR(client_->Put(key_, Body(), PutOptionsFor(false)));
    env_->SleepMicros(options_.lease_settle_ms * 1000);
    return ConfirmOwnership();
  }

  Status ConfirmOwnership() {
    std::string body;
    ALCOR_RETURN_IF_ERROR(client_->Get(key_, &body, 1 << 16));
    if (Field(body, "token") != token_) {
      return Status::Locked("s3://" + client_->bucket() + "/" + key_ + ": another push took the lease: " +
                            Field(body, "owner") + ", until " + Field(body, "expires"));
    }
    return StartRenewing();
  }

  Status StartRenewing() {
    held_ = true;
    renewer_ = std::thread([this] {
      std::unique_lock<std::mutex> lock(mu_);
      const auto period = std::chrono::seconds(std::max<int64_t>(1, options_.lease_seconds / 3));
      while (!cv_.wait_for(lock, period, [this] { return stop_; })) {
        lock.unlock();
        std::string body;
        Status s = client_->Get(key_, &body, 1 << 16);
        if (s.ok() && Field(body, "token") != token_)
          s = Status::Locked("the push lease was taken by " + Field(body, "owner"));
        if (s.ok()) s = client_->Put(key_, Body(), PutOptionsFor(false));
        lock.lock();
        if (!s.ok() && lost_.ok()) lost_ = s.WithContext("renewing the push lease");
      }
    });
    return Status::OK();
  }

  Env* env_;
  S3Client* client_;
  std::string key_;
  PushOptions options_;
  std::string token_;
  bool held_ = false;
  std::thread renewer_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;  // guarded by mu_
  Status lost_;        // guarded by mu_
};

// The published manifest's text, "" when the prefix holds none.
Status ReadRemoteManifest(S3Client* client, const S3Url& root, std::string* text) {
  Status s = client->Get(root.Key(store_files::kManifest), text, uint64_t{1} << 30);
  if (s.IsNotFound()) {
    text->clear();
    return Status::OK();
  }
  return s;
}

}  // namespace s3_sync_internal

using namespace s3_sync_internal;

Status PushStore(Env* env, const std::string& store_dir, S3Client* client, const S3Url& root,
                 const PushOptions& options, SyncReport* report) {
  *report = SyncReport();
  const int64_t start = env->MonotonicMicros();
  if (options.owner.empty()) return Status::InvalidArgument("push: no lease owner");
  // The store must be one (marker and manifest), read as it is now.
  StoreOptions ro;
  ro.read_only = true;
  ro.check_before_writing = false;
  std::unique_ptr<Store> store;
  ALCOR_RETURN_IF_ERROR(Store::Open(env, store_dir, ro, &store));
  std::string manifest_text, marker_text;
  ALCOR_RETURN_IF_ERROR(ReadFileToString(env, JoinPath(store_dir, store_files::kManifest), &manifest_text));
  ALCOR_RETURN_IF_ERROR(ReadFileToString(env, JoinPath(store_dir, store_files::kMarker), &marker_text));
  nlohmann::json manifest;
  ALCOR_RETURN_IF_ERROR(ParseManifestText(manifest_text, JoinPath(store_dir, store_files::kManifest), &manifest));
  std::vector<ListedFile> files;
  ALCOR_RETURN_IF_ERROR(ListedFiles(manifest, JoinPath(store_dir, store_files::kManifest), &files));

  // What the prefix holds: sizes from one listing, digests from the published manifest.
  std::vector<S3ObjectInfo> objects;
  std::map<std::string, uint64_t> remote_size;
  std::string remote_manifest_text;
  auto look = [&]() -> Status {
    ALCOR_RETURN_IF_ERROR(client->List(root.prefix.empty() ? "" : root.prefix + "/", &objects));
    remote_size.clear();
    for (const S3ObjectInfo& o : objects) remote_size[o.key] = o.size;
    return ReadRemoteManifest(client, root, &remote_manifest_text);
  };
  // Already published exactly so (the same manifest, every file it lists there at its size):
  // nothing to write, so no lease to take.
  ALCOR_RETURN_IF_ERROR(look());
  if (remote_manifest_text == manifest_text && remote_size.count(root.Key(store_files::kMarker)) &&
      std::all_of(files.begin(), files.end(), [&](const ListedFile& f) {
        auto it = remote_size.find(root.Key(f.path));
        return it != remote_size.end() && (!f.has_size || it->second == f.size);
      })) {
    report->skipped = files.size() + 2;
    report->seconds = static_cast<double>(env->MonotonicMicros() - start) / 1e6;
    return Status::OK();
  }

  PushLease lease(env, client, root.Key(kPushLeaseName), options);
  ALCOR_RETURN_IF_ERROR(lease.Acquire());
  ALCOR_RETURN_IF_ERROR(look());  // again: another pusher may have published meanwhile
  // path → sha256 the published manifest gives: every file it lists.
  const std::map<std::string, std::string> remote_sha = ListedDigests(remote_manifest_text);

  // Like a local commit, the files this push may add are named first in COMMIT-INTENT, so a reader
  // of the bucket after a kill takes what is uploaded but not yet listed for what it is (validate:
  // notes, not problems); the intent goes once the manifest is published.
  nlohmann::json intent = {{"shards", nlohmann::json::array()}};
  for (const ListedFile& f : files)
    if (!remote_sha.count(f.path)) intent["shards"].push_back(f.path);
  const std::string intent_key = root.Key(store_files::kCommitIntent);
  if (!intent["shards"].empty()) {
    S3PutOptions put;
    put.content_type = "application/json";
    ALCOR_RETURN_IF_ERROR(client->Put(intent_key, intent.dump(), put).WithContext("push"));
  }

  // Largest first, so the long uploads overlap the many small ones.
  std::sort(files.begin(), files.end(), [](const ListedFile& a, const ListedFile& b) { return a.size > b.size; });
  std::atomic<uint64_t> uploaded{0}, skipped{0}, bytes{0};
  Status s = RunParallel(files.size(), options.threads, [&](size_t i) -> Status {
    ListedFile f = files[i];
    const std::string local = JoinPath(store_dir, f.path);
    const std::string key = root.Key(f.path);
    uint64_t size = f.size;
    if (f.sha256.empty() || !f.has_size) ALCOR_RETURN_IF_ERROR(Sha256OfFile(env, local, &f.sha256, &size));
    auto there = remote_size.find(key);
    if (there != remote_size.end() && there->second == size) {
      auto listed = remote_sha.find(f.path);
      bool same = listed != remote_sha.end() && !listed->second.empty() && listed->second == f.sha256;
      if (!same) {
        S3ObjectInfo info;
        same = client->Head(key, &info).ok() && info.sha256 == f.sha256;
      }
      if (same) {
        ++skipped;
        return Status::OK();
      }
    }
    ALCOR_RETURN_IF_ERROR(lease.lost());
    S3PutOptions put;
    put.sha256 = f.sha256;
    ALCOR_RETURN_IF_ERROR(client->PutFile(key, local, put).WithContext("push " + f.path));
    ++uploaded;
    bytes += size;
    return Status::OK();
  });
  ALCOR_RETURN_IF_ERROR(s);

  // The marker, then the manifest: the commit point of the published corpus.
  auto put_small = [&](const char* name, const std::string& text) -> Status {
    const std::string key = root.Key(name);
    S3PutOptions put;
    put.sha256 = Sha256Hex(text);
    put.content_type = "application/json";
    auto there = remote_size.find(key);
    if (there != remote_size.end() && there->second == text.size()) {
      std::string current;
      if (std::string(name) == store_files::kManifest ? remote_manifest_text == text
                                                       : (client->Get(key, &current, 1 << 20).ok() && current == text)) {
        ++skipped;
        return Status::OK();
      }
    }
    ALCOR_RETURN_IF_ERROR(lease.lost());
    ALCOR_RETURN_IF_ERROR(client->Put(key, text, put));
    ++uploaded;
    bytes += text.size();
    return Status::OK();
  };
  ALCOR_RETURN_IF_ERROR(put_small(store_files::kMarker, marker_text));
  ALCOR_RETURN_IF_ERROR(put_small(store_files::kManifest, manifest_text));
  if (!intent["shards"].empty() || remote_size.count(intent_key)) {
    Status d = client->Delete(intent_key);
    if (!d.ok()) spdlog::warn("push: {} not deleted: {}", intent_key, d.ToString());
  }

  // Stale objects: listed by neither the new manifest nor the one it replaced.
  std::set<std::string> listed;
  for (const ListedFile& f : files) listed.insert(f.path);
  const std::string base = root.prefix.empty() ? "" : root.prefix + "/";
  for (const S3ObjectInfo& o : objects) {
    std::string rel = o.key.substr(base.size());
    if (!IsStoreDataPath(rel) || listed.count(rel) || remote_sha.count(rel)) continue;
    Status d = client->Delete(o.key);
    if (d.ok()) ++report->deleted;
    else spdlog::warn("push: stale object not deleted: {}", d.ToString());
  }
  lease.Release();
  report->uploaded = uploaded;
  report->skipped = skipped;
  report->bytes = bytes;
  report->seconds = static_cast<double>(env->MonotonicMicros() - start) / 1e6;
  return Status::OK();
}

namespace s3_sync_internal {

// Fetches key into path through a temporary sibling, checking its sha256 against expected_sha256
// (else against the object's x-amz-meta-sha256, which must be there).
Status FetchVerified(Env* env, S3Client* client, const std::string& key, const std::string& path,
                     const std::string& expected_sha256, uint64_t* bytes) {
  ALCOR_RETURN_IF_ERROR(env->CreateDirs(DirName(path), kPrivateDirMode));
  const std::string temp = JoinPath(DirName(path), "." + BaseName(path) + ".tmp");
  std::unique_ptr<WritableFile> file;
  std::unique_ptr<Sha256> digest;
  uint64_t size = 0;
  auto restart = [&]() -> Status {
    if (file) file->Close();
    ALCOR_RETURN_IF_ERROR(env->NewWritableFile(temp, kPrivateFileMode, &file));
    digest = std::make_unique<Sha256>();
    size = 0;
    return Status::OK();
  };
  ALCOR_RETURN_IF_ERROR(restart());
  S3ObjectInfo info;
  Status s = client->GetStream(
      key,
      [&](std::string_view chunk) {
        digest->Update(chunk);
        size += chunk.size();
        return file->Append(chunk);
      },
      restart, &info);
  if (s.ok()) s = file->Sync();
  if (s.ok()) s = file->Close();
  if (s.ok()) {
    const std::string seen = digest->FinishHex();
    const std::string& want = expected_sha256.empty() ? info.sha256 : expected_sha256;
    if (want.empty()) s = Status::Corruption("s3://" + client->bucket() + "/" + key + ": no sha256 to verify it with");
    else if (seen != want)
      s = Status::Corruption("s3://" + client->bucket() + "/" + key + ": sha256 " + seen + ", expected " + want);
  }
  if (s.ok()) s = env->RenameFile(temp, path);
  if (!s.ok()) {
    env->RemoveFile(temp);
    return s;
  }
  *bytes += size;
  return Status::OK();
}

}  // namespace s3_sync_internal

Status PullStore(Env* env, S3Client* client, const S3Url& root, const std::string& store_dir, SyncReport* report) {
  *report = SyncReport();
  const int64_t start = env->MonotonicMicros();
  std::string manifest_text;
  ALCOR_RETURN_IF_ERROR(ReadRemoteManifest(client, root, &manifest_text));
  if (manifest_text.empty()) return Status::NotFound(root.ToString() + ": no store there (no manifest.json)");
  const std::string where = root.ToString() + "/" + store_files::kManifest;
  nlohmann::json manifest;
  ALCOR_RETURN_IF_ERROR(ParseManifestText(manifest_text, where, &manifest));
  ALCOR_RETURN_IF_ERROR(Manifest::Parse(manifest_text, where).status());
  std::vector<ListedFile> files;
  ALCOR_RETURN_IF_ERROR(ListedFiles(manifest, where, &files));
  std::string marker_text;
  ALCOR_RETURN_IF_ERROR(client->Get(root.Key(store_files::kMarker), &marker_text, 1 << 16));

  // An existing folder must be empty or a store; it is held under the store's lock meanwhile.
  const bool existed = env->FileExists(store_dir);
  if (existed && !env->FileExists(JoinPath(store_dir, store_files::kMarker))) {
    std::vector<std::string> children;
    ALCOR_RETURN_IF_ERROR(env->GetChildren(store_dir, &children));
    if (!children.empty()) return Status::InvalidArgument(store_dir + ": not empty and not a store");
  }
  ALCOR_RETURN_IF_ERROR(env->CreateDirs(store_dir, kPrivateDirMode));
  std::unique_ptr<FileLock> lock;
  ALCOR_RETURN_IF_ERROR(env->LockFile(JoinPath(store_dir, store_files::kLock), &lock));

  // What the local manifest already lists with the same digest is there (files are immutable
  // under their names); state files, which the manifest gives no digest for, are hashed.
  std::string local_text;
  if (!ReadFileToString(env, JoinPath(store_dir, store_files::kManifest), &local_text).ok()) local_text.clear();
  const std::map<std::string, std::string> local_sha = ListedDigests(local_text);
  std::sort(files.begin(), files.end(), [](const ListedFile& a, const ListedFile& b) { return a.size > b.size; });
  std::atomic<uint64_t> fetched{0}, skipped{0}, bytes{0};
  Status s = RunParallel(files.size(), 4, [&](size_t i) -> Status {
    const ListedFile& f = files[i];
    const std::string path = JoinPath(store_dir, f.path);
    if (env->IsRegularFile(path)) {
      uint64_t size = 0;
      bool same = false;
      if (!f.sha256.empty()) {
        auto it = local_sha.find(f.path);
        same = it != local_sha.end() && it->second == f.sha256 && env->GetFileSize(path, &size).ok() &&
               (!f.has_size || size == f.size);
      } else {
        S3ObjectInfo info;
        std::string hex;
        same = client->Head(root.Key(f.path), &info).ok() && !info.sha256.empty() &&
               Sha256OfFile(env, path, &hex, &size).ok() && hex == info.sha256;
      }
      if (same) {
        ++skipped;
        return Status::OK();
      }
    }
    uint64_t n = 0;
    ALCOR_RETURN_IF_ERROR(FetchVerified(env, client, root.Key(f.path), path, f.sha256, &n));
    ++fetched;
    bytes += n;
    return Status::OK();
  });
  ALCOR_RETURN_IF_ERROR(s);
  for (const char* sub : {store_files::kShardsDir, store_files::kStateDir})
    ALCOR_RETURN_IF_ERROR(env->CreateDirs(JoinPath(store_dir, sub), kPrivateDirMode));
  std::string local_marker;
  if (ReadFileToString(env, JoinPath(store_dir, store_files::kMarker), &local_marker).ok() &&
      local_marker == marker_text) {
    ++skipped;
  } else {
    ALCOR_RETURN_IF_ERROR(WriteFileAtomically(env, JoinPath(store_dir, store_files::kMarker), marker_text));
    ++fetched;
    bytes += marker_text.size();
  }
  if (local_text == manifest_text) {
    ++skipped;
  } else {
    ALCOR_RETURN_IF_ERROR(WriteFileAtomically(env, JoinPath(store_dir, store_files::kManifest), manifest_text));
    ++fetched;
    bytes += manifest_text.size();
  }
  // Local files the previous manifest listed and the new one does not.
  std::set<std::string> listed;
  for (const ListedFile& f : files) listed.insert(f.path);
  for (const auto& [rel, sha] : local_sha) {
    if (listed.count(rel) || !env->FileExists(JoinPath(store_dir, rel))) continue;
    if (env->RemoveFile(JoinPath(store_dir, rel)).ok()) ++report->deleted;
  }
  report->uploaded = fetched;
  report->skipped = skipped;
  report->bytes = bytes;
  report->seconds = static_cast<double>(env->MonotonicMicros() - start) / 1e6;
  return Status::OK();
}

}  // namespace alcor
